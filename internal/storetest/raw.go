package storetest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of Raw
	_ "github.com/mattn/go-sqlite3"    // the "sqlite3" driver of Raw
)

// isURL reports whether dsn names PostgreSQL rather than a SQLite file.
func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Raw opens a plain handle of its own on the database at dsn (a path from
// DSN, or a schema URL), for tests that inspect it with their own SQL:
// SQL both backends accept, with no placeholders. Closed at cleanup.
func Raw(tb testing.TB, dsn string) *sql.DB {
	tb.Helper()
	var (
		db  *sql.DB
		err error
	)
	if isURL(dsn) {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite3", "file:"+dsn+"?_busy_timeout=10000&_foreign_keys=1")
	}
	if err != nil {
		tb.Fatalf("open %s: %v", redact(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Tables lists the tables of the database at dsn, sorted.
func Tables(tb testing.TB, db *sql.DB, dsn string) []string {
	tb.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if isURL(dsn) {
		q = `SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.Query(q)
	if err != nil {
		tb.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatalf("list tables: %v", err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("list tables: %v", err)
	}
	slices.Sort(tables)
	return tables
}

// Snapshot dumps every row of every table of the database at dsn, through
// a connection of its own, so that a test can assert nothing changed.
func Snapshot(tb testing.TB, dsn string) string {
	tb.Helper()
	db := Raw(tb, dsn)
	defer db.Close()
	if isURL(dsn) {
		return snapshotPG(tb, db)
	}
	var b strings.Builder
	for _, tbl := range Tables(tb, db, dsn) {
		rs, err := db.Query(`SELECT * FROM "` + tbl + `"`)
		if err != nil {
			tb.Fatalf("snapshot %s: %v", tbl, err)
		}
		cols, _ := rs.Columns()
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				tb.Fatalf("snapshot %s: %v", tbl, err)
			}
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			tb.Fatalf("snapshot %s: %v", tbl, err)
		}
		slices.Sort(lines)
		fmt.Fprintf(&b, "== %s (%d)\n%s\n", tbl, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}

// snapshotPG is Snapshot on PostgreSQL: every table's rows as JSON in one
// query, since a round trip per table made a snapshot cost a second on a
// busy machine and the suites take hundreds of them.
func snapshotPG(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	tables := Tables(tb, db, "postgres://")
	if len(tables) == 0 {
		return ""
	}
	parts := make([]string, len(tables))
	for i, tbl := range tables {
		parts[i] = fmt.Sprintf(`SELECT %d AS n, row_to_json(t)::text AS r FROM %q t`, i, tbl)
	}
	rs, err := db.Query(strings.Join(parts, " UNION ALL "))
	if err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	defer rs.Close()
	lines := make([][]string, len(tables))
	for rs.Next() {
		var n int
		var r string
		if err := rs.Scan(&n, &r); err != nil {
			tb.Fatalf("snapshot: %v", err)
		}
		lines[n] = append(lines[n], r)
	}
	if err := rs.Err(); err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	var b strings.Builder
	for i, tbl := range tables {
		slices.Sort(lines[i])
		fmt.Fprintf(&b, "== %s (%d)\n%s\n", tbl, len(lines[i]), strings.Join(lines[i], "\n"))
	}
	return b.String()
}

// Count returns the number of rows of one table of the database at dsn.
func Count(tb testing.TB, dsn, table string) int {
	tb.Helper()
	db := Raw(tb, dsn)
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

// Exec runs sqlite on a SQLite database and postgres on PostgreSQL, for
// a test that changes the schema the same way on both (a failing trigger).
func Exec(tb testing.TB, dsn, sqlite, postgres string) {
	tb.Helper()
	db := Raw(tb, dsn)
	defer db.Close()
	q := sqlite
	if isURL(dsn) {
		q = postgres
	}
	if _, err := db.Exec(q); err != nil {
		tb.Fatalf("exec on %s: %v", redact(dsn), err)
	}
}
