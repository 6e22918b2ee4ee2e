package commands_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/storetest"
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
	storetest.SQLiteOnly(f, "the write detector reads SQLite's data_version")
	e := newEnv(f)
	version := dataVersion(f, e.path)
	// The detector must see a write, or the fuzzer would prove nothing.
	v0 := version()
	if _, err := e.run(ana, "log acme call Checking the write detector"); err != nil {
		f.Fatal(err)
	}
	if version() == v0 {
		f.Fatal("data_version does not change on a commit")
	}
	users := []string{admin, ana, ben, sara, outsider}
	f.Fuzz(func(t *testing.T, who uint8, text string) {
		user := users[int(who)%len(users)]
		before := version()
		posts := len(e.notes.all())
		rep, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: user, Text: text})
		if err != nil {
			if code := kam.ErrorCode(err); code == kam.EINTERNAL {
				t.Fatalf("/kam %q as %s: internal error %v", text, user, err)
			}
			if after := version(); after != before {
				t.Fatalf("/kam %q as %s failed (%s) but committed to the database", text, user, commands.ErrorText(err))
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

// dataVersion returns a function reading SQLite's data_version through a
// connection of its own: it changes whenever any other connection commits,
// so it detects a write far more cheaply than comparing snapshots.
func dataVersion(tb testing.TB, path string) func() int64 {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(); db.Close() })
	return func() int64 {
		var v int64
		if err := conn.QueryRowContext(context.Background(), "PRAGMA data_version").Scan(&v); err != nil {
			tb.Fatalf("data_version: %v", err)
		}
		return v
	}
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
