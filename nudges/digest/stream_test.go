package digest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
)

// recorder is a Poster that keeps each message as it was when queued.
type recorder struct{ sent []string }

func (r *recorder) Notify(_ context.Context, teamID, channelID, key, text string, blocks []slack.Block) error {
	r.sent = append(r.sent, strings.Join([]string{teamID, channelID, key, text, jsonOf(blocks)}, "\n"))
	return nil
}

// manyAccounts adds n accounts managed by userMona, each with a long
// name, so that her digest takes several parts.
func (e *env) manyAccounts(n int) {
	ctx := context.Background()
	e.clock.Set(runAt.AddDate(-1, 0, 0))
	for i := range n {
		a := kam.Account{TeamID: teamID, Name: "Account with a rather long name number " + itoa(int64(i)), Tier: kam.TierPartner, OwnerID: userAna}
		e.must(e.db.CreateAccount(ctx, &a, userAdmin))
		e.must(e.db.PutMember(ctx, kam.Member{TeamID: teamID, AccountID: a.ID, UserID: userMona, Role: kam.RoleManager}, userAdmin))
	}
	e.clock.Set(runAt)
}

// TestDigestRunQueuesWholeParts: the weekly run, which renders and queues
// one digest at a time, queues every part of every digest whole — its
// "Part i of n" line and notification text included — as BuildAll
// builds them, in order.
func TestDigestRunQueuesWholeParts(t *testing.T) {
	ctx := context.Background()
	e := newDigestEnv(t)
	e.seed()
	e.manyAccounts(300)
	rec := &recorder{}
	d := e.digester(digest.Config{Poster: rec, Channels: map[string]string{"": channelID}})
	digests, err := d.BuildAll(ctx, teamID, runAt)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, dg := range digests {
		for i, blocks := range dg.Parts {
			want = append(want, strings.Join([]string{dg.TeamID, dg.Recipient, dg.Key(i), dg.Texts[i], jsonOf(blocks)}, "\n"))
		}
	}
	if len(digests[len(digests)-1].Parts) < 3 {
		t.Fatal("the channel's digest fits in fewer than 3 parts: too short to test")
	}
	if err := d.Run(ctx, runAt); err != nil {
		t.Fatal(err)
	}
	if len(rec.sent) != len(want) {
		t.Fatalf("%d messages queued, want %d", len(rec.sent), len(want))
	}
	for i := range want {
		if rec.sent[i] != want[i] {
			t.Fatalf("message %d queued as\n%.600s\nwant\n%.600s", i+1, rec.sent[i], want[i])
		}
	}
}

// TestUserDigestHead: keeping the first parts gives them as the whole
// digest has them, and counts its parts — whether many or few of its
// accounts need attention (laid out again from a full load then).
func TestUserDigestHead(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{300, 0} {
		t.Run(fmt.Sprint(n, " more accounts"), func(t *testing.T) {
			e := newDigestEnv(t)
			e.seed()
			e.manyAccounts(n)
			d := e.digester(digest.Config{})
			for _, user := range []string{userMona, userMax, userAna} {
				all, err := d.UserDigest(ctx, teamID, user, runAt)
				if err != nil {
					t.Fatal(err)
				}
				for _, keep := range []int{0, 1, 2, 5} {
					head, parts, err := d.UserDigestHead(ctx, teamID, user, runAt, keep)
					if err != nil {
						t.Fatal(err)
					}
					if parts != len(all) {
						t.Errorf("%s, keeping %d: %d parts counted, want %d", user, keep, parts, len(all))
					}
					want := all[:min(keep, len(all))]
					if len(head) != len(want) {
						t.Errorf("%s, keeping %d: %d parts kept", user, keep, len(head))
					} else if got, want := jsonOf(butLastLine(head)), jsonOf(butLastLine(want)); len(head) > 0 && got != want {
						t.Errorf("%s, keeping %d: the head differs from the digest's start:\n%.400s\nwant\n%.400s", user, keep, got, want)
					}
					if cut := len(head) > 0 && len(head) < len(all); cut != strings.Contains(lastLine(head), "are not shown here") {
						t.Errorf("%s, keeping %d of %d: the last part kept closes with %q", user, keep, len(all), lastLine(head))
					}
				}
			}
		})
	}
}

// butLastLine is parts without the closing line of the last one, which
// says what a head leaves out.
func butLastLine(parts [][]slack.Block) [][]slack.Block {
	if len(parts) == 0 {
		return parts
	}
	out := slices.Clone(parts)
	last := out[len(out)-1]
	out[len(out)-1] = last[:len(last)-1]
	return out
}

// lastLine is the text of the last part's closing line.
func lastLine(parts [][]slack.Block) string {
	if len(parts) == 0 {
		return ""
	}
	last := parts[len(parts)-1]
	if c, ok := last[len(last)-1].(*slack.ContextBlock); ok && len(c.ContextElements.Elements) > 0 {
		if t, ok := c.ContextElements.Elements[0].(*slack.TextBlockObject); ok {
			return t.Text
		}
	}
	return ""
}
