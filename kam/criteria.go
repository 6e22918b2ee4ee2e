package kam

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Criteria is a version of a workspace's selection criteria: the factors
// scored on each axis of the matrix, with their weights. Every change an
// admin makes (add, rename, retire, weight, reset) makes a new version;
// each scoring keeps the version it was made under, so an old scoring is
// read with the factors and weights it was scored on.
//
// Weights are relative: each axis is the weighted mean of its factors, so a
// factor's share of its axis is its weight ÷ the axis's total. Weights need
// not sum to anything; the share is what they mean (see Share).
type Criteria struct {
	// Version is 0 for the book's default set, which is never stored; a
	// workspace's own versions count up from 1.
	Version int
	Factors []Factor // attractiveness factors first, then strength, each in the order cards show them
	// LastID is the highest factor ID the workspace has ever used, retired
	// factors included: a new factor takes the next, so no two factors of
	// a workspace's history share an ID.
	LastID int
	By     string // the admin who made this version; empty for version 0
	At     time.Time
}

// Limits of the criteria a workspace can define.
const (
	// MaxAxisFactors bounds the factors of one axis so that the scoring
	// form (one select per factor) stays within Slack's 100 blocks.
	MaxAxisFactors = 30
	MaxFactorKey   = 30 // characters of a factor's key
	MaxFactorLabel = 60 // characters of a factor's name
)

// bookFactors are the 19 factors of the book's directional policy matrix:
// 10 of customer attractiveness, then 9 of our relative strength.
var bookFactors = []Factor{
	{1, "size", AxisAttractiveness, "Size", 1},
	{2, "growth", AxisAttractiveness, "Growth potential", 1},
	{3, "stability", AxisAttractiveness, "Financial stability", 1},
	{4, "access", AxisAttractiveness, "Ease of access", 1},
	{5, "closeness", AxisAttractiveness, "Closeness of relationship", 1},
	{6, "fit", AxisAttractiveness, "Strategic fit", 1},
	{7, "adopter", AxisAttractiveness, "Early adopter", 1},
	{8, "value", AxisAttractiveness, "Values our offer", 1},
	{9, "competition", AxisAttractiveness, "Low competition", 1},
	{10, "standing", AxisAttractiveness, "Market standing", 1},
	{11, "price", AxisStrength, "Price", 1},
	{12, "service", AxisStrength, "Service", 1},
	{13, "people", AxisStrength, "Quality of people", 1},
	{14, "response", AxisStrength, "Speed of response", 1},
	{15, "attitude", AxisStrength, "Relationships and attitudes", 1},
	{16, "innovation", AxisStrength, "Innovation", 1},
	{17, "value-in-use", AxisStrength, "Value in use", 1},
	{18, "sustainability", AxisStrength, "Long-term sustainability", 1},
	{19, "trust", AxisStrength, "Trust and confidence", 1},
}

// DefaultCriteria is the book's set, version 0: the 19 factors at equal
// weights. A workspace uses it until an admin changes its criteria.
func DefaultCriteria() Criteria {
	return Criteria{Factors: append([]Factor(nil), bookFactors...), LastID: len(bookFactors)}
}

// WithWeights returns a copy of c whose factors named in w weigh as given
// (keys as typed; unknown keys are ignored — Validate the weights first).
func (c Criteria) WithWeights(w Weights) Criteria {
	out := c.clone()
	for k, v := range w {
		if i := out.index(k); i >= 0 {
			out.Factors[i].Weight = v
		}
	}
	return out
}

func (c Criteria) clone() Criteria {
	c.Factors = append([]Factor(nil), c.Factors...)
	return c
}

// normKey is how a typed factor key is compared: lower case, "_" as "-"
// (people type value_in_use and value-in-use alike).
func normKey(key string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "_", "-")
}

func (c Criteria) index(key string) int {
	key = normKey(key)
	for i, f := range c.Factors {
		if f.Key == key {
			return i
		}
	}
	return -1
}

