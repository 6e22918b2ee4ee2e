package kam

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Axis is one dimension of the directional policy matrix.
type Axis string

// The two axes of the matrix.
const (
	AxisAttractiveness Axis = "attractiveness" // how attractive the customer is to us
	AxisStrength       Axis = "strength"       // our strength relative to competitors, as the customer sees it
)

// Factor is one scored criterion of the selection matrix, as one version
// of a workspace's criteria holds it.
type Factor struct {
	ID     int    // stable across versions: a rename keeps it, a new factor takes a new one
	Key    string // what users type: size, value-in-use, …
	Axis   Axis
	Label  string  // short human name, for the modal and cards
	Weight float64 // relative weight 0–10 within its axis (see Criteria)
}

// Limits of a factor score and of a factor weight.
const (
	MinScore  = 1
	MaxScore  = 5
	MaxWeight = 10.0
)

// Scores maps factor keys to scores 1–5. A factor absent from the map has
// not been scored yet.
type Scores map[string]int

// Merge returns a copy of s with the scores of update on top: factors not
// given keep their last value.
func (s Scores) Merge(update Scores) Scores {
	out := make(Scores, len(s)+len(update))
	for k, v := range s {
		out[k] = v
	}
	for k, v := range update {
		out[k] = v
	}
	return out
}

// Weights maps factor keys to weights 0–10: a change of weights, or the
// weights of one criteria set (Criteria.Weights).
type Weights map[string]float64

// Quadrant is an account's cell in the directional policy matrix.
type Quadrant string

// Quadrants at the 50/50 lines.
const (
	QuadrantStrategic     Quadrant = "strategic"     // attractive, strong: invest
	QuadrantDevelop       Quadrant = "develop"       // attractive, weak: build strength
	QuadrantMaintain      Quadrant = "maintain"      // less attractive, strong: serve efficiently
	QuadrantOpportunistic Quadrant = "opportunistic" // less attractive, weak: candidate for de-selection
)

// Quadrants lists every quadrant, most invested first.
var Quadrants = []Quadrant{QuadrantStrategic, QuadrantDevelop, QuadrantMaintain, QuadrantOpportunistic}

// QuadrantLine is where an axis turns from low to high.
const QuadrantLine = 50.0

// Position is an account's place in the matrix.
type Position struct {
	// Attractiveness and Strength are 0–100, rounded to one decimal; each is
	// the weighted mean of (score−1)/4 over the axis's scored factors.
	Attractiveness float64
	Strength       float64
	// Rated is false until every factor with a weight above 0 is scored; an
	// unrated position has no quadrant, and its axes are 0 rather than a
	// mean of the few factors scored (one factor at 5 is not "100").
	Rated    bool
	Quadrant Quadrant
	Missing  []string // factors of the set without a score, in the set's order
	// Scored counts the factors with a weight above 0 that are scored, of
	// Needed: "2 of 19 factors scored".
	Scored, Needed int
}

// Evaluate computes the position of a set of scores under a criteria set:
// its factors and their weights. A score for a factor not in the set is
// left out.
//
// An account is placed only when every factor with a weight above 0 is
// scored: a partial scoring would rest each axis on the few factors given
// (size=5 alone reads as attractiveness 100) and rank the account among
// the fully scored ones. Factors a scoring leaves out keep their previous
// score (Scores.Merge), so only an account never fully scored is unplaced.
//
// Each axis is Σ wᵢ·(sᵢ−1)/4 ÷ Σ wᵢ × 100 over the axis's factors. The value is rounded to one decimal
// before the quadrant is read, so the figure people see explains the
// quadrant; a value of exactly 50 counts as high (an average account is
// given the benefit of the doubt rather than flagged for de-selection).
func Evaluate(s Scores, c Criteria) Position {
	var p Position
	var okA, okS bool
	p.Attractiveness, okA = axisValue(s, c, AxisAttractiveness)
	p.Strength, okS = axisValue(s, c, AxisStrength)
	for _, f := range c.Factors {
		_, ok := s[f.Key]
		if !ok {
			p.Missing = append(p.Missing, f.Key)
		}
		if f.Weight > 0 {
			p.Needed++
			if ok {
				p.Scored++
			}
		}
	}
	if p.Rated = okA && okS && p.Scored == p.Needed; p.Rated {
		p.Quadrant = QuadrantOf(p.Attractiveness, p.Strength)
	} else {
		p.Attractiveness, p.Strength = 0, 0
	}
	return p
}

func axisValue(s Scores, c Criteria, axis Axis) (float64, bool) {
	var num, den float64
	for _, f := range c.Factors {
		v, ok := s[f.Key]
		if f.Axis != axis || !ok {
			continue
		}
		wt := f.Weight
		num += wt * float64(v-MinScore) / float64(MaxScore-MinScore)
		den += wt
	}
	if den <= 0 {
		return 0, false
	}
	return math.Round(num/den*1000) / 10, true
}

// QuadrantOf names the quadrant of two axis values; 50 counts as high.
func QuadrantOf(attractiveness, strength float64) Quadrant {
	hiA, hiS := attractiveness >= QuadrantLine, strength >= QuadrantLine
	switch {
	case hiA && hiS:
		return QuadrantStrategic
	case hiA:
		return QuadrantDevelop
	case hiS:
		return QuadrantMaintain
	default:
		return QuadrantOpportunistic
	}
}

// Scoring is one saved scoring of an account: the full set of scores after
// the change (factors not given keep their last value), who scored and when.
type Scoring struct {
	ID        int64
	TeamID    string
	AccountID int64
	UserID    string
	Scores    Scores
	Changed   []string // factors set by this scoring, in the set's order
	At        time.Time
	// Criteria is the version of the workspace's criteria the scoring was
	// made under (0: the book's default set); it is read under that set.
	Criteria int
}

// Movement is the change between two positions.
type Movement struct {
	Attractiveness float64 // current − previous, rounded to one decimal
	Strength       float64
	From, To       Quadrant
}

// Move compares the previous position with the current one, each
// evaluated under the criteria set its scoring was made with: the axes are
// 0–100 under any set, so history stays comparable when the criteria change.
func Move(prev, cur Position) Movement {
	return Movement{
		Attractiveness: math.Round((cur.Attractiveness-prev.Attractiveness)*10) / 10,
		Strength:       math.Round((cur.Strength-prev.Strength)*10) / 10,
		From:           prev.Quadrant,
		To:             cur.Quadrant,
	}
}

// String says the movement in words: "attractiveness +7.5, strength −2.5;
// develop → strategic", or "no change".
func (m Movement) String() string {
	var parts []string
	if m.Attractiveness != 0 {
		parts = append(parts, "attractiveness "+signed(m.Attractiveness))
	}
	if m.Strength != 0 {
		parts = append(parts, "strength "+signed(m.Strength))
	}
	s := strings.Join(parts, ", ")
	if m.From != m.To && m.From != "" && m.To != "" {
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("%s → %s", m.From, m.To)
	}
	if s == "" {
		return "no change"
	}
	return s
}

func signed(v float64) string {
	if v > 0 {
		return "+" + strconv.FormatFloat(v, 'f', -1, 64)
	}
	return "−" + strconv.FormatFloat(-v, 'f', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
