package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// newMethodEnv is the fixture engine with account intelligence and the
// rest of the KAM method on.
func newMethodEnv(t testing.TB) *env {
	t.Helper()
	return newEnv(t, func(c *commands.Config) {
		c.Intel = c.Store.(*store.DB)
		c.Method = c.Store.(*store.DB)
	})
}

// refusals runs commands that must each be refused with a code and a
// message, and checks that none of them changed the database.
func refusals(t *testing.T, e *env, cases []struct{ user, text, code, says string }) {
	t.Helper()
	before := snapshot(t, e.path)
	for _, tt := range cases {
		rep, err := e.run(tt.user, tt.text)
		if kam.ErrorCode(err) != tt.code || !strings.Contains(rep.Text, tt.says) {
			t.Errorf("/kam %s as %s: %v\n  %s\nwant %s saying %q", tt.text, tt.user, err, rep.Text, tt.code, tt.says)
		}
		if bad := format.CheckMessage(rep.Text, rep.Blocks); len(bad) > 0 {
			t.Errorf("/kam %s: unsafe reply %v", tt.text, bad)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("a refused command changed the database")
	}
}

func TestPlanCharter(t *testing.T) {
	e := newMethodEnv(t)
	e.ok(ana, `plan acme objective "Become their preferred automation partner"`)
	e.ok(ana, `plan acme objective "Cut logistics cost 10%" for=customer`)
	for _, x := range []string{
		`plan acme situation "Food processor, 4 plants <!here> growing 8% a year"`,
		`plan acme challenge "Energy cost up 30%"`,
		`plan acme strength "Strong brand"`,
		`plan acme threat "New low-cost entrant"`,
		`plan acme threat "Consolidation of suppliers"`,
		`plan acme barrier "Procurement buys on price"`,
		`plan acme enabler "COO sponsors efficiency"`,
	} {
		e.ok(ben, x)
	}
	rep := e.ok(ana, `plan acme strategy "Win the packaging upgrade through a pilot line" objective=1`)
	if !strings.Contains(rep.Text, "Added strategy 1") || !strings.Contains(rep.Text, "preferred automation partner") {
		t.Errorf("strategy reply:\n%s", rep.Text)
	}
	if rep := e.ok(ana, `plan acme tactic "Pilot proposal to the COO" strategy=1 due=2025-06-30`); !strings.Contains(rep.Text, "strategy 1") {
		t.Errorf("tactic reply:\n%s", rep.Text)
	}
	e.ok(ana, "plan acme drop threat 1")
	plan := e.ok(sara, "plan acme")
	planJSON := blocksJSON(t, plan)
	if bad := format.CheckMessage(plan.Text, plan.Blocks); len(bad) > 0 || strings.Contains(planJSON, `\u003c!here`) || !strings.Contains(planJSON, "*Strategies*") {
		t.Errorf("plan blocks: mention not escaped or no strategies:\n%s", planJSON)
	}
	for _, want := range []string{"Their business", "Energy cost up 30%", "Strengths", "Threats", "2. Consolidation of suppliers",
		"Barriers", "Enablers", "Strategies", "1. Win the packaging upgrade", "→ for “Become their preferred automation partner”",
		"1 tactic 1", "strategy 1"} {
		if !strings.Contains(plan.Text, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.Text)
		}
	}
	if strings.Contains(plan.Text, "New low-cost entrant") || strings.Contains(plan.Text, "<!here>") {
		t.Errorf("dropped line or live mention on the plan:\n%s", plan.Text)
	}
	refusals(t, e, []struct{ user, text, code, says string }{
		{ana, `plan acme gossip "x"`, kam.EINVALID, "Unknown “gossip”"},
		{ana, `plan acme threat New entrant`, kam.EINVALID, "in quotes"},
		{ana, `plan acme threat ""`, kam.EINVALID, "The threat is empty"},
		{ana, `plan acme threat "x" owner=<@UBEN001|ben>`, kam.EINVALID, "only its text"},
		{ana, `plan acme threat "` + strings.Repeat("x", 601) + `"`, kam.EINVALID, "600"},
		{ana, `plan acme strategy "x" objective=2`, kam.EINVALID, "1 to 1"},
		{ana, `plan acme strategy "x" objective=one`, kam.EINVALID, "objective= takes"},
		{ana, `plan acme strategy "x" target=2`, kam.EINVALID, "target"},
		{ana, `plan acme tactic "x" strategy=7`, kam.EINVALID, "strategies (1)"},
		{ana, `plan acorn tactic "x" strategy=1`, kam.EUNAUTHORIZED, "team"},
		{ben, `plan acorn tactic "x" strategy=1`, kam.ENOTFOUND, "no strategy yet"},
		{ana, "plan acme drop threat 1", kam.ENOTFOUND, "no threat 1"},
		{ana, "plan acme drop threat", kam.EINVALID, "by its number"},
		{ana, "plan acme drop gossip 1", kam.EINVALID, "not part of the charter"},
		{ana, "plan acme drop", kam.EINVALID, "what to drop"},
		{outsider, `plan acme threat "x"`, kam.EUNAUTHORIZED, "team"},
		{admin, `plan acme threat "x"`, kam.EUNAUTHORIZED, "team"},
	})
}

