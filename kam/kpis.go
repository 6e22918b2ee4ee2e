package kam

import (
	"math"
	"slices"
	"time"
)

// ---- KPIs: results and process, per account and portfolio ------------------

// KPIInput is what the KPIs of one account are computed from.
type KPIInput struct {
	Account Account
	History History
	Targets Targets
	Health  Health      // assessed at the same now
	NPS     *NPSSummary // nil when never surveyed
	// Sponsored is whether the account has an executive sponsor (its
	// sponsor, or a team member with role sponsor).
	Sponsored bool
}

// AccountKPIs are one account's results and process KPIs for a year.
type AccountKPIs struct {
	Account Account
	Year    int

	// Results.
	Revenue    int64
	Target     int64
	HasTarget  bool
	YearAgo    int64 // revenue as it stood at the end of last year
	HasYearAgo bool
	Wallet     float64
	WalletAgo  float64
	HasWallet  bool // a share of wallet was known a year ago and is now
	Level      Level
	LevelAgo   Level // "" when not known a year ago
	Tier       Tier
	TierAgo    Tier
	NPS        *NPSSummary

	// Process.
	HasPlan      bool // objectives or tactics exist
	ReviewOnTime bool // a plan whose review is not overdue
	Strategy     bool // at least one strategy links an objective to tactics
	Sponsored    bool // an executive sponsor is assigned
	SponsorTouch bool // … and touched the account within SponsorWindow
	Multi        bool // several of us each paired with counterparts (diamond)
	Surveyed     bool // surveyed within the survey cadence
}

// Attainment is revenue as a share of the target, in percent; ok false
// without a (non-zero) target.
func (k AccountKPIs) Attainment() (pct float64, ok bool) {
	if !k.HasTarget || k.Target == 0 {
		return 0, false
	}
	return 100 * float64(k.Revenue) / float64(k.Target), true
}

// Growth is revenue growth year on year in percent; ok false without a
// figure (above zero) a year ago.
func (k AccountKPIs) Growth() (pct float64, ok bool) {
	if !k.HasYearAgo || k.YearAgo <= 0 {
		return 0, false
	}
	return 100 * float64(k.Revenue-k.YearAgo) / float64(k.YearAgo), true
}

// BelowTarget reports whether revenue is below this year's target.
func (k AccountKPIs) BelowTarget() bool { return k.HasTarget && k.Revenue < k.Target }

// CurrentPlan is the process KPI "account plan in place and progressing":
// a plan with a strategy whose review is on time.
func (k AccountKPIs) CurrentPlan() bool { return k.HasPlan && k.Strategy && k.ReviewOnTime }

// AccountKPIsOf computes an account's KPIs at now; year is now's calendar
// year in the reader's zone. Results are compared with the end of last
// year: revenue now is this year's, a past year's is its last value.
func AccountKPIsOf(in KPIInput, now time.Time, loc *time.Location) AccountKPIs {
	a := in.Account
	year := now.In(loc).Year()
	ago := LastYearEnd(year)
	k := AccountKPIs{Account: a, Year: year, Revenue: a.Revenue, Wallet: a.WalletPct,
		Level: a.Level, Tier: a.Tier, NPS: in.NPS, Sponsored: in.Sponsored}
	if t, ok := in.Targets.For(k.Year); ok {
		k.Target, k.HasTarget = t.Amount, true
	}
	if e, ok := in.History.AsOf(HistRevenue, ago); ok {
		k.YearAgo, k.HasYearAgo = e.Int(), true
	}
	if e, ok := in.History.AsOf(HistWallet, ago); ok && a.WalletPct > 0 {
		k.WalletAgo, k.HasWallet = e.Float(), true
	}
	if e, ok := in.History.AsOf(HistLevel, ago); ok {
		k.LevelAgo = Level(e.Value)
	}
	if e, ok := in.History.AsOf(HistTier, ago); ok {
		k.TierAgo = Tier(e.Value)
	}
	alerts := map[AlertKind]bool{}
	for _, al := range in.Health.Alerts {
		alerts[al.Kind] = true
	}
	k.HasPlan = !alerts[AlertNoPlan]
	k.ReviewOnTime = k.HasPlan && !alerts[AlertPlanReview]
	k.Strategy = k.HasPlan && !alerts[AlertNoStrategy]
	k.SponsorTouch = k.Sponsored && !alerts[AlertSponsor]
	k.Multi = in.Health.Relationship.Model == ModelDiamond
	k.Surveyed = !alerts[AlertSurveyOverdue]
	return k
}

