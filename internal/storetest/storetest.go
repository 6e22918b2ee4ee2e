// Package storetest gives tests a fresh, empty database on the backend under
// test: a SQLite file in the test's temporary directory, or, while a test
// binary runs its suite against PostgreSQL (Main), a new schema of the
// server named by KAMBOT_TEST_POSTGRES_URL, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgres names the PostgreSQL server the tests may use; unset, the
// PostgreSQL runs are skipped.
const EnvPostgres = "KAMBOT_TEST_POSTGRES_URL"

// onPostgres is set while Main runs the suite against PostgreSQL.
var onPostgres atomic.Bool

// PostgresURL is the server the tests may use, "" when none.
func PostgresURL() string { return os.Getenv(EnvPostgres) }

// OnPostgres reports whether the suite is running against PostgreSQL.
func OnPostgres() bool { return onPostgres.Load() }

// Backend names the backend under test, for test logs.
func Backend() string {
	if OnPostgres() {
		return "postgres"
	}
	return "sqlite"
}

// Main runs a package's tests on SQLite, then, when KAMBOT_TEST_POSTGRES_URL
// is set and SQLite passed, once more on PostgreSQL. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if PostgresURL() == "" {
		fmt.Fprintf(os.Stderr, "storetest: %s is not set: the PostgreSQL run of this suite is skipped\n", EnvPostgres)
		return code
	}
	if code != 0 {
		return code
	}
	fmt.Fprintf(os.Stderr, "storetest: running the suite again on PostgreSQL (%s)\n", redact(PostgresURL()))
	onPostgres.Store(true)
	defer onPostgres.Store(false)
	defer dropTemplate()
	return m.Run()
}

// SQLiteOnly skips the test on the PostgreSQL run, saying why.
func SQLiteOnly(tb testing.TB, why string) {
	tb.Helper()
	if OnPostgres() {
		tb.Skipf("SQLite only: %s", why)
	}
}

// DSN returns a fresh database for tb: a path named file in tb's temporary
// directory, or a URL of a new PostgreSQL schema (dropped at cleanup).
func DSN(tb testing.TB, file string) string {
	tb.Helper()
	if !OnPostgres() {
		return filepath.Join(tb.TempDir(), file)
	}
	if Prepare != nil {
		return cloneTemplate(tb)
	}
	return NewSchema(tb, PostgresURL())
}

// NewSchema creates an empty schema on the server at base and returns base
// with its search_path set to it; the schema is dropped when tb ends.
func NewSchema(tb testing.TB, base string) string {
	tb.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
