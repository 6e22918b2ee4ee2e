// Package accountcsv reads and writes accounts as CSV, for bulk loading a
// portfolio from a CRM export and for taking it back out. Export then import
// gives the same accounts: the columns are exactly the account fields, money
// as whole units, users as Slack user IDs.
//
// Cells that a spreadsheet would run as a formula are neutralised on export
// (see Escape) and restored on import, so the round trip stays exact.
package accountcsv

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// Header is the column order written by Write; Read accepts the columns in
// any order and only "name" is required.
var Header = []string{"name", "tier", "level", "owner", "sponsor", "cadence", "revenue", "wallet", "segment", "region", "channel"}

// Store is what import and export need.
type Store interface {
	Accounts(ctx context.Context, teamID string) ([]kam.Account, error)
	// ImportAccounts creates or updates the accounts by name in one
	// transaction: all of them or, on error, none. An error about one
	// account has a method ImportIndex() int giving its index.
	ImportAccounts(ctx context.Context, teamID string, accts []kam.Account, actor string) (created, updated int, err error)
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
		for i := range rec {
			rec[i] = Escape(rec[i])
		}
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

// Read parses and validates the whole file first and then writes it in one
// transaction, so a typo on line 900, or a name that clashes with an
// existing account, leaves nothing imported. A bad row is a *RowError.
func Read(ctx context.Context, r io.Reader, s Store, teamID, actor string) (Result, error) {
	rows, err := parse(r, teamID)
	if err != nil {
		return Result{}, err
	}
	accts := make([]kam.Account, len(rows))
	for i, row := range rows {
		accts[i] = row.acct
	}
	created, updated, err := s.ImportAccounts(ctx, teamID, accts, actor)
	if err != nil {
		var one interface{ ImportIndex() int }
		if errors.As(err, &one) && one.ImportIndex() >= 0 && one.ImportIndex() < len(rows) {
			return Result{}, &RowError{Line: rows[one.ImportIndex()].line, Err: word(err)}
		}
		return Result{}, fmt.Errorf("import accounts: %w", err)
	}
	return Result{Created: created, Updated: updated}, nil
}

// Parse reads and validates every row with the domain's rules
// (kam.Account.Validate), and refuses two rows that would be the same
// account or share a slug.
func Parse(r io.Reader, teamID string) ([]kam.Account, error) {
	rows, err := parse(r, teamID)
	if err != nil {
		return nil, err
	}
	var out []kam.Account
	for _, row := range rows {
		out = append(out, row.acct)
	}
	return out, nil
}

// row is a parsed account and the line it starts on.
type row struct {
	line int
	acct kam.Account
}

func parse(r io.Reader, teamID string) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
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
	var out []row
	// Two rows clash when the store would take them for one account (the
	// same name, ignoring ASCII case) or give them one slug.
	byName, bySlug := map[string]int{}, map[string]int{}
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
				return Unescape(strings.TrimSpace(rec[i]))
			}
			return ""
		}
		a, err := parseRow(get, teamID)
		if err != nil {
			return nil, &RowError{Line: line, Err: err}
		}
		if prev, dup := byName[foldASCII(a.Name)]; dup {
			return nil, &RowError{Line: line, Err: fmt.Errorf("account %q is already on line %d", a.Name, prev)}
		}
		slug := slugKey(a.Name)
		if prev, dup := bySlug[slug]; dup {
			return nil, &RowError{Line: line, Err: fmt.Errorf("account %q would have the slug %q of line %d's account %q: rename one of them",
				a.Name, slug, prev, out[lineIndex(out, prev)].acct.Name)}
		}
		byName[foldASCII(a.Name)], bySlug[slug] = line, line
		out = append(out, row{line, a})
	}
	return out, nil
}

// lineIndex finds the row starting on line (rows are in line order).
func lineIndex(rows []row, line int) int {
	i, _ := slices.BinarySearchFunc(rows, line, func(r row, l int) int { return r.line - l })
	return i
}

// slugKey is the slug the store gives a name: kam.Slugify, or for a name
// Slugify leaves empty a key derived from the lower-cased name.
func slugKey(name string) string {
	if s := kam.Slugify(name); s != "" {
		return s
	}
	return "\x00" + strings.ToLower(name)
}

