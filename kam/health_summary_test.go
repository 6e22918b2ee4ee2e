package kam

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// randomHealthInput draws an account's inputs from a small world of
// people, stakeholders, deals and plans, so that every relationship model,
// every alert and both summary paths of the relationship come up.
func randomHealthInput(r *rand.Rand, now time.Time) HealthInput {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	// Times are stored in UTC, whatever the zone of now.
	ago := func(maxDays int) time.Time { return now.Add(-time.Duration(r.IntN(maxDays*24)) * time.Hour).UTC() }
	people := []string{"UANA", "UBEN", "UCY", "UDEV", "UGONE"}
	a := Account{ID: int64(1 + r.IntN(3)), TeamID: "T1", Name: pick("Acme", "Globex", "Initech", "", "100% Café «Ñ»", "%s %d"),
		Tier: []Tier{TierVendor, TierPreferred, TierConsultant, TierPartner}[r.IntN(4)], OwnerID: pick("UANA", "", "UBEN"),
		SponsorID: pick("", "UCY"), Cadence: []Cadence{CadenceWeekly, CadenceMonthly, CadenceQuarterly, ""}[r.IntN(4)],
		Revenue: int64(r.IntN(200)) * 1000, CreatedAt: ago(800)}
	in := HealthInput{Account: a, LastTouch: map[string]time.Time{}}
	if r.IntN(4) > 0 {
		in.LastContact = ago(200)
	}
	for _, u := range people[1:4] {
		if r.IntN(2) == 0 {
			continue
		}
		role := []Role{RoleMember, RoleSponsor, RoleManager}[r.IntN(3)]
		in.Members = append(in.Members, Member{TeamID: "T1", AccountID: a.ID, UserID: u, Role: role, AddedAt: ago(400)})
		if r.IntN(3) > 0 {
			in.LastTouch[u] = ago(200)
		}
	}
	roles := []ContactRole{ContactDecisionMaker, ContactInfluencer, ContactChampion, ContactUser, ContactGatekeeper, ContactBlocker, ""}
	for i := range r.IntN(6) {
		c := Contact{ID: int64(10 + i), AccountID: a.ID, Name: pick("Jane Doe", "Li Wei", "Bo Chen", "Kim Park", "li wei", "Zoë %v"),
			Title: pick("", "CFO", "VP, 50%"), Role: roles[r.IntN(len(roles))], Influence: 1 + r.IntN(5), Stance: r.IntN(5) - 2}
		if r.IntN(2) == 0 {
			c.MirrorID = pick(people...)
		}
		if r.IntN(10) == 0 {
			c.AccountID = a.ID + 1 // another account's: left out
		}
		in.Contacts = append(in.Contacts, c)
	}
	for _, u := range people {
		if r.IntN(2) == 0 {
			continue
		}
		t := Touches{UserID: u, Count: r.IntN(4)}
		for range r.IntN(4) {
			t.Met = append(t.Met, int64(10+r.IntN(7))) // 15 and 16 are no stakeholder
		}
		in.Window = append(in.Window, t)
	}
	stages := []Stage{StageIdentified, StageQualified, StagePursuing, StageClosing, StageContracted}
	for i := range r.IntN(4) {
		o := Opportunity{ID: int64(100 + i), AccountID: a.ID, Name: pick("Renewal", "Upsell", "“Q3” 100%"), Stage: stages[r.IntN(len(stages))], StageSince: ago(120)}
		if r.IntN(2) == 0 {
			o.CloseDate = ago(90).Truncate(24 * time.Hour)
		}
		in.Opportunities = append(in.Opportunities, o)
	}
	if r.IntN(3) > 0 {
		p := Plan{AccountID: a.ID}
		for i := range r.IntN(3) {
			p.Objectives = append(p.Objectives, Objective{ID: int64(i + 1), For: []ObjectiveFor{ForCustomer, ForUs}[r.IntN(2)], Text: "grow", CreatedAt: ago(500)})
		}
		for i := range r.IntN(4) {
			t := Tactic{ID: int64(i + 1), Number: i + 1, Text: pick("call", "ring %q"), OwnerID: pick("", "UBEN"), Done: r.IntN(3) == 0, CreatedAt: ago(500)}
			if r.IntN(2) == 0 {
				t.Due = ago(60).Truncate(24 * time.Hour)
			}
			p.Tactics = append(p.Tactics, t)
		}
		if r.IntN(2) == 0 {
			p.LastReview = &PlanReview{ID: 1, AccountID: a.ID, At: ago(200)}
			p.Reviews = 1
		}
		if r.IntN(2) == 0 {
			p.Charter.Strategies = append(p.Charter.Strategies, Strategy{ID: 1, Number: 1, Text: "land", CreatedAt: ago(300)})
		}
		if r.IntN(2) == 0 {
			p.Targets = Targets{{Year: now.Year(), Amount: int64(r.IntN(300)) * 1000, At: ago(100)}}
		}
		in.Plan = p
	}
	if r.IntN(3) > 0 {
		s := &NPSSummary{Responses: r.IntN(5), NPS: float64(r.IntN(201) - 100)}
		if r.IntN(2) == 0 {
			s.PreviousNPS = new(float64(r.IntN(201) - 100))
		}
		if r.IntN(2) == 0 {
			s.Latest = &NPSAnswer{Score: r.IntN(11), Contact: pick("", "Jane Doe"), Comment: pick("", "slow", "50% «late»"), At: ago(500)}
		}
		in.Satisfaction = s
	}
	if r.IntN(2) == 0 {
		in.SurveyEvery = 180 * day
	}
	return in
}

