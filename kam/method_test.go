package kam

import (
	"reflect"
	"testing"
	"time"
)

func TestMethodAlerts(t *testing.T) {
	ours := Objective{For: ForUs, Text: "Preferred supplier", CreatedAt: daysAgo(60)}
	theirs := Objective{For: ForCustomer, Text: "Cut cost", CreatedAt: daysAgo(60)}
	year := relNow.Year()
	tests := []struct {
		name string
		acct Account
		plan Plan
		sat  *NPSSummary
		// every time.Duration: the workspace survey cadence (0: a year)
		every time.Duration
		want  []string // method and survey alerts, kind/severity
	}{
		{"our objective without strategy after a period", acme, Plan{Objectives: []Objective{ours}}, surveyed, 0,
			[]string{"no-strategy/warning"}},
		{"vendor tier: a note, not a warning", Account{ID: 2, Name: "Beta", Tier: TierVendor, Cadence: CadenceMonthly, CreatedAt: daysAgo(400), OwnerID: "UANA"},
			Plan{Objectives: []Objective{ours}}, surveyed, 0, []string{"no-strategy/info"}},
		{"a strategy links it", acme, Plan{Objectives: []Objective{ours}, Charter: Charter{Strategies: []Strategy{{Number: 1, Text: "Pilot"}}}}, surveyed, 0, nil},
		{"the customer's objective alone asks for no strategy", acme, Plan{Objectives: []Objective{theirs}}, surveyed, 0, nil},
		{"within the first review period", acme, Plan{Objectives: []Objective{{For: ForUs, CreatedAt: daysAgo(10)}}}, surveyed, 0, nil},
		{"revenue below target", withRevenue(acme, 900_000), Plan{Objectives: []Objective{theirs}, Targets: Targets{{Year: year, Amount: 1_000_000}}}, surveyed, 0,
			[]string{"below-target/info"}},
		{"far below target warns", withRevenue(acme, 500_000), Plan{Objectives: []Objective{theirs}, Targets: Targets{{Year: year, Amount: 1_000_000}}}, surveyed, 0,
			[]string{"below-target/warning"}},
		{"the latest setting of the year counts", withRevenue(acme, 900_000),
			Plan{Objectives: []Objective{theirs}, Targets: Targets{{Year: year, Amount: 2_000_000}, {Year: year, Amount: 800_000}}}, surveyed, 0, nil},
		{"last year's target does not count", withRevenue(acme, 100), Plan{Objectives: []Objective{theirs}, Targets: Targets{{Year: year - 1, Amount: 1_000_000}}}, surveyed, 0, nil},
		{"survey within a yearly cadence", acme, Plan{Objectives: []Objective{theirs}}, &NPSSummary{Latest: &NPSAnswer{Score: 9, At: daysAgo(100)}}, 0, nil},
		{"the same survey is overdue on a quarterly cadence", acme, Plan{Objectives: []Objective{theirs}},
			&NPSSummary{Latest: &NPSAnswer{Score: 9, At: daysAgo(100)}}, 91 * day, []string{"survey-overdue/info"}},
	}
	method := map[AlertKind]bool{AlertNoStrategy: true, AlertBelowTarget: true, AlertSurveyOverdue: true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := AssessHealth(HealthInput{Account: tt.acct, Plan: tt.plan, Satisfaction: tt.sat, SurveyEvery: tt.every}, relNow)
			var got []string
			for _, a := range h.Alerts {
				if method[a.Kind] {
					got = append(got, string(a.Kind)+"/"+a.Severity.String())
					if a.Fact() == "" {
						t.Errorf("%s has no fact", a.Kind)
					}
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("alerts = %v, want %v", got, tt.want)
			}
		})
	}
}

func withRevenue(a Account, r int64) Account { a.Revenue = r; return a }

