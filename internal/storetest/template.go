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
// a fraction of running every migration. Clones are made a few ahead and
// dropped in the background, so that the tests rarely wait for either.
var Prepare func(ctx context.Context, dsn string) error

// ahead is how many clones are made before a test asks for one: a clone
// (and a drop) takes one to three seconds of the server's time on a busy
// machine, which would otherwise add up test after test.
const ahead = 2

// clone is a database cloned from the template, or why none could be made.
type clone struct {
	name string
	err  error
}

var tpl struct {
	mu    sync.Mutex
	name  string // the template database, "" until made
	err   error
	ready chan clone     // clones made ahead, taken by cloneTemplate
	done  chan struct{}  // closed by dropTemplate: stop making clones
	work  sync.WaitGroup // clone makers and drops in flight
	drops chan struct{}  // bounds the drops running at once
}

// startClones makes the template on first use and starts the goroutines
// that clone it ahead of the tests.
func startClones(base string) (chan clone, error) {
	tpl.mu.Lock()
	defer tpl.mu.Unlock()
	if tpl.name == "" && tpl.err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		tpl.name, tpl.err = makeTemplate(ctx, base)
		if tpl.err == nil {
			tpl.ready = make(chan clone)
			tpl.done = make(chan struct{})
			tpl.drops = make(chan struct{}, ahead)
			for range ahead {
				tpl.work.Add(1)
				go makeClones(base, tpl.name, tpl.ready, tpl.done)
			}
		}
	}
	return tpl.ready, tpl.err
}

// makeClones clones the template until done is closed, handing each clone
// to the next test that asks; a clone no test took is dropped.
func makeClones(base, template string, ready chan<- clone, done <-chan struct{}) {
	defer tpl.work.Done()
	for {
		select {
		case <-done:
			return
		default:
		}
		name := randomName("kambot_t_")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err := admin(ctx, base, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template))
		cancel()
		select {
		case ready <- clone{name, err}:
		case <-done:
			if err == nil {
				dropDatabase(base, name)
			}
			return
		}
	}
}

// cloneTemplate returns the URL of a new database cloned from the
// template, dropped in the background when tb ends.
func cloneTemplate(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL()
	ready, err := startClones(base)
	if err != nil {
		tb.Fatalf("template database: %v", err)
	}
	var c clone
	select {
	case c = <-ready:
	case <-time.After(3 * time.Minute):
		tb.Fatal("no clone of the template database within 3 minutes")
	}
	if c.err != nil {
		tb.Fatalf("clone the template database: %v", c.err)
	}
	tb.Cleanup(func() {
		// Dropped while the next tests run; dropTemplate waits for it.
		tpl.work.Add(1)
		go func() {
			defer tpl.work.Done()
			tpl.drops <- struct{}{}
			defer func() { <-tpl.drops }()
			dropDatabase(base, c.name)
		}()
	})
	return withDatabase(tb, base, c.name)
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

// dropDatabase drops one database, closing the connections still open to
// it; a failure is reported on stderr, the test that used it having ended.
func dropDatabase(base, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := admin(ctx, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		fmt.Fprintf(os.Stderr, "storetest: drop database %s: %v\n", name, err)
	}
}

// dropTemplate stops the clone makers, waits for every drop and drops the
// template at the end of the run.
func dropTemplate() {
	tpl.mu.Lock()
	defer tpl.mu.Unlock()
	if tpl.name == "" {
		return
	}
	close(tpl.done)
	tpl.work.Wait()
	dropDatabase(PostgresURL(), tpl.name)
	tpl.name, tpl.ready, tpl.done = "", nil, nil
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
