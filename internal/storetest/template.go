package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Prepare, when a package sets it before Main runs, brings a fresh
// database up to date (migrates it). On PostgreSQL, DSN then gives each
// test a database cloned from one prepared template (CREATE DATABASE …
// TEMPLATE) instead of an empty schema each test migrates: a clone costs
// a fraction of running every migration.
var Prepare func(ctx context.Context, dsn string) error

var tpl struct {
	mu   sync.Mutex // also serializes the clones: a template takes one at a time
	name string     // the template database, "" until made
	err  error
}

// cloneTemplate returns the URL of a new database cloned from the
// template, dropped when tb ends.
func cloneTemplate(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tpl.mu.Lock()
	defer tpl.mu.Unlock()
	if tpl.name == "" && tpl.err == nil {
		tpl.name, tpl.err = makeTemplate(ctx, base)
	}
	if tpl.err != nil {
		tb.Fatalf("template database: %v", tpl.err)
	}
	name := randomName("kambot_t_")
	if err := admin(ctx, base, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tpl.name)); err != nil {
		tb.Fatalf("clone the template database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := admin(ctx, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	return withDatabase(tb, base, name)
}

// makeTemplate creates a database and runs Prepare on it; no connection
// to it stays open, as a template requires.
func makeTemplate(ctx context.Context, base string) (string, error) {
	name := randomName("kambot_tpl_")
	if err := admin(ctx, base, `CREATE DATABASE `+name); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	if err := Prepare(ctx, u.String()); err != nil {
		_ = admin(ctx, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return "", fmt.Errorf("prepare: %w", err)
	}
	return name, nil
}

// dropTemplate drops the template database at the end of the run.
func dropTemplate() {
	tpl.mu.Lock()
	defer tpl.mu.Unlock()
	if tpl.name == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := admin(ctx, PostgresURL(), `DROP DATABASE IF EXISTS `+tpl.name+` WITH (FORCE)`); err != nil {
		fmt.Fprintf(os.Stderr, "storetest: drop template database %s: %v\n", tpl.name, err)
	}
	tpl.name = ""
}

// admin runs one statement on the server at base.
func admin(ctx context.Context, base, stmt string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redact(base), err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, stmt)
	return err
}

func withDatabase(tb testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomName(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b[:])
}
