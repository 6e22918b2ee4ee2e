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
