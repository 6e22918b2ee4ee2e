package kam

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func f64(v float64) *float64 { return &v }

// benOnTeam is Acme's team besides its KAM (UANA).
var benOnTeam = []Member{{AccountID: 1, UserID: "UBEN", Role: RoleMember}}

// surveyed is a survey answer recent enough that no survey is due.
var surveyed = &NPSSummary{Latest: &NPSAnswer{Score: 9, At: daysAgo(30)}}

// kinds lists the alerts as "kind/severity[/subject]" for compact comparison.
func kinds(as []Alert) []string {
	var out []string
	for _, a := range as {
		s := string(a.Kind) + "/" + a.Severity.String()
		if a.Subject != "" {
			s += "/" + a.Subject
		}
		out = append(out, s)
	}
	return out
}

func TestAssessHealth(t *testing.T) {
	tests := []struct {
		name   string
		in     HealthInput
		score  int
		band   Band
		parts  map[string]float64 // part key → score 0–1
		alerts []string
	}{
		{
			name: "healthy",
			in: HealthInput{
				Account:      acme,
				Members:      benOnTeam,
				Satisfaction: surveyed,
				LastTouch:    map[string]time.Time{"UANA": daysAgo(5), "UBEN": daysAgo(12)},
				Window:       touched(met("UANA", 5, KindMeeting, 10), met("UBEN", 12, KindCall, 11)),
				Contacts:     []Contact{mirrored(jane, "UANA"), mirrored(li, "UBEN")},
				Opportunities: []Opportunity{
					{ID: 1, Name: "Renewal", Stage: StagePursuing, StageSince: daysAgo(10), CloseDate: date(2025, 12, 31)},
					{ID: 2, Name: "Old win", Stage: StageContracted, StageSince: daysAgo(300), CloseDate: date(2025, 1, 31)},
				},
				Plan: Plan{
					Objectives: []Objective{{For: ForUs, Text: "Grow", CreatedAt: daysAgo(20)}},
					Tactics: []Tactic{
						{Number: 1, Text: "Workshop", Done: true, Due: date(2025, 10, 1), CreatedAt: daysAgo(20)},
						{Number: 2, Text: "QBR", Due: date(2025, 12, 1), CreatedAt: daysAgo(20)},
					},
					LastReview: &PlanReview{At: daysAgo(10)},
				},
			},
			// 30 + 25 + 20 + 15 of 90.
			score: 100, band: BandGood,
			parts: map[string]float64{PartRecency: 1, PartCoverage: 1, PartPipeline: 1, PartPlan: 1},
		},
		{
			name: "neglected",
			in: HealthInput{
				Account:      acme,
				Satisfaction: surveyed,
				LastTouch:    map[string]time.Time{"UANA": daysAgo(45)},
				Window:       touched(met("UANA", 45, KindCall)),
				Contacts:     []Contact{jane},
				Opportunities: []Opportunity{
					{ID: 7, Name: "Expansion", Stage: StageQualified, StageSince: daysAgo(40)},
					{ID: 8, Name: "Renewal", Stage: StageClosing, StageSince: daysAgo(5), CloseDate: date(2025, 11, 1)},
				},
			},
			// recency 1 − 15/30 = 0.5 → 15; coverage 0.6 × 0.3 = 0.18 → 4.5;
			// pipeline 0; plan 0. 19.5 / 90 = 21.7 → 22.
			score: 22, band: BandAtRisk,
			parts: map[string]float64{PartRecency: 0.5, PartCoverage: 0.18, PartPipeline: 0, PartPlan: 0},
			alerts: []string{
				"no-contact/warning", "single-threaded/warning", "unmirrored-stakeholder/warning/contact:10",
				"opportunity-stalled/warning/opportunity:7", "opportunity-overdue/warning/opportunity:8", "no-plan/warning",
			},
		},
		{
			name: "mixed, with surveys",
			in: HealthInput{
				Account:   acme,
				Members:   benOnTeam,
				LastTouch: map[string]time.Time{"UANA": daysAgo(40)},
				Window:    touched(met("UANA", 40, KindMeeting, 10, 11, 12)),
				Contacts:  []Contact{mirrored(jane, "UANA"), li, {ID: 12, AccountID: 1, Name: "Bo Chen", Role: ContactDecisionMaker, Influence: 2}},
				Opportunities: []Opportunity{
					{ID: 1, Name: "A", Stage: StageIdentified, StageSince: daysAgo(10)},
					{ID: 2, Name: "B", Stage: StagePursuing, StageSince: daysAgo(50)},
					{ID: 3, Name: "C", Stage: StageClosing, StageSince: daysAgo(5), CloseDate: date(2025, 11, 9)},
					{ID: 4, Name: "D", Stage: StageContracted, StageSince: daysAgo(100)},
					{ID: 5, Name: "E", Stage: StageQualified, StageSince: daysAgo(29)},
				},
				Plan: Plan{
					Objectives: []Objective{{For: ForCustomer, Text: "Cut cost", CreatedAt: daysAgo(50)}},
					Tactics: []Tactic{
						{Number: 1, Text: "Pilot", Due: date(2025, 11, 1), OwnerID: "UBEN", CreatedAt: daysAgo(50)},
						{Number: 2, Text: "Audit", Done: true, Due: date(2025, 10, 1), CreatedAt: daysAgo(50)},
						{Number: 3, Text: "Dinner", CreatedAt: daysAgo(50)},
					},
				},
				Satisfaction: &NPSSummary{Responses: 5, NPS: 20, PreviousNPS: f64(40),
					Latest: &NPSAnswer{Score: 4, Comment: "slow support", Contact: "Li Wei", At: daysAgo(10)}},
			},
			// recency 1 − 10/30 = 0.67 → 20.1; coverage 0.6 × 0.6 + 0.4 × 1/2 = 0.56 → 14;
			// pipeline 1 − 2/4 = 0.5 → 10; plan: review due 20 days ago, freshness
			// 1 − 20/30 = 0.333, tactics 2/3: 0.7 × 0.333 + 0.3 × 0.667 = 0.43 → 6.45;
			// satisfaction (20 + 100)/200 = 0.6 → 6. Total 56.55 → 57.
			score: 57, band: BandWatch,
			parts: map[string]float64{PartRecency: 0.67, PartCoverage: 0.56, PartPipeline: 0.5, PartPlan: 0.43, PartSatisfaction: 0.6},
			alerts: []string{
				"no-contact/warning", "unmirrored-stakeholder/warning/contact:12",
				"opportunity-stalled/warning/opportunity:2", "opportunity-overdue/warning/opportunity:3",
				"plan-review-overdue/warning", "nps-falling/warning", "detractor/warning", "tactic-overdue/info/tactic:1",
			},
		},
		{
			name: "silent for two cadences, never contacted sponsor",
			in: HealthInput{
				Account:   Account{ID: 3, Name: "Birch", Tier: TierVendor, Cadence: CadenceWeekly, SponsorID: "USPON", CreatedAt: daysAgo(400)},
				LastTouch: map[string]time.Time{"UANA": daysAgo(15)},
				Window:    touched(Interaction{AccountID: 3, UserID: "UANA", Kind: KindCall, At: daysAgo(15)}),
				Members: []Member{
					{UserID: "UANA", Role: RoleMember, AddedAt: daysAgo(300)},
					{UserID: "USPON", Role: RoleSponsor, AddedAt: daysAgo(200)},
					{UserID: "UNEW", Role: RoleSponsor, AddedAt: daysAgo(30)},
					{UserID: "UOLD", Role: RoleSponsor, AddedAt: daysAgo(150)},
				},
				Contacts:     []Contact{{ID: 30, AccountID: 3, Name: "Key Influencer", Role: ContactInfluencer, Influence: 5}},
				Satisfaction: &NPSSummary{},
			},
			// recency: 15 days > 2 × 7 → 0; coverage: the 15-day-old contact is in the
			// window, nobody named → bow-tie 0.18 → 4.5; pipeline 0.5 → 10; plan 0.
			// 14.5 / 90 = 16.1 → 16. No answers: satisfaction left out.
			score: 16, band: BandAtRisk,
			parts: map[string]float64{PartRecency: 0, PartCoverage: 0.18, PartPipeline: 0.5, PartPlan: 0},
			alerts: []string{
				"no-contact/critical", "no-kam/warning", "sponsor-no-touch/warning/user:UOLD", "sponsor-no-touch/warning/user:USPON",
				"unmirrored-stakeholder/info/contact:30", "no-plan/info", "survey-overdue/info",
			},
		},
		{
			name: "new account, no contact yet",
			in: HealthInput{
				Account: Account{ID: 4, Name: "Cedar", OwnerID: "UANA", Tier: TierPartner, Cadence: CadenceQuarterly, CreatedAt: daysAgo(10)},
			},
			// recency 1 (10 days < 91) → 30; coverage none → 0; pipeline 0.5 → 10; plan 0.
			// 40 / 90 = 44.4 → 44.
			score: 44, band: BandWatch,
			parts:  map[string]float64{PartRecency: 1, PartCoverage: 0, PartPipeline: 0.5, PartPlan: 0},
			alerts: []string{"no-plan/warning"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := AssessHealth(tt.in, relNow)
			if h.Score != tt.score || h.Band != tt.band {
				t.Errorf("score = %d %s, want %d %s", h.Score, h.Band, tt.score, tt.band)
			}
			got := map[string]float64{}
			for _, p := range h.Parts {
				got[p.Key] = p.Score
				if p.Detail == "" {
					t.Errorf("part %s has no detail", p.Key)
				}
			}
			if !reflect.DeepEqual(got, tt.parts) {
				t.Errorf("parts = %v, want %v", got, tt.parts)
			}
			if k := kinds(h.Alerts); !reflect.DeepEqual(k, tt.alerts) {
				t.Errorf("alerts =\n  %v\nwant\n  %v", k, tt.alerts)
			}
			for _, a := range h.Alerts {
				if a.Fact() == "" || a.AccountID != tt.in.Account.ID || a.AccountName != tt.in.Account.Name {
					t.Errorf("alert %+v lacks its fact or account", a)
				}
			}
		})
	}
}

