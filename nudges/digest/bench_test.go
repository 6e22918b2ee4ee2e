package digest_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/store"
)

// benchPortfolio seeds a workspace of accounts with their teams (an
// owner, two members, a line manager and a senior manager each: 25 line
// managers of 40 accounts, 5 senior managers of 200), interactions over the
// last year, opportunities with stage history, stakeholders, plans, survey
// answers over two years and last week's snapshots. It writes with plain
// SQL in one transaction, which is much faster than the store's audited
// writes and seeds the same tables.
func benchPortfolio(b *testing.B, accounts, interactions int) (*store.DB, time.Time) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_foreign_keys=1")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	exec := func(q string, args ...any) sql.Result {
		res, err := tx.Exec(q, args...)
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		return res
	}
	now := runAt
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	day := int64(24 * time.Hour / time.Millisecond)
	rng := rand.New(rand.NewPCG(1, 2))
	tiers := []kam.Tier{kam.TierVendor, kam.TierPreferred, kam.TierConsultant, kam.TierPartner}
	cadences := []kam.Cadence{kam.CadenceWeekly, kam.CadenceMonthly, kam.CadenceQuarterly}
	stages := []kam.Stage{kam.StageIdentified, kam.StageQualified, kam.StagePursuing, kam.StageClosing, kam.StageContracted, kam.StageLost}
	created := ms(now.AddDate(-2, 0, 0))
	team := func(i int) []string {
		return []string{fmt.Sprintf("UKAM%03d", i%50), fmt.Sprintf("UMEM%03d", i%120), fmt.Sprintf("UMEM%03d", (i+7)%120)}
	}
	for i := 1; i <= accounts; i++ {
		t := team(i)
		exec(`INSERT INTO accounts (id, team_id, name, slug, tier, level, owner_id, cadence, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'product', ?, ?, ?, ?)`,
			i, teamID, fmt.Sprintf("Account %04d", i), fmt.Sprintf("account-%04d", i), tiers[i%4], t[0], cadences[i%3], created, created)
		exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'kam', ?)`, teamID, i, t[0], created)
		for _, u := range t[1:] {
			exec(`INSERT OR IGNORE INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'member', ?)`, teamID, i, u, created)
		}
		exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'manager', ?)`, teamID, i, fmt.Sprintf("UMGR%03d", i%25), created)
		exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'manager', ?)`, teamID, i, fmt.Sprintf("USNR%03d", i%5), created)
	}
	kinds := kam.InteractionKinds
	for n := 0; n < interactions; n++ {
		a := 1 + rng.IntN(accounts)
		t := team(a)
		exec(`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, ?, ?, 'Talked about the renewal', ?)`,
			teamID, a, t[rng.IntN(3)], kinds[rng.IntN(len(kinds))], ms(now)-rng.Int64N(365*day))
	}
	for n := 1; n <= accounts*10; n++ {
		a := 1 + (n-1)%accounts
		st := stages[rng.IntN(len(stages))]
		since := ms(now) - rng.Int64N(60*day)
		exec(`INSERT INTO opportunities (id, team_id, account_id, name, value, owner_id, stage, stage_since, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, n, teamID, a, fmt.Sprintf("Deal %d", n), 10_000+rng.Int64N(500_000), team(a)[0], st, since, since-30*day)
		exec(`INSERT INTO stage_changes (team_id, opportunity_id, from_stage, to_stage, user_id, at) VALUES (?, ?, '', 'identified', ?, ?)`,
			teamID, n, team(a)[0], since-30*day)
		if st != kam.StageIdentified {
			exec(`INSERT INTO stage_changes (team_id, opportunity_id, from_stage, to_stage, user_id, at) VALUES (?, ?, 'identified', ?, ?, ?)`,
				teamID, n, st, team(a)[0], since)
		}
	}
	for n := 1; n <= accounts*5; n++ {
		a := 1 + (n-1)%accounts
		mirror := ""
		if n%2 == 0 {
			mirror = team(a)[1]
		}
		exec(`INSERT INTO contacts (team_id, account_id, name, role, influence, mirror_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, teamID, a, fmt.Sprintf("Contact %d", n), kam.ContactRoles[n%len(kam.ContactRoles)], 1+n%5, mirror, created, created)
	}
	for a := 1; a <= accounts; a++ {
		if a%3 == 0 {
			continue
		}
		exec(`INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at) VALUES (?, ?, 'us', 'Grow', ?, ?)`, teamID, a, team(a)[0], created)
		for k := 1; k <= 3; k++ {
			exec(`INSERT INTO plan_tactics (team_id, account_id, number, text, due, author_id, created_at) VALUES (?, ?, ?, 'Do', ?, ?, ?)`,
				teamID, a, k, now.AddDate(0, 0, k*20-30).Format(time.DateOnly), team(a)[0], created)
		}
		exec(`INSERT INTO plan_reviews (team_id, account_id, user_id, at) VALUES (?, ?, ?, ?)`, teamID, a, team(a)[0], ms(now)-int64(a%100)*day)
		exec(`INSERT INTO health_snapshots (team_id, account_id, week, score, alerts, taken_at) VALUES (?, ?, '2025-W11', ?, '[]', ?)`,
			teamID, a, 30+a%60, ms(now)-7*day)
	}
	for n := 0; n < accounts*5; n++ {
		a := 1 + rng.IntN(accounts)
		exec(`INSERT INTO survey_responses (team_id, account_id, respondent, contact, score, created_at, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			teamID, a, fmt.Sprintf("contact:person %d", n%3000), fmt.Sprintf("Person %d", n%3000), rng.IntN(11), ms(now), ms(now)-rng.Int64N(730*day))
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return db, now
}

// BenchmarkDigestAllManagers builds every manager's weekly digest — 30
// managers over a portfolio of 1,000 accounts with 200,000 interactions —
// plus the whole workspace's copy for the digest channel: one op is the
// whole weekly job's work short of queuing. The target is under 1 s.
func BenchmarkDigestAllManagers(b *testing.B) {
	db, now := benchPortfolio(b, 1000, 200_000)
	d, err := digest.New(digest.Config{Store: db, Channels: map[string]string{"": channelID}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu0, cpuOK := cpuTime()
	n := 0
	for b.Loop() {
		digests, err := d.BuildAll(ctx, teamID, now)
		if err != nil {
			b.Fatal(err)
		}
		if len(digests) != 31 {
			b.Fatalf("%d digests, want 30 managers and the channel", len(digests))
		}
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}

// reportCPU adds the CPU time per op (all threads, GC included): on a
// machine shared with other work, wall time per op overstates the cost.
func reportCPU(b *testing.B, cpu0 time.Duration, ok bool, n int) {
	if cpu1, ok1 := cpuTime(); ok && ok1 && n > 0 {
		b.ReportMetric(float64((cpu1-cpu0).Milliseconds())/float64(n), "cpu-ms/op")
	}
}

// BenchmarkUserDigest is /kam digest for a senior manager of 200 accounts
// in the same workspace.
func BenchmarkUserDigest(b *testing.B) {
	db, now := benchPortfolio(b, 1000, 200_000)
	d, err := digest.New(digest.Config{Store: db})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu0, cpuOK := cpuTime()
	n := 0
	for b.Loop() {
		parts, err := d.UserDigest(ctx, teamID, "USNR001", now)
		if err != nil || len(parts) == 0 {
			b.Fatalf("UserDigest = %d parts, %v", len(parts), err)
		}
		n++
	}
	reportCPU(b, cpu0, cpuOK, n)
}
