package nudges

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

// ruleNow is a Monday morning, 07:00 in Zurich.
var (
	ruleTZ, _ = time.LoadLocation("Europe/Zurich")
	ruleNow   = time.Date(2025, 3, 10, 7, 0, 0, 0, ruleTZ)
)

// ruleAccount is a monthly consultant account, added a long time ago.
func ruleAccount() kam.Account {
	return kam.Account{ID: 12, TeamID: "T0ACME", Name: "Acme & Co", Slug: "acme-co", Tier: kam.TierConsultant,
		OwnerID: "U0ANA", Cadence: kam.CadenceMonthly, ChannelID: "C0ACME", CreatedAt: ruleNow.AddDate(-2, 0, 0)}
}

// ruleInput is a healthy account: recent contact by its owner, a fresh
// plan, no opportunities.
func ruleInput() kam.HealthInput {
	a := ruleAccount()
	return kam.HealthInput{
		Account:   a,
		Members:   []kam.Member{{AccountID: a.ID, UserID: "U0ANA", Role: kam.RoleKAM, AddedAt: a.CreatedAt}},
		LastTouch: map[string]time.Time{"U0ANA": ruleNow.Add(-3 * day)},
		Plan: kam.Plan{AccountID: a.ID,
			Objectives: []kam.Objective{{ID: 1, AccountID: a.ID, Text: "Grow", CreatedAt: a.CreatedAt}},
			LastReview: &kam.PlanReview{AccountID: a.ID, At: ruleNow.Add(-10 * day)}},
	}
}

type ruleWant struct {
	kind   kam.NudgeKind
	item   string
	period string
	to     []string
}

func (w ruleWant) String() string {
	return fmt.Sprintf("%s.%s@%s→%s", w.kind, w.item, w.period, strings.Join(w.to, ","))
}