func TestAlertFacts(t *testing.T) {
	in := HealthInput{
		Account:   acme,
		LastTouch: map[string]time.Time{"UANA": daysAgo(45)},
		Window:    touched(met("UANA", 45, KindCall, 10)),
		Contacts:  []Contact{jane},
		Opportunities: []Opportunity{
			{ID: 7, Name: "Expansion", Stage: StageQualified, StageSince: daysAgo(40)},
			{ID: 8, Name: "Renewal", Stage: StageClosing, StageSince: daysAgo(5), CloseDate: date(2025, 9, 30)},
		},
		Plan: Plan{Tactics: []Tactic{{Number: 2, Text: "Pilot", CreatedAt: daysAgo(100), Due: date(2025, 10, 15), OwnerID: "UBEN"}},
			LastReview: &PlanReview{At: daysAgo(70)}},
		Satisfaction: &NPSSummary{Responses: 3, NPS: 0, Latest: &NPSAnswer{Score: 9, At: daysAgo(400)}},
	}
	h := AssessHealth(in, relNow)
	want := map[AlertKind]string{
		AlertNoContact:      "last contact 45 days ago, 2025-09-26 (monthly cadence: every 30 days)",
		AlertSingleThreaded: "single-threaded on a consultant account: only <@UANA> has met anyone at Acme since 2025-08-12 (Jane Doe)",
		AlertUnmirrored:     "Jane Doe (CFO, decision-maker, influence 5) has no mirror on the team",
		AlertStalled:        "“Expansion” has been in qualified for 40 days (stalled after 30 days)",
		AlertPastClose:      "“Renewal” was due to close 2025-09-30 (41 days ago), still closing",
		AlertPlanReview:     "plan reviewed 70 days ago; review was due 2025-10-01 by the monthly cadence: every 30 days",
		AlertTacticOverdue:  "tactic 2 “Pilot”, owner <@UBEN> was due 2025-10-15",
		AlertSurveyOverdue:  "last survey answer 400 days ago, 2024-10-06",
	}
	got := map[AlertKind]string{}
	for _, a := range h.Alerts {
		got[a.Kind] = a.Fact()
	}
	if !reflect.DeepEqual(got, want) {
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("%s fact =\n  %q\nwant\n  %q", k, got[k], want[k])
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected alert %s: %q", k, got[k])
			}
		}
	}
	// The past-close opportunity is 41 days late: critical.
	for _, a := range h.Alerts {
		if a.Kind == AlertPastClose && a.Severity != SeverityCritical {
			t.Errorf("41 days past close should be critical, got %s", a.Severity)
		}
	}
	if h.Alerts[0].Severity != SeverityCritical {
		t.Errorf("alerts must be most severe first: %v", kinds(h.Alerts))
	}
}

