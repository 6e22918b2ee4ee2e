package brief

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/format"
	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func blocksJSON(t *testing.T, blocks []slack.Block) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep <@U…> readable in the golden files
	enc.SetIndent("", "  ")
	if err := enc.Encode(slack.Blocks{BlockSet: blocks}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFallbackGolden(t *testing.T) {
	clock := func() time.Time { return now }
	tests := []struct {
		name string
		kind Kind
		f    Facts
	}{
		{"brief", KindBrief, acme()},
		{"summary", KindSummary, acme()},
		{"review", KindReview, acme()},
		{"brief_empty", KindBrief, Facts{Account: globex().Account, Now: now}},
		{"review_empty", KindReview, Facts{Account: globex().Account, Now: now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fallback(&tt.f, tt.kind, ReasonTimeout, clock)
			golden(t, "fallback_"+tt.name+".txt", []byte(r.Text+"\n"))
			golden(t, "fallback_"+tt.name+"_blocks.json", blocksJSON(t, Blocks(r)))
		})
	}
}

func TestFallbackIsPure(t *testing.T) {
	// Same facts, same text: the fallback takes its clock from the facts.
	a, b := Fallback(acme()), Fallback(acme())
	if a.Text != b.Text {
		t.Error("two fallbacks of the same facts differ")
	}
	if a.Period.To != now || a.Period.From != now.Add(-recentWindow) {
		t.Errorf("period %v – %v", a.Period.From, a.Period.To)
	}
}

func TestFallbackContent(t *testing.T) {
	r := Fallback(acme())
	sec := map[string]string{}
	for _, s := range r.Sections {
		sec[s.Title] = s.Body
	}
	tests := []struct {
		section string
		want    []string
		not     []string
	}{
		{SectionStanding, []string{"Partner tier · value-add relationship · strategic quadrant", "Health 🟠 58/100 watch · 2 alerts", "Revenue with us $1.3M · share of wallet 35% · Retail, EMEA",
			"Relationship model: bow-tie — only <@U0KAMOWNER> talks", "Last customer contact 2025-02-28 (3 days ago, meeting)", "NPS 20 from 8 answers (▼10)",
			"Raj pushed back on price &amp; asked"}, nil},
		{SectionWho, []string{"*Dana Whitfield*, CEO — decision-maker, influence 5/5, supportive · mirror <@U0SPONSOR1> · last contact 50 days ago", "*Raj Patel*", "no mirror"}, nil},
		{SectionInFlight, []string{"*Platform renewal* — closing · $480k · closes 2025-03-31", "close date passed 2025-02-26", "Objective: Grow share of wallet", "Tactic (Q1, <@U0SPONSOR1>, due 2025-02-21): Exec sponsor meets the CFO — *overdue*"},
			[]string{"Legacy support", "Send the service review"}},
		{SectionRisks, []string{"No logged interaction with a decision-maker", "*Raj Patel* is sceptical (stance -1) with influence 4/5.", "*Tom Okafor*, a decision-maker, has no mirror", "1 plan tactic is overdue.", "NPS fell 10 points.", "A detractor (4/10) said: “Invoices are wrong too often.”"},
			[]string{"*Checkout revamp* is past"}}, // the alert names it already
		{SectionSay, []string{"1. Thank you for the candid feedback", "2. We are committed to making *Platform renewal* a success: what would you need from us to decide by 2025-03-31?", "3. I would value time with Tom Okafor"}, nil},
	}
	for _, tt := range tests {
		body := sec[tt.section]
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%s", tt.section, w, body)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(body, w) {
				t.Errorf("%s holds %q:\n%s", tt.section, w, body)
			}
		}
	}
	if n := strings.Count(sec[SectionSay], "\n") + 1; n != 3 {
		t.Errorf("%d things to say; want 3", n)
	}
}

