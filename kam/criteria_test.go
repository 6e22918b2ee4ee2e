package kam

import (
	"reflect"
	"strings"
	"testing"
)

func TestCriteriaApply(t *testing.T) {
	book := DefaultCriteria()
	oneStrength := book
	for _, k := range book.Keys(AxisStrength)[1:] {
		var err error
		if oneStrength, err = oneStrength.Apply(CriteriaChange{Op: CriteriaRetire, Key: k}); err != nil {
			t.Fatalf("retire %s: %v", k, err)
		}
	}
	tests := []struct {
		name   string
		from   Criteria
		ch     CriteriaChange
		code   string // "" when the change is made
		errHas string
		check  func(t *testing.T, c Criteria)
	}{
		{name: "add", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisAttractiveness, Label: "Cultural fit", Weight: 2},
			check: func(t *testing.T, c Criteria) {
				f, ok := c.Lookup("cultural-fit")
				if !ok || f.ID != 20 || f.Weight != 2 || f.Label != "Cultural fit" {
					t.Errorf("added %+v (found %v), want ID 20 weight 2", f, ok)
				}
				if keys := c.Keys(AxisAttractiveness); keys[len(keys)-1] != "cultural-fit" || len(keys) != 11 {
					t.Errorf("attractiveness keys = %v, want cultural-fit last of 11", keys)
				}
				if c.Factors[11].Key != "price" {
					t.Errorf("strength factors moved: %v", c.Keys(""))
				}
			}},
		{name: "add with key", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Key: "Solvency", Label: "Can pay", Weight: 1},
			check: func(t *testing.T, c Criteria) {
				if keys := c.Keys(AxisStrength); keys[len(keys)-1] != "solvency" {
					t.Errorf("strength keys = %v", keys)
				}
			}},
		{name: "rename keeps the ID", from: book, ch: CriteriaChange{Op: CriteriaRename, Key: "size", NewKey: "headcount", Label: "Headcount"},
			check: func(t *testing.T, c Criteria) {
				f, ok := c.Lookup("headcount")
				if !ok || f.ID != 1 || f.Label != "Headcount" {
					t.Errorf("renamed %+v", f)
				}
				if _, ok := c.Lookup("size"); ok {
					t.Error("size is still there")
				}
			}},
		{name: "retire", from: book, ch: CriteriaChange{Op: CriteriaRetire, Key: "adopter"},
			check: func(t *testing.T, c Criteria) {
				if _, ok := c.Lookup("adopter"); ok || len(c.Factors) != 18 {
					t.Errorf("adopter still there or %d factors", len(c.Factors))
				}
			}},
		{name: "weight", from: book, ch: CriteriaChange{Op: CriteriaWeight, Weights: Weights{"Size": 3}},
			check: func(t *testing.T, c Criteria) {
				f, _ := c.Lookup("size")
				if f.Weight != 3 || c.Share(f) != 25 {
					t.Errorf("size weight %v share %v, want 3 and 25%%", f.Weight, c.Share(f))
				}
			}},
		{name: "reset", from: oneStrength, ch: CriteriaChange{Op: CriteriaReset},
			check: func(t *testing.T, c Criteria) {
				if c.Custom() || c.LastID != 19 {
					t.Errorf("reset gave a custom set: %v", c.Keys(""))
				}
			}},

		{name: "unknown axis", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: "colour", Label: "Red", Weight: 1}, code: EINVALID, errHas: "axis=attractiveness"},
		{name: "duplicate key", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Label: "Size", Weight: 1}, code: ECONFLICT, errHas: "already a factor size"},
		{name: "duplicate name", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Key: "cost", Label: "price", Weight: 1}, code: ECONFLICT, errHas: "already a factor named"},
		{name: "zero weight on add", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Label: "Cost", Weight: 0}, code: EINVALID, errHas: "weight above 0"},
		{name: "too heavy on add", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Label: "Cost", Weight: 11}, code: EINVALID, errHas: "at most 10"},
		{name: "no name", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Label: "  ", Weight: 1}, code: EINVALID, errHas: "key"},
		{name: "bad key", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Key: "9lives", Label: "Nine", Weight: 1}, code: EINVALID, errHas: "starting with a letter"},
		{name: "name too long", from: book, ch: CriteriaChange{Op: CriteriaAdd, Axis: AxisStrength, Key: "long", Label: strings.Repeat("x", 61), Weight: 1}, code: EINVALID, errHas: "at most 60"},
		{name: "rename to an existing key", from: book, ch: CriteriaChange{Op: CriteriaRename, Key: "size", NewKey: "growth"}, code: ECONFLICT, errHas: "already a factor growth"},
		{name: "rename to an existing name", from: book, ch: CriteriaChange{Op: CriteriaRename, Key: "size", Label: "strategic FIT"}, code: ECONFLICT, errHas: "already a factor named"},
		{name: "rename unknown", from: book, ch: CriteriaChange{Op: CriteriaRename, Key: "colour", Label: "x"}, code: EINVALID, errHas: `Unknown factor "colour"`},
		{name: "rename to nothing", from: book, ch: CriteriaChange{Op: CriteriaRename, Key: "size"}, code: EINVALID, errHas: "new name"},
		{name: "rename to the same", from: book, ch: CriteriaChange{Op: CriteriaRename, Key: "size", Label: "Size"}, code: EINVALID, errHas: "nothing to change"},
		{name: "retire unknown", from: book, ch: CriteriaChange{Op: CriteriaRetire, Key: "colour"}, code: EINVALID, errHas: "Strength factors: price"},
		{name: "retire the last of an axis", from: oneStrength, ch: CriteriaChange{Op: CriteriaRetire, Key: "price"}, code: EINVALID, errHas: "last strength factor"},
		{name: "every weight of an axis 0", from: oneStrength, ch: CriteriaChange{Op: CriteriaWeight, Weights: Weights{"price": 0}}, code: EINVALID, errHas: "weight above 0"},
		{name: "negative weight", from: book, ch: CriteriaChange{Op: CriteriaWeight, Weights: Weights{"size": -1}}, code: EINVALID, errHas: "from 0 to 10"},
		{name: "weight of nothing", from: book, ch: CriteriaChange{Op: CriteriaWeight}, code: EINVALID, errHas: "size=2"},
		{name: "unknown op", from: book, ch: CriteriaChange{Op: "shuffle"}, code: EINVALID, errHas: "Unknown change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.from.clone()
			got, err := tt.from.Apply(tt.ch)
			if !reflect.DeepEqual(before, tt.from) {
				t.Fatal("Apply changed its receiver")
			}
			if tt.code != "" {
				if ErrorCode(err) != tt.code || !strings.Contains(ErrorMessage(err), tt.errHas) {
					t.Fatalf("Apply = %v, want %s containing %q", err, tt.code, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got.Version != tt.from.Version+1 {
				t.Errorf("version %d, want %d", got.Version, tt.from.Version+1)
			}
			tt.check(t, got)
		})
	}
}