func TestHistoryAsOf(t *testing.T) {
	h := History{
		{Field: HistRevenue, Value: "100", At: daysAgo(500)},
		{Field: HistLevel, Value: "product", At: daysAgo(400)},
		{Field: HistRevenue, Value: "200", At: daysAgo(300)},
		{Field: HistRevenue, Value: "300", At: daysAgo(10)},
	}
	tests := []struct {
		field HistoryField
		at    time.Time
		want  string
		ok    bool
	}{
		{HistRevenue, daysAgo(600), "", false},
		{HistRevenue, daysAgo(500), "100", true},
		{HistRevenue, daysAgo(365), "100", true},
		{HistRevenue, daysAgo(200), "200", true},
		{HistRevenue, relNow, "300", true},
		{HistLevel, relNow, "product", true},
		{HistTier, relNow, "", false},
	}
	for _, tt := range tests {
		e, ok := h.AsOf(tt.field, tt.at)
		if ok != tt.ok || e.Value != tt.want {
			t.Errorf("AsOf(%s, %s) = %q %v, want %q %v", tt.field, tt.at.Format(time.DateOnly), e.Value, ok, tt.want, tt.ok)
		}
	}
}

func TestKPIs(t *testing.T) {
	year := relNow.Year()
	healthy := Health{Relationship: Relationship{Model: ModelDiamond}}
	noPlan := Health{Alerts: []Alert{{Kind: AlertNoPlan}, {Kind: AlertSurveyOverdue}, {Kind: AlertSponsor}}}
	a := KPIInput{
		Account: Account{ID: 1, Name: "Acme", Revenue: 1_200_000, WalletPct: 35, Level: LevelValueAdd, Tier: TierPartner, SponsorID: "USUE"},
		History: History{
			{Field: HistRevenue, Value: "1000000", At: daysAgo(500)},
			{Field: HistWallet, Value: "30", At: daysAgo(500)},
			{Field: HistLevel, Value: "product", At: daysAgo(500)},
			{Field: HistRevenue, Value: "1200000", At: daysAgo(20)},
		},
		Targets:   Targets{{Year: year, Amount: 1_500_000}},
		Health:    Health{Relationship: healthy.Relationship, Alerts: nil},
		NPS:       &NPSSummary{Responses: 4, NPS: 50},
		Sponsored: true,
	}
	b := KPIInput{
		Account: Account{ID: 2, Name: "Beta", Revenue: 0, Level: LevelProduct, Tier: TierVendor},
		History: History{{Field: HistRevenue, Value: "400000", At: daysAgo(400)}, {Field: HistLevel, Value: "value-add", At: daysAgo(400)}},
		Health:  noPlan,
		NPS:     &NPSSummary{Responses: 1, NPS: -100},
	}
	c := KPIInput{Account: Account{ID: 3, Name: "Cedar", Revenue: 50_000}, Health: noPlan}
	ka := AccountKPIsOf(a, relNow, time.UTC)
	if pct, ok := ka.Attainment(); !ok || pct != 80 {
		t.Errorf("attainment = %v %v, want 80", pct, ok)
	}
	if pct, ok := ka.Growth(); !ok || pct != 20 {
		t.Errorf("growth = %v %v, want 20", pct, ok)
	}
	if !ka.HasWallet || ka.WalletAgo != 30 || ka.LevelAgo != LevelProduct || !ka.BelowTarget() {
		t.Errorf("account KPIs = %+v", ka)
	}
	// A plan without the no-plan alert, no strategy alert, review on time.
	if !ka.CurrentPlan() || !ka.SponsorTouch || !ka.Multi || !ka.Surveyed {
		t.Errorf("process KPIs of a healthy account = %+v", ka)
	}
	kb, kc := AccountKPIsOf(b, relNow, time.UTC), AccountKPIsOf(c, relNow, time.UTC)
	if kb.CurrentPlan() || kb.Surveyed || kb.SponsorTouch || kb.HasTarget {
		t.Errorf("process KPIs of an account without plan = %+v", kb)
	}
	p := SumKPIs([]AccountKPIs{ka, kb, kc})
	if p.Revenue != 1_250_000 || p.Target != 1_500_000 || p.TargetRevenue != 1_200_000 || p.WithTarget != 1 {
		t.Errorf("revenue vs target = %+v", p)
	}
	if g, ok := p.Growth(); !ok || p.GrowthYearAgo != 1_400_000 || p.GrowthRevenue != 1_200_000 || g > -14.28 || g < -14.29 {
		t.Errorf("growth = %v %v over %d → %d", g, ok, p.GrowthYearAgo, p.GrowthRevenue)
	}
	// Beta bought a year ago and no longer does; Cedar has no figure a year old.
	if p.Retention != (Share{N: 1, Of: 2}) {
		t.Errorf("retention = %+v, want 1 of 2", p.Retention)
	}
	if p.Promoted != 1 || p.Demoted != 1 || p.WalletAccounts != 1 || p.WalletChange != 5 {
		t.Errorf("level and wallet = %+v", p)
	}
	// Pooled NPS: (50×4 − 100×1) / 5 = 20.
	if p.NPS == nil || p.NPS.NPS != 20 || p.NPS.Responses != 5 {
		t.Errorf("NPS = %+v, want 20 from 5", p.NPS)
	}
	if p.CurrentPlan != (Share{1, 3}) || p.ReviewOnTime != (Share{1, 1}) || p.Multi != (Share{1, 3}) || p.Surveyed != (Share{1, 3}) {
		t.Errorf("process = %+v", p)
	}
	if !reflect.DeepEqual(p.BelowTarget, []string{"Acme"}) {
		t.Errorf("below target = %v", p.BelowTarget)
	}
}

