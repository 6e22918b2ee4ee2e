package kam

import (
	"strconv"
	"time"
)

// ---- The yearly selection review ---------------------------------------------

// ScoringMaxAge is how old the latest scoring may be before the yearly
// review asks for a new one.
const ScoringMaxAge = 365 * day

// SelectionInput is one account as the selection review sees it: its
// scorings, newest first, each with its position under the weights.
type SelectionInput struct {
	Account   Account
	Scorings  []Scoring  // newest first; the review needs the latest two
	Positions []Position // Positions[i] evaluates Scorings[i]
}

// SelectionItem is one account's line in the review.
type SelectionItem struct {
	Account  Account
	Current  Position // zero (not Rated) when never scored or not placed
	Previous Position
	ScoredAt time.Time // of the latest scoring; zero when never scored
	Stale    bool      // never scored, or the latest scoring is over ScoringMaxAge old
	Moved    bool      // the latest two scorings put it in different quadrants
	Deselect bool      // opportunistic in both of its latest two scorings
	Promote  bool      // strategic (or moved up into develop or strategic) on a tier below consultant
}

// SelectionReview is the portfolio's yearly review.
type SelectionReview struct {
	Year  int
	Items []SelectionItem // every active account, in the order given
}

// Counts of each kind of finding.
func (r SelectionReview) Counts() (stale, moved, deselect, promote int) {
	for _, it := range r.Items {
		if it.Stale {
			stale++
		}
		if it.Moved {
			moved++
		}
		if it.Deselect {
			deselect++
		}
		if it.Promote {
			promote++
		}
	}
	return
}

// quadrantRank orders quadrants by how much they deserve investment.
var quadrantRank = map[Quadrant]int{QuadrantOpportunistic: 0, QuadrantMaintain: 1, QuadrantDevelop: 2, QuadrantStrategic: 3}

// ReviewSelection builds the yearly review of the accounts at now.
func ReviewSelection(ins []SelectionInput, now time.Time) SelectionReview {
	r := SelectionReview{Year: now.Year(), Items: make([]SelectionItem, 0, len(ins))}
	for _, in := range ins {
		it := SelectionItem{Account: in.Account, Stale: true}
		if len(in.Scorings) > 0 {
			it.ScoredAt = in.Scorings[0].At
			it.Stale = now.Sub(it.ScoredAt) > ScoringMaxAge
		}
		if len(in.Positions) > 0 {
			it.Current = in.Positions[0]
		}
		if len(in.Positions) > 1 {
			it.Previous = in.Positions[1]
		}
		cur, prev := it.Current, it.Previous
		it.Moved = cur.Rated && prev.Rated && cur.Quadrant != prev.Quadrant
		it.Deselect = cur.Rated && prev.Rated && cur.Quadrant == QuadrantOpportunistic && prev.Quadrant == QuadrantOpportunistic
		movedUp := it.Moved && quadrantRank[cur.Quadrant] > quadrantRank[prev.Quadrant] && quadrantRank[cur.Quadrant] >= quadrantRank[QuadrantDevelop]
		it.Promote = cur.Rated && !in.Account.Tier.High() && (cur.Quadrant == QuadrantStrategic || movedUp)
		r.Items = append(r.Items, it)
	}
	return r
}

// SelectionReviewKey is the outbox key of the review's message to one
// person for one year: sent once, however often the job runs.
func SelectionReviewKey(year int, userID string) string {
	return "selection-review:" + strconv.Itoa(year) + ":" + userID
}

// SelectionRecord is a recorded selection review.
type SelectionRecord struct {
	ID     int64
	TeamID string
	Year   int
	UserID string
	Note   string
	// Counts when it was recorded, so later reviews can compare.
	Accounts, Stale, Moved, Deselect, Promote int
	At                                        time.Time
}
