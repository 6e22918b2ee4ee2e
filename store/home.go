package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kambot/kambot/kam"
)

// RecordHomeView notes that a person opened their Home tab (or paged it):
// from now on a change to their accounts refreshes it.
func (db *DB) RecordHomeView(ctx context.Context, teamID, userID string, page int, at time.Time) error {
	st, err := db.stmt(ctx, db.write, `INSERT INTO home_views (team_id, user_id, page, opened_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (team_id, user_id) DO UPDATE SET page = excluded.page, opened_at = excluded.opened_at`)
	if err != nil {
		return fmt.Errorf("record home view of %s: %w", userID, err)
	}
	if _, err := st.ExecContext(ctx, teamID, userID, max(page, 0), ms(at)); err != nil {
		return fmt.Errorf("record home view of %s: %w", userID, err)
	}
	return nil
}

// HomePage is the page of accounts the person last looked at on Home; 0
// when they never opened it.
func (db *DB) HomePage(ctx context.Context, teamID, userID string) (int, error) {
	var page int
	err := db.read.QueryRowContext(ctx, `SELECT page FROM home_views WHERE team_id = ? AND user_id = ?`, teamID, userID).Scan(&page)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("read home page of %s: %w", userID, err)
	}
	return page, nil
}

// HomeViewers returns the people who opened Home and are on the team of one
// of the accounts (owner, sponsor or member); with no accounts, everyone of
// the workspace who opened Home.
func (db *DB) HomeViewers(ctx context.Context, teamID string, accountIDs []int64) ([]string, error) {
	var out []string
	scan := func(r *sql.Rows) error {
		var u string
		if err := r.Scan(&u); err != nil {
			return err
		}
		out = append(out, u)
		return nil
	}
	var err error
	if len(accountIDs) == 0 {
		err = db.each(ctx, scan, `SELECT user_id FROM home_views WHERE team_id = ? ORDER BY user_id`, teamID)
	} else {
		ids := `(SELECT value FROM json_each(?2))`
		err = db.each(ctx, scan, `SELECT h.user_id FROM home_views h WHERE h.team_id = ?1 AND (
			h.user_id IN (SELECT user_id FROM members WHERE team_id = ?1 AND account_id IN `+ids+`)
			OR h.user_id IN (SELECT owner_id FROM accounts WHERE team_id = ?1 AND id IN `+ids+`)
			OR h.user_id IN (SELECT sponsor_id FROM accounts WHERE team_id = ?1 AND id IN `+ids+`))
			ORDER BY h.user_id`, teamID, idList(accountIDs))
	}
	if err != nil {
		return nil, fmt.Errorf("find home viewers of %s: %w", teamID, err)
	}
	return out, nil
}

// auditAccountOf maps an audit entity kind to the table whose row names
// its account.
var auditAccountOf = map[string]string{
	"interaction": "interactions",
	"opportunity": "opportunities",
	"contact":     "contacts",
	"objective":   "plan_objectives",
	"tactic":      "plan_tactics",
	"review":      "plan_reviews",
	"scoring":     "scorings",
	"survey":      "surveys",
	"response":    "survey_responses",
}

// LastAuditID is the newest audit entry's ID, where change polling starts.
func (db *DB) LastAuditID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT max(id) FROM audit_log`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read last audit entry: %w", err)
	}
	return id.Int64, nil
}

// HomeChanges reads up to limit audit entries after the ID after and
// resolves the account each touched; it returns them with the ID to
// continue from. Entries about a person's own settings are left out.
func (db *DB) HomeChanges(ctx context.Context, after int64, limit int) ([]kam.HomeChange, int64, error) {
	type entry struct {
		team, actor, kind string
		id                int64
	}
	var entries []entry
	last := after
	err := db.each(ctx, func(r *sql.Rows) error {
		var e entry
		var entity string
		if err := r.Scan(&last, &e.team, &e.actor, &entity); err != nil {
			return err
		}
		kind, id, _ := strings.Cut(entity, ":")
		e.kind = kind
		e.id, _ = strconv.ParseInt(id, 10, 64)
		entries = append(entries, e)
		return nil
	}, `SELECT id, team_id, actor, entity FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, after, sqlLimit(limit))
	if err != nil {
		return nil, after, fmt.Errorf("read changes: %w", err)
	}
	out := make([]kam.HomeChange, 0, len(entries))
	for _, e := range entries {
		c := kam.HomeChange{TeamID: e.team, Actor: e.actor}
		switch table, ok := auditAccountOf[e.kind]; {
		case e.kind == "account":
			c.AccountID = e.id
		case e.kind == "workspace":
		case ok:
			// One lookup per change (every /kam log is one): prepared once.
			st, err := db.stmt(ctx, db.read, `SELECT account_id FROM `+table+` WHERE id = ? AND team_id = +?`)
			if err != nil {
				return nil, after, fmt.Errorf("resolve change %s:%d: %w", e.kind, e.id, err)
			}
			err = st.QueryRowContext(ctx, e.id, e.team).Scan(&c.AccountID)
			if errors.Is(err, sql.ErrNoRows) {
				continue // deleted since
			} else if err != nil {
				return nil, after, fmt.Errorf("resolve change %s:%d: %w", e.kind, e.id, err)
			}
		default:
			continue // a person's settings: their own Home is refreshed by the change itself
		}
		out = append(out, c)
	}
	return out, last, nil
}

