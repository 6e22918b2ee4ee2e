package matrix

import "github.com/kambot/kambot/kam"

// Scores are what a portfolio's matrix is drawn from: every account's
// latest scoring, the scoring before it, and every version of the
// workspace's criteria (each scoring is read under its own).
type Scores struct {
	Latest   map[int64]kam.Scoring
	Previous map[int64]kam.Scoring
	Sets     kam.CriteriaSets
}

// Portfolio places the accounts: those whose latest scoring is complete
// become bubbles (an account never fully scored has no place), with an
// arrow from the previous scoring when that one was complete too. Each is
// evaluated under the criteria it was scored with, so history stays as it
// was scored when the criteria change. bands holds each account's health band
// (absent: drawn as not assessed). want, when not empty, keeps only the
// quadrants it names.
func Portfolio(title string, accts []kam.Account, s Scores, bands map[int64]kam.Band, want map[kam.Quadrant]bool) Chart {
	c := Chart{Title: title, Split: kam.QuadrantLine}
	for _, a := range accts {
		pos := s.Sets.Evaluate(s.Latest[a.ID])
		if !pos.Rated || (len(want) > 0 && !want[pos.Quadrant]) {
			continue
		}
		acct := Account{ID: a.ID, Name: a.Name, At: Point{pos.Attractiveness, pos.Strength}, Revenue: a.Revenue, Band: bands[a.ID]}
		if prev, ok := s.Previous[a.ID]; ok {
			if pp := s.Sets.Evaluate(prev); pp.Rated {
				acct.Previous = &Point{pp.Attractiveness, pp.Strength}
			}
		}
		c.Accounts = append(c.Accounts, acct)
	}
	return c
}

// Quadrants counts the chart's accounts by quadrant.
func (c Chart) Quadrants() map[kam.Quadrant]int {
	out := map[kam.Quadrant]int{}
	for _, a := range c.Accounts {
		out[quadrantAt(a.At, c.split())]++
	}
	return out
}
