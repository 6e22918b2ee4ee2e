package commands_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// BenchmarkHealthCommand runs `/kam health` for a KAM whose portfolio is
// 1,000 accounts with 5,000 stakeholders and 20,000 opportunities, at two
// lengths of history (100,000 and 200,000 interactions over two years):
// load, assess, sort worst first and render, through the engine.
func BenchmarkHealthCommand(b *testing.B) {
	for _, n := range []int{100_000, 200_000} {
		b.Run(fmt.Sprintf("1k-accounts/%dk-interactions", n/1000), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.OpenMigrated(ctx, filepath.Join(b.TempDir(), "kambot.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			seedHealthPortfolio(b, db, 1000, n, 20_000, 5_000)
			eng := commands.New(commands.Config{Store: db, Intel: db, Now: func() time.Time { return fixedNow },
				Logger: slog.New(slog.DiscardHandler)})
			req := commands.Request{TeamID: team, UserID: ana, Text: "health"}
			var start syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &start)
			for b.Loop() {
				if rep, err := eng.Do(ctx, req); err != nil || len(rep.Blocks) == 0 {
					b.Fatalf("health: %v", err)
				}
			}
			// CPU time per command: on a shared machine it measures the work
			// done, where wall time also counts waiting for a core.
			var end syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &end)
			cpu := end.Utime.Nano() + end.Stime.Nano() - start.Utime.Nano() - start.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// seedHealthPortfolio writes a portfolio straight into the database in one
// transaction: ana is on every account's team with a member and a sponsor;
// interactions are spread over two years, a third naming a stakeholder.
func seedHealthPortfolio(b *testing.B, db *store.DB, accounts, interactions, opportunities, contacts int) {
	b.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_journal_mode=WAL&_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) {
		if _, err := tx.Exec(q, args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	now := fixedNow.UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	people := func(a int) []string { return []string{ana, fmt.Sprintf("UM%03d", a%70), fmt.Sprintf("US%02d", a%10)} }
	for a := 1; a <= accounts; a++ {
		p := people(a)
		exec(`INSERT INTO accounts (id, team_id, name, slug, tier, cadence, owner_id, sponsor_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a, team, fmt.Sprintf("Account %04d", a), fmt.Sprintf("account-%04d", a),
			string(kam.Tiers[a%4]), string(kam.Cadences[a%3]), p[0], p[2], now-800*day, now-800*day)
		for i, role := range []string{"kam", "member", "sponsor"} {
			exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, ?, ?)`, team, a, p[i], role, now-800*day)
		}
		exec(`INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at) VALUES (?, ?, 'us', 'Grow', ?, ?)`, team, a, ana, now-200*day)
		exec(`INSERT INTO plan_tactics (team_id, account_id, number, text, due, author_id, created_at) VALUES (?, ?, 1, 'Do', ?, ?, ?)`,
			team, a, fixedNow.AddDate(0, 0, a%60-30).Format(time.DateOnly), ana, now-200*day)
		exec(`INSERT INTO plan_reviews (team_id, account_id, user_id, at) VALUES (?, ?, ?, ?)`, team, a, ana, now-int64(a%100)*day)
	}
	for c := 1; c <= contacts; c++ {
		a := c%accounts + 1
		exec(`INSERT INTO contacts (id, team_id, account_id, name, role, influence, stance, mirror_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c, team, a, fmt.Sprintf("Contact %d", c), string(kam.ContactRoles[c%6]),
			c%5+1, c%5-2, people(a)[c%2], now-700*day, now-700*day)
	}
	ins, err := tx.Prepare(`INSERT INTO interactions (id, team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, ?, ?, ?, 'seeded', ?)`)
	if err != nil {
		b.Fatal(err)
	}
	link, err := tx.Prepare(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at) VALUES (?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	perAcct := contacts / accounts
	for i := 1; i <= interactions; i++ {
		a := rng.IntN(accounts) + 1
		at := now - rng.Int64N(730*day)
		if _, err := ins.Exec(i, team, a, people(a)[rng.IntN(3)], string(kam.InteractionKinds[rng.IntN(len(kam.InteractionKinds))]), at); err != nil {
			b.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := link.Exec(i, a-1+rng.IntN(perAcct)*accounts+1, team, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	for o := 1; o <= opportunities; o++ {
		since := now - rng.Int64N(120*day)
		exec(`INSERT INTO opportunities (id, team_id, account_id, name, value, close_date, stage, stage_since, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o, team, o%accounts+1, fmt.Sprintf("Opp %d", o), 1000*o,
			fixedNow.AddDate(0, 0, rng.IntN(180)-60).Format(time.DateOnly), string(kam.Stages[rng.IntN(len(kam.Stages))]), since, since)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
