// Package benchdb builds the seeded workspaces the benchmarks measure: a
// portfolio of accounts with their teams, stakeholders, plans, surveys,
// opportunities and a long history of interactions. It writes with plain
// SQL and prepared statements in one transaction (a 2M-interaction file
// takes well under a minute) and keeps each file it builds in a cache
// directory, so that only the first benchmark run pays for it.
package benchdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// Team is the seeded workspace.
const Team = "TBENCH0001"

// People of the seeded workspace.
const (
	// Admin is a workspace admin on no team (pass it as an admin).
	Admin = "UBENCHADM"
	// VP manages every account: the digest "of a manager of all accounts".
	VP = "UBENCHVP1"
)

// Owner is the KAM of account id (and of every 20th account after it).
func Owner(id int64) string { return fmt.Sprintf("UKAM%04d", id%500) }

// Manager is the line manager of account id (40 accounts each at 10k).
func Manager(id int64) string { return fmt.Sprintf("UMGR%03d", id%250) }

// Channel is the Slack channel of account id; every other account has one.
func Channel(id int64) string {
	if id%2 == 0 {
		return ""
	}
	return fmt.Sprintf("CACC%05d", id)
}

// Slug is account id's slug.
func Slug(id int64) string { return fmt.Sprintf("account-%05d", id) }

// Spec is the shape of a seeded workspace.
type Spec struct {
	Accounts     int
	Interactions int
	// SpanDays is how far back interactions go: 730 spreads them over two
	// years; 90 packs them all into the health window.
	SpanDays int
	// Now is the instant the history ends at.
	Now time.Time
	// Text gives interactions varied summaries drawn from a business
	// vocabulary (the search benchmarks) and builds the search index;
	// without it every summary is the same sentence and the index is left
	// to build, as in a database that predates it.
	Text bool
}

// version changes whenever the seeded data changes shape, so a cached
// file of an older shape is never reused.
const version = 1

func (s Spec) key() string {
	h := sha256.Sum256(fmt.Appendf(nil, "v%d/%d/%d/%d/%d", version, s.Accounts, s.Interactions, s.SpanDays, s.Now.UnixMilli()))
	text := ""
	if s.Text {
		text = "-text"
	}
	return fmt.Sprintf("kambot-bench-%dacc-%dint-%dd%s-%s.db", s.Accounts, s.Interactions, s.SpanDays, text, hex.EncodeToString(h[:4]))
}

// Dir is where seeded files are kept: a directory under the system's
// temporary directory, outside the source tree. Remove it to rebuild them.
func Dir() string {
	return filepath.Join(os.TempDir(), "kambot-bench")
}

// CopyFile copies the file src to dst, for a benchmark that writes to a
// copy of a seeded file.
func CopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Path returns the seeded file of spec, building it first if it is not
// cached yet. The file is migrated and analyzed; open it with store.Open.
// Benchmarks must not write to it.
func Path(ctx context.Context, s Spec) (string, error) {
	dir := Dir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("bench db dir: %w", err)
	}
	path := filepath.Join(dir, s.key())
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	// Build beside it and rename, so an interrupted build leaves no
	// half-seeded file behind under the cached name.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp)
	defer os.Remove(tmp + "-wal")
	defer os.Remove(tmp + "-shm")
	if err := build(ctx, tmp, s); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("bench db: %w", err)
	}
	return path, nil
}

// build migrates a fresh file and seeds it.
func build(ctx context.Context, path string, s Spec) error {
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	// No journal while seeding: the file is thrown away if this fails.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE&_synchronous=OFF&_cache_size=-200000")
	if err != nil {
		return fmt.Errorf("bench db: %w", err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("bench db: %w", err)
	}
	// The search triggers index row by row; seeding without them and
	// indexing afterwards in batches is many times faster.
	restore, err := withoutSearchTriggers(ctx, tx)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("bench db: %w", err)
	}
	if err := seed(ctx, tx, s); err != nil {
		tx.Rollback()
		return fmt.Errorf("bench db seed: %w", err)
	}
	if err := restore(); err != nil {
		tx.Rollback()
		return fmt.Errorf("bench db: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("bench db commit: %w", err)
	}
	if s.Text {
		if err := buildIndex(ctx, path); err != nil {
			return err
		}
	}
	if _, err := raw.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("bench db analyze: %w", err)
	}
	// Back to WAL, as the store runs it.
	if _, err := raw.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
		return fmt.Errorf("bench db: %w", err)
	}
	return nil
}

// inserter prepares each statement once and runs it many times.
type inserter struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	err   error
}

func (in *inserter) exec(q string, args ...any) {
	if in.err != nil {
		return
	}
	st := in.stmts[q]
	if st == nil {
		if st, in.err = in.tx.PrepareContext(in.ctx, q); in.err != nil {
			return
		}
		in.stmts[q] = st
	}
	if _, err := st.ExecContext(in.ctx, args...); err != nil {
		in.err = fmt.Errorf("%.60s: %w", q, err)
	}
}

func (in *inserter) close() error {
	for _, st := range in.stmts {
		st.Close()
	}
	return in.err
}