// foldASCII lower-cases ASCII letters only, as the store compares names.
func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
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
		Segment: get("segment"), Region: get("region"), ChannelID: get("channel")}
	// The domain turns a tab into a space; a file is refused instead, so
	// that what is imported is exactly what the file says.
	for _, f := range []struct{ k, v string }{{"name", a.Name}, {"segment", a.Segment}, {"region", a.Region}} {
		if strings.ContainsRune(f.v, '\t') {
			return a, fmt.Errorf("%s must be one line, without tabs or line breaks", f.k)
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
	// Stricter than the domain's rule, which also admits the console's
	// stand-ins: a file from a CRM with names or e-mail addresses in these
	// columns should fail here, with a hint.
	for _, u := range []struct{ k, v string }{{"owner", a.OwnerID}, {"sponsor", a.SponsorID}} {
		if u.v != "" && !slackID(u.v, "UW") {
			return a, fmt.Errorf("%s %q: give the Slack user ID (e.g. U024BE7LH)", u.k, u.v)
		}
	}
	if a.ChannelID != "" && !slackID(a.ChannelID, "CG") {
		return a, fmt.Errorf("channel %q: give the Slack channel ID (e.g. C024BE91L)", a.ChannelID)
	}
	if v := get("revenue"); v != "" {
		n, err := parseRevenue(v)
		if err != nil {
			return a, err
		}
		a.Revenue = n
	}
	if v := strings.TrimSuffix(get("wallet"), "%"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 100 {
			return a, fmt.Errorf("wallet %q: a percentage from 0 to 100", v)
		}
		a.WalletPct = f
	}
	// The domain's rules, the ones the store applies: text, lengths,
	// names with a letter, IDs, ranges; and the defaults.
	if err := a.Validate(); err != nil {
		return a, word(err)
	}
	return a, nil
}

// parseRevenue reads a whole number exactly, as Write writes it (all of
// int64, which the store accepts), and otherwise the amounts the commands
// take: 250k, 1.2m, $1,200.
func parseRevenue(v string) (int64, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("revenue %q: amounts can't be negative", v)
		}
		return n, nil
	}
	n, err := commands.ParseMoney(v)
	if err != nil {
		return 0, fmt.Errorf("revenue %q: %s", v, commands.ErrorText(err))
	}
	return n, nil
}

// word phrases a domain or store error about one row in terms of the
// file's columns.
func word(err error) error {
	e := kam.AsError(err)
	if e == nil {
		return err
	}
	f := e.Field
	switch e.Reason {
	case kam.ReasonMissing:
		return fmt.Errorf("%s is empty", f)
	case kam.ReasonTooLong:
		return fmt.Errorf("%s is longer than %d characters", f, e.Limit)
	case kam.ReasonMultiline, kam.ReasonControl:
		return fmt.Errorf("%s must be one line, without tabs or line breaks", f)
	case kam.ReasonNotText:
		return fmt.Errorf("%s contains bytes that are not UTF-8 text", f)
	case kam.ReasonNoLetter:
		return fmt.Errorf("%s needs a letter or digit, so that the account has a handle to type", f)
	case kam.ReasonNotSlackID:
		return fmt.Errorf("%s %q: give the Slack ID (e.g. U024BE7LH or C024BE91L)", f, e.Value)
	case kam.ReasonNegative, kam.ReasonRange:
		return fmt.Errorf("%s is out of range", f)
	case kam.ReasonTaken:
		return fmt.Errorf("account %q already exists under another spelling; write its name as stored", e.Value)
	case kam.ReasonSlugClash:
		return fmt.Errorf("name %q gives the same slug as the existing account %q: rename the row, or the account", e.Value, e.Other)
	case kam.ReasonLookAlike:
		return fmt.Errorf("name %q reads the same as the account %q (look-alike letters of another alphabet, or full-width): write that account's name, or rename the row", e.Value, e.Other)
	case kam.ReasonBidi:
		return fmt.Errorf("%s contains a character that changes the direction of the text: retype it as plain text", f)
	}
	if f != "" {
		return fmt.Errorf("%s: %s", f, commands.ErrorText(err))
	}
	return errors.New(commands.ErrorText(err))
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

// Escape neutralises a cell a spreadsheet would run as a formula: one
// starting with =, +, -, @, tab or carriage return gets a leading ' (the
// OWASP rule). A cell that starts with quotes followed by one of those
// characters gets one more quote too, so that Unescape can tell the two
// apart: escaping maps the cells matching ^'*[=+\-@\t\r] onto those
// matching ^'+[=+\-@\t\r] and leaves every other cell alone, and Unescape
// drops one quote from exactly the latter. So Unescape(Escape(s)) == s for
// every s, and a name such as "'Tis the Season" is written as it is.
func Escape(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// Unescape undoes Escape: it drops the first ' of a cell that starts with
// quotes followed by =, +, -, @, tab or carriage return. Files from other
// tools that apply the OWASP rule import the same way.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaLike(s[1:]) {
		return s[1:]
	}
	return s
}

// formulaLike reports whether s, after any leading quotes, starts with a
// character that makes a spreadsheet cell a formula.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}
