package kam

import (
	"reflect"
	"strings"
	"testing"
)

func TestFactors(t *testing.T) {
	c := DefaultCriteria()
	if got := len(c.Keys(AxisAttractiveness)); got != 10 {
		t.Errorf("attractiveness factors = %d, want 10", got)
	}
	if got := len(c.Keys(AxisStrength)); got != 9 {
		t.Errorf("strength factors = %d, want 9", got)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("the default set does not validate: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range c.Factors {
		if seen[f.Key] {
			t.Errorf("factor %q listed twice", f.Key)
		}
		seen[f.Key] = true
	}
}

func TestEvaluate(t *testing.T) {
	all := func(v int) Scores {
		s := Scores{}
		for _, f := range DefaultCriteria().Factors {
			s[f.Key] = v
		}
		return s
	}
	// focus weighs every factor the scores leave out at 0, on top of w:
	// the arithmetic cases below score a few factors and need the rest
	// out of the policy for the account to be placed.
	focus := func(s Scores, w Weights) Weights {
		out := Weights{}
		for _, f := range DefaultCriteria().Factors {
			if _, ok := s[f.Key]; !ok {
				out[f.Key] = 0
			}
		}
		for k, v := range w {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name       string
		scores     Scores
		weights    Weights
		attr, str  float64
		rated      bool
		quadrant   Quadrant
		missingLen int
		asGiven    bool // weights as given, not focused on the scored factors
	}{
		{"all fives", all(5), nil, 100, 100, true, QuadrantStrategic, 0, false},
		{"all ones", all(1), nil, 0, 0, true, QuadrantOpportunistic, 0, false},
		// A tie on the 50 line counts as high on both axes.
		{"all threes sit on the line", all(3), nil, 50, 50, true, QuadrantStrategic, 0, false},
		// Missing factors are left out: (1 + 0)/2 = 50; (0.5)/1 = 50.
		{"missing factors left out", Scores{"size": 5, "growth": 1, "price": 3}, nil, 50, 50, true, QuadrantStrategic, 16, false},
		// (3·1 + 1·0)/4 = 75; service weighs 0 so strength = (0.25)/1 = 25.
		{"weights", Scores{"size": 5, "growth": 1, "price": 2, "service": 4},
			Weights{"size": 3, "service": 0}, 75, 25, true, QuadrantDevelop, 15, false},
		// (0.75 + 0.25 + 0.5)/3 = 50 → high; (0.25 + 0.5)/2 = 37.5 → low.
		{"exact 50 on attractiveness", Scores{"size": 4, "growth": 2, "stability": 3, "price": 2, "service": 3}, nil, 50, 37.5, true, QuadrantDevelop, 14, false},
		// (5 + 5 + 0.025)/20.1 = 0.49876 → 49.9: stays low.
		{"49.9 stays low", Scores{"size": 3, "growth": 3, "stability": 2, "trust": 5},
			Weights{"size": 10, "growth": 10, "stability": 0.1}, 49.9, 100, true, QuadrantMaintain, 15, false},
		// (5 + 5 + 0.0025)/20.01 = 0.49988 → shown as 50.0, so high.
		{"49.99 rounds onto the line", Scores{"size": 3, "growth": 3, "stability": 2, "trust": 5},
			Weights{"size": 10, "growth": 10, "stability": 0.01}, 50, 100, true, QuadrantStrategic, 15, false},
		// (2·0.5 + 1·0.75)/3 = 58.3; (0.25·1)/1 = 25 with value-in-use weighing 0.
		{"rounded to one decimal", Scores{"size": 3, "fit": 4, "people": 2, "value-in-use": 5},
			Weights{"size": 2, "value-in-use": 0}, 58.3, 25, true, QuadrantDevelop, 15, false},
		{"maintain", Scores{"size": 2, "trust": 4}, nil, 25, 75, true, QuadrantMaintain, 17, false},
		{"only one axis scored", Scores{"size": 4}, nil, 0, 0, false, "", 18, false},
		{"scored factor weighs 0", Scores{"size": 5, "price": 5}, Weights{"size": 0}, 0, 0, false, "", 17, false},
		{"nothing scored", Scores{}, nil, 0, 0, false, "", 19, true},
		// A partial scoring is not placed: size=5 alone is not an
		// attractiveness of 100, nor trust=2 a strength of 25.
		{"partial scoring unplaced", Scores{"size": 5, "trust": 2}, nil, 0, 0, false, "", 17, true},
		{"one factor short", func() Scores { s := all(4); delete(s, "trust"); return s }(), nil, 0, 0, false, "", 1, true},
		// A factor weighing 0 need not be scored.
		{"unscored factor weighs 0", func() Scores { s := all(5); delete(s, "trust"); return s }(), Weights{"trust": 0}, 100, 100, true, QuadrantStrategic, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.weights
			if !tt.asGiven && tt.rated {
				w = focus(tt.scores, tt.weights)
			}
			p := Evaluate(tt.scores, DefaultCriteria().WithWeights(w))
			if p.Attractiveness != tt.attr || p.Strength != tt.str || p.Rated != tt.rated || p.Quadrant != tt.quadrant {
				t.Errorf("Evaluate = %.2f/%.2f rated=%v %q, want %.2f/%.2f rated=%v %q",
					p.Attractiveness, p.Strength, p.Rated, p.Quadrant, tt.attr, tt.str, tt.rated, tt.quadrant)
			}
			if len(p.Missing) != tt.missingLen {
				t.Errorf("missing = %v, want %d of them", p.Missing, tt.missingLen)
			}
		})
	}
}

func TestQuadrantOf(t *testing.T) {
	tests := []struct {
		a, s float64
		want Quadrant
	}{
		{50, 50, QuadrantStrategic},
		{50, 49.9, QuadrantDevelop},
		{49.9, 50, QuadrantMaintain},
		{49.9, 49.9, QuadrantOpportunistic},
		{100, 0, QuadrantDevelop},
		{0, 100, QuadrantMaintain},
	}
	for _, tt := range tests {
		if got := QuadrantOf(tt.a, tt.s); got != tt.want {
			t.Errorf("QuadrantOf(%v, %v) = %q, want %q", tt.a, tt.s, got, tt.want)
		}
	}
}

func TestParseScore(t *testing.T) {
	tests := []struct {
		key, value string
		factor     string
		score      int
		errHas     string
	}{
		{"size", "4", "size", 4, ""},
		{"SIZE", " 1 ", "size", 1, ""},
		{"Value_In_Use", "5", "value-in-use", 5, ""},
		{"size", "0", "", 0, "from 1 to 5"},
		{"size", "6", "", 0, "from 1 to 5"},
		{"size", "3.5", "", 0, "whole number"},
		{"size", "", "", 0, "size=4"},
		{"bogus", "3", "", 0, `Unknown factor "bogus"`},
	}
	for _, tt := range tests {
		f, n, err := DefaultCriteria().ParseScore(tt.key, tt.value)
		if tt.errHas != "" {
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.errHas) {
				t.Errorf("ParseScore(%q, %q) error = %v, want EINVALID containing %q", tt.key, tt.value, err, tt.errHas)
			}
			continue
		}
		if err != nil || f.Key != tt.factor || n != tt.score {
			t.Errorf("ParseScore(%q, %q) = %q, %d, %v; want %q, %d", tt.key, tt.value, f.Key, n, err, tt.factor, tt.score)
		}
	}
	_, _, err := DefaultCriteria().ParseScore("bogus", "3")
	if msg := ErrorMessage(err); !strings.Contains(msg, "value-in-use") || !strings.Contains(msg, "standing") {
		t.Errorf("unknown-factor message should list the factors, got %q", msg)
	}
}

