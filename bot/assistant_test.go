package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/kambot/kambot/assistant"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

const askOwner = "U0ASKOWN1"

// newAssistantEvents wires the real assistant (no model) over a real store
// and engine to the Slack double.
func newAssistantEvents(t testing.TB, asker Asker) (*AssistantEvents, *fakeslack.Server) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acme := kam.Account{TeamID: fakeslack.TeamID, Name: "Acme", OwnerID: askOwner}
	if err := db.CreateAccount(ctx, &acme, askOwner); err != nil {
		t.Fatal(err)
	}
	in := kam.Interaction{TeamID: fakeslack.TeamID, AccountID: acme.ID, UserID: askOwner, Kind: kam.KindCall, Summary: "CFO said pricing is too high <!here>"}
	if err := db.LogInteraction(ctx, &in, askOwner, nil); err != nil {
		t.Fatal(err)
	}
	eng := commands.New(commands.Config{Store: db, Intel: db})
	eng.Register(commands.SearchExtension(db))
	if asker == nil {
		asker = assistant.New(assistant.Config{Tools: eng})
	}
	srv := fakeslack.New(t)
	return &AssistantEvents{API: srv.Client("xoxb-test"), Asker: asker}, srv
}

func inner(typ string, data any) slackevents.EventsAPIEvent {
	return slackevents.EventsAPIEvent{TeamID: fakeslack.TeamID, Type: slackevents.CallbackEvent,
		InnerEvent: slackevents.EventsAPIInnerEvent{Type: typ, Data: data}}
}