// A factor added after one was retired never takes the retired one's ID,
// so an old score is never carried onto a different factor.
func TestCriteriaIDsNeverReused(t *testing.T) {
	c := DefaultCriteria()
	steps := []CriteriaChange{
		{Op: CriteriaAdd, Axis: AxisStrength, Label: "Solvency", Weight: 1},
		{Op: CriteriaRetire, Key: "solvency"},
		{Op: CriteriaAdd, Axis: AxisStrength, Label: "Cultural fit", Weight: 1},
	}
	var v1 Criteria
	for i, ch := range steps {
		var err error
		if c, err = c.Apply(ch); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if i == 0 {
			v1 = c
		}
	}
	f, _ := c.Lookup("cultural-fit")
	if f.ID != 21 {
		t.Errorf("cultural-fit has ID %d, want 21 (20 was solvency's)", f.ID)
	}
	if got := c.Carry(Scores{"solvency": 4, "size": 2}, v1); !reflect.DeepEqual(got, Scores{"size": 2}) {
		t.Errorf("Carry = %v, want only size", got)
	}
}

func TestCriteriaCarry(t *testing.T) {
	book := DefaultCriteria()
	renamed, err := book.Apply(CriteriaChange{Op: CriteriaRename, Key: "size", NewKey: "headcount", Label: "Headcount"})
	if err != nil {
		t.Fatal(err)
	}
	next, err := renamed.Apply(CriteriaChange{Op: CriteriaRetire, Key: "trust"})
	if err != nil {
		t.Fatal(err)
	}
	got := next.Carry(Scores{"size": 4, "trust": 2, "price": 3}, book)
	if want := (Scores{"headcount": 4, "price": 3}); !reflect.DeepEqual(got, want) {
		t.Errorf("Carry = %v, want %v", got, want)
	}
}

