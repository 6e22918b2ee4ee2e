package nudges_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges"
	"github.com/kambot/kambot/store"
)

// benchPortfolio writes, straight into a fresh database, a workspace of
// accounts with interactions spread over two years, three opportunities
// each, a plan with tactics and a review, and teams with sponsors.
func benchPortfolio(b *testing.B, accounts, interactions int, now time.Time) (*store.DB, string) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	ago := func(maxDays int) time.Time {
		return now.Add(-time.Duration(r.Int64N(int64(maxDays) * int64(24*time.Hour))))
	}
	users := make([]string, 40)
	for i := range users {
		users[i] = fmt.Sprintf("U%07d", i)
	}
	exec := func(q string, args ...any) int64 {
		res, err := tx.Exec(q, args...)
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	cadences := []kam.Cadence{kam.CadenceWeekly, kam.CadenceMonthly, kam.CadenceQuarterly}
	stages := []kam.Stage{kam.StageIdentified, kam.StageQualified, kam.StagePursuing, kam.StageClosing, kam.StageContracted, kam.StageLost}
	perAccount := interactions / accounts
	for i := range accounts {
		created := now.AddDate(-2, 0, 0)
		owner := users[r.IntN(len(users))]
		sponsor, channel := "", ""
		if i%3 == 0 {
			sponsor = users[r.IntN(len(users))]
		}
		if i%2 == 0 {
			channel = fmt.Sprintf("C%07d", i)
		}
		id := exec(`INSERT INTO accounts (team_id, name, slug, tier, owner_id, sponsor_id, cadence, channel_id, created_at, updated_at)
			VALUES ('T0BENCH', ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("Account %04d", i), fmt.Sprintf("account-%04d", i),
			string(kam.Tiers[i%4]), owner, sponsor, string(cadences[i%3]), channel, ms(created), ms(created))
		team := map[string]kam.Role{owner: kam.RoleKAM}
		if sponsor != "" && sponsor != owner {
			team[sponsor] = kam.RoleSponsor
		}
		for len(team) < 5 {
			team[users[r.IntN(len(users))]] = kam.RoleMember
		}
		members := slices.Sorted(maps.Keys(team))
		for _, u := range members {
			exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES ('T0BENCH', ?, ?, ?, ?)`, id, u, string(team[u]), ms(created))
		}
		for range perAccount {
			kind := kam.InteractionKinds[r.IntN(len(kam.InteractionKinds))]
			exec(`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES ('T0BENCH', ?, ?, ?, ?, ?)`,
				id, members[r.IntN(len(members))], string(kind), "Talked about the renewal and next quarter's roadmap", ms(ago(730)))
		}
		for j := range 3 {
			since := ago(120)
			exec(`INSERT INTO opportunities (team_id, account_id, name, value, close_date, owner_id, stage, stage_since, created_at)
				VALUES ('T0BENCH', ?, ?, ?, ?, ?, ?, ?, ?)`, id, fmt.Sprintf("Deal %d", j), 10_000*(j+1),
				now.AddDate(0, 0, 60-r.IntN(120)).Format(time.DateOnly), members[r.IntN(len(members))],
				string(stages[r.IntN(len(stages))]), ms(since), ms(since))
		}
		exec(`INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at) VALUES ('T0BENCH', ?, 'us', 'Grow', ?, ?)`,
			id, owner, ms(created))
		for n := 1; n <= 2; n++ {
			exec(`INSERT INTO plan_tactics (team_id, account_id, number, text, owner_id, due, author_id, created_at)
				VALUES ('T0BENCH', ?, ?, 'Workshop', ?, ?, ?, ?)`, id, n, members[r.IntN(len(members))],
				now.AddDate(0, 0, 30-r.IntN(60)).Format(time.DateOnly), owner, ms(created))
		}
		exec(`INSERT INTO plan_reviews (team_id, account_id, user_id, at) VALUES ('T0BENCH', ?, ?, ?)`, id, owner, ms(ago(120)))
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return db, path
}

// BenchmarkSweep1000 sweeps 1,000 accounts with 200,000 interactions:
// "first" queues every nudge due (the nudge tables and the outbox are
// emptied before each run), "steady" is the daily run that finds them all
// queued already.
func BenchmarkSweep1000(b *testing.B) {
	now := time.Date(2025, 3, 10, 7, 0, 0, 0, time.UTC)
	db, path := benchPortfolio(b, 1000, 200_000, now)
	db.Now = func() time.Time { return now }
	s, err := nudges.New(nudges.Config{Store: db, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	reset := func() {
		for _, q := range []string{`DELETE FROM nudges`, `DELETE FROM nudge_marks`, `DELETE FROM outbox`} {
			if _, err := raw.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
	}

	b.Run("first", func(b *testing.B) {
		var rep nudges.SweepReport
		for b.Loop() {
			b.StopTimer()
			reset()
			b.StartTimer()
			if rep, err = s.Sweep(ctx, now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rep.Queued), "queued")
		b.ReportMetric(float64(rep.Due), "due")
	})
	b.Run("steady", func(b *testing.B) {
		rep, err := s.Sweep(ctx, now) // whatever ran before, everything due is queued now
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if rep, err = s.Sweep(ctx, now); err != nil {
				b.Fatal(err)
			}
		}
		if rep.Queued != 0 {
			b.Fatalf("a steady sweep queued %d", rep.Queued)
		}
		b.ReportMetric(float64(rep.Already), "already")
	})
}
