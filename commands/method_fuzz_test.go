package commands

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kambot/kambot/kam"
)

// FuzzMoneyAtYear checks the parser of target= and revenue=…@<year>:
// any input is a value or a user error, and a value reads back the same.
func FuzzMoneyAtYear(f *testing.F) {
	for _, s := range []string{"1.5m", "1.5m@2026", "250k@", "@2025", "1m@20x5", "1m@-1", "1m@99999", " 2m @ 2024 ", "$1,200@2025", "1m@2025@2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		amount, year, err := moneyAtYear(s, 2025, "target=1.5m")
		if err != nil {
			if kam.ErrorCode(err) != kam.EINVALID || kam.ErrorMessage(err) == "" {
				t.Fatalf("moneyAtYear(%q): %v is not a user error", s, err)
			}
			return
		}
		if amount < 0 || amount > MaxMoney || year < 1000 || year > 9999 {
			t.Fatalf("moneyAtYear(%q) = %d @ %d, out of range", s, amount, year)
		}
		if !strings.Contains(s, "@") && year != 2025 {
			t.Fatalf("moneyAtYear(%q): year %d without @", s, year)
		}
		back := strconv.FormatInt(amount, 10) + "@" + strconv.Itoa(year)
		if a2, y2, err := moneyAtYear(back, 2025, "target=1.5m"); err != nil || a2 != amount || y2 != year {
			t.Fatalf("moneyAtYear(%q) = %d@%d, %v; want %d@%d", back, a2, y2, err, amount, year)
		}
	})
}

// FuzzGoOption checks the go= reader of /kam stage: a reason is a clean
// line, and the text around it loses only the option.
func FuzzGoOption(f *testing.F) {
	for _, s := range []string{`go="Budget confirmed"`, `Kick-off go="x"`, `go=x note`, `a go="x" b`, `go=""`, `go="<!here>"`, "", `go="a` + "\n" + `b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		reason, text, err := goOption(s)
		if err != nil {
			if kam.ErrorCode(err) != kam.EINVALID {
				t.Fatalf("goOption(%q): %v is not a user error", s, err)
			}
			return
		}
		if strings.ContainsAny(reason, "\n\r") || len([]rune(reason)) > kam.MaxTextLen {
			t.Fatalf("goOption(%q) reason %q is not one short line", s, reason)
		}
		if reason == "" && text != s {
			t.Fatalf("goOption(%q) changed the text to %q without an option", s, text)
		}
	})
}