func TestDueNudges(t *testing.T) {
	recent := map[string]time.Time{"U0ANA": ruleNow.Add(-3 * day)}
	for _, tc := range []struct {
		name   string
		edit   func(in *kam.HealthInput)
		survey surveyInfo
		want   []ruleWant
	}{
		{name: "Healthy", edit: func(in *kam.HealthInput) {}},
		{
			name: "PlanReviewOverdue",
			edit: func(in *kam.HealthInput) { in.Plan.LastReview.At = ruleNow.Add(-35 * day) },
			// Due 30 days after the review: five days ago, in the first window.
			want: []ruleWant{{kam.NudgePlanReview, "", "2025-03-05", []string{"U0ANA", "C0ACME"}}},
		},
		{
			name: "PlanReviewSecondWindow",
			// Due 35 days ago; the second 30-day window began five days ago.
			edit: func(in *kam.HealthInput) { in.Plan.LastReview.At = ruleNow.Add(-65 * day) },
			want: []ruleWant{{kam.NudgePlanReview, "", "2025-03-05", []string{"U0ANA", "C0ACME"}}},
		},
		{
			name: "NoContactNoChannel",
			edit: func(in *kam.HealthInput) {
				in.Account.ChannelID = ""
				in.LastTouch = map[string]time.Time{"U0BEN": ruleNow.Add(-40 * day)}
			},
			// Contact fell due ten days ago.
			want: []ruleWant{{kam.NudgeNoContact, "", "2025-02-28", []string{"U0ANA"}}},
		},
		{
			name: "NoContactEverWeekly",
			edit: func(in *kam.HealthInput) {
				in.Account.Cadence = kam.CadenceWeekly
				in.Account.CreatedAt = ruleNow.Add(-9 * day)
				in.LastTouch = nil
				in.Plan.LastReview.At = ruleNow.Add(-day)
			},
			want: []ruleWant{{kam.NudgeNoContact, "", kam.Day(ruleNow.Add(-2 * day)), []string{"U0ANA", "C0ACME"}}},
		},
		{
			name: "StalledToOpportunityOwner",
			edit: func(in *kam.HealthInput) {
				in.Opportunities = []kam.Opportunity{{ID: 34, AccountID: 12, Name: "Renewal <2026>", OwnerID: "U0BEN",
					Stage: kam.StagePursuing, StageSince: ruleNow.Add(-50 * day)}}
			},
			// Pursuing stalls after 45 days: five days ago.
			want: []ruleWant{{kam.NudgeStalled, "34", "2025-03-05", []string{"U0BEN", "C0ACME"}}},
		},
		{
			name: "PastCloseWithoutOwner",
			edit: func(in *kam.HealthInput) {
				in.Opportunities = []kam.Opportunity{{ID: 35, AccountID: 12, Name: "Upsell", Stage: kam.StageQualified,
					StageSince: ruleNow.Add(-5 * day), CloseDate: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}}
			},
			want: []ruleWant{{kam.NudgePastClose, "35", "2025-W11", []string{"U0ANA"}}},
		},
		{
			name: "ClosedOpportunityIsQuiet",
			edit: func(in *kam.HealthInput) {
				in.Opportunities = []kam.Opportunity{{ID: 36, AccountID: 12, Name: "Won", Stage: kam.StageContracted,
					StageSince: ruleNow.Add(-200 * day), CloseDate: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}}
			},
		},
		{
			name: "TacticDueTodayAndOverdue",
			edit: func(in *kam.HealthInput) {
				in.Plan.Tactics = []kam.Tactic{
					{Number: 1, Text: "Workshop", OwnerID: "U0BEN", Due: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)},
					{Number: 2, Text: "Roadmap", Due: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)},
					{Number: 3, Text: "Done", Due: time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), Done: true},
					{Number: 4, Text: "Later", Due: time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC)},
				}
			},
			want: []ruleWant{
				{kam.NudgeTactic, "2", "2025-W11", []string{"U0ANA"}},
				{kam.NudgeTactic, "1", "2025-W11", []string{"U0BEN"}},
			},
		},
		{
			name: "SponsorOutOfTouch",
			edit: func(in *kam.HealthInput) {
				in.Account.SponsorID = "U0SARA"
				in.LastTouch = map[string]time.Time{"U0ANA": ruleNow.Add(-3 * day), "U0SARA": ruleNow.Add(-100 * day)}
			},
			want: []ruleWant{{kam.NudgeSponsor, "U0SARA", "2025-Q1", []string{"U0SARA", "U0ANA"}}},
		},
		{
			name: "SponsorWhoIsTheOwnerGetsOne",
			edit: func(in *kam.HealthInput) {
				in.Account.SponsorID = "U0ANA"
				in.LastTouch = map[string]time.Time{"U0ANA": ruleNow.Add(-100 * day)}
				in.Account.Cadence = kam.CadenceQuarterly
			},
			want: []ruleWant{
				{kam.NudgeSponsor, "U0ANA", "2025-Q1", []string{"U0ANA"}},
				{kam.NudgeNoContact, "", "2025-03-01", []string{"U0ANA", "C0ACME"}},
			},
		},
		{
			name:   "SurveyYearlyIsEarly",
			edit:   func(in *kam.HealthInput) {},
			survey: surveyInfo{last: ruleNow.Add(-336 * day), every: 365 * day},
			want:   []ruleWant{{kam.NudgeSurvey, "", kam.Day(ruleNow.Add(-day)), []string{"U0ANA"}}},
		},
		{
			name:   "SurveyNotYet",
			edit:   func(in *kam.HealthInput) {},
			survey: surveyInfo{last: ruleNow.Add(-300 * day), every: 365 * day},
		},
		{
			name:   "SurveyWorkspaceCadence",
			edit:   func(in *kam.HealthInput) {},
			survey: surveyInfo{last: ruleNow.Add(-95 * day), every: 91 * day},
			want:   []ruleWant{{kam.NudgeSurvey, "", kam.Day(ruleNow.Add(-4 * day)), []string{"U0ANA"}}},
		},
		{
			name: "SurveyNeverSinceCreation",
			edit: func(in *kam.HealthInput) { in.Account.CreatedAt = ruleNow.Add(-400 * day) },
			// Due at 335 days; the window of 365 days started 65 days ago.
			survey: surveyInfo{every: 365 * day},
			want:   []ruleWant{{kam.NudgeSurvey, "", kam.Day(ruleNow.Add(-65 * day)), []string{"U0ANA"}}},
		},
		{
			name: "NobodyToTell",
			edit: func(in *kam.HealthInput) {
				in.Account.OwnerID, in.Account.ChannelID = "", ""
				in.Plan.LastReview.At = ruleNow.Add(-35 * day)
			},
			want: []ruleWant{{kam.NudgePlanReview, "", "2025-03-05", nil}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ruleInput()
			in.LastTouch = map[string]time.Time{}
			for k, v := range recent {
				in.LastTouch[k] = v
			}
			tc.edit(&in)
			h := kam.AssessHealth(in, ruleNow)
			var got []ruleWant
			for _, d := range dueNudges(in, h, tc.survey, ruleNow, ruleTZ) {
				w := ruleWant{kind: d.topic.Kind, item: d.topic.Item, period: d.topic.Period}
				for _, r := range d.to {
					w.to = append(w.to, r.id)
				}
				if err := (kam.NudgeKey{NudgeTopic: d.topic, Recipient: "U0X"}).Validate(); err != nil {
					t.Errorf("invalid topic: %v", err)
				}
				if d.fact == "" {
					t.Errorf("%s has no fact", w)
				}
				got = append(got, w)
			}
			sortWants := func(ws []ruleWant) []string {
				var out []string
				for _, w := range ws {
					out = append(out, w.String())
				}
				slices.Sort(out)
				return out
			}
			if g, w := sortWants(got), sortWants(tc.want); !slices.Equal(g, w) {
				t.Errorf("due nudges\n got %v\nwant %v", g, w)
			}
		})
	}
}