// LastNudgeID is the newest queued nudge's ID, where reminder polling
// starts.
func (db *DB) LastNudgeID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT max(id) FROM nudges`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read last nudge: %w", err)
	}
	return id.Int64, nil
}

// QueuedReminders reads up to limit nudges queued after the ID after and
// returns their recipients, each once a workspace, with the ID to continue
// from: a new reminder belongs on its recipient's Home. Nudges leave no
// audit entry, so HomeChanges does not see them.
func (db *DB) QueuedReminders(ctx context.Context, after int64, limit int) ([]kam.HomeRecipient, int64, error) {
	var out []kam.HomeRecipient
	last := after
	err := db.each(ctx, func(r *sql.Rows) error {
		var to kam.HomeRecipient
		if err := r.Scan(&last, &to.TeamID, &to.UserID); err != nil {
			return err
		}
		if !slices.Contains(out, to) {
			out = append(out, to)
		}
		return nil
	}, `SELECT id, team_id, recipient FROM nudges WHERE id > ? ORDER BY id LIMIT ?`, after, sqlLimit(limit))
	if err != nil {
		return nil, after, fmt.Errorf("read queued reminders: %w", err)
	}
	return out, last, nil
}

// OpenReminders returns the nudges sent to the person since the given time
// that nobody handled and that are not snoozed at now, newest first.
func (db *DB) OpenReminders(ctx context.Context, teamID, userID string, since, now time.Time, limit int) ([]kam.NudgeRecord, error) {
	var out []kam.NudgeRecord
	err := db.each(ctx, func(r *sql.Rows) error {
		var rec kam.NudgeRecord
		var key string
		var at int64
		if err := r.Scan(&rec.ID, &key, &at); err != nil {
			return err
		}
		k, err := kam.ParseNudgeKey(key)
		if err != nil {
			return nil // an old key format: not worth failing Home for
		}
		rec.TeamID, rec.Key, rec.QueuedAt = teamID, k, fromMS(at)
		out = append(out, rec)
		return nil
	}, `SELECT n.id, n.key, n.queued_at FROM nudges n
		LEFT JOIN nudge_marks m ON m.team_id = n.team_id AND m.account_id = n.account_id AND m.kind = n.kind
			AND m.item = n.item AND m.period = n.period
		WHERE n.team_id = ? AND n.recipient = ? AND n.queued_at >= ?
			AND coalesce(m.handled_at, 0) = 0 AND coalesce(m.snoozed_until, 0) <= ?
		ORDER BY n.queued_at DESC, n.id DESC LIMIT ?`, teamID, userID, ms(since), ms(now), sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read reminders of %s: %w", userID, err)
	}
	return out, nil
}

// WorkspaceTotals counts the workspace's accounts, open deals and their
// value, interactions since the given time, and outbox messages failed or
// waiting.
func (db *DB) WorkspaceTotals(ctx context.Context, teamID string, since time.Time) (kam.WorkspaceTotals, error) {
	var t kam.WorkspaceTotals
	var pipeline sql.NullInt64
	open := openStagesSQL()
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM accounts WHERE team_id = ?1),
		(SELECT count(*) FROM opportunities WHERE team_id = ?1 AND stage IN (`+open+`)),
		(SELECT sum(value) FROM opportunities WHERE team_id = ?1 AND stage IN (`+open+`)),
		(SELECT count(*) FROM interactions WHERE team_id = ?1 AND at >= ?2),
		(SELECT count(*) FROM outbox WHERE team_id = ?1 AND status = 'failed'),
		(SELECT count(*) FROM outbox WHERE team_id = ?1 AND status IN ('pending', 'sending'))`,
		teamID, ms(since)).Scan(&t.Accounts, &t.OpenDeals, &pipeline, &t.Interactions, &t.FailedOutbox, &t.PendingOutbox)
	if err != nil {
		return t, fmt.Errorf("count workspace %s: %w", teamID, err)
	}
	t.OpenPipeline = pipeline.Int64
	return t, nil
}

// openStagesSQL lists the open stages for an IN clause.
func openStagesSQL() string {
	var b strings.Builder
	for _, s := range kam.Stages {
		if s.Open() {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString("'" + string(s) + "'")
		}
	}
	return b.String()
}