// TestAssessHealthSummary: the summary assessment is the full one's
// Summary, field for field, over inputs drawn to reach every model and
// alert; the cases it must meet are counted so the check cannot pass on
// inputs that miss them.
//
// The summary's alerts are worded when read (alert_words.go), the full
// assessment's with fmt as they are raised: every alert's Fact must read
// the same, and every wording of every kind must come up — with names
// holding verbs, quotes and runes, ages of today and yesterday, and now
// in zones other than UTC.
func TestAssessHealthSummary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	models := map[RelationshipModel]int{}
	kinds := map[AlertKind]int{}
	forms := map[factForm]int{}
	words := map[string]int{}
	zones := []*time.Location{time.UTC, time.FixedZone("east", 13*3600), time.FixedZone("west", -11*3600)}
	for i := range 20_000 {
		now := relNow.Add(time.Duration(i) * time.Hour).In(zones[i%len(zones)])
		in := randomHealthInput(r, now)
		full := AssessHealth(in, now)
		want, got := full.Summary(), AssessHealthSummary(in, now)
		if len(got.Alerts) != len(want.Alerts) {
			t.Fatalf("input %d %+v:\nsummary alerts %+v\nwant %+v", i, in, got.Alerts, want.Alerts)
		}
		for j, a := range got.Alerts {
			w := want.Alerts[j]
			if a.Fact() != w.Fact() || a.Kind != w.Kind || a.Severity != w.Severity || a.AccountID != w.AccountID ||
				a.AccountName != w.AccountName || a.Subject != w.Subject {
				t.Fatalf("input %d %+v:\nalert %d of the summary %s %s %d %q %q\n  %q\nwant %s %s %d %q %q\n  %q", i, in, j,
					a.Kind, a.Severity, a.AccountID, a.AccountName, a.Subject, a.Fact(), w.Kind, w.Severity, w.AccountID, w.AccountName, w.Subject, w.Fact())
			}
			if w.words != nil {
				t.Fatalf("input %d: the full assessment left alert %s unworded", i, w.Kind)
			}
			if a.words != nil {
				forms[a.words.form]++
				if a.Worded().Fact() != w.Fact() || a.Worded().words != nil {
					t.Fatalf("input %d: alert %s worded %q, want %q", i, a.Kind, a.Worded().Fact(), w.Fact())
				}
			} else {
				forms[factWorded]++
			}
			for _, word := range []string{"yesterday", "1 objective", "objectives", "never reviewed", ", owner", ": “", "their mirror"} {
				if strings.Contains(a.Fact(), word) {
					words[word]++
				}
			}
		}
		got.Alerts, want.Alerts = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("input %d %+v:\nsummary %+v\nwant    %+v", i, in, got, want)
		}
		models[got.Relationship.Model]++
		for _, a := range full.Alerts {
			kinds[a.Kind]++
		}
	}
	for _, m := range []RelationshipModel{ModelNone, ModelBowTie, ModelOneOnMany, ModelDiamond} {
		if models[m] == 0 {
			t.Errorf("no input had model %s: %v", m, models)
		}
	}
	for _, k := range AlertKinds {
		if kinds[k] == 0 {
			t.Errorf("no input raised %s: %v", k, kinds)
		}
	}
	// Every wording but factWorded (the single-threaded alert, worded as
	// raised in both) is kept unworded by the summary.
	for f := factWorded; f <= factBelowTarget; f++ {
		if forms[f] == 0 {
			t.Errorf("no summary alert had wording %d: %v", f, forms)
		}
	}
	for _, word := range []string{"yesterday", "1 objective", "objectives", "never reviewed", ", owner", ": “", "their mirror"} {
		if words[word] == 0 {
			t.Errorf("no fact said %q: %v", word, words)
		}
	}
	// No alert is raised on an age of today; the words are the same.
	for d := -3 * day; d <= 3*day; d += day / 2 {
		if got, want := string(appendAgo(nil, days(d))), ago(d); got != want {
			t.Errorf("appendAgo(%d) %q, ago(%v) %q", days(d), got, d, want)
		}
		if got, want := string(appendSpan(nil, days(d))), span(d); got != want {
			t.Errorf("appendSpan(%d) %q, span(%v) %q", days(d), got, d, want)
		}
	}
}

