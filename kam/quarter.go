package kam

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// quarterRe reads a quarter with its year ("2027-Q1") or without ("Q1",
// "1"); the year-less form names a quarter relative to a date.
var quarterRe = regexp.MustCompile(`^(?:(\d{4})-)?Q?([1-4])$`)

// ParseQuarter reads quarter=2027-Q1, or Q1…Q4 (case-insensitive; "1"…"4"
// too), in canonical form; a quarter without a year stays without one.
func ParseQuarter(s string) (string, error) {
	m := quarterRe.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return "", Errorf(EINVALID, "Quarter must be a year and Q1…Q4, e.g. quarter=2027-Q1, or just Q1…Q4 for the next such quarter (got %q).", s)
	}
	if m[1] == "" {
		return "Q" + m[2], nil
	}
	return m[1] + "-Q" + m[2], nil
}

// ResolveQuarter reads a tactic's quarter= and gives it its year: a plain
// Q1 is the quarter of the due date when there is one (and must be that
// quarter), else the next Q1 from today, this one included. A quarter that
// contradicts the due date is refused with what to type instead.
func ResolveQuarter(s string, due, today time.Time) (string, error) {
	q, err := ParseQuarter(s)
	if err != nil {
		return "", err
	}
	if !due.IsZero() {
		want := QuarterPeriod(due)
		if q == want || q == QuarterOf(due) {
			return want, nil
		}
		return "", Errorf(EINVALID, "quarter=%s contradicts due=%s, which is in %s — type quarter=%s, leave quarter= out, or give a due date in %s.",
			q, due.Format(time.DateOnly), want, want, q)
	}
	if strings.Contains(q, "-") {
		return q, nil
	}
	n, _ := strconv.Atoi(q[1:])
	year := today.Year()
	if n < (int(today.Month())-1)/3+1 {
		year++ // that quarter is over this year: the next one is next year's
	}
	return fmt.Sprintf("%04d-Q%d", year, n), nil
}

// CheckQuarter refuses a tactic whose quarter (with a year) and due date
// disagree; a year-less quarter from an older plan is left as it is.
func CheckQuarter(quarter string, due time.Time) bool {
	return quarter == "" || due.IsZero() || !strings.Contains(quarter, "-") || quarter == QuarterPeriod(due)
}

// CompareQuarters orders plan quarters: by year and quarter, year-less
// quarters of older plans after them, "" (no quarter) last.
func CompareQuarters(a, b string) int {
	rank := func(q string) int {
		switch {
		case q == "":
			return 2
		case strings.Contains(q, "-"):
			return 0
		}
		return 1
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
}
