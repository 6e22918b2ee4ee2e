package brief

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

// blockRecords returns the JSON records of a prompt's data block.
func blockRecords(t *testing.T, p Prompt) []map[string]any {
	t.Helper()
	lines := strings.Split(p.User, "\n")
	var out []map[string]any
	in := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, `<data id="`):
			in = true
		case strings.HasPrefix(l, `</data id="`):
			in = false
		case in:
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("block line %q: %v", l, err)
			}
			out = append(out, m)
		}
	}
	return out
}

func recordsWith(recs []map[string]any, key string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if _, ok := r[key]; ok {
			out = append(out, r)
		}
	}
	return out
}

// pathological has every list far longer, and every text far longer, than
// any budget allows.
func pathological() Facts {
	f := big(5000)
	long := strings.Repeat("Ünïcödé wörds ánd 漢字 and emoji 🚀 ", 200)
	f.Account.Name = long
	f.Account.Segment, f.Account.Region = long, long
	f.Relationship.Reason = long
	f.Health.Alerts = nil
	for i := range 100 {
		f.Health.Alerts = append(f.Health.Alerts, fmt.Sprintf("alert %d: %s", i, long))
	}
	f.Stakeholders = nil
	for i := range 500 {
		f.Stakeholders = append(f.Stakeholders, Stakeholder{ID: int64(1000 + i), Name: long, Title: long, Role: kam.ContactInfluencer, Influence: i % 6, MirrorID: "U0MEMBER01"})
	}
	f.Opportunities = nil
	for i := range 300 {
		f.Opportunities = append(f.Opportunities, kam.Opportunity{AccountID: 7, Name: long, Value: int64(i * 1000), Stage: kam.StagePursuing, CloseDate: now})
	}
	for i := range f.Interactions {
		f.Interactions[i].Summary = long
	}
	f.Objectives = []string{long, long, long, long, long, long}
	f.Tactics = nil
	for range 40 {
		f.Tactics = append(f.Tactics, Tactic{Text: long, Quarter: "Q1", Due: now})
	}
	f.NPS.Comments = nil
	for range 20 {
		f.NPS.Comments = append(f.NPS.Comments, NPSComment{Score: 3, Text: long, At: now})
	}
	return f
}

func TestBuildPromptHoldsBudget(t *testing.T) {
	tests := []struct {
		name   string
		facts  Facts
		budget int
		want   int // the budget actually honoured
	}{
		{"Default50k", big(50_000), 0, DefaultInputBudget},
		{"Tiny50kRaisedToFloor", big(50_000), 200, MinInputBudget},
		{"Floor50k", big(50_000), MinInputBudget, MinInputBudget},
		{"Large50k", big(50_000), 12_000, 12_000},
		{"SmallAccount", acme(), 3000, 3000},
		{"Pathological", pathological(), 3000, 3000},
		{"PathologicalAtFloor", pathological(), MinInputBudget, MinInputBudget},
		{"Empty", Facts{Now: now}, 3000, 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := BuildPrompt(tt.facts, tt.budget)
			if p.Budget != tt.want {
				t.Errorf("budget = %d; want %d", p.Budget, tt.want)
			}
			est := EstimateTokens(p.System) + EstimateTokens(p.User) + 2*tokensPerMessage + tokensPerReply
			if est != p.Tokens || p.Tokens > p.Budget {
				t.Errorf("tokens = %d (recount %d); budget %d", p.Tokens, est, p.Budget)
			}
			// Margin: even a tokenizer at 3 bytes per token, worse than any
			// OpenAI tokenizer on this text, stays within budget.
			if n := len(p.System) + len(p.User); n > 3*p.Budget {
				t.Errorf("%d bytes for a %d-token budget", n, p.Budget)
			}
			recs := blockRecords(t, p)
			if len(recordsWith(recs, "account")) != 1 {
				t.Error("the card is missing")
			}
			if len(recordsWith(recs, "interaction")) != p.Interactions {
				t.Errorf("%d interaction records; Prompt says %d", len(recordsWith(recs, "interaction")), p.Interactions)
			}
			if len(tt.facts.Interactions) > 0 && p.Interactions == 0 {
				t.Error("no interactions at all")
			}
			if p.Interactions > 0 && p.Period.From.After(p.Period.To) {
				t.Errorf("period %v – %v", p.Period.From, p.Period.To)
			}
		})
	}
}

