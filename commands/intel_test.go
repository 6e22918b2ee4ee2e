package commands_test

import (
	"github.com/slack-go/slack"

	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// *store.DB is what the intelligence commands run on.
var _ commands.IntelStore = (*store.DB)(nil)

// newIntelEnv is the fixture engine with account intelligence on.
func newIntelEnv(t testing.TB, configure ...func(*commands.Config)) *env {
	t.Helper()
	return newEnv(t, append([]func(*commands.Config){func(c *commands.Config) { c.Intel = c.Store.(*store.DB) }}, configure...)...)
}

// intelFixture gives Acme Corp a stakeholder map, two scorings, a plan and
// interactions that name stakeholders, all through the commands.
func intelFixture(t *testing.T, e *env) {
	t.Helper()
	for _, x := range []struct{ user, text string }{
		{ana, `contact acme add "Jane Doe" title=CFO role=decision-maker influence=5 stance=1 mirror=<@UANA001|ana>`},
		{ana, `contact acme add "Li Wei" title="Head of Ops" role=influencer influence=4 stance=2`},
		{ben, `contact acme add "Max Hill" title=Procurement role=blocker influence=3 stance=-2`},
		{ben, `contact acme add "Bo Chen" role=decision-maker influence=4 mirror=<@UBEN001|ben>`},
		{ana, `log acme meeting with="Jane Doe, Li" Renewal scope and timing`},
		{ben, `log acme call Invoice follow-up with="bo chen"`},
		{ana, "score acme size=4 growth=5 stability=3 access=4 closeness=4 fit=5 adopter=3 value=4 competition=2 standing=4 " +
			"price=3 service=4 people=4 response=3 attitude=4 innovation=3 value-in-use=4 sustainability=3 trust=4"},
		{ben, "score acme trust=1 service=1 people=1"},
		{ana, `plan acme objective "Cut logistics cost 10% by 2027" for=customer`},
		{ana, `plan acme objective "Become their preferred automation partner"`},
		{ana, `plan acme tactic "Joint workshop with their ops team" owner=<@UBEN001|ben> due=2025-03-01`},
		{ana, `plan acme tactic "Predictive-maintenance pilot proposal" quarter=Q2 due=2025-05-30`},
		{ana, `plan acme tactic "Executive dinner with the CFO" quarter=Q1`},
		{ana, "plan acme done 3"},
	} {
		e.ok(x.user, x.text)
	}
}

func TestIntelScore(t *testing.T) {
	e := newIntelEnv(t)
	// Attractiveness: (0.75+1+0.5+0.75+0.75+1+0.5+0.75+0.25+0.75)/10 = 70.
	// Strength: (0.5+0.75+0.75+0.5+0.75+0.5+0.75+0.5+0.75)/9 = 63.9.
	rep := e.ok(ana, "score acme size=4 growth=5 stability=3 access=4 closeness=4 fit=5 adopter=3 value=4 competition=2 standing=4 "+
		"price=3 service=4 people=4 response=3 attitude=4 innovation=3 value-in-use=4 sustainability=3 trust=4")
	for _, want := range []string{"strategic — invest", "70 / 100", "63.9 / 100", "first scoring"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("first scoring: %q missing from\n%s", want, rep.Text)
		}
	}
	// Three strength factors drop to 1: (0.5+0+0+0.5+0.75+0.5+0.75+0.5+0)/9 = 38.9.
	rep = e.ok(ben, "score acme trust=1 service=1 people=1")
	for _, want := range []string{"Scored *Acme Corp*: service=1, people=1, trust=1.", "develop — build our strength", "38.9 / 100",
		"strength −25; strategic → develop", "strategic (70 / 63.9)"} {
		if !strings.Contains(rep.Text, want) && !strings.Contains(blocksJSON(t, rep), want) {
			t.Errorf("second scoring: %q missing from\n%s", want, rep.Text)
		}
	}
	hist := e.ok(ana, "score acme history")
	if !strings.Contains(hist.Text, "set service=1, people=1, trust=1") || strings.Count(hist.Text, "•") != 2 {
		t.Errorf("history:\n%s", hist.Text)
	}
	// An admin off the team may look, not score.
	e.ok(admin, "score acme")
	before := snapshot(t, e.path)
	for _, tt := range []struct {
		user, text, code, says string
	}{
		{ana, "score acme size=0", kam.EINVALID, "from 1 to 5"},
		{ana, "score acme size=6", kam.EINVALID, "from 1 to 5"},
		{ana, "score acme size=four", kam.EINVALID, "size=4"},
		{ana, "score acme colour=3", kam.EINVALID, "Unknown factor"},
		{ana, "score acme size=4 SIZE=5", kam.EINVALID, "twice"},
		{ana, "score acme size=4 growth", kam.EINVALID, "factor=1..5"},
		{ana, "score acme size=4 trust=9", kam.EINVALID, "trust"},
		{admin, "score acme size=3", kam.EUNAUTHORIZED, "team"},
		{outsider, "score acme size=3", kam.EUNAUTHORIZED, "team"},
		{outsider, "score acme", kam.EUNAUTHORIZED, "team"},
		{ana, "score initech size=3", kam.ENOTFOUND, "initech"},
	} {
		rep, err := e.run(tt.user, tt.text)
		if kam.ErrorCode(err) != tt.code || !strings.Contains(rep.Text, tt.says) {
			t.Errorf("/kam %s as %s: %v (%s), want %s saying %q", tt.text, tt.user, err, rep.Text, tt.code, tt.says)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("a refused scoring changed the database")
	}
}

func TestIntelWeights(t *testing.T) {
	e := newIntelEnv(t)
	// A partial scoring is not placed: 4 of 19 factors.
	if rep := e.ok(ana, "score acme size=5 growth=1 price=2 service=4"); !strings.Contains(rep.Text, "4 of 19 factors scored") || strings.Contains(rep.Text, "strategic") {
		t.Fatalf("partial scoring:\n%s", rep.Text)
	}
	e.ok(ana, "score acme stability=3 access=3 closeness=3 fit=3 adopter=3 value=3 competition=3 standing=3 "+
		"people=3 response=3 attitude=3 innovation=3 value-in-use=3 sustainability=3 trust=3")
	// Equal: attractiveness (1 + 0 + 8·0.5)/10 = 50, strength (0.25 + 0.75 + 7·0.5)/9 = 50.
	if rep := e.ok(ana, "score acme"); !strings.Contains(rep.Text, "strategic") {
		t.Fatalf("equal weights:\n%s", rep.Text)
	}
	before := snapshot(t, e.path)
	for _, tt := range []struct{ user, text, code string }{
		{ana, "weights size=3", kam.EUNAUTHORIZED},
		{admin, "weights size=-1", kam.EINVALID},
		{admin, "weights size=11", kam.EINVALID},
		{admin, "weights colour=1", kam.EINVALID},
		{admin, "weights size", kam.EINVALID},
		{admin, "weights price=0 service=0 people=0 response=0 attitude=0 innovation=0 value-in-use=0 sustainability=0 trust=0", kam.EINVALID},
	} {
		if _, err := e.run(tt.user, tt.text); kam.ErrorCode(err) != tt.code {
			t.Errorf("/kam %s as %s: %v, want %s", tt.text, tt.user, err, tt.code)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("refused weights changed the database")
	}
	// Weighted: attractiveness (1 + 3·0 + 4)/12 = 41.7; strength (0.25 + 2·0.75 + 3.5)/10 = 52.5.
	rep := e.ok(admin, "weights growth=3 service=2")
	if !strings.Contains(rep.Text, "Weights set: growth=3, service=2 (criteria version 1).") {
		t.Errorf("weights reply:\n%s", rep.Text)
	}
	// The latest scoring keeps the weights it was made under…
	if rep := e.ok(ana, "score acme"); !strings.Contains(rep.Text, "strategic") || !strings.Contains(rep.Text, "today's criteria are version 1") {
		t.Errorf("old scoring under its own weights:\n%s", rep.Text)
	}
	// …and the next scoring is made under the new ones.
	if rep := e.ok(ana, "score acme trust=3"); !strings.Contains(rep.Text, "maintain") || !strings.Contains(rep.Text, "41.7 / 100") || !strings.Contains(rep.Text, "52.5 / 100") ||
		!strings.Contains(rep.Text, "strategic → maintain") {
		t.Errorf("weighted position:\n%s", rep.Text)
	}
	golden(t, "intel_weights.txt", []byte(e.ok(ana, "weights").Text+"\n"))
	e.ok(admin, "weights reset")
	if rep := e.ok(ana, "score acme trust=3"); !strings.Contains(rep.Text, "strategic") {
		t.Errorf("after reset:\n%s", rep.Text)
	}
}

func TestIntelContacts(t *testing.T) {
	e := newIntelEnv(t)
	intelFixture(t, e)
	ctx := context.Background()
	acme := e.ids[team+"/Acme Corp"]
	cs, err := e.db.Contacts(ctx, team, acme)
	if err != nil || len(cs) != 4 {
		t.Fatalf("contacts = %+v, %v", cs, err)
	}
	byName := map[string]kam.Contact{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	if j := byName["Jane Doe"]; j.MirrorID != ana || j.Influence != 5 || j.Stance != 1 || j.Role != kam.ContactDecisionMaker || j.LastContact.IsZero() {
		t.Errorf("Jane = %+v", j)
	}
	if m := byName["Max Hill"]; m.Stance != -2 || !m.LastContact.IsZero() {
		t.Errorf("Max = %+v", m)
	}
	ins, _ := e.db.Interactions(ctx, team, acme, 2)
	if len(ins) != 2 || ins[0].Summary != "Invoice follow-up" || len(ins[0].Contacts) != 1 || ins[0].Contacts[0] != byName["Bo Chen"].ID ||
		ins[1].Summary != "Renewal scope and timing" || len(ins[1].Contacts) != 2 {
		t.Errorf("with= did not attach the stakeholders: %+v", ins)
	}

	rep := e.ok(ana, `contact acme set "jane" stance=2 mirror= title="Chief Financial Officer"`)
	if !strings.Contains(rep.Text, "title → Chief Financial Officer, stance → advocate (+2), mirror → (cleared)") {
		t.Errorf("set reply:\n%s", rep.Text)
	}
	if rep := e.ok(ana, `contact acme set "Jane Doe" stance=2`); !strings.Contains(rep.Text, "Nothing to change") {
		t.Errorf("unchanged set:\n%s", rep.Text)
	}

	before := snapshot(t, e.path)
	for _, tt := range []struct{ user, text, code, says string }{
		{ana, `contact acme add "Kim Park" stance=3`, kam.EINVALID, "stance=1"},
		{ana, `contact acme add "Kim Park" influence=6`, kam.EINVALID, "influence=4"},
		{ana, `contact acme add "Kim Park" role=boss`, kam.EINVALID, "decision-maker"},
		{ana, `contact acme add "Kim Park" mirror=ana`, kam.EINVALID, "mention"},
		{ana, `contact acme add "Kim Park" colour=red`, kam.EINVALID, "Unknown key"},
		{ana, `contact acme add Kim Park`, kam.EINVALID, "quotes"},
		{ana, `contact acme add "JANE DOE"`, kam.ECONFLICT, "already"},
		{ana, `contact acme set "Nobody Here" stance=1`, kam.ENOTFOUND, "No stakeholder"},
		{ana, `contact acme set "Jane Do" stance=9`, kam.EINVALID, "Stance"},
		{ana, `contact acme set "Jane Doe"`, kam.EINVALID, "what to change"},
		{ana, `contact acme remove "Nobody Here"`, kam.ENOTFOUND, "No stakeholder"},
		{ana, `contact acme remove "Jane Doe" now`, kam.EINVALID, "only the name"},
		{ana, `contact acme fire "Jane Doe"`, kam.EINVALID, "add, set, remove"},
		{outsider, `contact acme add "Kim Park"`, kam.EUNAUTHORIZED, "team"},
		{admin, `contact acme remove "Jane Doe"`, kam.EUNAUTHORIZED, "team"},
		{ana, `contact initech add "Kim Park"`, kam.ENOTFOUND, "initech"},
		{ana, `log acme meeting with="Jane Doe, Nobody Here" Talked`, kam.ENOTFOUND, "Nobody Here"},
		{ana, `log acme meeting with="" Talked`, kam.EINVALID, "who you met"},
		{ana, `log acme meeting Talked with="Jane Doe" about pricing`, kam.EINVALID, "right after the kind"},
		{ana, `log acme meeting with="Jane Doe"`, kam.EINVALID, "what happened"},
	} {
		rep, err := e.run(tt.user, tt.text)
		if kam.ErrorCode(err) != tt.code || !strings.Contains(rep.Text, tt.says) {
			t.Errorf("/kam %s as %s: %v (%s), want %s saying %q", tt.text, tt.user, err, rep.Text, tt.code, tt.says)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("a refused change altered the database")
	}

	list := e.ok(admin, "contact acme")
	checkLimits(t, list.Blocks)
	golden(t, "intel_contacts.json", blocksIndent(t, list))
	golden(t, "intel_contacts.txt", []byte(list.Text+"\n"))

	e.ok(ben, `contact acme remove "Max Hill"`)
	if cs, _ := e.db.Contacts(ctx, team, acme); len(cs) != 3 {
		t.Errorf("after remove: %d stakeholders", len(cs))
	}
}

func TestIntelPlan(t *testing.T) {
	e := newIntelEnv(t)
	if rep := e.ok(ana, "plan acme"); !strings.Contains(rep.Text, "No plan yet") {
		t.Errorf("empty plan:\n%s", rep.Text)
	}
	intelFixture(t, e)
	p, err := e.db.Plan(context.Background(), team, e.ids[team+"/Acme Corp"])
	if err != nil || len(p.Objectives) != 2 || len(p.Tactics) != 3 {
		t.Fatalf("plan = %+v, %v", p, err)
	}
	if t1 := p.Tactics[0]; t1.Quarter != "2025-Q1" || t1.OwnerID != ben || t1.Due.Format("2006-01-02") != "2025-03-01" {
		t.Errorf("tactic 1 = %+v (quarter from the due date, owner as given)", t1)
	}
	if t3 := p.Tactics[2]; !t3.Done || t3.DoneBy != ana || t3.OwnerID != ana {
		t.Errorf("tactic 3 = %+v", t3)
	}
	before := snapshot(t, e.path)
	for _, tt := range []struct{ user, text, code, says string }{
		{ana, "plan acme done 99", kam.ENOTFOUND, "numbered 1 to 3"},
		{ana, "plan acme done 3", kam.ECONFLICT, "already done"},
		{ana, "plan acme done two", kam.EINVALID, "tactic number"},
		{ana, "plan acme done 0", kam.EINVALID, "tactic number"},
		{ana, "plan acme done", kam.EINVALID, "which tactic"},
		{ana, `plan acme objective "x" for=them`, kam.EINVALID, "customer or us"},
		{ana, `plan acme objective Grow more`, kam.EINVALID, "quotes"},
		{ana, `plan acme objective ""`, kam.EINVALID, "empty"},
		{ana, `plan acme tactic "x" quarter=Q5`, kam.EINVALID, "quarter=2027-Q1"},
		{ana, `plan acme tactic "x" quarter=Q1 due=2026-12-22`, kam.EINVALID, "quarter=Q1 contradicts due=2026-12-22, which is in 2026-Q4 — type quarter=2026-Q4"},
		{ana, `plan acme tactic "x" quarter=2027-Q1 due=2026-12-22`, kam.EINVALID, "type quarter=2026-Q4"},
		{ana, `plan acme tactic "x" due=2025-02-30`, kam.EINVALID, "calendar date"},
		{ana, `plan acme tactic "x" owner=ana`, kam.EINVALID, "mention"},
		{ana, `plan acme tactic "x" colour=red`, kam.EINVALID, "Unknown key"},
		{ana, `plan acme archive`, kam.EINVALID, "show, objective"},
		{outsider, "plan acme review", kam.EUNAUTHORIZED, "team"},
		{admin, "plan acme done 1", kam.EUNAUTHORIZED, "team"},
		{outsider, "plan acme", kam.EUNAUTHORIZED, "team"},
	} {
		rep, err := e.run(tt.user, tt.text)
		if kam.ErrorCode(err) != tt.code || !strings.Contains(rep.Text, tt.says) {
			t.Errorf("/kam %s as %s: %v (%s), want %s saying %q", tt.text, tt.user, err, rep.Text, tt.code, tt.says)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("a refused change altered the database")
	}
	rep := e.ok(ben, `plan acme review "Workshop slipped to April"`)
	if !strings.Contains(rep.Text, "next one is due by 2025-04-13 (monthly cadence)") {
		t.Errorf("review reply:\n%s", rep.Text)
	}
	show := e.ok(admin, "plan acme show")
	checkLimits(t, show.Blocks)
	golden(t, "intel_plan.json", blocksIndent(t, show))
	golden(t, "intel_plan.txt", []byte(show.Text+"\n"))
}

func TestIntelHealthAndCards(t *testing.T) {
	e := newIntelEnv(t)
	intelFixture(t, e)
	for _, tt := range []struct{ file, user, text string }{
		{"intel_health_account", ana, "health acme"},
		{"intel_health_portfolio", ana, "health"},
		{"intel_health_all", admin, "health all"},
		{"intel_show", ana, "show acme"},
		{"intel_score", ben, "score acme"},
		{"intel_accounts_review", admin, "accounts all sort=quadrant"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			rep := e.ok(tt.user, tt.text)
			checkLimits(t, rep.Blocks)
			golden(t, tt.file+".json", blocksIndent(t, rep))
			golden(t, tt.file+".txt", []byte(rep.Text+"\n"))
		})
	}
	// Worst first: Acorn (no contact logged, no plan) before Acme.
	if rep := e.ok(admin, "health all"); strings.Index(rep.Text, "Acorn") > strings.Index(rep.Text, "Acme") {
		t.Errorf("portfolio not worst first:\n%s", rep.Text)
	}
	if rep := e.ok(admin, "accounts all quadrant=develop"); !strings.Contains(rep.Text, "Acme Corp") || strings.Contains(rep.Text, "Globex") {
		t.Errorf("quadrant filter:\n%s", rep.Text)
	}
	if rep := e.ok(admin, "accounts all quadrant=unscored sort=health"); strings.Contains(rep.Text, "Acme Corp") || !strings.Contains(rep.Text, "Globex") {
		t.Errorf("unscored filter:\n%s", rep.Text)
	}
	if rep := e.ok(ana, "accounts quadrant=strategic,develop"); !strings.Contains(rep.Text, "Your accounts — strategic, develop (1)") {
		t.Errorf("own accounts filter:\n%s", rep.Text)
	}
	for _, tt := range []struct{ user, text, code string }{
		{ana, "health all", kam.EUNAUTHORIZED},
		{outsider, "health acme", kam.EUNAUTHORIZED},
		{ana, "health initech", kam.ENOTFOUND},
		{ana, "health acme now", kam.EINVALID},
		{ana, "health x=1", kam.EINVALID},
		{admin, "accounts all quadrant=great", kam.EINVALID},
		{admin, "accounts all sort=size", kam.EINVALID},
		{admin, "accounts all colour=red", kam.EINVALID},
		{ana, "accounts all", kam.EUNAUTHORIZED},
	} {
		if _, err := e.run(tt.user, tt.text); kam.ErrorCode(err) != tt.code {
			t.Errorf("/kam %s as %s: %v, want %s", tt.text, tt.user, err, tt.code)
		}
	}
	// Another workspace sees none of Acme's intelligence.
	rep, err := e.runIn(otherTeam, outsider, "health")
	if err != nil || strings.Contains(rep.Text, "Jane") || !strings.Contains(rep.Text, "Initech") {
		t.Errorf("other workspace: %v\n%s", err, rep.Text)
	}
}

// TestIntelOff checks that without an IntelStore the engine is the core
// one: the commands are absent and log keeps its words.
func TestIntelOff(t *testing.T) {
	e := newEnv(t)
	if _, err := e.run(ana, "health acme"); kam.ErrorCode(err) != kam.EINVALID {
		t.Errorf("health without intelligence: %v", err)
	}
	rep := e.ok(ana, `log acme call with="Jane" rang`)
	if !strings.Contains(rep.Text, `with="Jane" rang`) {
		t.Errorf("log without intelligence must keep the text: %s", rep.Text)
	}
	if _, err := e.run(admin, "accounts all quadrant=develop"); kam.ErrorCode(err) != kam.EINVALID {
		t.Errorf("quadrant filter without intelligence: %v", err)
	}
}

func blocksJSON(t *testing.T, rep commands.Reply) string {
	t.Helper()
	b, err := json.Marshal(rep.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func blocksIndent(t *testing.T, rep commands.Reply) []byte {
	t.Helper()
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep.Blocks); err != nil {
		t.Fatal(err)
	}
	return js.Bytes()
}

// TestStakeholderLegend: the map's legend names only the marks it shows.
func TestStakeholderLegend(t *testing.T) {
	e := newIntelEnv(t)
	const noMirror, blocker = "⚠️ key stakeholder without a mirror", "⛔ blocker"
	for _, tc := range []struct {
		name, change string
		legend       []string // in the legend
		absent       []string // not in it
	}{
		{"NoMarks", `contact acme add "Bo Chen" role=decision-maker influence=4 mirror=<@UBEN001|ben>`, nil, []string{noMirror, blocker, "⚠️", "⛔"}},
		{"KeyWithoutMirror", `contact acme add "Jane Doe" title=CFO role=decision-maker influence=5`, []string{noMirror}, []string{blocker, "⛔"}},
		{"Both", `contact acme add "Max Hill" title=Procurement role=blocker influence=3 stance=-2`, []string{noMirror, blocker}, nil},
		{"BlockerOnly", `contact acme set "Jane Doe" mirror=<@UANA001|ana>`, []string{blocker}, []string{noMirror, "⚠️"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.ok(ana, tc.change)
			rep := e.ok(ana, "contact acme")
			last, ok := rep.Blocks[len(rep.Blocks)-1].(*slack.ContextBlock)
			if !ok {
				t.Fatalf("last block %+v is not the legend", rep.Blocks[len(rep.Blocks)-1])
			}
			legend := last.ContextElements.Elements[0].(*slack.TextBlockObject).Text
			if !strings.HasSuffix(legend, "`/kam help contact`") {
				t.Errorf("legend %q lost the help pointer", legend)
			}
			for _, w := range tc.legend {
				if !strings.Contains(legend, w) {
					t.Errorf("legend %q does not name %q", legend, w)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(legend, w) {
					t.Errorf("legend %q names %q, which the map does not show:\n%s", legend, w, rep.Text)
				}
			}
		})
	}
}