// TestRelationshipModelOf: the model alone is RelationshipOf's model on
// the relationship tests' cases and on edge cases of the pairings.
func TestRelationshipModelOf(t *testing.T) {
	tests := []struct {
		name     string
		contacts []Contact
		window   []Touches
		want     RelationshipModel
	}{
		{"nobody", []Contact{jane}, nil, ModelNone},
		{"counted zero", []Contact{jane}, []Touches{{UserID: "UANA"}}, ModelNone},
		{"nobody named", []Contact{jane}, []Touches{{UserID: "UANA", Count: 2}}, ModelBowTie},
		{"unknown stakeholder named", []Contact{jane}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{77}}}, ModelBowTie},
		{"one pair", []Contact{jane}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{10}}}, ModelBowTie},
		{"one to three", []Contact{jane, li, bo}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{10, 11, 12}}}, ModelOneOnMany},
		{"two to one", []Contact{jane, li}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{10}}, {UserID: "UBEN", Count: 1, Met: []int64{10}}}, ModelBowTie},
		{"two to two", []Contact{jane, li}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{10}}, {UserID: "UBEN", Count: 1, Met: []int64{11}}}, ModelDiamond},
		{"mirror only", []Contact{mirrored(jane, "UBEN"), li}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{11}}, {UserID: "UBEN", Count: 1}}, ModelDiamond},
		{"other account's contact", []Contact{jane, other}, []Touches{{UserID: "UANA", Count: 1, Met: []int64{10}}, {UserID: "UBEN", Count: 1, Met: []int64{99}}}, ModelBowTie},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			full := RelationshipOf(acme, tc.contacts, tc.window, relNow)
			got := relationshipModelOf(acme, tc.contacts, tc.window, relNow)
			if full.Model != tc.want || got.Model != tc.want {
				t.Errorf("RelationshipOf %s, model alone %s, want %s (%s)", full.Model, got.Model, tc.want, full.Reason)
			}
			if want := (Relationship{Model: full.Model, Since: full.Since}); !reflect.DeepEqual(got, want) {
				t.Errorf("model alone %+v, want %+v", got, want)
			}
		})
	}
}

// TestRelationshipModelDrawn: the model found without maps is
// relationshipOf's on drawn stakeholder maps and windows — repeated
// stakeholder IDs, other accounts' stakeholders, people listed twice,
// counts of zero or less, names of no stakeholder, and sizes either side
// of modelLimit — and every model comes up.
func TestRelationshipModelDrawn(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	people := []string{"UANA", "UBEN", "UCY", "UDEV", "UEVE", ""}
	models := map[RelationshipModel]int{}
	fast := 0
	for i := range 50_000 {
		big := r.IntN(50) == 0
		n, m, ids := r.IntN(7), r.IntN(6), 9
		if big {
			n, m, ids = 40+r.IntN(60), 40+r.IntN(60), 120
		}
		var contacts []Contact
		for range n {
			c := Contact{ID: int64(10 + r.IntN(ids)), AccountID: acme.ID, Name: "c"}
			switch r.IntN(8) {
			case 0:
				c.AccountID = 0
			case 1:
				c.AccountID = acme.ID + 1
			}
			if r.IntN(2) == 0 {
				c.MirrorID = people[r.IntN(len(people))]
			}
			contacts = append(contacts, c)
		}
		var window []Touches
		for range m {
			w := Touches{UserID: people[r.IntN(len(people))], Count: r.IntN(4) - 1}
			for range r.IntN(5) {
				w.Met = append(w.Met, int64(10+r.IntN(ids+2)))
			}
			window = append(window, w)
		}
		want := relationshipOf(acme, contacts, window, relNow, false)
		if got, ok := modelOf(acme, contacts, window); ok {
			fast++
			if got != want.Model {
				t.Fatalf("case %d: model %s, relationshipOf %s\ncontacts %+v\nwindow %+v", i, got, want.Model, contacts, window)
			}
		}
		got := relationshipModelOf(acme, contacts, window, relNow)
		if w := (Relationship{Model: want.Model, Since: want.Since}); !reflect.DeepEqual(got, w) {
			t.Fatalf("case %d: %+v, want %+v", i, got, w)
		}
		models[got.Model]++
	}
	for _, m := range []RelationshipModel{ModelNone, ModelBowTie, ModelOneOnMany, ModelDiamond} {
		if models[m] < 100 {
			t.Errorf("model %s came up %d times: %v", m, models[m], models)
		}
	}
	if fast < 40_000 {
		t.Errorf("only %d of 50,000 cases took the scans", fast)
	}
}
