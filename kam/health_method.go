package kam

import (
	"math"
	"time"
)

// Targets below this share of the year's target raise a warning, not a note.
const belowTargetWarn = 0.75

// method raises the alerts of the KAM method's own facts: a plan without
// a strategy (objectives not linked to tactics) and revenue below this
// year's target. Neither changes the score: both are already priced in by
// the plan part and by the pipeline's forecast; they say what to do next.
func (x *assessment) method() {
	a, p := x.in.Account, x.in.Plan
	// Our objectives want a strategy once the plan has had one review
	// period to get one: objective → strategy → quarterly tactics.
	ours := 0
	for _, o := range p.Objectives {
		if o.For != ForCustomer {
			ours++
		}
	}
	if ours > 0 && len(p.Charter.Strategies) == 0 && x.now.Sub(p.Started()) > x.period {
		sev := SeverityInfo
		if a.Tier.High() {
			sev = SeverityWarning
		}
		x.note(AlertNoStrategy, sev, "", alertWords{form: factNoStrategy, n: [3]int{ours, days(x.now.Sub(p.Started()))}})
	}
	year := x.now.UTC().Year()
	if t, ok := p.Targets.For(year); ok && t.Amount > 0 && a.Revenue < t.Amount {
		share := float64(a.Revenue) / float64(t.Amount)
		sev := SeverityInfo
		if share < belowTargetWarn {
			sev = SeverityWarning
		}
		x.note(AlertBelowTarget, sev, "", alertWords{form: factBelowTarget, n: [3]int{int(math.Floor(100 * share)), year}})
	}
}

// surveyEvery is the account's survey cadence: the workspace's, else a year.
func (x *assessment) surveyEvery() time.Duration {
	if x.in.SurveyEvery > 0 {
		return x.in.SurveyEvery
	}
	return SurveyInterval
}
