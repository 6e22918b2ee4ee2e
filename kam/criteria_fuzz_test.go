package kam

import (
	"reflect"
	"testing"
)

// FuzzCriteriaApply feeds arbitrary changes to the book's set: a change is
// either refused, leaving the set as it was, or makes a next version that
// is valid, keeps every factor's ID and never gives a new factor an ID in
// use.
func FuzzCriteriaApply(f *testing.F) {
	f.Add("add", "attractiveness", "culture", "", "Cultural fit", 2.0, "fit", 3.0)
	f.Add("rename", "", "size", "revenue", "Revenue potential", 0.0, "", 0.0)
	f.Add("retire", "", "adopter", "", "", 0.0, "", 0.0)
	f.Add("weight", "", "", "", "", 0.0, "fit", 0.0)
	f.Add("weight", "", "", "", "", 0.0, "price", 11.0)
	f.Add("add", "strength", "price", "", "<!here>", -1.0, "", 0.0)
	f.Add("reset", "", "", "", "", 0.0, "", 0.0)
	f.Fuzz(func(t *testing.T, op, axis, key, newKey, label string, weight float64, wKey string, wValue float64) {
		before := DefaultCriteria()
		ch := CriteriaChange{Op: CriteriaOp(op), Axis: Axis(axis), Key: key, NewKey: newKey, Label: label, Weight: weight}
		if wKey != "" {
			ch.Weights = Weights{wKey: wValue}
		}
		next, err := before.Apply(ch)
		if !reflect.DeepEqual(before, DefaultCriteria()) {
			t.Fatalf("Apply(%+v) changed the set it was called on", ch)
		}
		if err != nil {
			if ErrorCode(err) != EINVALID && ErrorCode(err) != ECONFLICT {
				t.Fatalf("Apply(%+v): error %v has code %q, want invalid or conflict", ch, err, ErrorCode(err))
			}
			return
		}
		if err := next.Validate(); err != nil {
			t.Fatalf("Apply(%+v) made an invalid set: %v", ch, err)
		}
		if next.Version != before.Version+1 {
			t.Fatalf("Apply(%+v): version %d after %d", ch, next.Version, before.Version)
		}
		ids := map[int]bool{}
		for _, f := range next.Factors {
			if ids[f.ID] {
				t.Fatalf("Apply(%+v): ID %d given twice", ch, f.ID)
			}
			ids[f.ID] = true
			if old, ok := before.ByID(f.ID); ok && old.Axis != f.Axis {
				t.Fatalf("Apply(%+v): factor %d moved from %s to %s", ch, f.ID, old.Axis, f.Axis)
			}
		}
	})
}
