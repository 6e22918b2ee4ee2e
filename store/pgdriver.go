package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/jackc/pgx/v5/stdlib"
)

// pgConnector opens pgx connections whose queries are rewritten from
// SQLite's SQL to PostgreSQL's (toPostgres) before they reach the server,
// so the store's code is the same on both backends.
type pgConnector struct {
	inner driver.Connector
	ids   *identityTables
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, errors.New("postgres: unexpected driver connection type")
	}
	return &pgConn{c: sc, ids: c.ids}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// identityTables remembers which tables have an identity id column, asked
// of the catalog once per table.
type identityTables struct{ m sync.Map } // table → bool

const identitySQL = `SELECT EXISTS (SELECT 1 FROM pg_attribute
	WHERE attrelid = to_regclass($1) AND attname = 'id' AND attidentity <> '')`

func (t *identityTables) has(ctx context.Context, c *stdlib.Conn, table string) (bool, error) {
	if v, ok := t.m.Load(table); ok {
		return v.(bool), nil
	}
	rows, err := c.QueryContext(ctx, identitySQL, []driver.NamedValue{{Ordinal: 1, Value: table}})
	if err != nil {
		return false, fmt.Errorf("look up the id column of %s: %w", table, err)
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return false, fmt.Errorf("look up the id column of %s: %w", table, err)
	}
	has, _ := v[0].(bool)
	t.m.Store(table, has)
	return has, nil
}

// pgConn is a stdlib connection that rewrites every query it is given.
type pgConn struct {
	c   *stdlib.Conn
	ids *identityTables
}

var (
	_ driver.ConnPrepareContext = (*pgConn)(nil)
	_ driver.ExecerContext      = (*pgConn)(nil)
	_ driver.QueryerContext     = (*pgConn)(nil)
	_ driver.ConnBeginTx        = (*pgConn)(nil)
	_ driver.Pinger             = (*pgConn)(nil)
	_ driver.SessionResetter    = (*pgConn)(nil)
	_ driver.NamedValueChecker  = (*pgConn)(nil)
)

// prepare rewrites query, adding RETURNING id to an INSERT into a table
// with an identity id; returning reports that it did.
func (p *pgConn) prepare(ctx context.Context, query string) (text string, returning bool, err error) {
	q := toPostgres(query)
	if q.insertInto == "" {
		return q.text, false, nil
	}
	has, err := p.ids.has(ctx, p.c, q.insertInto)
	if err != nil || !has {
		return q.text, false, err
	}
	return q.text + " RETURNING id", true, nil
}

func (p *pgConn) Prepare(query string) (driver.Stmt, error) {
	return p.PrepareContext(context.Background(), query)
}

func (p *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	text, returning, err := p.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	st, err := p.c.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	return &pgStmt{st.(*stdlib.Stmt), returning}, nil
}

func (p *pgConn) Close() error { return p.c.Close() }

func (p *pgConn) Begin() (driver.Tx, error) {
	return p.c.BeginTx(context.Background(), driver.TxOptions{})
}

func (p *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return p.c.BeginTx(ctx, opts)
}

func (p *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	text, returning, err := p.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	if returning {
		rows, err := p.c.QueryContext(ctx, text, args)
		return insertResult(rows, err)
	}
	return p.c.ExecContext(ctx, text, args)
}

func (p *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	text, _, err := p.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return p.c.QueryContext(ctx, text, args)
}

func (p *pgConn) Ping(ctx context.Context) error { return p.c.Ping(ctx) }

func (p *pgConn) ResetSession(ctx context.Context) error { return p.c.ResetSession(ctx) }

func (p *pgConn) CheckNamedValue(v *driver.NamedValue) error { return p.c.CheckNamedValue(v) }

// pgStmt is a prepared statement whose Exec reads the ids an INSERT
// returned, when the statement was given RETURNING id.
type pgStmt struct {
	s         *stdlib.Stmt
	returning bool
}

var (
	_ driver.StmtExecContext  = (*pgStmt)(nil)
	_ driver.StmtQueryContext = (*pgStmt)(nil)
)

func (s *pgStmt) Close() error  { return s.s.Close() }
func (s *pgStmt) NumInput() int { return s.s.NumInput() }

func (s *pgStmt) Exec(args []driver.Value) (driver.Result, error) {
	return nil, errors.New("postgres: Exec without context is not supported")
}

func (s *pgStmt) Query(args []driver.Value) (driver.Rows, error) {
	return nil, errors.New("postgres: Query without context is not supported")
}

func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.returning {
		rows, err := s.s.QueryContext(ctx, args)
		return insertResult(rows, err)
	}
	return s.s.ExecContext(ctx, args)
}

func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.s.QueryContext(ctx, args)
}

// insertResult reads the ids an INSERT … RETURNING id gave: as on SQLite,
// the result counts the rows and LastInsertId is the last row's id.
func insertResult(rows driver.Rows, err error) (driver.Result, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var r pgResult
	v := make([]driver.Value, 1)
	for {
		err := rows.Next(v)
		if err == io.EOF {
			return r, nil
		}
		if err != nil {
			return nil, err
		}
		r.n++
		r.last, _ = v[0].(int64)
	}
}

type pgResult struct{ n, last int64 }

func (r pgResult) LastInsertId() (int64, error) { return r.last, nil }
func (r pgResult) RowsAffected() (int64, error) { return r.n, nil }