func TestAssistantThread(t *testing.T) {
	h, srv := newAssistantEvents(t, nil)
	ctx := context.Background()
	h.HandleEvent(ctx, inner("assistant_thread_started", &slackevents.AssistantThreadStartedEvent{
		AssistantThread: slackevents.AssistantThread{UserID: askOwner, ChannelID: "D0ASK0001", ThreadTimeStamp: "100.000001"}}))
	if calls := srv.CallsTo("assistant.threads.setSuggestedPrompts"); len(calls) != 1 || !strings.Contains(calls[0].Form.Get("prompts"), "need me") {
		t.Fatalf("suggested prompts: %+v", calls)
	}
	h.HandleEvent(ctx, inner("message", &slackevents.MessageEvent{Type: "message", User: askOwner, Channel: "D0ASK0001", ChannelType: "im",
		ThreadTimeStamp: "100.000001", TimeStamp: "100.000002", Text: "What did the CFO say about pricing?"}))
	// The status is the first call after the question, before the record is
	// read (how soon it comes is BenchmarkAssistantStatus's to measure).
	calls := srv.Calls()
	if len(calls) < 3 || calls[1].Method != "assistant.threads.setStatus" {
		t.Fatalf("the calls after the question: %+v; want the status first", calls[1:])
	}
	msgs := srv.Messages("D0ASK0001")
	if len(msgs) != 1 || msgs[0].ThreadTS != "100.000001" {
		t.Fatalf("answer posts %+v", msgs)
	}
	body := string(msgs[0].Blocks) + msgs[0].Text
	for _, want := range []string{"pricing", "*Sources*", "Read: `/kam search", "OPENAI_API_KEY"} {
		if !strings.Contains(body, want) {
			t.Errorf("answer lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "<!here>") {
		t.Errorf("answer holds a live @here: %s", body)
	}
	if n := len(srv.CallsTo("assistant.threads.setTitle")); n != 1 {
		t.Errorf("%d titles set", n)
	}
}

func TestAssistantMentionAndIgnored(t *testing.T) {
	h, srv := newAssistantEvents(t, nil)
	ctx := context.Background()
	// kambot's own message, an edit, another workspace's user: no answer.
	h.HandleEvent(ctx, inner("message", &slackevents.MessageEvent{User: askOwner, BotID: "B1", Channel: "D0ASK0001", ChannelType: "im", Text: "x"}))
	h.HandleEvent(ctx, inner("message", &slackevents.MessageEvent{User: askOwner, SubType: "message_changed", Channel: "D0ASK0001", ChannelType: "im"}))
	h.HandleEvent(ctx, inner("message", &slackevents.MessageEvent{User: askOwner, Channel: "C0PUBLIC1", ChannelType: "channel", Text: "pricing"}))
	if n := len(srv.Calls()); n != 0 {
		t.Fatalf("%d calls for events that ask nothing", n)
	}
	h.HandleEvent(ctx, inner("app_mention", &slackevents.AppMentionEvent{User: "U0GUEST01", UserTeam: "T0ELSEWHERE", Channel: "C0SHARED1", TimeStamp: "5.1", Text: "<@U0KAMBOT1> pricing"}))
	eph := srv.CallsTo("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "U0GUEST01" || strings.Contains(eph[0].Form.Get("blocks"), "pricing is too high") {
		t.Fatalf("a guest from another workspace got %+v", eph)
	}
	before := len(srv.Calls())
	h.HandleEvent(ctx, inner("app_mention", &slackevents.AppMentionEvent{User: askOwner, Channel: "C0ACCT001", TimeStamp: "7.1", Text: "<@U0KAMBOT1> what did they say about pricing"}))
	// In a channel the status is an ephemeral note to the asker: the first
	// call.
	calls := srv.Calls()[before:]
	if len(calls) < 2 || calls[0].Method != "chat.postEphemeral" ||
		!strings.Contains(calls[0].Form.Get("text"), "Looking through the record") {
		t.Fatalf("the first call after the mention: %+v; want the ephemeral status", calls)
	}
	// The answer is the asker's alone (the channel may be shared with the
	// customer): ephemeral, in the thread; nothing is posted for the channel.
	answer := calls[len(calls)-1]
	if answer.Method != "chat.postEphemeral" || answer.Form.Get("user") != askOwner || answer.Form.Get("thread_ts") != "7.1" ||
		!strings.Contains(answer.Form.Get("blocks"), "pricing") {
		t.Fatalf("mention answer %+v", answer)
	}
	if msgs := srv.Messages("C0ACCT001"); len(msgs) != 0 || len(srv.CallsTo("chat.postMessage")) != 0 || len(srv.CallsTo("chat.update")) != 0 {
		t.Fatalf("the channel got a message: %+v", msgs)
	}
}

// proseAsker answers with fixed prose, as a model-backed assistant does.
type proseAsker struct{}

func (proseAsker) Answer(_ context.Context, q assistant.Question, status func(string)) assistant.Answer {
	status("is searching the record…")
	return assistant.Answer{Text: "Acme is *watch*.\nThe CFO finds pricing too high.", Read: []string{"`/kam search pricing`"}, Outcome: assistant.OutcomeAnswered}
}

func TestAssistantStreams(t *testing.T) {
	h, srv := newAssistantEvents(t, proseAsker{})
	h.HandleEvent(context.Background(), inner("message", &slackevents.MessageEvent{User: askOwner, Channel: "D0ASK0001", ChannelType: "im",
		ThreadTimeStamp: "100.000001", TimeStamp: "100.000002", Text: "How is Acme?"}))
	if len(srv.CallsTo("chat.startStream")) != 1 || len(srv.CallsTo("chat.appendStream")) != 1 || len(srv.CallsTo("chat.stopStream")) != 1 {
		t.Fatalf("stream calls: %v", srv.Calls())
	}
	msgs := srv.Messages("D0ASK0001")
	if len(msgs) != 1 || msgs[0].Text != "Acme is **watch**.\nThe CFO finds pricing too high." || !strings.Contains(string(msgs[0].Blocks), "Read: `/kam search pricing`") {
		t.Fatalf("streamed message %+v", msgs)
	}
	// Where streaming is refused the answer is one post instead.
	srv.Fail("chat.startStream", fakeslack.Error("method_not_supported_for_channel_type"), 1)
	h.HandleEvent(context.Background(), inner("message", &slackevents.MessageEvent{User: askOwner, Channel: "D0ASK0001", ChannelType: "im",
		ThreadTimeStamp: "200.000001", TimeStamp: "200.000002", Text: "How is Acme?"}))
	msgs = srv.Messages("D0ASK0001")
	if len(msgs) != 2 || msgs[1].ThreadTS != "200.000001" || !strings.Contains(string(msgs[1].Blocks), "pricing too high") {
		t.Fatalf("posted instead of streamed: %+v", msgs)
	}
}

// TestAnswerBlocksGolden lays out an answer with prose, cited sources (a
// Slack permalink as a link, a stored non-Slack address as text), the
// queries read and the note.
func TestAnswerBlocksGolden(t *testing.T) {
	ans := assistant.Answer{
		Text: "CFO Müller finds pricing too high [s1].",
		Sources: []string{
			"[s1] " + commands.SourceLine(commands.Source{Account: "Acme", Kind: "call", At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
				Author: askOwner, Permalink: "https://acme.slack.com/archives/C0ACME001/p1764000000123456"}, time.UTC),
			"[s2] " + commands.SourceLine(commands.Source{Account: "Acme", Kind: "note", At: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
				Author: askOwner, Permalink: "https://evil.example/x?<!channel>"}, time.UTC),
		},
		Read:    []string{"`/kam show \"acme\"`", "`/kam search pricing`"},
		Outcome: assistant.OutcomeAnswered,
	}
	got, err := json.Marshal(answerBlocks(ans))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "<https://evil") || strings.Contains(string(got), "<!channel>") {
		t.Fatalf("a live link or ping in the answer: %s", got)
	}
	golden(t, "assistant_answer.json", got)
}

// BenchmarkAssistantStatus measures how soon a question in an assistant
// thread shows its status: from the event to the setStatus call's arrival
// at the Slack double, over the real slack-go client (the issue asks for
// under 1 s). Each asker is new, so the per-user rate limit never answers
// in place of the assistant.
func BenchmarkAssistantStatus(b *testing.B) {
	h, srv := newAssistantEvents(b, nil)
	ctx := context.Background()
	waits := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := len(srv.Calls())
		user := fmt.Sprintf("U0ASKB%05d", i)
		start := time.Now()
		h.HandleEvent(ctx, inner("message", &slackevents.MessageEvent{Type: "message", User: user, Channel: "D0ASK0001", ChannelType: "im",
			ThreadTimeStamp: "100.000001", TimeStamp: "100.000002", Text: "What did the CFO say about pricing?"}))
		calls := srv.Calls()[before:]
		if len(calls) == 0 || calls[0].Method != "assistant.threads.setStatus" {
			b.Fatalf("the calls after the question: %+v; want the status first", calls)
		}
		waits = append(waits, calls[0].At.Sub(start))
	}
	b.StopTimer()
	slices.Sort(waits)
	b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "ms-status-p50")
	b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "ms-status-p99")
}
