// Package accountcsv reads and writes accounts as CSV, for bulk loading a
// portfolio from a CRM export and for taking it back out. Export then import
// gives the same accounts: the columns are exactly the account fields, money
// as whole units, users as Slack user IDs.
package accountcsv

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kambot/kambot/kam"
)

// Header is the column order written by Write; Read accepts the columns in
// any order and only "name" is required.
var Header = []string{"name", "tier", "level", "owner", "sponsor", "cadence", "revenue", "wallet", "segment", "region", "channel"}

// Store is what import and export need.
type Store interface {
	Accounts(ctx context.Context, teamID string) ([]kam.Account, error)
	UpsertAccountByName(ctx context.Context, a *kam.Account, actor string) (created bool, err error)
}

// Write exports every account of the workspace.
func Write(ctx context.Context, w io.Writer, s Store, teamID string) (int, error) {
	accts, err := s.Accounts(ctx, teamID)
	if err != nil {
		return 0, fmt.Errorf("export accounts of %s: %w", teamID, err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return 0, fmt.Errorf("export accounts: %w", err)
	}
	for _, a := range accts {
		rec := []string{a.Name, string(a.Tier), string(a.Level), a.OwnerID, a.SponsorID, string(a.Cadence),
			strconv.FormatInt(a.Revenue, 10), strconv.FormatFloat(a.WalletPct, 'f', -1, 64), a.Segment, a.Region, a.ChannelID}
		if err := cw.Write(rec); err != nil {
			return 0, fmt.Errorf("export account %s: %w", a.Name, err)
		}
	}
	cw.Flush()
	return len(accts), cw.Error()
}

// Result counts what an import did.
type Result struct{ Created, Updated int }

// RowError is a bad line of the input; nothing of the file is written when
// any row is bad.
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// Read parses the whole file first and writes only if every row is valid,
// so a typo on line 900 does not leave half a portfolio imported.
func Read(ctx context.Context, r io.Reader, s Store, teamID, actor string) (Result, error) {
	accts, err := Parse(r, teamID)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for i := range accts {
		created, err := s.UpsertAccountByName(ctx, &accts[i], actor)
		if err != nil {
			return res, fmt.Errorf("import account %s: %w", accts[i].Name, err)
		}
		if created {
			res.Created++
		} else {
			res.Updated++
		}
	}
	return res, nil
}

// Parse reads and validates every row.
func Parse(r io.Reader, teamID string) ([]kam.Account, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: the first line must name the columns, e.g. " + strings.Join(Header, ","))
	} else if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known(h) {
			return nil, &RowError{Line: 1, Err: fmt.Errorf("unknown column %q (columns: %s)", h, strings.Join(Header, ", "))}
		}
		if _, dup := col[h]; dup {
			return nil, &RowError{Line: 1, Err: fmt.Errorf("column %q appears twice", h)}
		}
		col[h] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, &RowError{Line: 1, Err: errors.New(`no "name" column`)}
	}
	var out []kam.Account
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
		// Only now: after a syntax error in a row's first field FieldPos
		// has no field to report and panics.
		line, _ := cr.FieldPos(0)
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		a, err := parseRow(get, teamID)
		if err != nil {
			return nil, &RowError{Line: line, Err: err}
		}
		key := strings.ToLower(a.Name)
		if prev, dup := seen[key]; dup {
			return nil, &RowError{Line: line, Err: fmt.Errorf("account %q is already on line %d", a.Name, prev)}
		}
		seen[key] = line
		out = append(out, a)
	}
	return out, nil
}

func known(h string) bool {
	for _, k := range Header {
		if k == h {
			return true
		}
	}
	return false
}

func parseRow(get func(string) string, teamID string) (kam.Account, error) {
	a := kam.Account{TeamID: teamID, Name: get("name"), OwnerID: get("owner"), SponsorID: get("sponsor"),
		Segment: get("segment"), Region: get("region"), ChannelID: get("channel"),
		Tier: kam.TierVendor, Level: kam.LevelCommodity, Cadence: kam.CadenceMonthly}
	if a.Name == "" {
		return a, errors.New("name is empty")
	}
	for _, f := range []struct {
		k, v string
		max  int
	}{{"name", a.Name, kam.MaxNameLen}, {"segment", a.Segment, kam.MaxTextLen}, {"region", a.Region, kam.MaxTextLen}} {
		if err := checkLine(f.k, f.v, f.max); err != nil {
			return a, err
		}
	}
	var ok bool
	if v := get("tier"); v != "" {
		if a.Tier, ok = kam.ParseEnum(v, kam.Tiers); !ok {
			return a, fmt.Errorf("tier %q: use %s", v, kam.Names(kam.Tiers))
		}
	}
	if v := get("level"); v != "" {
		if a.Level, ok = kam.ParseEnum(v, kam.Levels); !ok {
			return a, fmt.Errorf("level %q: use %s", v, kam.Names(kam.Levels))
		}
	}
	if v := get("cadence"); v != "" {
		if a.Cadence, ok = kam.ParseEnum(v, kam.Cadences); !ok {
			return a, fmt.Errorf("cadence %q: use %s", v, kam.Names(kam.Cadences))
		}
	}
	for _, u := range []struct{ k, v string }{{"owner", a.OwnerID}, {"sponsor", a.SponsorID}} {
		if u.v != "" && !slackID(u.v, "UW") {
			return a, fmt.Errorf("%s %q: give the Slack user ID (e.g. U024BE7LH)", u.k, u.v)
		}
	}
	if a.ChannelID != "" && !slackID(a.ChannelID, "CG") {
		return a, fmt.Errorf("channel %q: give the Slack channel ID (e.g. C024BE91L)", a.ChannelID)
	}
	if v := get("revenue"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return a, fmt.Errorf("revenue %q: a whole, non-negative number", v)
		}
		a.Revenue = n
	}
	if v := strings.TrimSuffix(get("wallet"), "%"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
			return a, fmt.Errorf("wallet %q: a percentage from 0 to 100", v)
		}
		a.WalletPct = f
	}
	return a, nil
}

// checkLine applies the store's rules for one-line text here, so that a bad
// value fails the whole file before anything is written: at most max
// characters (not bytes: an exported non-Latin name must import again),
// valid UTF-8, no tabs or line breaks.
func checkLine(k, v string, max int) error {
	switch {
	case !utf8.ValidString(v):
		return fmt.Errorf("%s contains bytes that are not UTF-8 text", k)
	case utf8.RuneCountInString(v) > max:
		return fmt.Errorf("%s is longer than %d characters", k, max)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return fmt.Errorf("%s must be one line, without tabs or line breaks", k)
	}
	return nil
}

// slackID reports whether s looks like a Slack ID starting with one of the
// given letters: upper-case letters and digits only.
func slackID(s, first string) bool {
	if len(s) < 3 || len(s) > 20 || !strings.ContainsRune(first, rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