// seed writes the workspace. Every account has a KAM, two members, a
// sponsor, a line manager and the VP on its team; five stakeholders; ten
// opportunities with their stage history; a plan with two objectives, three
// tactics and a review a month; and survey answers over two years.
// Interactions fall at random over the span, a third naming a stakeholder.
func seed(ctx context.Context, tx *sql.Tx, s Spec) error {
	if s.Accounts <= 0 || s.SpanDays <= 0 {
		return errors.New("accounts and span must be positive")
	}
	in := &inserter{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
	rng := rand.New(rand.NewPCG(12, 34))
	now := s.Now.UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	created := now - 800*day
	n := int64(s.Accounts)
	const contactsPer = 5
	for a := int64(1); a <= n; a++ {
		team := []string{Owner(a), fmt.Sprintf("UMEM%04d", a%700), fmt.Sprintf("UMEM%04d", (a+350)%700)}
		sponsor := fmt.Sprintf("USPN%03d", a%100)
		in.exec(`INSERT INTO accounts (id, team_id, name, slug, tier, level, owner_id, sponsor_id, cadence, channel_id, revenue, segment, region, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'product', ?, ?, ?, ?, ?, 'Enterprise', 'EMEA', ?, ?)`,
			a, Team, fmt.Sprintf("Account %05d", a), Slug(a), string(kam.Tiers[a%4]), team[0], sponsor,
			string(kam.Cadences[a%3]), Channel(a), 100_000+a*10, created, created)
		in.exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'kam', ?)`, Team, a, team[0], created)
		for _, u := range team[1:] {
			in.exec(`INSERT OR IGNORE INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'member', ?)`, Team, a, u, created)
		}
		in.exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'sponsor', ?)`, Team, a, sponsor, created)
		for _, m := range []string{Manager(a), VP} {
			in.exec(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, 'manager', ?)`, Team, a, m, created)
		}
		for c := int64(0); c < contactsPer; c++ {
			in.exec(`INSERT INTO contacts (id, team_id, account_id, name, role, influence, stance, mirror_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, (a-1)*contactsPer+c+1, Team, a, fmt.Sprintf("Contact %d-%d", a, c),
				string(kam.ContactRoles[c%int64(len(kam.ContactRoles))]), c%5+1, c%5-2, team[c%2], created, created)
		}
		for k, owner := range []string{"customer", "us"} {
			in.exec(`INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				Team, a, owner, fmt.Sprintf("Objective %d", k+1), team[0], created)
		}
		for k := int64(1); k <= 3; k++ {
			in.exec(`INSERT INTO plan_tactics (team_id, account_id, number, text, due, author_id, created_at) VALUES (?, ?, ?, 'Do', ?, ?, ?)`,
				Team, a, k, s.Now.AddDate(0, 0, int(k*20-30+a%30)).Format(time.DateOnly), team[0], created)
		}
		// A review a month over two years: the plan's history grows while
		// only the latest is read.
		for k := int64(0); k < 24; k++ {
			in.exec(`INSERT INTO plan_reviews (team_id, account_id, user_id, note, at) VALUES (?, ?, ?, '', ?)`,
				Team, a, team[0], now-(k*30+a%30)*day)
		}
		for o := int64(0); o < 10; o++ {
			id := (a-1)*10 + o + 1
			st := kam.Stages[rng.IntN(len(kam.Stages))]
			since := now - rng.Int64N(120*day)
			in.exec(`INSERT INTO opportunities (id, team_id, account_id, name, value, close_date, owner_id, stage, stage_since, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, Team, a, fmt.Sprintf("Deal %d", id), 10_000+rng.Int64N(500_000),
				s.Now.AddDate(0, 0, rng.IntN(180)-60).Format(time.DateOnly), team[0], string(st), since, since-30*day)
			in.exec(`INSERT INTO stage_changes (team_id, opportunity_id, from_stage, to_stage, user_id, at) VALUES (?, ?, '', 'identified', ?, ?)`,
				Team, id, team[0], since-30*day)
			if st != kam.StageIdentified {
				in.exec(`INSERT INTO stage_changes (team_id, opportunity_id, from_stage, to_stage, user_id, at) VALUES (?, ?, 'identified', ?, ?, ?)`,
					Team, id, string(st), team[0], since)
			}
		}
		// A survey a quarter, two answers each.
		for q := int64(0); q < 8; q++ {
			sent := now - (q*91+a%60)*day
			sid := (a-1)*8 + q + 1
			in.exec(`INSERT INTO surveys (id, team_id, account_id, channel_id, token, sent_by, sent_at, closes_at) VALUES (?, ?, ?, 'CSURVEY', 'tok', ?, ?, ?)`,
				sid, Team, a, team[0], sent, sent+14*day)
			for r := int64(0); r < 2; r++ {
				in.exec(`INSERT INTO survey_responses (team_id, account_id, survey_id, respondent, contact, score, created_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					Team, a, sid, fmt.Sprintf("contact:person %d", r), fmt.Sprintf("Person %d", r), rng.IntN(11), sent+day, sent+day)
			}
		}
		in.exec(`INSERT INTO health_snapshots (team_id, account_id, week, score, alerts, taken_at) VALUES (?, ?, ?, ?, '[]', ?)`,
			Team, a, kam.ISOWeek(s.Now.AddDate(0, 0, -7)), 30+a%60, now-7*day)
	}
	span := int64(s.SpanDays) * day
	for i := 1; i <= s.Interactions; i++ {
		a := rng.Int64N(n) + 1
		at := now - rng.Int64N(span)
		users := []string{Owner(a), fmt.Sprintf("UMEM%04d", a%700), fmt.Sprintf("UMEM%04d", (a+350)%700)}
		summary := "Talked about the renewal terms"
		if s.Text {
			summary = sentence(rng)
		}
		in.exec(`INSERT INTO interactions (id, team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			i, Team, a, users[rng.IntN(3)], string(kam.InteractionKinds[rng.IntN(len(kam.InteractionKinds))]), summary, at)
		if i%3 == 0 {
			in.exec(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at) VALUES (?, ?, ?, ?)`,
				i, (a-1)*contactsPer+rng.Int64N(contactsPer)+1, Team, at)
		}
	}
	return in.close()
}
