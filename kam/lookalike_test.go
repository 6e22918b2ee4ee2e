package kam

import (
	"errors"
	"testing"
)

func TestLookAlike(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Acme Corp", "Acme Corp", true},
		{"Acme Corp", "acme corp", true},
		{"Acme Corp", "\u0410cme Corp", true},                                    // Cyrillic А
		{"Acme Corp", "Acm\u0435 Corp", true},                                    // Cyrillic е
		{"Acme Corp", "\uff21\uff43\uff4d\uff45 \uff23\uff4f\uff52\uff50", true}, // full-width
		{"Acme Corp", "Acme  Corp", true},
		{"Globex 10", "Globex 1O", true}, // letter O for zero
		{"Acme Corp", "Acne Corp", false},
		{"Acme Corp", "Acme Group", false},
		{"Initech", "Initrode", false},
	} {
		if got := LookAlike(tc.a) == LookAlike(tc.b); got != tc.same {
			t.Errorf("LookAlike(%q) == LookAlike(%q) is %v, want %v (%q, %q)", tc.a, tc.b, got, tc.same, LookAlike(tc.a), LookAlike(tc.b))
		}
	}
}

func TestCheckNameRefusesBidiControls(t *testing.T) {
	for _, name := range []string{"Acme\u202eproC", "\u2067Acme\u2069", "Acme\u200f Corp", "Acme\u061c"} {
		_, err := CheckName(EntityAccount, "name", name)
		var e *Error
		if !errors.As(err, &e) || e.Reason != ReasonBidi {
			t.Errorf("CheckName(%q) = %v, want ReasonBidi", name, err)
		}
	}
	if _, err := CheckName(EntityAccount, "name", "مؤسسة أكمي"); err != nil {
		t.Errorf("a right-to-left name without controls: %v", err)
	}
}
