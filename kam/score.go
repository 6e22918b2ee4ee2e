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

// Factor is one scored criterion of the selection matrix.
type Factor struct {
	Key   string // what users type: size, value-in-use, …
	Axis  Axis
	Label string // short human name, for the modal and cards
}

// Factors lists every factor: the 10 customer-attractiveness factors, then
// the 9 relative-strength factors, in the order cards and the modal show them.
var Factors = []Factor{
	{"size", AxisAttractiveness, "Size"},
	{"growth", AxisAttractiveness, "Growth potential"},
	{"stability", AxisAttractiveness, "Financial stability"},
	{"access", AxisAttractiveness, "Ease of access"},
	{"closeness", AxisAttractiveness, "Closeness of relationship"},
	{"fit", AxisAttractiveness, "Strategic fit"},
	{"adopter", AxisAttractiveness, "Early adopter"},
	{"value", AxisAttractiveness, "Values our offer"},
	{"competition", AxisAttractiveness, "Low competition"},
	{"standing", AxisAttractiveness, "Market standing"},
	{"price", AxisStrength, "Price"},
	{"service", AxisStrength, "Service"},
	{"people", AxisStrength, "Quality of people"},
	{"response", AxisStrength, "Speed of response"},
	{"attitude", AxisStrength, "Relationships and attitudes"},
	{"innovation", AxisStrength, "Innovation"},
	{"value-in-use", AxisStrength, "Value in use"},
	{"sustainability", AxisStrength, "Long-term sustainability"},
	{"trust", AxisStrength, "Trust and confidence"},
}

// Limits of a factor score and of a factor weight.
const (
	MinScore  = 1
	MaxScore  = 5
	MaxWeight = 10.0
)

// LookupFactor finds a factor by key, case-insensitively; "value_in_use"
// is accepted for "value-in-use" because people type both.
func LookupFactor(key string) (Factor, bool) {
	key = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "_", "-")
	for _, f := range Factors {
		if f.Key == key {
			return f, true
		}
	}
	return Factor{}, false
}

// FactorKeys returns the keys of one axis (every factor when axis is ""), in order.
func FactorKeys(axis Axis) []string {
	var keys []string
	for _, f := range Factors {
		if axis == "" || f.Axis == axis {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

func unknownFactor(key string) *Error {
	return Errorf(EINVALID, "Unknown factor %q. Attractiveness factors: %s. Strength factors: %s.",
		key, strings.Join(FactorKeys(AxisAttractiveness), ", "), strings.Join(FactorKeys(AxisStrength), ", "))
}

// ParseScore reads one "factor=value" pair of /kam score.
func ParseScore(key, value string) (Factor, int, error) {
	f, ok := LookupFactor(key)
	if !ok {
		return Factor{}, 0, unknownFactor(key)
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < MinScore || n > MaxScore {
		return Factor{}, 0, Errorf(EINVALID, "Score for %s must be a whole number from %d to %d, e.g. %s=4 (got %q).", f.Key, MinScore, MaxScore, f.Key, value)
	}
	return f, n, nil
}

// ParseWeight reads one "factor=weight" pair of /kam weights: a number from
// 0 (factor ignored) to 10.
func ParseWeight(key, value string) (Factor, float64, error) {
	f, ok := LookupFactor(key)
	if !ok {
		return Factor{}, 0, unknownFactor(key)
	}
	w, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || math.IsNaN(w) || w < 0 || w > MaxWeight {
		return Factor{}, 0, Errorf(EINVALID, "Weight for %s must be a number from 0 to %g, e.g. %s=2 (got %q).", f.Key, MaxWeight, f.Key, value)
	}
	return f, w, nil
}

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

// Validate checks that every key is a factor and every value is 1–5.
func (s Scores) Validate() error {
	for _, k := range sortedKeys(s) {
		if _, _, err := ParseScore(k, strconv.Itoa(s[k])); err != nil {
			return err
		}
	}
	return nil
}

// Weights maps factor keys to weights 0–10. A factor absent from the map
// weighs 1, so the zero value is the default: equal weights.
type Weights map[string]float64

// Of returns the weight of a factor.
func (w Weights) Of(key string) float64 {
	if v, ok := w[key]; ok {
		return v
	}
	return 1
}

// Validate checks that every key is a factor, every weight is 0–10, and
// each axis keeps at least one factor with a weight above 0 (otherwise the
// axis could never be computed).
func (w Weights) Validate() error {
	for _, k := range sortedKeys(w) {
		if _, _, err := ParseWeight(k, strconv.FormatFloat(w[k], 'g', -1, 64)); err != nil {
			return err
		}
	}
	for _, axis := range []Axis{AxisAttractiveness, AxisStrength} {
		total := 0.0
		for _, k := range FactorKeys(axis) {
			total += w.Of(k)
		}
		if total <= 0 {
			return Errorf(EINVALID, "At least one %s factor needs a weight above 0, e.g. %s=1.", axis, FactorKeys(axis)[0])
		}
	}
	return nil
}

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
	Missing  []string // factors without a score, in Factors order
	// Scored counts the factors with a weight above 0 that are scored, of
	// Needed: "2 of 19 factors scored".
	Scored, Needed int
}

// Evaluate computes the position of a set of scores under the weights.
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
func Evaluate(s Scores, w Weights) Position {
	var p Position
	var okA, okS bool
	p.Attractiveness, okA = axisValue(s, w, AxisAttractiveness)
	p.Strength, okS = axisValue(s, w, AxisStrength)
	for _, f := range Factors {
		_, ok := s[f.Key]
		if !ok {
			p.Missing = append(p.Missing, f.Key)
		}
		if w.Of(f.Key) > 0 {
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

func axisValue(s Scores, w Weights, axis Axis) (float64, bool) {
	var num, den float64
	for _, f := range Factors {
		v, ok := s[f.Key]
		if f.Axis != axis || !ok {
			continue
		}
		wt := w.Of(f.Key)
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
	Changed   []string // factors set by this scoring, in Factors order
	At        time.Time
}

// Movement is the change between two positions.
type Movement struct {
	Attractiveness float64 // current − previous, rounded to one decimal
	Strength       float64
	From, To       Quadrant
}

// Move compares the previous position with the current one. Both should be
// evaluated under the same (current) weights, so that the movement shows a
// change in the account, not a change of policy.
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
