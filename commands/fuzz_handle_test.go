package commands_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// FuzzHandle runs arbitrary /kam lines through the whole engine on a real
// database, as any of the fixture's users: the engine must never panic, never
// fail internally, answer within Slack's limits, and change nothing — not
// the database, not a channel — when it answers with an error.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		"", "help", "help log", "accounts", "accounts all", "show acme", "show ac", "show acmee", "pipeline", "pipeline acme",
		"log acme call Talked renewal", `log "Acme Corp" qbr "Q1 review"`, "log acme lunch x", "log acme call",
		`add "Zeta" tier=partner owner=<@UBEN001|ben> revenue=1.2m wallet=35 channel=<#C0Z|z>`, `add "Zeta`, `add Zeta Inc`,
		"set acme tier=partner level=value-add", "set acme owner=@bob", "set acme revenue=-5", "set acme name=Globex",
		"team acme add <@UOUT001|olga> role=member function=service", "team acme remove <@UBEN001>", "team acme add <@UGHOST1>",
		`opp acme add "Deal" value=250k close=2025-02-30`, `opp acme add "Deal" value=250k close=2025-12-31 owner=<@UANA001>`,
		`stage acme "Pilot" qualified Budget confirmed`, "stage acme renewal closing", `stage acme "Old deal" pursuing`,
		"“curly” &amp; <@U1|x y> k=v=w", "log acme note a\x00b", "set acme wallet=100.00",
	} {
		for who := range uint8(5) {
			f.Add(who, s)
		}
	}
	e := newEnv(f)
	users := []string{admin, ana, ben, sara, outsider}
	f.Fuzz(func(t *testing.T, who uint8, text string) {
		user := users[int(who)%len(users)]
		before := snapshot(t, e.path)
		posts := len(e.notes.all())
		rep, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: user, Text: text})
		if err != nil {
			if code := kam.ErrorCode(err); code == kam.EINTERNAL {
				t.Fatalf("/kam %q as %s: internal error %v", text, user, err)
			}
			if after := snapshot(t, e.path); after != before {
				t.Fatalf("/kam %q as %s failed (%s) but changed the database", text, user, kam.ErrorMessage(err))
			}
			if len(e.notes.all()) != posts {
				t.Fatalf("/kam %q as %s failed but posted to a channel", text, user)
			}
			if rep.InChannel {
				t.Fatalf("/kam %q: error reply in channel", text)
			}
		}
		if rep.Text == "" {
			t.Fatalf("/kam %q as %s: empty reply", text, user)
		}
		if !utf8.ValidString(rep.Text) {
			t.Fatalf("/kam %q: reply is not UTF-8", text)
		}
		withinLimits(t, text, rep.Blocks)
	})
}

// withinLimits fails on a reply Slack would refuse.
func withinLimits(t *testing.T, text string, blocks []slack.Block) {
	t.Helper()
	if len(blocks) > 50 {
		t.Fatalf("/kam %q: %d blocks", text, len(blocks))
	}
	for _, b := range blocks {
		switch x := b.(type) {
		case *slack.SectionBlock:
			if x.Text != nil && utf8.RuneCountInString(x.Text.Text) > 3000 {
				t.Fatalf("/kam %q: section of %d characters", text, utf8.RuneCountInString(x.Text.Text))
			}
			if len(x.Fields) > 10 {
				t.Fatalf("/kam %q: %d fields", text, len(x.Fields))
			}
		case *slack.HeaderBlock:
			if utf8.RuneCountInString(x.Text.Text) > 150 || strings.TrimSpace(x.Text.Text) == "" {
				t.Fatalf("/kam %q: header %q", text, x.Text.Text)
			}
		}
	}
}