// Share is a count out of a total, for a KPI given as a share.
type Share struct{ N, Of int }

// Pct is the share in percent; 0 of 0 is 0.
func (s Share) Pct() float64 {
	if s.Of == 0 {
		return 0
	}
	return 100 * float64(s.N) / float64(s.Of)
}

func (s *Share) add(counts, yes bool) {
	if counts {
		s.Of++
		if yes {
			s.N++
		}
	}
}

// PortfolioKPIs sums the KPIs of many accounts.
type PortfolioKPIs struct {
	Accounts int
	Year     int

	// Results.
	Revenue        int64 // of every account
	TargetRevenue  int64 // revenue of the accounts with a target this year
	Target         int64 // their targets
	WithTarget     int
	BelowTarget    []string // names of accounts below target, by name
	GrowthRevenue  int64    // revenue now of the accounts with a figure a year ago
	GrowthYearAgo  int64    // their revenue a year ago
	Retention      Share    // accounts with revenue a year ago that still have some
	WalletChange   float64  // mean change in share of wallet, in points
	WalletAccounts int      // accounts the mean is over
	Promoted       int      // relationship level moved up within the year
	Demoted        int      // … moved down
	NPS            *NPSSummary

	// Process.
	CurrentPlan  Share
	ReviewOnTime Share // of the accounts with a plan
	Sponsor      Share // sponsored and touched within SponsorWindow
	Multi        Share
	Surveyed     Share
}

// Growth is the year-on-year growth of the revenue of accounts with a
// figure a year ago, in percent; ok false without any.
func (p PortfolioKPIs) Growth() (pct float64, ok bool) {
	if p.GrowthYearAgo <= 0 {
		return 0, false
	}
	return 100 * float64(p.GrowthRevenue-p.GrowthYearAgo) / float64(p.GrowthYearAgo), true
}

// Attainment is the revenue of accounts with a target as a share of their
// targets, in percent; ok false without targets.
func (p PortfolioKPIs) Attainment() (pct float64, ok bool) {
	if p.Target <= 0 {
		return 0, false
	}
	return 100 * float64(p.TargetRevenue) / float64(p.Target), true
}

// SumKPIs adds up account KPIs. The portfolio's NPS pools every account's
// answers: the answer-weighted mean of the accounts' NPS is exactly the NPS
// of all their answers together.
func SumKPIs(ks []AccountKPIs) PortfolioKPIs {
	p := PortfolioKPIs{Accounts: len(ks)}
	var wallet, npsSum float64
	var answers int
	for _, k := range ks {
		if k.NPS != nil && k.NPS.Responses > 0 {
			npsSum += k.NPS.NPS * float64(k.NPS.Responses)
			answers += k.NPS.Responses
		}
		p.Year = k.Year
		p.Revenue += k.Revenue
		if k.HasTarget {
			p.WithTarget++
			p.TargetRevenue += k.Revenue
			p.Target += k.Target
			if k.BelowTarget() {
				p.BelowTarget = append(p.BelowTarget, k.Account.Name)
			}
		}
		if k.HasYearAgo && k.YearAgo > 0 {
			p.GrowthRevenue += k.Revenue
			p.GrowthYearAgo += k.YearAgo
		}
		p.Retention.add(k.HasYearAgo && k.YearAgo > 0, k.Revenue > 0)
		if k.HasWallet {
			wallet += k.Wallet - k.WalletAgo
			p.WalletAccounts++
		}
		if k.LevelAgo != "" {
			switch d := index(Levels, k.Level) - index(Levels, k.LevelAgo); {
			case d > 0:
				p.Promoted++
			case d < 0:
				p.Demoted++
			}
		}
		p.CurrentPlan.add(true, k.CurrentPlan())
		p.ReviewOnTime.add(k.HasPlan, k.ReviewOnTime)
		p.Sponsor.add(true, k.SponsorTouch)
		p.Multi.add(true, k.Multi)
		p.Surveyed.add(true, k.Surveyed)
	}
	if p.WalletAccounts > 0 {
		wallet /= float64(p.WalletAccounts)
		p.WalletChange = wallet
	}
	if answers > 0 {
		p.NPS = &NPSSummary{Responses: answers, NPS: math.Round(npsSum/float64(answers)*10) / 10}
	}
	slices.Sort(p.BelowTarget)
	return p
}

// LastYearEnd is what this year's results are compared with: the last
// instant of the year before.
func LastYearEnd(year int) time.Time { return EndOfYear(year - 1) }