func TestStakeholderAgendas(t *testing.T) {
	e := newMethodEnv(t)
	e.ok(ana, `contact acme add "Jane Doe" title=CFO role=decision-maker influence=5 agenda="Cut logistics cost 10%"`)
	rep := e.ok(ana, `contact acme set "Jane Doe" personal="Board seat in 2027 <@UOUT001>" measured="EBIT margin"`)
	if !strings.Contains(rep.Text, "personal → “Board seat in 2027") {
		t.Errorf("set reply:\n%s", rep.Text)
	}
	m := e.ok(sara, "contact acme")
	mj := blocksJSON(t, m)
	for _, want := range []string{"_business_: Cut logistics cost 10%", "_personal_: Board seat in 2027", "_measured by_: EBIT margin"} {
		if !strings.Contains(mj, want) {
			t.Errorf("map lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "<@UOUT001>") {
		t.Errorf("an agenda became a live mention:\n%s", m.Text)
	}
	refusals(t, e, []struct{ user, text, code, says string }{
		{ana, `contact acme set "Jane Doe" agenda="` + strings.Repeat("x", 301) + `"`, kam.EINVALID, "300"},
		{ana, "contact acme set \"Jane Doe\" measured=\"a\x07b\"", kam.EINVALID, "measure"},
		{outsider, `contact acme set "Jane Doe" agenda="x"`, kam.EUNAUTHORIZED, "team"},
	})
}

func TestTargetsAndKPIs(t *testing.T) {
	e := newMethodEnv(t)
	rep := e.ok(ana, "set acme target=1.5m revenue=1m@2024")
	for _, want := range []string{"2025 target → $1.5M", "2024 revenue → $1M (history)"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("set reply lacks %q:\n%s", want, rep.Text)
		}
	}
	// Setting the same target again appends; this year's revenue@ is the
	// current revenue.
	e.ok(ana, "set acme target=1.5m revenue=1.2m@2025")
	k := e.ok(sara, "kpis acme")
	for _, want := range []string{"KPIs — Acme Corp", "$1.2M of $1.5M (80%)", "+20% ($1M → $1.2M)", "revenue → $1M", "✗ current plan"} {
		if !strings.Contains(k.Text, want) {
			t.Errorf("account KPIs lack %q:\n%s", want, k.Text)
		}
	}
	// Health says the account is below target.
	if h := e.ok(ana, "health acme"); !strings.Contains(h.Text, "below target") || !strings.Contains(h.Text, "revenue at 80% of the 2025 target") {
		t.Errorf("health lacks the below-target alert:\n%s", h.Text)
	}
	p := e.ok(ana, "kpis")
	for _, want := range []string{"KPIs — your accounts (2)", "Revenue vs target: $1.2M of $1.5M (80%)", "below target: Acme Corp", "Retention of key accounts: 2 of 2 (100%) still buying",
		"Growth year on year: +13.5% ($1.5M → $1.7M, like for like)", "Sponsor coverage", "By account", "Acme Corp — $1.2M of $1.5M (80%) · +20% y/y", "Globex — $480k · no target"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("portfolio KPIs lack %q:\n%s", want, p.Text)
		}
	}
	if all := e.ok(admin, "kpis all"); !strings.Contains(all.Text, "all accounts (3)") {
		t.Errorf("kpis all:\n%s", all.Text)
	}
	refusals(t, e, []struct{ user, text, code, says string }{
		{ana, "set acme target=lots", kam.EINVALID, "250k"},
		{ana, "set acme target=", kam.EINVALID, "Give an amount"},
		{ana, "set acme target=1m@20x5", kam.EINVALID, "not a year"},
		{ana, "set acme target=1m@1990", kam.EINVALID, "2024–2030"},
		{ana, "set acme revenue=1m@2027", kam.EINVALID, "hasn't happened yet"},
		{ana, "set acme revenue=1m@1950", kam.EINVALID, "too far back"},
		{ana, "set acme target=1m tier=gold", kam.EINVALID, "tier"},
		{outsider, "set acme target=1m", kam.EUNAUTHORIZED, ""},
		{outsider, "kpis acme", kam.EUNAUTHORIZED, ""},
		{ana, "kpis all", kam.EUNAUTHORIZED, "admins"},
		{ana, "kpis acme extra", kam.EINVALID, "extra"},
		{ana, "kpis initech", kam.ENOTFOUND, "initech"},
	})
}