// Lookup finds a factor of the set by key, case-insensitively.
func (c Criteria) Lookup(key string) (Factor, bool) {
	if i := c.index(key); i >= 0 {
		return c.Factors[i], true
	}
	return Factor{}, false
}

// ByID finds a factor of the set by its ID, which a rename keeps.
func (c Criteria) ByID(id int) (Factor, bool) {
	for _, f := range c.Factors {
		if f.ID == id {
			return f, true
		}
	}
	return Factor{}, false
}

// Keys returns the keys of one axis (every factor when axis is ""), in order.
func (c Criteria) Keys(axis Axis) []string {
	var keys []string
	for _, f := range c.Factors {
		if axis == "" || f.Axis == axis {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// Axis returns the factors of one axis, in order.
func (c Criteria) Axis(axis Axis) []Factor {
	var out []Factor
	for _, f := range c.Factors {
		if f.Axis == axis {
			out = append(out, f)
		}
	}
	return out
}

// Weights returns the weights of the set by key.
func (c Criteria) Weights() Weights {
	w := make(Weights, len(c.Factors))
	for _, f := range c.Factors {
		w[f.Key] = f.Weight
	}
	return w
}

// Share is a factor's share of its axis in percent: its weight ÷ the
// axis's total weight × 100, rounded to one decimal.
func (c Criteria) Share(f Factor) float64 {
	total := 0.0
	for _, g := range c.Factors {
		if g.Axis == f.Axis {
			total += g.Weight
		}
	}
	if total <= 0 {
		return 0
	}
	return math.Round(f.Weight/total*1000) / 10
}

// Custom reports whether the set differs from the book's default.
func (c Criteria) Custom() bool {
	if len(c.Factors) != len(bookFactors) {
		return true
	}
	for i, f := range c.Factors {
		if f != bookFactors[i] {
			return true
		}
	}
	return false
}

// unknownFactor says a key is not in the set, naming the set's factors.
func (c Criteria) unknownFactor(key string) *Error {
	return Errorf(EINVALID, "Unknown factor %q. Attractiveness factors: %s. Strength factors: %s.",
		key, strings.Join(c.Keys(AxisAttractiveness), ", "), strings.Join(c.Keys(AxisStrength), ", "))
}

// ParseScore reads one "factor=value" pair of /kam score against the set.
func (c Criteria) ParseScore(key, value string) (Factor, int, error) {
	f, ok := c.Lookup(key)
	if !ok {
		return Factor{}, 0, c.unknownFactor(key)
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < MinScore || n > MaxScore {
		return Factor{}, 0, Errorf(EINVALID, "Score for %s must be a whole number from %d to %d, e.g. %s=4 (got %q).", f.Key, MinScore, MaxScore, f.Key, value)
	}
	return f, n, nil
}

// ParseWeight reads one "factor=weight" pair: a number from 0 (factor kept
// but not counted) to 10.
func (c Criteria) ParseWeight(key, value string) (Factor, float64, error) {
	f, ok := c.Lookup(key)
	if !ok {
		return Factor{}, 0, c.unknownFactor(key)
	}
	w, err := parseWeight(value)
	if err != nil {
		return Factor{}, 0, Errorf(EINVALID, "Weight for %s must be a number from 0 to %g, e.g. %s=2 (got %q).", f.Key, MaxWeight, f.Key, value)
	}
	return f, w, nil
}

func parseWeight(value string) (float64, error) {
	w, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || math.IsNaN(w) || math.IsInf(w, 0) || w < 0 || w > MaxWeight {
		return 0, fmt.Errorf("weight %q out of range", value)
	}
	return w, nil
}

// ValidateScores checks that every key is a factor of the set and every
// value is 1–5.
func (c Criteria) ValidateScores(s Scores) error {
	for _, k := range sortedKeys(s) {
		if _, _, err := c.ParseScore(k, strconv.Itoa(s[k])); err != nil {
			return err
		}
	}
	return nil
}

// Carry maps the scores of a scoring made under the set from onto this set:
// a factor renamed since keeps its score under its new key (factors are
// matched by ID), a factor retired since is dropped, a factor added since
// is absent (not scored yet).
func (c Criteria) Carry(s Scores, from Criteria) Scores {
	out := make(Scores, len(s))
	for k, v := range s {
		old, ok := from.Lookup(k)
		if !ok {
			continue
		}
		if f, ok := c.ByID(old.ID); ok {
			out[f.Key] = v
		}
	}
	return out
}

// Validate checks the set: at least one factor on each axis, at most
// MaxAxisFactors, keys and names well formed and unique, weights 0–10 and
// each axis with a total weight above 0 (otherwise it could never be
// computed).
func (c Criteria) Validate() error {
	keys, labels, ids := map[string]bool{}, map[string]bool{}, map[int]bool{}
	for _, f := range c.Factors {
		if f.Axis != AxisAttractiveness && f.Axis != AxisStrength {
			return errUnknownAxis(string(f.Axis))
		}
		if err := checkFactorKey(f.Key); err != nil {
			return err
		}
		if err := checkFactorLabel(f.Label); err != nil {
			return err
		}
		if keys[f.Key] {
			return Errorf(ECONFLICT, "There is already a factor %s — pick another key.", f.Key)
		}
		if l := strings.ToLower(f.Label); labels[l] {
			return Errorf(ECONFLICT, "There is already a factor named %q — pick another name.", f.Label)
		}
		if f.ID <= 0 || ids[f.ID] {
			return Errorf(EINVALID, "Factor %s has no ID of its own.", f.Key)
		}
		if math.IsNaN(f.Weight) || f.Weight < 0 || f.Weight > MaxWeight {
			return Errorf(EINVALID, "Weight for %s must be a number from 0 to %g, e.g. %s=2.", f.Key, MaxWeight, f.Key)
		}
		keys[f.Key], labels[strings.ToLower(f.Label)], ids[f.ID] = true, true, true
	}
	for _, axis := range []Axis{AxisAttractiveness, AxisStrength} {
		fs := c.Axis(axis)
		if len(fs) == 0 {
			return Errorf(EINVALID, "The %s axis needs at least one factor.", axis)
		}
		if len(fs) > MaxAxisFactors {
			return Errorf(EINVALID, "The %s axis can have at most %d factors — retire one first.", axis, MaxAxisFactors)
		}
		total := 0.0
		for _, f := range fs {
			total += f.Weight
		}
		if total <= 0 {
			return Errorf(EINVALID, "At least one %s factor needs a weight above 0, e.g. %s=1.", axis, fs[0].Key)
		}
	}
	return nil
}

func checkFactorKey(key string) error {
	ok := key != "" && utf8.RuneCountInString(key) <= MaxFactorKey && key[0] >= 'a' && key[0] <= 'z' && !strings.HasSuffix(key, "-")
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			ok = false
		}
	}
	if !ok {
		return Errorf(EINVALID, "A factor key is a word of lower-case letters, digits and hyphens starting with a letter, at most %d characters, e.g. key=solvency (got %q).", MaxFactorKey, key)
	}
	return nil
}

func checkFactorLabel(label string) error {
	if strings.TrimSpace(label) == "" {
		return Errorf(EINVALID, `A factor needs a name, e.g. name="Cultural fit".`)
	}
	if utf8.RuneCountInString(label) > MaxFactorLabel {
		return Errorf(EINVALID, "A factor's name can be at most %d characters (got %d).", MaxFactorLabel, utf8.RuneCountInString(label))
	}
	for _, r := range label {
		if unicode.IsControl(r) {
			return Errorf(EINVALID, "A factor's name is one line of text, without control characters.")
		}
	}
	return nil
}

// KeyFromName derives a factor key from its name: "Cultural fit" →
// "cultural-fit".
func KeyFromName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	key := b.String()
	if len(key) > MaxFactorKey {
		key = key[:MaxFactorKey]
	}
	return strings.Trim(key, "-")
}

// ParseAxis reads an axis as typed: attractiveness (customer, a) or
// strength (relative, s).
func ParseAxis(s string) (Axis, error) {
	switch normKey(s) {
	case "attractiveness", "customer-attractiveness", "customer", "attractive", "a":
		return AxisAttractiveness, nil
	case "strength", "relative-strength", "our-relative-strength", "relative", "s":
		return AxisStrength, nil
	}
	return "", errUnknownAxis(s)
}

func errUnknownAxis(s string) *Error {
	return Errorf(EINVALID, "Unknown axis %q — type axis=attractiveness (customer attractiveness) or axis=strength (our relative strength).", s)
}

// CriteriaOp names a change to the criteria.
type CriteriaOp string

// The changes an admin can make.
const (
	CriteriaAdd    CriteriaOp = "add"
	CriteriaRename CriteriaOp = "rename"
	CriteriaRetire CriteriaOp = "retire"
	CriteriaWeight CriteriaOp = "weight"
	CriteriaReset  CriteriaOp = "reset"
)

// CriteriaChange is one admin change to the criteria, kept as the audit
// detail of the version it makes.
type CriteriaChange struct {
	Op      CriteriaOp `json:"op"`
	Axis    Axis       `json:"axis,omitempty"`    // add
	Key     string     `json:"key,omitempty"`     // add: the new key; rename, retire: the factor
	NewKey  string     `json:"new_key,omitempty"` // rename: the new key, when it changes
	Label   string     `json:"label,omitempty"`   // add, rename: the name
	Weight  float64    `json:"weight,omitempty"`  // add
	Weights Weights    `json:"weights,omitempty"` // weight: the factors set
}

// Apply makes the next version of the set with the change, or says why
// the change cannot be made (EINVALID, ECONFLICT) and changes nothing.
// By and At of the result are left to the caller.
func (c Criteria) Apply(ch CriteriaChange) (Criteria, error) {
	next := c.clone()
	next.Version, next.By, next.At = c.Version+1, "", time.Time{}
	switch ch.Op {
	case CriteriaAdd:
		key := normKey(ch.Key)
		if key == "" {
			key = KeyFromName(ch.Label)
		}
		if err := checkFactorKey(key); err != nil {
			return Criteria{}, err
		}
		if _, dup := c.Lookup(key); dup {
			return Criteria{}, Errorf(ECONFLICT, "There is already a factor %s — pick another key, e.g. key=%s-2.", key, key)
		}
		if ch.Weight <= 0 || ch.Weight > MaxWeight || math.IsNaN(ch.Weight) {
			return Criteria{}, Errorf(EINVALID, "A new factor needs a weight above 0 and at most %g, e.g. weight=2 (leave weight= out for 1).", MaxWeight)
		}
		if ch.Axis != AxisAttractiveness && ch.Axis != AxisStrength {
			return Criteria{}, errUnknownAxis(string(ch.Axis))
		}
		next.LastID = c.nextID()
		f := Factor{ID: next.LastID, Key: key, Axis: ch.Axis, Label: strings.TrimSpace(ch.Label), Weight: ch.Weight}
		// Keep the axes in order: a new factor goes last on its axis.
		at := len(next.Factors)
		if ch.Axis == AxisAttractiveness {
			at = len(next.Axis(AxisAttractiveness))
		}
		next.Factors = append(next.Factors[:at], append([]Factor{f}, next.Factors[at:]...)...)
	case CriteriaRename:
		i := c.index(ch.Key)
		if i < 0 {
			return Criteria{}, c.unknownFactor(ch.Key)
		}
		f := &next.Factors[i]
		if ch.NewKey != "" {
			nk := normKey(ch.NewKey)
			if j := c.index(nk); j >= 0 && j != i {
				return Criteria{}, Errorf(ECONFLICT, "There is already a factor %s — pick another key.", nk)
			}
			f.Key = nk
		}
		if ch.Label != "" {
			f.Label = strings.TrimSpace(ch.Label)
		}
		if ch.NewKey == "" && ch.Label == "" {
			return Criteria{}, Errorf(EINVALID, `Say the new name, e.g. rename %s name="Company size" (and key=… to change what people type).`, f.Key)
		}
		if *f == c.Factors[i] {
			return Criteria{}, Errorf(EINVALID, "%s already has that name — nothing to change.", f.Key)
		}
	case CriteriaRetire:
		i := c.index(ch.Key)
		if i < 0 {
			return Criteria{}, c.unknownFactor(ch.Key)
		}
		f := c.Factors[i]
		if len(c.Axis(f.Axis)) == 1 {
			return Criteria{}, Errorf(EINVALID, "%s is the last %s factor: add another to that axis before retiring it.", f.Key, f.Axis)
		}
		next.Factors = append(next.Factors[:i], next.Factors[i+1:]...)
	case CriteriaWeight:
		if len(ch.Weights) == 0 {
			return Criteria{}, Errorf(EINVALID, "Give weights as factor=0..10, e.g. size=2.")
		}
		for _, k := range sortedKeys(ch.Weights) {
			if _, _, err := c.ParseWeight(k, strconv.FormatFloat(ch.Weights[k], 'g', -1, 64)); err != nil {
				return Criteria{}, err
			}
		}
		next = next.WithWeights(ch.Weights)
	case CriteriaReset:
		next.Factors = append([]Factor(nil), bookFactors...)
	default:
		return Criteria{}, Errorf(EINVALID, "Unknown change %q to the criteria.", ch.Op)
	}
	if err := next.Validate(); err != nil {
		return Criteria{}, err
	}
	return next, nil
}

// nextID is an ID no factor of the workspace's history has used: the
// book's factors hold 1–19, and each factor added later takes the next
// number, retired ones never given again.
func (c Criteria) nextID() int {
	id := max(c.LastID, len(bookFactors))
	for _, f := range c.Factors {
		id = max(id, f.ID)
	}
	return id + 1
}

// CriteriaSets are every version of a workspace's criteria, by version;
// version 0, the book's default set, is always there.
type CriteriaSets map[int]Criteria

// Of returns a version; 0 or a version not held is the book's default.
func (s CriteriaSets) Of(version int) Criteria {
	if c, ok := s[version]; ok {
		return c
	}
	return DefaultCriteria()
}

// Current is the newest version.
func (s CriteriaSets) Current() Criteria {
	best := -1
	for v := range s {
		best = max(best, v)
	}
	return s.Of(best)
}

// Retired finds a key in an older version that the current set no longer
// holds: the newest such version and the factor as it was, for an error
// that says the factor was retired (or renamed) rather than never existed.
func (s CriteriaSets) Retired(key string) (Criteria, Factor, bool) {
	cur := s.Current()
	if _, ok := cur.Lookup(key); ok {
		return Criteria{}, Factor{}, false
	}
	var found Criteria
	var ff Factor
	ok := false
	for v := range s {
		if f, hit := s[v].Lookup(key); hit && (!ok || v > found.Version) {
			found, ff, ok = s[v], f, true
		}
	}
	if !ok {
		if f, hit := DefaultCriteria().Lookup(key); hit {
			return DefaultCriteria(), f, true
		}
	}
	return found, ff, ok
}

// Evaluate places a scoring's scores on the matrix under the set it was
// made with.
func (s CriteriaSets) Evaluate(sc Scoring) Position {
	return Evaluate(sc.Scores, s.Of(sc.Criteria))
}