func TestBandOf(t *testing.T) {
	for score, want := range map[int]Band{100: BandGood, 70: BandGood, 69: BandWatch, 40: BandWatch, 39: BandAtRisk, 0: BandAtRisk} {
		if got := BandOf(score); got != want {
			t.Errorf("BandOf(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestStallsAndDates(t *testing.T) {
	for _, tt := range []struct {
		stage Stage
		in    int // days in stage
		want  bool
	}{
		{StageIdentified, 30, false}, {StageIdentified, 31, true},
		{StageQualified, 31, true}, {StagePursuing, 45, false}, {StagePursuing, 46, true},
		{StageClosing, 31, true}, {StageContracted, 400, false}, {StageLost, 400, false},
	} {
		o := Opportunity{Stage: tt.stage, StageSince: daysAgo(tt.in)}
		if got := o.Stalled(relNow); got != tt.want {
			t.Errorf("%s for %d days: stalled = %v, want %v", tt.stage, tt.in, got, tt.want)
		}
	}
	due := date(2025, 11, 9)
	tac := Tactic{Due: due}
	if tac.Overdue(due.Add(23*time.Hour + 59*time.Minute)) {
		t.Error("a tactic is not overdue on its due day")
	}
	if !tac.Overdue(due.Add(24 * time.Hour)) {
		t.Error("a tactic is overdue the day after its due day")
	}
	if (Tactic{Due: due, Done: true}).Overdue(relNow) || (Tactic{}).Overdue(relNow) {
		t.Error("done tactics and tactics without a due date are never overdue")
	}
	o := Opportunity{Stage: StageClosing, CloseDate: due}
	if !o.PastClose(relNow) || (Opportunity{Stage: StageLost, CloseDate: due}).PastClose(relNow) {
		t.Error("PastClose wrong")
	}
}

func TestPlan(t *testing.T) {
	var p Plan
	if !p.Empty() || !p.NextReview(CadenceMonthly).IsZero() {
		t.Error("an empty plan has no review date")
	}
	p.Objectives = []Objective{{CreatedAt: daysAgo(10)}}
	p.Tactics = []Tactic{{CreatedAt: daysAgo(20)}}
	if got := p.NextReview(CadenceWeekly); !got.Equal(daysAgo(13)) {
		t.Errorf("next review = %v, want the start plus 7 days", got)
	}
	p.LastReview = &PlanReview{At: daysAgo(2)}
	if got := p.NextReview(CadenceQuarterly); !got.Equal(daysAgo(2).Add(91 * 24 * time.Hour)) {
		t.Errorf("next review = %v, want the last review plus 91 days", got)
	}
	for in, want := range map[string]string{"q1": "Q1", "Q4": "Q4", "3": "Q3"} {
		if got, err := ParseQuarter(in); err != nil || got != want {
			t.Errorf("ParseQuarter(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"Q5", "Q0", "", "2025Q1"} {
		if _, err := ParseQuarter(in); ErrorCode(err) != EINVALID {
			t.Errorf("ParseQuarter(%q) accepted", in)
		}
	}
	if QuarterOf(date(2025, 3, 31)) != "Q1" || QuarterOf(date(2025, 4, 1)) != "Q2" || QuarterOf(date(2025, 12, 1)) != "Q4" {
		t.Error("QuarterOf wrong")
	}
}

func TestNPSOf(t *testing.T) {
	for _, tt := range []struct {
		scores []int
		want   float64
	}{
		{nil, 0}, {[]int{10, 9, 8, 6, 0}, 0}, {[]int{10, 10, 7}, 66.7}, {[]int{3}, -100}, {[]int{9, 9}, 100},
	} {
		if got := NPSOf(tt.scores); got != tt.want {
			t.Errorf("NPSOf(%v) = %v, want %v", tt.scores, got, tt.want)
		}
	}
}

func TestSortWorstFirst(t *testing.T) {
	crit := []Alert{{Severity: SeverityCritical}}
	hs := []Health{
		{Account: Account{Name: "b"}, Score: 50},
		{Account: Account{Name: "a"}, Score: 50},
		{Account: Account{Name: "c"}, Score: 50, Alerts: crit},
		{Account: Account{Name: "d"}, Score: 10},
		{Account: Account{Name: "e"}, Score: 50, Alerts: []Alert{{Severity: SeverityInfo}}},
	}
	SortWorstFirst(hs)
	var names []string
	for _, h := range hs {
		names = append(names, h.Account.Name)
	}
	if got := strings.Join(names, ""); got != "dceab" {
		t.Errorf("order = %s, want dceab", got)
	}
}

// TestSortWorstFirstAsDefined: on random portfolios, with ties at every
// key, the order is the stable sort by the rule as written.
func TestSortWorstFirstAsDefined(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		hs := make([]Health, r.IntN(60))
		for i := range hs {
			h := &hs[i]
			h.Account.ID, h.Account.Name = int64(i), string(rune('a'+r.IntN(4)))+string(rune('A'+r.IntN(3)))
			h.New, h.Score = r.IntN(4) == 0, r.IntN(4)*10
			for range r.IntN(3) {
				h.Alerts = append(h.Alerts, Alert{Severity: []Severity{SeverityCritical, SeverityInfo}[r.IntN(2)]})
			}
		}
		want := slices.Clone(hs)
		sort.SliceStable(want, func(i, j int) bool {
			x, y := want[i], want[j]
			switch {
			case x.New != y.New:
				return y.New
			case x.Score != y.Score:
				return x.Score < y.Score
			case x.Critical() != y.Critical():
				return x.Critical() > y.Critical()
			case len(x.Alerts) != len(y.Alerts):
				return len(x.Alerts) > len(y.Alerts)
			}
			return compareFold(x.Account.Name, y.Account.Name) < 0
		})
		SortWorstFirst(hs)
		for i := range hs {
			if hs[i].Account.ID != want[i].Account.ID {
				t.Fatalf("position %d: account %d, want %d", i, hs[i].Account.ID, want[i].Account.ID)
			}
		}
	}
}

func TestAlertKey(t *testing.T) {
	a := Alert{Kind: AlertStalled, AccountID: 12, Subject: "opportunity:55"}
	if a.Key() != "opportunity-stalled:12:opportunity:55" {
		t.Errorf("Key = %q", a.Key())
	}
	if (Alert{Kind: AlertNoContact, AccountID: 3}).Key() != "no-contact:3" {
		t.Error("Key without subject wrong")
	}
	// Key is written with appends; it reads as fmt wrote it.
	r := rand.New(rand.NewPCG(7, 8))
	subjects := []string{"", "contact:7", "user:U1", "opportunity:%d", "tactic:3 «é»"}
	for range 10_000 {
		a := Alert{Kind: AlertKinds[r.IntN(len(AlertKinds))], AccountID: r.Int64N(1<<40) - 1<<39, Subject: subjects[r.IntN(len(subjects))]}
		want := fmt.Sprintf("%s:%d", a.Kind, a.AccountID)
		if a.Subject != "" {
			want += ":" + a.Subject
		}
		if got := a.Key(); got != want {
			t.Fatalf("Key = %q, want %q", got, want)
		}
		if got := string(a.AppendKey([]byte("x"))); got != "x"+want {
			t.Fatalf("AppendKey = %q, want %q", got, "x"+want)
		}
	}
}

// TestHealthAnswers pins rules whose earlier answers contradicted
// themselves: mirrors and contact of people off the team, an account
// without a KAM, a brand-new account, and a survey never sent.
func TestHealthAnswers(t *testing.T) {
	fresh := Account{ID: 5, Name: "Dune", OwnerID: "UANA", Tier: TierVendor, Cadence: CadenceMonthly, CreatedAt: relNow.Add(-2 * time.Hour)}
	tests := []struct {
		name    string
		in      HealthInput
		model   RelationshipModel
		reason  string // in Relationship.Reason
		alerts  []string
		fact    string // in some alert's fact
		isNew   bool
		mirrors int // contacts with a mirror, as assessed
	}{
		{
			name: "a removed mirror is no mirror",
			in: HealthInput{
				Account: acme, Satisfaction: surveyed,
				LastTouch: map[string]time.Time{"UANA": daysAgo(3)},
				Window:    touched(met("UANA", 3, KindMeeting, 10), met("UGONE", 4, KindMeeting, 11)),
				Contacts:  []Contact{mirrored(jane, "UGONE"), mirrored(li, "UANA")},
				Plan:      Plan{Objectives: []Objective{{Text: "Grow", CreatedAt: daysAgo(3)}}},
			},
			// UGONE's meeting with Li is history: only UANA covers Acme.
			model:  ModelBowTie,
			alerts: []string{"single-threaded/warning", "unmirrored-stakeholder/warning/contact:10"},
			fact:   "<@UGONE>, their mirror, has left it", mirrors: 1,
		},
		{
			name: "no KAM is an alert",
			in: HealthInput{
				Account: Account{ID: 6, Name: "Elm", Tier: TierVendor, Cadence: CadenceMonthly, CreatedAt: daysAgo(100)},
				Members: []Member{{UserID: "UBEN", Role: RoleMember}}, Satisfaction: surveyed,
				LastTouch: map[string]time.Time{"UBEN": daysAgo(3)},
				Window:    touched(Interaction{AccountID: 6, UserID: "UBEN", Kind: KindCall, At: daysAgo(3)}),
			},
			model:  ModelBowTie,
			alerts: []string{"no-kam/warning", "no-plan/info"},
			fact:   "nobody is Elm's KAM",
		},
		{
			name:   "a brand-new account has no data, not a grade",
			in:     HealthInput{Account: fresh},
			model:  ModelNone,
			reason: "since it was added " + relNow.Format(time.DateOnly),
			alerts: []string{"no-plan/info"},
			isNew:  true,
		},
		{
			name: "never surveyed: the survey is due as the nudge says",
			in: HealthInput{
				Account:   Account{ID: 7, Name: "Fir", OwnerID: "UANA", Tier: TierVendor, Cadence: CadenceQuarterly, CreatedAt: daysAgo(340)},
				LastTouch: map[string]time.Time{"UANA": daysAgo(3)},
				Plan:      Plan{Objectives: []Objective{{Text: "Grow", CreatedAt: daysAgo(3)}}},
			},
			model:  ModelNone,
			alerts: []string{"survey-overdue/info"},
			fact:   "no survey answer since the account was added 340 days ago",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := AssessHealth(tt.in, relNow)
			if h.Relationship.Model != tt.model || !strings.Contains(h.Relationship.Reason, tt.reason) {
				t.Errorf("relationship = %s (%s), want %s with %q", h.Relationship.Model, h.Relationship.Reason, tt.model, tt.reason)
			}
			if k := kinds(h.Alerts); !reflect.DeepEqual(k, tt.alerts) {
				t.Errorf("alerts = %v, want %v", k, tt.alerts)
			}
			found := tt.fact == ""
			for _, a := range h.Alerts {
				found = found || strings.Contains(a.Fact(), tt.fact)
			}
			if !found {
				t.Errorf("no alert says %q: %+v", tt.fact, h.Alerts)
			}
			if h.New != tt.isNew {
				t.Errorf("New = %v, want %v", h.New, tt.isNew)
			}
			n := 0
			for _, c := range h.Contacts {
				if c.MirrorID != "" {
					n++
				}
			}
			if n != tt.mirrors {
				t.Errorf("%d mirrored contacts, want %d", n, tt.mirrors)
			}
		})
	}
	// The rule itself: a yearly survey is due SurveyLead early.
	created := daysAgo(400)
	if due, ok := SurveyDue(created, time.Time{}, SurveyInterval, relNow); !ok || !due.Equal(created.Add(SurveyInterval-SurveyLead)) {
		t.Errorf("SurveyDue = %v, %v", due, ok)
	}
	if _, ok := SurveyDue(created, daysAgo(100), 180*day, relNow); ok {
		t.Error("a survey 100 days ago is due on a 180-day cadence")
	}
}

// The satisfaction reason says NPS as package format does: a whole number
// and "1 answer", not "1 answers".
func TestSatisfactionWording(t *testing.T) {
	for _, tc := range []struct {
		nps  float64
		n    int
		want string
	}{
		{-100, 1, "NPS -100 from 1 answer"},
		{33.5, 2, "NPS 34 from 2 answers"},
		{-12.5, 8, "NPS -13 from 8 answers"},
	} {
		x := &assessment{in: HealthInput{Account: Account{Name: "Acme"}}, now: time.Now()}
		p, ok := x.satisfaction(&NPSSummary{NPS: tc.nps, Responses: tc.n})
		if !ok || p.Detail != tc.want {
			t.Errorf("satisfaction(%v, %d) = %q, want %q", tc.nps, tc.n, p.Detail, tc.want)
		}
	}
}

// touched counts interactions as the store does for HealthInput.Window.
func touched(ins ...Interaction) []Touches {
	return ActivityOf(ins, 0, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
}

// TestHealthSummary: a portfolio keeps what its views show of each account
// and drops the one-account detail.
func TestHealthSummary(t *testing.T) {
	in := HealthInput{Account: acme, Members: benOnTeam, LastTouch: map[string]time.Time{"UANA": daysAgo(45)},
		Window: touched(met("UANA", 45, KindCall, 10)), Contacts: []Contact{jane}}
	h := AssessHealth(in, relNow)
	s := h.Summary()
	if s.Score != h.Score || s.Band != h.Band || s.New != h.New || !reflect.DeepEqual(s.Alerts, h.Alerts) ||
		s.Relationship.Model != h.Relationship.Model || s.Account != h.Account {
		t.Errorf("summary %+v lost what portfolio views show of %+v", s, h)
	}
	if s.Parts != nil || s.Contacts != nil || s.Relationship.Pairings != nil || s.Relationship.Reason != "" {
		t.Errorf("summary keeps the one-account detail: %+v", s)
	}
	if len(h.Parts) == 0 || len(h.Contacts) == 0 || len(h.Relationship.Pairings) == 0 {
		t.Fatalf("assessment %+v has no detail to drop: the check proves nothing", h)
	}
}
