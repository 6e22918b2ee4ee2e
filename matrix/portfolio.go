package matrix

import "github.com/kambot/kambot/kam"

// Scores are what a portfolio's matrix is drawn from: every account's
// latest scores, the scores before them, and the workspace's weights.
type Scores struct {
	Latest   map[int64]kam.Scores
	Previous map[int64]kam.Scores
	Weights  kam.Weights
}

// Portfolio places the accounts: those whose latest scoring is complete
// become bubbles (an account never fully scored has no place), with an
// arrow from the previous scoring when that one was complete too. Both
// are evaluated under today's weights, so an arrow shows a change in the
// account, not a change of policy. bands holds each account's health band
// (absent: drawn as not assessed). want, when not empty, keeps only the
// quadrants it names.
func Portfolio(title string, accts []kam.Account, s Scores, bands map[int64]kam.Band, want map[kam.Quadrant]bool) Chart {
	c := Chart{Title: title, Split: kam.QuadrantLine}
	for _, a := range accts {
		pos := kam.Evaluate(s.Latest[a.ID], s.Weights)
		if !pos.Rated || (len(want) > 0 && !want[pos.Quadrant]) {
			continue
		}
		acct := Account{ID: a.ID, Name: a.Name, At: Point{pos.Attractiveness, pos.Strength}, Revenue: a.Revenue, Band: bands[a.ID]}
		if prev, ok := s.Previous[a.ID]; ok {
			if pp := kam.Evaluate(prev, s.Weights); pp.Rated {
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