func TestDeselectAndSelectionReview(t *testing.T) {
	e := newMethodEnv(t)
	// Globex: opportunistic twice; Acorn: strategic on the vendor tier.
	low := "size=1 growth=1 stability=1 access=1 closeness=1 fit=1 adopter=1 value=1 competition=1 standing=1 " +
		"price=1 service=1 people=1 response=1 attitude=1 innovation=1 value-in-use=1 sustainability=1 trust=1"
	e.ok(ana, "score globex "+low)
	e.ok(ana, "score globex size=2")
	e.ok(ben, "score acorn "+strings.ReplaceAll(low, "=1", "=5"))
	e.ok(admin, "team globex add <@USARA01|sara> role=manager")
	rev := e.ok(admin, "selection")
	for _, want := range []string{"Selection review 2025", "never reviewed", "Globex — opportunistic", "`/kam deselect globex",
		"Acorn Ltd — strategic", "tier vendor", "Acme Corp — never scored"} {
		if !strings.Contains(rev.Text, want) {
			t.Errorf("review lacks %q:\n%s", want, rev.Text)
		}
	}
	// A manager reviews their own accounts.
	if m := e.ok(sara, "selection"); !strings.Contains(m.Text, "Globex") || strings.Contains(m.Text, "Acorn") {
		t.Errorf("manager's review:\n%s", m.Text)
	}
	refusals(t, e, []struct{ user, text, code, says string }{
		{ana, `deselect globex reason="low"`, kam.EUNAUTHORIZED, "managers"},
		{admin, "deselect globex", kam.EINVALID, "Say why"},
		{admin, `deselect globex reason=""`, kam.EINVALID, "Say why"},
		{admin, `deselect globex reason="x" why="y"`, kam.EINVALID, "why"},
		{admin, "reactivate globex", kam.ECONFLICT, "is active"},
		{outsider, "selection", kam.EUNAUTHORIZED, "admins and managers"},
		{ben, "selection", kam.EUNAUTHORIZED, "admins and managers"},
		{admin, "selection later", kam.EINVALID, "done or archived"},
		{outsider, `deselect globex reason="x"`, kam.EUNAUTHORIZED, ""},
	})
	rep := e.ok(sara, `deselect globex reason="Opportunistic two years running"`)
	if !strings.Contains(rep.Text, "De-selected Globex:") {
		t.Errorf("deselect reply:\n%s", rep.Text)
	}
	if l := e.ok(admin, "accounts all"); strings.Contains(l.Text, "Globex") {
		t.Errorf("a de-selected account is still listed:\n%s", l.Text)
	}
	if h := e.ok(admin, "health all"); strings.Contains(h.Text, "Globex") {
		t.Errorf("a de-selected account is still in health:\n%s", h.Text)
	}
	if a := e.ok(admin, "selection archived"); !strings.Contains(a.Text, "Globex — de-selected 2025-03-14: Opportunistic two years running") {
		t.Errorf("archived list:\n%s", a.Text)
	}
	refusals(t, e, []struct{ user, text, code, says string }{
		{admin, `deselect globex reason="again"`, kam.ECONFLICT, "was de-selected on 2025-03-14"},
	})
	e.ok(admin, `selection done "Dropped Globex; Acorn to consultant"`)
	if r := e.ok(admin, "selection"); !strings.Contains(r.Text, "last review 2025-03-14 by @UADMIN1") {
		t.Errorf("recorded review not shown:\n%s", r.Text)
	}
	e.ok(admin, "reactivate globex")
	if l := e.ok(admin, "accounts all"); !strings.Contains(l.Text, "Globex") {
		t.Errorf("a reactivated account is not listed:\n%s", l.Text)
	}
}