func TestReviewSelection(t *testing.T) {
	pos := func(q Quadrant) Position { return Position{Rated: true, Quadrant: q} }
	in := func(name string, tier Tier, scoredDaysAgo int, qs ...Quadrant) SelectionInput {
		s := SelectionInput{Account: Account{Name: name, Tier: tier}}
		for i, q := range qs {
			s.Scorings = append(s.Scorings, Scoring{At: daysAgo(scoredDaysAgo + 100*i)})
			s.Positions = append(s.Positions, pos(q))
		}
		return s
	}
	r := ReviewSelection([]SelectionInput{
		in("never", TierVendor, 0),
		in("stale", TierPartner, 400, QuadrantMaintain),
		in("drop", TierVendor, 30, QuadrantOpportunistic, QuadrantOpportunistic),
		in("once-low", TierVendor, 30, QuadrantOpportunistic, QuadrantMaintain),
		in("star", TierPreferred, 30, QuadrantStrategic),
		in("star-invested", TierPartner, 30, QuadrantStrategic, QuadrantDevelop),
		in("rising", TierVendor, 30, QuadrantDevelop, QuadrantMaintain),
	}, relNow)
	type flags struct{ stale, moved, deselect, promote bool }
	want := []flags{
		{stale: true}, {stale: true}, {deselect: true}, {moved: true}, {promote: true}, {moved: true}, {moved: true, promote: true},
	}
	for i, it := range r.Items {
		got := flags{it.Stale, it.Moved, it.Deselect, it.Promote}
		if got != want[i] {
			t.Errorf("%s: %+v, want %+v", it.Account.Name, got, want[i])
		}
	}
	if s, m, d, p := r.Counts(); s != 2 || m != 3 || d != 1 || p != 2 {
		t.Errorf("counts = %d %d %d %d", s, m, d, p)
	}
}

func TestCharterValidate(t *testing.T) {
	tests := []struct {
		e      CharterEntry
		reason string
	}{
		{CharterEntry{TeamID: "T1", AccountID: 1, Kind: CharterThreat, Text: " New entrant "}, ""},
		{CharterEntry{TeamID: "T1", AccountID: 1, Kind: "gossip", Text: "x"}, ReasonUnknown},
		{CharterEntry{TeamID: "T1", AccountID: 1, Kind: CharterThreat, Text: "  "}, ReasonMissing},
		{CharterEntry{TeamID: "T1", AccountID: 1, Kind: CharterThreat, Text: "a\x07b"}, ReasonControl},
	}
	for _, tt := range tests {
		err := tt.e.Validate()
		if tt.reason == "" {
			if err != nil || tt.e.Text != "New entrant" {
				t.Errorf("%+v: %v", tt.e, err)
			}
			continue
		}
		if e, ok := err.(*Error); !ok || e.Reason != tt.reason {
			t.Errorf("%+v: error %v, want reason %s", tt.e, err, tt.reason)
		}
	}
}