func TestRenderNudgeEscapes(t *testing.T) {
	in := ruleInput()
	in.Opportunities = []kam.Opportunity{{ID: 34, AccountID: 12, Name: "<!channel> & <https://x|y>", OwnerID: "U0BEN",
		Stage: kam.StagePursuing, StageSince: ruleNow.Add(-50 * day)}}
	ds := dueNudges(in, kam.AssessHealth(in, ruleNow), surveyInfo{}, ruleNow, ruleTZ)
	if len(ds) != 1 {
		t.Fatalf("due = %+v", ds)
	}
	k := kam.NudgeKey{NudgeTopic: ds[0].topic, Recipient: "U0BEN"}
	m := renderNudge("T0ACME", ds[0], ds[0].to[0], k)
	s := string(m.Blocks)
	if strings.Contains(s, "<!channel>") || strings.Contains(s, "<https://x|y>") {
		t.Errorf("user text reached Slack unescaped: %s", s)
	}
	if !strings.Contains(s, "Acme \\u0026amp; Co") && !strings.Contains(s, "Acme &amp; Co") {
		t.Errorf("account name not escaped: %s", s)
	}
	if !strings.Contains(m.Text, "Opportunity stalled") {
		t.Errorf("fallback text = %q", m.Text)
	}
}

func TestWindowDay(t *testing.T) {
	anchor := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{anchor, "2025-03-01"},
		{anchor.Add(29 * day), "2025-03-01"},
		{anchor.Add(30 * day), "2025-03-31"},
		{anchor.Add(61 * day), "2025-04-30"},
		{anchor.Add(-day), "2025-03-01"}, // not yet due: the anchor itself
	} {
		if got := windowDay(anchor, 30*day, tc.now, time.UTC); got != tc.want {
			t.Errorf("windowDay(+%v) = %s, want %s", tc.now.Sub(anchor), got, tc.want)
		}
	}
	// The day is named in the scheduler's zone: 23:30 UTC is the next day in Zurich.
	late := time.Date(2025, 3, 1, 23, 30, 0, 0, time.UTC)
	if got := windowDay(late, 30*day, late, ruleTZ); got != "2025-03-02" {
		t.Errorf("windowDay in Zurich = %s", got)
	}
}