func TestBuildPromptUsesBudget(t *testing.T) {
	// With 50,000 interactions there is always more to say: the prompt
	// should use most of its budget, not stop early.
	for _, budget := range []int{MinInputBudget, 3000, 12_000} {
		p := BuildPrompt(big(50_000), budget)
		if p.Tokens < budget*9/10 {
			t.Errorf("budget %d: used %d tokens", budget, p.Tokens)
		}
	}
}

func TestBuildPromptSelection(t *testing.T) {
	f := acme()
	f.Interactions = make([]kam.Interaction, 50_000)
	for i := range f.Interactions {
		f.Interactions[i] = kam.Interaction{ID: int64(i + 1), TeamID: "T0001", AccountID: 7, UserID: "U0KAMOWNER", Kind: kam.KindCall,
			Summary: fmt.Sprintf("Routine call %d about deliveries, invoices and the next order; nothing new.", i), At: now.Add(-time.Duration(i) * time.Hour)}
		if i%23 == 0 {
			f.Interactions[i].Summary += strings.Repeat(" More detail on the call.", 60)
		}
	}
	// An exec meeting with the CEO 40 hours back outranks the routine calls
	// logged every hour since; an internal note as old does not.
	exec := kam.Interaction{ID: 900001, TeamID: "T0001", AccountID: 7, UserID: "U0SPONSOR1", Kind: kam.KindExec, Summary: "Board-level exec dinner", Contacts: []int64{11}, At: now.Add(-40*time.Hour - 30*time.Minute)}
	note := kam.Interaction{ID: 900002, TeamID: "T0001", AccountID: 7, UserID: "U0KAMOWNER", Kind: kam.KindNote, Summary: "Stale internal note", At: now.Add(-40*time.Hour - 30*time.Minute)}
	foreign := kam.Interaction{ID: 900003, TeamID: "T0001", AccountID: 8, UserID: "U0GLOBEXKM", Kind: kam.KindExec, Summary: "Globex exec summit", At: now}
	otherTeam := kam.Interaction{ID: 900004, TeamID: "T9999", AccountID: 7, UserID: "U0GLOBEXKM", Kind: kam.KindExec, Summary: "Other workspace", At: now}
	f.Interactions = append(f.Interactions, exec, note, foreign, otherTeam)

	p := BuildPrompt(f, 3000)
	if !strings.Contains(p.User, "Board-level exec dinner") {
		t.Error("the exec meeting with the CEO was not chosen")
	}
	for _, bad := range []string{"Stale internal note", "Globex exec summit", "Other workspace"} {
		if strings.Contains(p.User, bad) {
			t.Errorf("prompt holds %q", bad)
		}
	}
	if p.InteractionsTotal != 50_002 {
		t.Errorf("total = %d; want the account's own 50,002", p.InteractionsTotal)
	}

	recs := blockRecords(t, p)
	// Interactions are shown newest first, and the newest is there.
	inter := recordsWith(recs, "interaction")
	if inter[0]["date"] != "2025-03-03" {
		t.Errorf("first interaction dated %v", inter[0]["date"])
	}
	for i := 1; i < len(inter); i++ {
		if inter[i]["date"].(string) > inter[i-1]["date"].(string) {
			t.Errorf("interaction %d (%v) is newer than the one before", i, inter[i]["date"])
		}
	}
	if got, want := p.Period.From.Format(time.DateOnly), inter[len(inter)-1]["date"]; got != want {
		t.Errorf("period from %s; oldest shown %v", got, want)
	}
	if !strings.Contains(p.User, fmt.Sprintf("%d of 50002 interactions (since %s", p.Interactions, p.Period.From.Format(time.DateOnly))) {
		t.Errorf("coverage line does not state the period: %s", strings.SplitN(p.User, "\n", 2)[0])
	}
	// Long summaries are trimmed, never dropped whole for being long.
	for _, r := range inter {
		if s := r["summary"].(string); len(s) > maxSummary {
			t.Errorf("summary of %d bytes", len(s))
		}
	}
	// Stakeholders by influence, then role (a champion before a
	// gatekeeper), then latest contact; opportunities by value, open only.
	people := recordsWith(recs, "stakeholder")
	var names []string
	for _, r := range people {
		names = append(names, r["stakeholder"].(string))
	}
	if got := strings.Join(names, ", "); got != "Dana Whitfield, Tom Okafor, Mia Chen, Raj Patel, Lena Vogt" {
		t.Errorf("stakeholders in order %s", got)
	}
	var opps []string
	for _, r := range recordsWith(recs, "opportunity") {
		opps = append(opps, r["opportunity"].(string))
	}
	if got := strings.Join(opps, ", "); got != "Platform renewal, Checkout revamp, Loyalty analytics" {
		t.Errorf("opportunities in order %s", got)
	}
	// Due tactics only, flagged when overdue.
	tactics := recordsWith(recs, "tactic")
	if len(tactics) != 2 || tactics[0]["tactic"] != "Exec sponsor meets the CFO" || tactics[0]["overdue"] != true {
		t.Errorf("tactics = %v", tactics)
	}
}

