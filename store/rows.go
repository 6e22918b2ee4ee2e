package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// parallel runs fns side by side and returns their errors joined.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// wrapErr adds what was being done to a non-nil error.
func wrapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// eachRow runs a query and calls fn for every row.
func eachRow(ctx context.Context, q queryer, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// each is eachRow on the read pool with the statement prepared once and
// cached (see stmt): the one-account reads run a dozen statements per
// command, and preparing each anew cost as much as running it.
func (db *DB) each(ctx context.Context, fn func(*sql.Rows) error, query string, args ...any) error {
	return db.eachOn(ctx, db.read, fn, query, args...)
}

// eachOn is each on the given pool.
func (db *DB) eachOn(ctx context.Context, pool *sql.DB, fn func(*sql.Rows) error, query string, args ...any) error {
	st, err := db.stmt(ctx, pool, query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// idList encodes IDs as a JSON array for json_each: one bound parameter
// however many accounts, instead of one placeholder each. No IDs is "[]",
// never JSON's null: SQLite's json_each reads null as no rows, but
// PostgreSQL's kam_ids refuses to take elements from a scalar.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids) // []int64 always marshals
	return string(b)
}

type rowSource interface{ Scan(dest ...any) error }

// ms converts a time to the stored form: unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts a stored unix-millisecond value back to a UTC time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique || isPgUnique(err)
}

// sqlLimit turns a caller's limit into SQLite's: 0 or less means no limit.
// Bind it as "LIMIT +?" in a cached statement (see stmt).
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// insertedForAccount reads the ID of a row inserted with
// "INSERT … SELECT … WHERE EXISTS (the account in the workspace)": no row
// inserted means the account is not the workspace's.
func insertedForAccount(res sql.Result) (int64, error) {
	if k, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if k == 0 {
		return 0, errAccountNotFound()
	}
	return res.LastInsertId()
}

// parseIDs parses group_concat's comma-separated IDs, sorted.
func parseIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse contact ids %q: %w", s, err)
		}
		ids[i] = id
	}
	slices.Sort(ids)
	return ids, nil
}

// jsonList encodes strings as a JSON array for json_each; none is "[]",
// as in idList.
func jsonList(ss []string) (string, error) {
	if len(ss) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(ss)
	return string(b), err
}

// optMS is fromMS for columns where 0 means "not yet".
func optMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