func TestSelectionReviewJob(t *testing.T) {
	e := newMethodEnv(t)
	e.ok(admin, "team globex add <@USARA01|sara> role=manager")
	for run := 0; run < 2; run++ {
		if err := e.eng.SelectionReviewJob(context.Background(), fixedNow); err != nil {
			t.Fatal(err)
		}
	}
	keys := map[string]int{}
	for _, p := range e.notes.all() {
		if strings.HasPrefix(p.key, "selection-review:") {
			keys[p.team+" "+p.channel+" "+p.key]++
			if !strings.Contains(p.text, "yearly selection review") {
				t.Errorf("review DM:\n%s", p.text)
			}
		}
	}
	// One key per person and year: the outbox sends each once, however
	// often the job runs. The admin of every workspace gets each one's.
	want := map[string]int{
		team + " " + admin + " selection-review:2025:" + admin:      2,
		otherTeam + " " + admin + " selection-review:2025:" + admin: 2,
		team + " " + sara + " selection-review:2025:" + sara:        2,
	}
	if len(keys) != len(want) {
		t.Fatalf("review DMs = %v, want %v", keys, want)
	}
	for k, n := range want {
		if keys[k] != n {
			t.Errorf("review DMs = %v, want %v", keys, want)
		}
	}
}

// TestMethodGolden pins the method's views and its help.
func TestMethodGolden(t *testing.T) {
	e := newMethodEnv(t)
	for _, x := range []struct{ user, text string }{
		{ana, `plan acme objective "Become their preferred automation partner"`},
		{ana, `plan acme situation "Food retailer, 40 stores, moving to private label"`},
		{ana, `plan acme strength "Loyal customers"`},
		{ana, `plan acme threat "Discounters in the region"`},
		{ana, `plan acme barrier "Procurement buys on price"`},
		{ana, `plan acme strategy "Prove value-in-use with a pilot" objective=1`},
		{ana, `plan acme tactic "Pilot proposal" strategy=1 due=2025-06-30`},
		{ana, "set acme target=1.5m revenue=1m@2024"},
		{admin, "team globex add <@USARA01|sara> role=manager"},
	} {
		e.ok(x.user, x.text)
	}
	for _, tt := range []struct{ file, user, text string }{
		{"help_method", outsider, "help"},
		{"help_kpis", outsider, "help kpis"},
		{"help_plan", outsider, "help plan"},
		{"method_plan", ana, "plan acme"},
		{"kpis_account", ana, "kpis acme"},
		{"kpis_portfolio", admin, "kpis all"},
		{"selection_review", admin, "selection"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			rep := e.ok(tt.user, tt.text)
			checkLimits(t, rep.Blocks)
			golden(t, tt.file+".json", []byte(blocksJSON(t, rep)+"\n"))
			golden(t, tt.file+".txt", []byte(rep.Text+"\n"))
		})
	}
}

func TestShowCardMethod(t *testing.T) {
	e := newMethodEnv(t)
	e.ok(ana, "set acme target=1.5m")
	if rep := e.ok(ana, "show acme"); !strings.Contains(rep.Text, "2025 target $1.5M · revenue at 80% of it") {
		t.Errorf("card lacks the target:\n%s", rep.Text)
	}
	e.ok(admin, `deselect globex reason="Served by the vendor desk"`)
	if rep := e.ok(ana, "show globex"); !strings.Contains(rep.Text, "De-selected 2025-03-14: Served by the vendor desk") {
		t.Errorf("card of a de-selected account:\n%s", rep.Text)
	}
}
