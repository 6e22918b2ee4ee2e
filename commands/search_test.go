package commands_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func newSearchEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.eng.Register(commands.SearchExtension(e.db))
	return e
}

func TestSearchCommand(t *testing.T) {
	t.Parallel()
	e := newSearchEnv(t)
	for _, tc := range []struct {
		name, user, text string
		want             []string // in the reply, in order
		not              []string
	}{
		{"team member finds", ben, "search invoice", []string{"1 match", "*Acme Corp* · call · 2025-02-02 · <@UBEN001>", "*Invoice* dispute settled"}, nil},
		{"accent folded, prefix", ana, "search LYÖN mainten*", []string{"Plant tour in *Lyon*; they want predictive *maintenance*"}, nil},
		{"phrase", ana, `search "revised price"`, []string{"the *revised* *price* list &amp; terms"}, nil},
		{"entities and mentions stay inert", ana, "search coo", []string{"Met <@USARA01|sara> and their *COO*"}, nil},
		{"account=", admin, "search renewal account=globex", []string{"Nothing in the record matches `renewal`"}, nil},
		{"since=", ana, "search review since=2025-02-01", []string{"Nothing in the accounts you are on matches `review` since 2025-02-01"}, nil},
		{"outsider sees nothing", outsider, "search invoice", []string{"Nothing in the accounts you are on matches `invoice`"}, []string{"dispute"}},
		{"admin sees all", admin, "find champion", []string{"Champion* might move"}, nil},
		{"other workspace", outsider, "search invoice", nil, []string{"Invoice"}},
		{"prefix too short", ana, "search in* dispute", []string{"`in` was searched as a whole word: the start of a word needs 3 letters or more"}, nil},
		{"prefix long enough", ana, "search mainten*", []string{"*maintenance*"}, []string{"searched as a whole word"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := e.ok(tc.user, tc.text)
			got := blocksText(t, rep)
			at := 0
			for _, w := range tc.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("reply lacks %q (after offset %d):\n%s", w, at, got)
				}
				at += i + len(w)
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Fatalf("reply holds %q:\n%s", w, got)
				}
			}
			if bad := format.CheckMessage(rep.Text, rep.Blocks); len(bad) > 0 {
				t.Fatalf("unsafe reply: %v", bad)
			}
		})
	}
	// Bad inputs: a clear private error that says what to type, and nothing changes.
	before := snapshot(t, e.path)
	for _, tc := range []struct{ user, text, want string }{
		{ana, "search", "Search for what?"},
		{ana, `search "" *`, "Search for what?"},
		{ana, "search renewal when=today", "not when="},
		{ana, "search renewal since=yesterday", "isn't a date"},
		{ana, "search renewal since=2025-02-30", "isn't a real calendar date"},
		{outsider, "search renewal account=acme", "Only"},
		{ana, "search renewal account=nosuch", "No account"},
		{ana, "search renewal account=initech", "No account"},
		{ana, `search "unclosed`, ""},
	} {
		rep, err := e.run(tc.user, tc.text)
		if err == nil || kam.ErrorCode(err) == kam.EINTERNAL {
			t.Errorf("/kam %s: err %v; want a refusal", tc.text, err)
			continue
		}
		if rep.InChannel || !strings.Contains(rep.Text, tc.want) {
			t.Errorf("/kam %s: reply %q (in channel %v); want %q", tc.text, rep.Text, rep.InChannel, tc.want)
		}
	}
	if after := snapshot(t, e.path); after != before {
		t.Fatal("a refused search changed the database")
	}
}

func TestSearchGolden(t *testing.T) {
	e := newSearchEnv(t)
	rep := e.ok(ana, "search the*")
	checkLimits(t, rep.Blocks)
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep.Blocks); err != nil {
		t.Fatal(err)
	}
	golden(t, "search.json", js.Bytes())
	golden(t, "search.txt", []byte(rep.Text+"\n"))
}

// blocksText is the reply's blocks as JSON text, entities as Slack sends them.
func blocksText(t *testing.T, rep commands.Reply) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep.Blocks); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("filler words here ", 30) + "the <!here> renewal slipped " + strings.Repeat("more text after ", 30)
	got := commands.Snippet(long, kam.ParseSearch("renewal"), 80)
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "*renewal*") || strings.Contains(got, "<!here>") {
		t.Fatalf("snippet %q", got)
	}
	if n := len([]rune(got)); n > 80+20 {
		t.Fatalf("snippet of %d runes", n)
	}
}
