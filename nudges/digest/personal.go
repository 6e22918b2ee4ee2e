package digest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Prefs gives people's own schedules; *store.DB implements it.
type Prefs interface {
	UsersPrefs(ctx context.Context, teamID string) (map[string]kam.UserPrefs, error)
}

// ownDigests lists the workspace's people who chose their own digest day
// and hour.
func (d *Digester) ownDigests(ctx context.Context, team string) (map[string]bool, error) {
	own := map[string]bool{}
	if d.cfg.Prefs == nil {
		return own, nil
	}
	prefs, err := d.cfg.Prefs.UsersPrefs(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("read prefs: %w", err)
	}
	for u, p := range prefs {
		if p.OwnDigest() {
			own[u] = true
		}
	}
	return own, nil
}

// RunPersonal queues the digest of everyone whose own digest day and hour
// (in their zone, outside their quiet hours) is now: the seven days up to
// now, as /kam digest shows it. Each person's digest is keyed by their
// local ISO week, so hourly runs queue it once a week.
func (d *Digester) RunPersonal(ctx context.Context, now time.Time) error {
	if d.cfg.Prefs == nil || d.cfg.Poster == nil {
		return nil
	}
	teams, err := d.cfg.Store.Teams(ctx)
	if err != nil {
		return fmt.Errorf("personal digests: %w", err)
	}
	var errs []error
	for _, team := range teams {
		prefs, err := d.cfg.Prefs.UsersPrefs(ctx, team)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, p := range prefs {
			if !p.DigestDue(now, d.loc()) {
				continue
			}
			if err := d.sendPersonal(ctx, p, now); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (d *Digester) loc() *time.Location {
	if d.cfg.Location == nil {
		return time.UTC
	}
	return d.cfg.Location
}

// sendPersonal builds and queues one person's digest.
func (d *Digester) sendPersonal(ctx context.Context, p kam.UserPrefs, now time.Time) error {
	parts, _, err := d.UserDigestHead(ctx, p.TeamID, p.UserID, now, MaxParts)
	if err != nil || len(parts) == 0 {
		return err
	}
	dg := Digest{TeamID: p.TeamID, Recipient: p.UserID, Week: isoWeek(now, p.Location(d.loc())), Parts: parts}
	for _, blocks := range parts {
		dg.Texts = append(dg.Texts, format.Fallback(blocks))
	}
	return d.send(ctx, dg)
}