func TestFallbackSummaryIsTwoSentences(t *testing.T) {
	r := fallback(ptr(acme()), KindSummary, ReasonDisabled, nil)
	want := "Partner, value-add account at health 🟠 58/100 watch with 2 alerts, first: No logged interaction with a decision-maker in 45 days. " +
		"Largest open deal: Platform renewal at closing, $480k; last customer contact 2025-02-28."
	if r.Sections[0].Body != want {
		t.Errorf("summary = %q\nwant      %q", r.Sections[0].Body, want)
	}
}

func ptr[T any](v T) *T { return &v }

func TestFallbackEscapesUserText(t *testing.T) {
	f := acme()
	f.Account.Name = "Acme <!channel> & Sons"
	f.Stakeholders[0].Name = "<!here> Dana <https://evil.example|click>"
	f.Interactions[0].Summary = "met <@U0MEMBER01|bob> re <#C0CHAN|deals>, see <https://x.example> <script>"
	r := Fallback(f)
	for _, bad := range []string{"<!channel>", "<!here>", "<script>", "<https://", " & "} {
		if strings.Contains(r.Text, bad) {
			t.Errorf("text holds %q", bad)
		}
	}
	for _, w := range []string{"@channel &amp; Sons", "<@U0MEMBER01>", "<#C0CHAN|deals>", "click (https://evil.example)", "&lt;script&gt;"} {
		if !strings.Contains(r.Text, w) {
			t.Errorf("text lacks %q:\n%s", w, r.Text)
		}
	}
}

func TestBlocksLimits(t *testing.T) {
	long := strings.Repeat("A long line of text that goes on. ", 30)
	var sections []Section
	for i := range 30 {
		body := strings.Repeat(long+"\n", 20)
		if i%2 == 0 {
			body = strings.Repeat("x", 7000) // no line breaks at all
		}
		sections = append(sections, Section{Title: "Part", Body: body})
	}
	r := Result{Kind: KindBrief, Title: strings.Repeat("Very long account name ", 20), Sections: sections, Note: "note"}
	blocks := Blocks(r)
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks", len(blocks))
	}
	for i, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if len(b.Text.Text) > maxHeaderText {
				t.Errorf("header of %d bytes", len(b.Text.Text))
			}
		case *slack.SectionBlock:
			if n := len(b.Text.Text); n > maxSectionText || n == 0 {
				t.Errorf("section %d of %d bytes", i, n)
			}
		}
	}
	if _, ok := blocks[1].(*slack.ContextBlock); !ok {
		t.Error("the source note is not right under the title")
	}
}

func TestPreferDM(t *testing.T) {
	if Fallback(acme()).PreferDM() {
		t.Error("an ordinary brief should go ephemerally")
	}
	if !(Result{Text: strings.Repeat("x", DMThreshold+1)}).PreferDM() {
		t.Error("a long brief should go by DM")
	}
}

func TestCurrency(t *testing.T) {
	for _, code := range []string{"USD", "EUR", "GBP", "CHF", "JPY"} {
		t.Run(code, func(t *testing.T) {
			f := acme()
			cur := format.CurrencyOf(code)
			f.Currency = cur
			if f.Account.Revenue <= 0 {
				t.Fatal("the fixture has no revenue to show")
			}
			// The fallback writes amounts the way every view does.
			if text := Fallback(f).Text; !strings.Contains(text, "Revenue with us "+cur.Money(f.Account.Revenue)) {
				t.Errorf("fallback does not show revenue as %q:\n%s", cur.Money(f.Account.Revenue), text)
			}
			// The model is told the same format.
			if p := BuildPrompt(f, 100_000); !strings.Contains(p.System, cur.Prompt()) {
				t.Errorf("system prompt does not state %q", cur.Prompt())
			}
		})
	}
}

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {50_000, "50,000"}, {1_234_567, "1,234,567"}, {-5000, "-5,000"}} {
		if got := count(tt.n); got != tt.want {
			t.Errorf("count(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}
