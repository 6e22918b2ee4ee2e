package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/outbox"
)

// obSlack is the outbox's Slack side; /kam outbox never posts, so any call
// is a failure of the test.
type obSlack struct{ t *testing.T }

func (s obSlack) PostMessage(context.Context, string, string, []slack.Block, slack.SlackMetadata) (string, string, error) {
	s.t.Error("/kam outbox posted a message")
	return "", "", errors.New("unexpected post")
}

func (s obSlack) History(context.Context, string, time.Time) ([]outbox.Msg, error) {
	s.t.Error("/kam outbox read a history")
	return nil, errors.New("unexpected history")
}

// newOutboxEnv is the commands fixture with /kam outbox on a real outbox:
// three failed messages (to a channel, a DM and a channel that is gone),
// one waiting, one sent, and a failure in another workspace.
func newOutboxEnv(t *testing.T) (*env, map[string]int64) {
	t.Helper()
	e := newEnv(t)
	ob, err := outbox.New(outbox.Config{Store: e.db, Slack: obSlack{t}, Classify: func(error) (time.Duration, bool) { return 0, true }})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Register(commands.OutboxExtension(ob))
	ctx := context.Background()
	ids := map[string]int64{}
	at := func(h int) time.Time { return fixedNow.Add(time.Duration(h) * time.Hour) }
	for i, m := range []struct {
		team, key, channel, fail string
		hours                    int
	}{
		{team, "interaction:1", acmeChan, "not_in_channel", -50},
		{team, "nudge:plan-review:1:UANA001:2025-03-04", ana, "cannot_dm_bot", -5},
		{team, "stage:7:closing", "C0GONE1", "channel_not_found", -3},
		{team, "interaction:3", "C0OTHER", "sent", -1},
		{otherTeam, "interaction:9", "C0INITECH", "is_archived", -1},
		{team, "interaction:2", acmeChan, "", -2}, // last: the claims above would take it
	} {
		e.db.Now = func() time.Time { return at(m.hours) }
		id, _, err := e.db.EnqueueOutbox(ctx, kam.OutboxMessage{TeamID: m.team, Key: m.key, Channel: m.channel, Text: fmt.Sprintf("message %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[m.key] = id
		if m.fail == "" {
			continue
		}
		claimed, err := e.db.ClaimOutbox(ctx, at(m.hours), 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range claimed {
			e.db.Now = func() time.Time { return at(m.hours).Add(10 * time.Minute) }
			if m.fail == "sent" {
				err = e.db.MarkOutboxSent(ctx, c.ID, c.Attempts, "1.2", c.Channel)
			} else {
				err = e.db.MarkOutboxFailed(ctx, c.ID, c.Attempts, m.fail)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	e.db.Now = func() time.Time { return fixedNow }
	return e, ids
}

func TestOutboxCommand(t *testing.T) {
	e, ids := newOutboxEnv(t)
	rep := e.ok(admin, "outbox")
	golden(t, "outbox.json", replyJSON(t, rep.Blocks))
	golden(t, "outbox.txt", []byte(rep.Text+"\n"))
	// Latest failure first; the other workspace's failure is not shown.
	iGone, iDM, iChan := strings.Index(rep.Text, "channel_not_found"), strings.Index(rep.Text, "cannot_dm_bot"), strings.Index(rep.Text, "not_in_channel")
	if iGone < 0 || iDM < iGone || iChan < iDM || strings.Contains(rep.Text, "is_archived") {
		t.Errorf("failures out of order or leaked:\n%s", rep.Text)
	}

	snap := snapshot(t, e.path)
	for _, tc := range []struct{ user, text, words string }{
		{ana, "outbox", "Only kambot admins"},
		{ana, fmt.Sprintf("outbox retry %d", ids["stage:7:closing"]), "Only kambot admins"},
		{admin, "outbox everything", "Unexpected"},
		{admin, "outbox retry", "Name one failed message"},
		{admin, "outbox retry 1 2", "Name one failed message"},
		{admin, "outbox retry id=3", "Name one failed message"},
		{admin, "outbox retry abc", "not a message number"},
		{admin, "outbox retry -4", "not a message number"},
		{admin, "outbox retry 99999", "no failed message 99999"},
		{admin, fmt.Sprintf("outbox retry %d", ids["interaction:2"]), "no failed message"},
		{admin, fmt.Sprintf("outbox retry %d", ids["interaction:9"]), "no failed message"},
		{admin, `outbox "retry" 3`, "Unexpected"},
	} {
		_, err := e.run(tc.user, tc.text)
		if err == nil || !strings.Contains(commands.ErrorText(err), tc.words) {
			t.Errorf("/kam %s as %s: %v; want %q", tc.text, tc.user, err, tc.words)
		}
	}
	if snapshot(t, e.path) != snap {
		t.Error("a refused /kam outbox changed the database")
	}

	id := ids["stage:7:closing"]
	rep = e.ok(admin, fmt.Sprintf("outbox retry #%d", id))
	if !strings.Contains(rep.Text, "queued again") {
		t.Errorf("retry reply: %s", rep.Text)
	}
	m, err := e.db.OutboxMessageByKey(context.Background(), team, "stage:7:closing")
	if err != nil || m.Status != kam.OutboxPending {
		t.Fatalf("after retry: %+v, %v", m, err)
	}
	if rep := e.ok(admin, "outbox"); strings.Contains(rep.Text, "channel_not_found") {
		t.Errorf("the retried message is still listed as failed:\n%s", rep.Text)
	}
}

func TestOutboxCommandEmpty(t *testing.T) {
	e := newEnv(t)
	ob, err := outbox.New(outbox.Config{Store: e.db, Slack: obSlack{t}, Classify: func(error) (time.Duration, bool) { return 0, true }})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Register(commands.OutboxExtension(ob))
	rep := e.ok(admin, "outbox")
	if !strings.Contains(rep.Text, "No failed messages") || !strings.Contains(rep.Text, "Waiting: 0") {
		t.Errorf("empty outbox:\n%s", rep.Text)
	}
}
