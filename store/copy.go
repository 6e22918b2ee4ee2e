package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// CopyCount is one table's rows in the source and, after the copy, in the
// target.
type CopyCount struct {
	Table          string
	Source, Target int64
}

// copySkip are tables not copied: goose's own, the readiness row the
// migrations create, outbox_heads, which the target's triggers rebuild
// from the outbox rows as they arrive (and which is then verified), and
// directory_revs and health_revs, the change counters the target's
// triggers count anew as the accounts and their rows arrive, and id_floors, SQLite's own guard
// against reusing a deleted interaction's ID (a sequence numbers them on
// PostgreSQL), and search_deferred, SQLite's mark of a batch of logs that
// indexes its interactions at its end (never set outside that transaction).
var copySkip = []string{"goose_db_version", "ready_probe", "outbox_heads", "directory_revs", "health_revs", "id_floors", "search_deferred"}

// copySkipped reports whether a source table is left out: those above, and
// the search index (SQLite's FTS table, its shadow tables and its backfill
// state), which the target's triggers build from the rows as they arrive,
// leaving its own backfill with nothing to do.
func copySkipped(table string) bool {
	return slices.Contains(copySkip, table) || table == "search_fts" ||
		strings.HasPrefix(table, "search_fts_") || table == "search_backfill"
}

// copyRederived are tables the target's triggers add rows to while their
// sources arrive: they are emptied before the source's own rows, ids and
// dates intact, are copied in.
var copyRederived = []string{"account_history"}

// CopyToPostgres copies every row of the SQLite database src into the
// PostgreSQL database dst, ids included, in one transaction: history,
// outbox and audit arrive intact or not at all. Both schemas must be
// current. It refuses a target holding any row, moves every identity
// sequence past the copied ids, and verifies the counts of every table.
func CopyToPostgres(ctx context.Context, src, dst *DB) ([]CopyCount, error) {
	if src.pg != nil || dst.pg == nil {
		return nil, errors.New("copy: the source must be a SQLite file and the target a PostgreSQL database")
	}
	for _, db := range []*DB{src, dst} {
		if ok, err := db.SchemaCurrent(ctx); err != nil {
			return nil, fmt.Errorf("copy: %s: %w", db.Path(), err)
		} else if !ok {
			return nil, fmt.Errorf("copy: the schema of %s is not current: run `kambot migrate` on it first", db.Path())
		}
	}
	tables, err := copyOrder(ctx, src)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, dst.pg.config.Copy())
	if err != nil {
		return nil, fmt.Errorf("copy: connect to %s: %w", dst.Path(), err)
	}
	defer closeQuietly(conn)
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer tx.Rollback(ctx)
	// No other writer while the copy runs (see lockWrites).
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, dst.pg.writes); err != nil {
		return nil, fmt.Errorf("copy: take write lock: %w", err)
	}
	if err := refuseNonEmpty(ctx, tx, append(tables, "outbox_heads")); err != nil {
		return nil, err
	}
	for _, t := range tables {
		if slices.Contains(copyRederived, t) {
			if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{t}.Sanitize()); err != nil {
				return nil, fmt.Errorf("copy: empty %s: %w", t, err)
			}
		}
		if err := copyTable(ctx, src, tx, t); err != nil {
			return nil, err
		}
	}
	counts, err := verifyCopy(ctx, src, tx, append(tables, "outbox_heads"))
	if err != nil {
		return counts, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("copy: commit: %w", err)
	}
	return counts, nil
}

// copyOrder lists the source's tables so that every table comes after the
// tables its foreign keys name.
func copyOrder(ctx context.Context, src *DB) ([]string, error) {
	deps := map[string][]string{}
	var names []string
	rows, err := src.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("copy: list tables: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("copy: list tables: %w", err)
		}
		if !copySkipped(n) {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		refs, err := src.read.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, n)
		if err != nil {
			return nil, fmt.Errorf("copy: foreign keys of %s: %w", n, err)
		}
		for refs.Next() {
			var r string
			if err := refs.Scan(&r); err != nil {
				refs.Close()
				return nil, err
			}
			if r != n {
				deps[n] = append(deps[n], r)
			}
		}
		refs.Close()
	}
	var order []string
	done := map[string]bool{}
	var visit func(n string, depth int) error
	visit = func(n string, depth int) error {
		if done[n] {
			return nil
		}
		if depth > len(names) {
			return fmt.Errorf("copy: foreign keys form a cycle at %s", n)
		}
		for _, d := range deps[n] {
			if err := visit(d, depth+1); err != nil {
				return err
			}
		}
		done[n] = true
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, 0); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// refuseNonEmpty fails unless every table is empty in the target.
func refuseNonEmpty(ctx context.Context, tx pgx.Tx, tables []string) error {
	for _, t := range tables {
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t}.Sanitize()+`)`).Scan(&any); err != nil {
			return fmt.Errorf("copy: read target table %s: %w", t, err)
		}
		if any {
			return fmt.Errorf("copy: the target already holds data (table %s is not empty): copy only into a new, empty database", t)
		}
	}
	return nil
}

// copyTable streams one table with COPY and moves its id sequence, if any,
// past the copied ids.
func copyTable(ctx context.Context, src *DB, tx pgx.Tx, table string) error {
	rows, err := src.read.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return fmt.Errorf("copy: read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("copy: read %s: %w", table, err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{table}, cols, &sqliteRows{rows: rows, n: len(cols)})
	if err != nil {
		return fmt.Errorf("copy: write %s: %w", table, err)
	}
	var identity bool
	if err := tx.QueryRow(ctx, identitySQL, table).Scan(&identity); err != nil || !identity {
		return wrapErr(err, "copy: look up the id of "+table)
	}
	_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), m) FROM (SELECT max(id) AS m FROM `+
		pgx.Identifier{table}.Sanitize()+`) x WHERE m IS NOT NULL`, table)
	return wrapErr(err, "copy: move the id sequence of "+table)
}

// sqliteRows feeds COPY from a SQLite result, text as text.
type sqliteRows struct {
	rows *sql.Rows
	n    int
	err  error
}

func (r *sqliteRows) Next() bool { return r.rows.Next() }
func (r *sqliteRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

func (r *sqliteRows) Values() ([]any, error) {
	vals := make([]any, r.n)
	ptrs := make([]any, r.n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		r.err = err
		return nil, err
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return vals, nil
}

// verifyCopy counts every table on both sides and fails on a difference.
func verifyCopy(ctx context.Context, src *DB, tx pgx.Tx, tables []string) ([]CopyCount, error) {
	var counts []CopyCount
	var bad []string
	for _, t := range tables {
		c := CopyCount{Table: t}
		if err := src.read.QueryRowContext(ctx, `SELECT count(*) FROM "`+t+`"`).Scan(&c.Source); err != nil {
			return nil, fmt.Errorf("copy: count %s: %w", t, err)
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&c.Target); err != nil {
			return nil, fmt.Errorf("copy: count %s: %w", t, err)
		}
		if c.Source != c.Target {
			bad = append(bad, fmt.Sprintf("%s: %d rows in the source, %d copied", t, c.Source, c.Target))
		}
		counts = append(counts, c)
	}
	if len(bad) > 0 {
		return counts, fmt.Errorf("copy: counts differ, nothing was kept: %v", bad)
	}
	return counts, nil
}