func TestParseWeight(t *testing.T) {
	tests := []struct {
		value string
		want  float64
		ok    bool
	}{
		{"2", 2, true}, {"0", 0, true}, {"2.5", 2.5, true}, {"10", 10, true},
		{"-1", 0, false}, {"10.5", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"two", 0, false},
	}
	for _, tt := range tests {
		_, w, err := DefaultCriteria().ParseWeight("size", tt.value)
		if tt.ok != (err == nil) || (tt.ok && w != tt.want) {
			t.Errorf("ParseWeight(size, %q) = %v, %v; want %v ok=%v", tt.value, w, err, tt.want, tt.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("ParseWeight(size, %q) code = %s, want EINVALID", tt.value, ErrorCode(err))
		}
	}
}

func TestWeightsValidate(t *testing.T) {
	zeroAttr := Weights{}
	for _, k := range DefaultCriteria().Keys(AxisAttractiveness) {
		zeroAttr[k] = 0
	}
	zeroStr := Weights{}
	for _, k := range DefaultCriteria().Keys(AxisStrength) {
		zeroStr[k] = 0
	}
	tests := []struct {
		name string
		w    Weights
		ok   bool
	}{
		{"default", nil, true},
		{"some zero", Weights{"size": 0, "trust": 3}, true},
		{"attractiveness all zero", zeroAttr, false},
		{"strength all zero", zeroStr, false},
		{"unknown factor", Weights{"colour": 1}, false},
		{"too heavy", Weights{"size": 11}, false},
		{"negative", Weights{"size": -1}, false},
	}
	for _, tt := range tests {
		_, err := DefaultCriteria().Apply(CriteriaChange{Op: CriteriaWeight, Weights: tt.w})
		if tt.w == nil {
			err = DefaultCriteria().Validate()
		}
		if (err == nil) != tt.ok {
			t.Errorf("%s: Apply = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	if f, _ := DefaultCriteria().Lookup("size"); f.Weight != 1 {
		t.Error("the default weight must be 1")
	}
}

func TestScoresMergeAndValidate(t *testing.T) {
	prev := Scores{"size": 2, "trust": 4}
	got := prev.Merge(Scores{"size": 5, "price": 1})
	want := Scores{"size": 5, "trust": 4, "price": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %v, want %v", got, want)
	}
	if prev["size"] != 2 {
		t.Error("Merge changed its receiver")
	}
	c := DefaultCriteria()
	if err := c.ValidateScores(Scores{"size": 6}); err == nil {
		t.Error("Validate accepted 6")
	}
	if err := c.ValidateScores(Scores{"nope": 3}); err == nil {
		t.Error("Validate accepted an unknown factor")
	}
	if err := c.ValidateScores(want); err != nil {
		t.Errorf("Validate = %v", err)
	}
}

func TestMove(t *testing.T) {
	tests := []struct {
		name      string
		prev, cur Position
		want      string
	}{
		{"up and across", Position{Attractiveness: 55, Strength: 40, Quadrant: QuadrantDevelop},
			Position{Attractiveness: 62.5, Strength: 52.5, Quadrant: QuadrantStrategic},
			"attractiveness +7.5, strength +12.5; develop → strategic"},
		{"down", Position{Attractiveness: 70, Strength: 70, Quadrant: QuadrantStrategic},
			Position{Attractiveness: 70, Strength: 67.5, Quadrant: QuadrantStrategic}, "strength −2.5"},
		{"none", Position{Attractiveness: 70, Strength: 70, Quadrant: QuadrantStrategic},
			Position{Attractiveness: 70, Strength: 70, Quadrant: QuadrantStrategic}, "no change"},
		// 0.1 + 0.2 must not show as 0.30000000000000004.
		{"float noise", Position{Attractiveness: 0.1}, Position{Attractiveness: 0.4}, "attractiveness +0.3"},
		{"from unrated", Position{}, Position{Attractiveness: 50, Strength: 50, Quadrant: QuadrantStrategic}, "attractiveness +50, strength +50"},
	}
	for _, tt := range tests {
		if got := Move(tt.prev, tt.cur).String(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