// An old scoring is read under its own set: the retired factor still
// counts there, and a scoring under the new set needs the new factor.
func TestEvaluateUnderEachSet(t *testing.T) {
	book := DefaultCriteria()
	all := func(c Criteria, v int) Scores {
		s := Scores{}
		for _, f := range c.Factors {
			s[f.Key] = v
		}
		return s
	}
	next, err := book.Apply(CriteriaChange{Op: CriteriaRetire, Key: "size"})
	if err != nil {
		t.Fatal(err)
	}
	next, err = next.Apply(CriteriaChange{Op: CriteriaAdd, Axis: AxisAttractiveness, Label: "Solvency", Weight: 9})
	if err != nil {
		t.Fatal(err)
	}
	old := all(book, 3)
	old["size"] = 5 // (5·0.5·… ) size pulls attractiveness up under the book's set
	sets := CriteriaSets{1: next}
	p := sets.Evaluate(Scoring{Scores: old, Criteria: 0})
	if !p.Rated || p.Attractiveness != 55 {
		t.Errorf("old scoring under its own set = %+v, want rated at 55", p)
	}
	if p := sets.Evaluate(Scoring{Scores: old, Criteria: 1}); p.Rated {
		t.Errorf("the old scores under the new set are placed (%+v) though solvency is not scored", p)
	}
	cur := all(next, 3)
	cur["solvency"] = 5
	// (9·1 + 9·0.5)/18 = 75.
	if p := sets.Evaluate(Scoring{Scores: cur, Criteria: 1}); !p.Rated || p.Attractiveness != 75 {
		t.Errorf("new scoring = %+v, want attractiveness 75", p)
	}
}

func TestCriteriaSetsRetired(t *testing.T) {
	v1, _ := DefaultCriteria().Apply(CriteriaChange{Op: CriteriaRetire, Key: "adopter"})
	v2, _ := v1.Apply(CriteriaChange{Op: CriteriaRename, Key: "size", NewKey: "headcount", Label: "Headcount"})
	sets := CriteriaSets{1: v1, 2: v2}
	if sets.Current().Version != 2 {
		t.Fatalf("current = %d", sets.Current().Version)
	}
	for _, tt := range []struct {
		key     string
		version int
		ok      bool
	}{{"adopter", 0, true}, {"size", 1, true}, {"headcount", 0, false}, {"colour", 0, false}} {
		c, f, ok := sets.Retired(tt.key)
		if ok != tt.ok || (ok && (c.Version != tt.version || f.Key != tt.key)) {
			t.Errorf("Retired(%q) = v%d %q %v, want v%d %v", tt.key, c.Version, f.Key, ok, tt.version, tt.ok)
		}
	}
}

func TestParseAxisAndKeyFromName(t *testing.T) {
	for in, want := range map[string]Axis{"attractiveness": AxisAttractiveness, "Customer": AxisAttractiveness,
		"STRENGTH": AxisStrength, "relative_strength": AxisStrength} {
		if got, err := ParseAxis(in); err != nil || got != want {
			t.Errorf("ParseAxis(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseAxis("size"); ErrorCode(err) != EINVALID {
		t.Errorf("ParseAxis(size) = %v, want EINVALID", err)
	}
	for in, want := range map[string]string{"Cultural fit": "cultural-fit", "  Value—in use! ": "value-in-use",
		"<!here>": "here", "Élan": "lan", strings.Repeat("ab ", 40): strings.TrimSuffix(strings.Repeat("ab-", 10), "-")} {
		if got := KeyFromName(in); got != want {
			t.Errorf("KeyFromName(%q) = %q, want %q", in, got, want)
		}
	}
}