func TestBuildPromptEssentialsFirst(t *testing.T) {
	// At the floor budget, the card, alerts, stakeholders and deals survive;
	// interactions take what is left.
	p := BuildPrompt(big(50_000), MinInputBudget)
	recs := blockRecords(t, p)
	for _, key := range []string{"account", "alert", "stakeholder", "opportunity"} {
		if len(recordsWith(recs, key)) == 0 {
			t.Errorf("no %s record at the floor budget", key)
		}
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"abc", 1},
		{"abcd", 2},
		{strings.Repeat("x", 300), 100},
		{"é", 1},        // 2-byte rune
		{"漢字", 3},       // 3-byte runes: 1.5 each
		{"🚀🚀", 4},       // 4-byte runes: 2 each
		{"ab漢", 3},      // 2/3 + 1.5 → 3 (rounded up)
		{"\x80\x81", 0}, // stray continuation bytes cost nothing alone
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
	// Conservative against OpenAI's published averages: at least one token
	// per 4 bytes of English, and sums never undercount concatenations.
	prose := "The account team met the customer's procurement lead to discuss the renewal terms and the pilot."
	if EstimateTokens(prose) < len(prose)/4 {
		t.Errorf("prose estimate %d for %d bytes", EstimateTokens(prose), len(prose))
	}
	a, b := "abcde", "漢字🚀x"
	if EstimateTokens(a+b) > EstimateTokens(a)+EstimateTokens(b) {
		t.Error("estimate of a concatenation exceeds the sum of its parts")
	}
}

// TestBuildPromptCountsWholeHistory: when the caller loaded only the latest
// interactions of a longer history, the coverage line counts against the
// whole history, not against what was loaded.
func TestBuildPromptCountsWholeHistory(t *testing.T) {
	f := acme()
	loaded := len(f.Interactions)
	if p := BuildPrompt(f, 3000); p.InteractionsTotal != loaded {
		t.Fatalf("whole history loaded: total %d, want %d", p.InteractionsTotal, loaded)
	}
	f.InteractionsLogged = 50_000
	p := BuildPrompt(f, 3000)
	if p.InteractionsTotal != 50_000 || !strings.Contains(p.User, fmt.Sprintf("%d of 50000 interactions", p.Interactions)) {
		t.Fatalf("partial history: total %d, coverage line not counting the whole history:\n%.400s", p.InteractionsTotal, p.User)
	}
}
