package commands_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// payload parses an interaction payload as Slack sends it.
func payload(t testing.TB, js string) slack.InteractionCallback {
	t.Helper()
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(js), &cb); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return cb
}

func blockActions(t *testing.T, user, actionID, value string) slack.InteractionCallback {
	return payload(t, `{"type":"block_actions","team":{"id":"`+team+`"},"user":{"id":"`+user+`","team_id":"`+team+`"},
		"response_url":"https://hooks.slack.test/actions/1","trigger_id":"1.2.3",
		"actions":[{"type":"button","action_id":"`+actionID+`","block_id":"b1","value":"`+value+`","action_ts":"1"}]}`)
}

func viewSubmission(t *testing.T, user, callbackID string) slack.InteractionCallback {
	return payload(t, `{"type":"view_submission","team":{"id":"`+team+`"},"user":{"id":"`+user+`"},
		"view":{"id":"V1","type":"modal","callback_id":"`+callbackID+`","private_metadata":"42",
		"state":{"values":{"score":{"size":{"type":"static_select","selected_option":{"value":"4"}}}}}}}`)
}

func TestInteract(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var got []string
	record := func(tag string) commands.InteractionFunc {
		return func(_ context.Context, in *commands.Interaction) (commands.InteractionReply, error) {
			v := ""
			if in.Action != nil {
				v = in.Action.ActionID + "=" + in.Action.Value
			}
			got = append(got, tag+":"+in.UserID+":"+v)
			return commands.InteractionReply{Reply: &commands.Reply{Blocks: []slack.Block{
				slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*done* "+tag, false, false), nil, nil)}}, ReplaceOriginal: true}, nil
		}
	}
	e.eng.Register(commands.Extension{
		Actions: []commands.ActionHandler{
			{Prefix: "nudge:", Run: record("nudge")},
			{Prefix: "nudge:snooze", Run: record("snooze")},
			{Prefix: "acct:", Run: func(ctx context.Context, in *commands.Interaction) (commands.InteractionReply, error) {
				id, _ := strconv.ParseInt(in.Action.Value, 10, 64)
				a, _, err := in.AccountByID(ctx, id, commands.AccessTeam, "log interactions")
				if err != nil {
					return commands.InteractionReply{}, err
				}
				return commands.InteractionReply{Reply: &commands.Reply{Text: "ok " + a.Name}}, nil
			}},
			{Prefix: "fail:", Run: func(context.Context, *commands.Interaction) (commands.InteractionReply, error) {
				return commands.InteractionReply{}, errors.New("db gone")
			}},
			{Prefix: "panic:", Run: func(context.Context, *commands.Interaction) (commands.InteractionReply, error) {
				panic("button panic")
			}},
		},
		Views: []commands.ViewHandler{
			{CallbackID: "score", Run: func(_ context.Context, in *commands.Interaction) (commands.InteractionReply, error) {
				if in.Callback.View.PrivateMetadata != "42" {
					return commands.InteractionReply{}, commands.FieldErrors{"score": "Pick a score from 1 to 5."}
				}
				return commands.InteractionReply{Ack: slack.NewClearViewSubmissionResponse()}, nil
			}},
			{CallbackID: "invalid", Run: func(context.Context, *commands.Interaction) (commands.InteractionReply, error) {
				return commands.InteractionReply{}, commands.FieldErrors{"score": "Pick a score from 1 to 5."}
			}},
			{CallbackID: "refused", Run: func(context.Context, *commands.Interaction) (commands.InteractionReply, error) {
				return commands.InteractionReply{}, kam.Errorf(kam.EUNAUTHORIZED, "Only Acme Corp's team can score it.")
			}},
		},
		Shortcuts: []commands.ShortcutHandler{{CallbackID: "log_shortcut", Run: record("shortcut")}},
	})

	// Longest prefix wins; the follow-up gets its plain text.
	out := e.eng.Interact(ctx, blockActions(t, ana, "nudge:snooze:7", "7d"))
	if len(got) != 1 || got[0] != "snooze:"+ana+":nudge:snooze:7=7d" || out.Reply == nil || out.Reply.Text != "done snooze" || !out.ReplaceOriginal {
		t.Fatalf("got %v, reply %+v", got, out.Reply)
	}
	e.eng.Interact(ctx, blockActions(t, ana, "nudge:done:7", ""))
	if got[1] != "nudge:"+ana+":nudge:done:7=" {
		t.Fatalf("got %v", got)
	}

	// Handlers get the same permission checks as commands.
	acme := strconv.FormatInt(e.ids[team+"/Acme Corp"], 10)
	if out := e.eng.Interact(ctx, blockActions(t, ben, "acct:log", acme)); out.Reply == nil || out.Reply.Text != "ok Acme Corp" {
		t.Fatalf("member: %+v", out.Reply)
	}
	out = e.eng.Interact(ctx, blockActions(t, outsider, "acct:log", acme))
	if out.Reply == nil || !strings.Contains(out.Reply.Text, "Only Acme Corp's team can log interactions") || out.Reply.InChannel {
		t.Fatalf("outsider: %+v", out.Reply)
	}
	other := strconv.FormatInt(e.ids[otherTeam+"/Initech"], 10)
	if out := e.eng.Interact(ctx, blockActions(t, ana, "acct:log", other)); out.Reply == nil || !strings.Contains(out.Reply.Text, "no longer exists") {
		t.Fatalf("other workspace's account: %+v", out.Reply)
	}

	// Internal errors and panics read "Internal error." and are logged.
	for _, id := range []string{"fail:x", "panic:x"} {
		out := e.eng.Interact(ctx, blockActions(t, ana, id, ""))
		if out.Reply == nil || out.Reply.Text != "Internal error." {
			t.Fatalf("%s: %+v", id, out.Reply)
		}
	}
	if logs := e.logs.String(); !strings.Contains(logs, "db gone") || !strings.Contains(logs, "interaction panicked") {
		t.Fatalf("logs: %s", logs)
	}

	// Unknown action ids (link buttons) get a plain 200.
	if out := e.eng.Interact(ctx, blockActions(t, ana, "link:docs", "")); out.Ack != nil || out.Reply != nil {
		t.Fatalf("unknown action: %+v", out)
	}

	// Modals: success clears, field errors stay in the modal, other errors replace it.
	ack := func(cb slack.InteractionCallback) map[string]any {
		t.Helper()
		out := e.eng.Interact(ctx, cb)
		if out.Reply != nil {
			t.Fatalf("view_submission got a follow-up: %+v", out.Reply)
		}
		js, err := json.Marshal(out.Ack)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatalf("ack %s: %v", js, err)
		}
		return m
	}
	if m := ack(viewSubmission(t, ana, "score")); m["response_action"] != "clear" {
		t.Fatalf("score ack %v", m)
	}
	if m := ack(viewSubmission(t, ana, "invalid")); m["response_action"] != "errors" || m["errors"].(map[string]any)["score"] != "Pick a score from 1 to 5." {
		t.Fatalf("invalid ack %v", m)
	}
	m := ack(viewSubmission(t, ana, "refused"))
	if m["response_action"] != "update" || !strings.Contains(mustJSON(t, m["view"]), "Only Acme Corp's team can score it.") {
		t.Fatalf("refused ack %v", m)
	}
	if out := e.eng.Interact(ctx, viewSubmission(t, ana, "unknown")); out.Ack != nil {
		t.Fatalf("unknown view: %+v", out)
	}

	// Shortcuts by callback_id.
	e.eng.Interact(ctx, payload(t, `{"type":"shortcut","callback_id":"log_shortcut","team":{"id":"`+team+`"},"user":{"id":"`+ben+`"},"trigger_id":"1"}`))
	if got[len(got)-1] != "shortcut:"+ben+":" {
		t.Fatalf("shortcut not run: %v", got)
	}

	// A payload without a user is ignored.
	if out := e.eng.Interact(ctx, payload(t, `{"type":"block_actions","actions":[{"action_id":"nudge:x"}]}`)); out.Reply != nil || out.Ack != nil {
		t.Fatalf("anonymous payload: %+v", out)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}
