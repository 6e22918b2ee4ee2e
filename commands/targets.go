package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kambot/kambot/kam"
)

// The results /kam set records as dated history rather than as fields of
// the account: target=<money>[@<year>] (this year's target by default) and
// revenue=<money>@<year> for a past year.

// resultKeys are the keys set takes when the method is on.
var resultKeys = []string{"target"}

// setKeys are the keys /kam set takes on this kambot.
func (c *Call) setKeys() []string {
	if c.method() == nil {
		return setKeys
	}
	return append(setKeys[:len(setKeys):len(setKeys)], resultKeys...)
}

// results are the history entries one /kam set appends.
type results struct {
	target     *kam.Target
	pastYear   int // a past year's revenue when above 0
	pastAmount int64
}

func (r results) empty() bool { return r.target == nil && r.pastYear == 0 }

// parseResults takes target= and a revenue=…@<year> out of opts, checked;
// a revenue for this year stays in opts as the current revenue.
func (c *Call) parseResults(opts Options) (results, error) {
	var r results
	if c.method() == nil {
		return r, nil
	}
	this := c.Today().Year()
	if tok, ok := opts["target"]; ok {
		amount, year, err := moneyAtYear(tok.Value, this, "target=1.5m or target=1.5m@"+strconv.Itoa(this+1))
		if err != nil {
			return r, err
		}
		if year < this-1 || year > this+5 {
			return r, kam.Errorf(kam.EINVALID, "A target is for last year, this year or the next five (%d–%d), not %d — e.g. `target=1.5m@%d`.", this-1, this+5, year, this+1)
		}
		r.target = &kam.Target{TeamID: c.TeamID, AccountID: c.Account.ID, Year: year, Amount: amount}
		delete(opts, "target")
	}
	if tok, ok := opts["revenue"]; ok && strings.Contains(tok.Value, "@") {
		amount, year, err := moneyAtYear(tok.Value, this, "revenue=1.1m@"+strconv.Itoa(this-1))
		if err != nil {
			return r, err
		}
		switch {
		case year > this:
			return r, kam.Errorf(kam.EINVALID, "Revenue of %d hasn't happened yet — for a goal, set a target: `target=%s@%d`.", year, show(strings.SplitN(tok.Value, "@", 2)[0], 20), year)
		case year < kam.MinTargetYear:
			return r, kam.Errorf(kam.EINVALID, "“%d” is too far back — give a year from %d, e.g. `revenue=1.1m@%d`.", year, kam.MinTargetYear, this-1)
		case year == this:
			// This year's revenue is the account's current revenue.
			tok.Value = strings.SplitN(tok.Value, "@", 2)[0]
			opts["revenue"] = tok
		default:
			r.pastYear, r.pastAmount = year, amount
			delete(opts, "revenue")
		}
	}
	return r, nil
}

// moneyAtYear parses "<money>[@<year>]"; the year defaults to def.
func moneyAtYear(v string, def int, example string) (int64, int, error) {
	m, y, hasYear := strings.Cut(strings.TrimSpace(v), "@")
	if strings.TrimSpace(m) == "" {
		return 0, 0, kam.Errorf(kam.EINVALID, "Give an amount, e.g. `%s`.", example)
	}
	amount, err := ParseMoney(m)
	if err != nil {
		return 0, 0, err
	}
	year := def
	if hasYear {
		if year, err = strconv.Atoi(strings.TrimSpace(y)); err != nil || year < 1000 || year > 9999 {
			return 0, 0, kam.Errorf(kam.EINVALID, "“%s” after @ is not a year — e.g. `%s`.", show(y, 10), example)
		}
	}
	return amount, year, nil
}

// writeResults appends the target and past revenue, and words them.
func (c *Call) writeResults(ctx context.Context, a kam.Account, r results) ([]string, error) {
	var out []string
	if t := r.target; t != nil {
		if err := c.method().SetTarget(ctx, t, c.UserID); err != nil {
			return nil, userErr(err, "set target of account %d", a.ID)
		}
		out = append(out, fmt.Sprintf("%d target → %s", t.Year, c.Money(t.Amount)))
	}
	if r.pastYear > 0 {
		if err := c.method().RecordYearRevenue(ctx, c.TeamID, a.ID, r.pastYear, r.pastAmount, c.UserID); err != nil {
			return nil, userErr(err, "record %d revenue of account %d", r.pastYear, a.ID)
		}
		out = append(out, fmt.Sprintf("%d revenue → %s (history)", r.pastYear, c.Money(r.pastAmount)))
	}
	return out, nil
}
