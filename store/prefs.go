package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// ActionPrefsSet is the audit action of a change to someone's /kam prefs.
const ActionPrefsSet = "prefs.set"

const prefsCols = `team_id, user_id, digest_day, digest_hour, quiet_from, quiet_to, bundle, zone, zone_checked, updated_at`

func scanPrefs(sc interface{ Scan(...any) error }) (kam.UserPrefs, error) {
	var p kam.UserPrefs
	var day, bundle int
	var checked, updated int64
	if err := sc.Scan(&p.TeamID, &p.UserID, &day, &p.DigestHour, &p.QuietFrom, &p.QuietTo, &bundle, &p.Zone, &checked, &updated); err != nil {
		return kam.UserPrefs{}, err
	}
	p.DigestDay, p.Bundle = time.Weekday(day), bundle == 1
	if checked > 0 {
		p.ZoneChecked = fromMS(checked)
	}
	if updated > 0 {
		p.UpdatedAt = fromMS(updated)
	}
	return p, nil
}

// UserPrefs returns a person's settings; kam.DefaultPrefs when they set none.
func (db *DB) UserPrefs(ctx context.Context, teamID, userID string) (kam.UserPrefs, error) {
	st, err := db.stmt(ctx, db.read, `SELECT `+prefsCols+` FROM user_prefs WHERE team_id = ? AND user_id = ?`)
	if err != nil {
		return kam.UserPrefs{}, fmt.Errorf("read prefs of %s: %w", userID, err)
	}
	p, err := scanPrefs(st.QueryRowContext(ctx, teamID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.DefaultPrefs(teamID, userID), nil
	} else if err != nil {
		return kam.UserPrefs{}, fmt.Errorf("read prefs of %s: %w", userID, err)
	}
	return p, nil
}

// UsersPrefs returns the settings of the workspace's people who have a row
// (set something, or whose zone was looked up), by user ID.
func (db *DB) UsersPrefs(ctx context.Context, teamID string) (map[string]kam.UserPrefs, error) {
	out := map[string]kam.UserPrefs{}
	err := db.each(ctx, func(r *sql.Rows) error {
		p, err := scanPrefs(r)
		if err != nil {
			return err
		}
		out[p.UserID] = p
		return nil
	}, `SELECT `+prefsCols+` FROM user_prefs WHERE team_id = ?`, teamID)
	if err != nil {
		return nil, fmt.Errorf("read prefs of workspace %s: %w", teamID, err)
	}
	return out, nil
}

// SetUserPrefs saves the settings a person changes (digest, quiet hours,
// bundle) with an audit entry; the stored zone is kept.
func (db *DB) SetUserPrefs(ctx context.Context, p kam.UserPrefs, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("save prefs of %s: %w", p.UserID, err)
	}
	now := db.now()
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_prefs (team_id, user_id, digest_day, digest_hour, quiet_from, quiet_to, bundle, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id, user_id) DO UPDATE SET digest_day = excluded.digest_day, digest_hour = excluded.digest_hour,
				quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, bundle = excluded.bundle, updated_at = excluded.updated_at`,
			p.TeamID, p.UserID, int(p.DigestDay), p.DigestHour, p.QuietFrom, p.QuietTo, boolInt(p.Bundle), ms(now))
		if err != nil {
			return err
		}
		detail := map[string]any{"digest_day": int(p.DigestDay), "digest_hour": p.DigestHour,
			"quiet_from": p.QuietFrom, "quiet_to": p.QuietTo, "bundle": p.Bundle}
		return writeAudit(ctx, tx, aud, p.TeamID, actor, ActionPrefsSet, "user:"+p.UserID, detail, now)
	})
	if err != nil {
		return fmt.Errorf("save prefs of %s: %w", p.UserID, err)
	}
	return nil
}

// SetUserZone records a person's Slack time zone as read at checked ("" when
// Slack gave none), keeping their other settings.
func (db *DB) SetUserZone(ctx context.Context, teamID, userID, zone string, checked time.Time) error {
	if teamID == "" || userID == "" {
		return kam.ErrMissingTeam(kam.EntityPrefs)
	}
	st, err := db.stmt(ctx, db.write, `INSERT INTO user_prefs (team_id, user_id, zone, zone_checked) VALUES (?, ?, ?, ?)
		ON CONFLICT (team_id, user_id) DO UPDATE SET zone = excluded.zone, zone_checked = excluded.zone_checked`)
	if err != nil {
		return fmt.Errorf("save zone of %s: %w", userID, err)
	}
	if _, err := st.ExecContext(ctx, teamID, userID, zone, ms(checked)); err != nil {
		return fmt.Errorf("save zone of %s: %w", userID, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// QueueNudgeBundle records the nudges and queues bundle, the one message
// that carries them, in one transaction. When the workspace already used
// the bundle's key (today's bundle went out), nothing is recorded or
// queued and it returns false: the nudges wait for the next bundle.
func (db *DB) QueueNudgeBundle(ctx context.Context, msgs []kam.NudgeMessage, bundle kam.OutboxMessage) (bool, error) {
	if len(msgs) == 0 || len(msgs) > maxNudgeBatch {
		return false, fmt.Errorf("queue nudge bundle: %d nudges; 1 to %d", len(msgs), maxNudgeBatch)
	}
	if err := checkOutboxMessage(&bundle); err != nil {
		return false, fmt.Errorf("queue nudge bundle %s: %w", bundle.Key, err)
	}
	for _, m := range msgs {
		if err := m.Key.Validate(); err != nil || m.TeamID != bundle.TeamID {
			return false, fmt.Errorf("queue nudge bundle %s: nudge %s of another workspace or malformed: %v", bundle.Key, m.Key, err)
		}
	}
	ins, err := db.stmt(ctx, db.write, `INSERT INTO nudges (team_id, key, account_id, kind, item, recipient, period, round, queued_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?3 AND team_id = ?1)
		ON CONFLICT (team_id, key) DO NOTHING`)
	if err != nil {
		return false, fmt.Errorf("queue nudge bundle: %w", err)
	}
	q, err := db.outboxStmts(ctx)
	if err != nil {
		return false, fmt.Errorf("queue nudge bundle: %w", err)
	}
	now := db.now()
	queued := false
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE team_id = ? AND key = ?`, bundle.TeamID, bundle.Key).Scan(&n); err != nil || n > 0 {
			return err
		}
		st := tx.StmtContext(ctx, ins)
		for _, m := range msgs {
			k := m.Key
			if _, err := st.ExecContext(ctx, m.TeamID, k.String(), k.AccountID, string(k.Kind), k.Item, k.Recipient, k.Period, k.Round, ms(now)); err != nil {
				return fmt.Errorf("record nudge %s: %w", k, err)
			}
		}
		bq := q.in(ctx, tx)
		_, created, err := enqueueOutbox(ctx, bq.ins, bq.sel, bundle, now)
		queued = created
		return err
	})
	if err != nil {
		return false, fmt.Errorf("queue nudge bundle %s: %w", bundle.Key, err)
	}
	return queued, nil
}
