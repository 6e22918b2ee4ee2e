package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// The queries of HealthInputs. Each starts from the accounts asked for
// (json_each, joined first with CROSS JOIN so the planner cannot start from
// a workspace-wide index) and reads only their own rows, so loading one
// account costs the same in a workspace of ten thousand as of ten. Where a
// workspace-wide index would also fit, its team_id term is written
// "+team_id" to take it out of the planner's choice: with or without
// ANALYZE statistics the plan is the account's. Their plans are checked in
// health_plan_test.go.
const (
	// The team, each member with their latest real contact: one seek each.
	healthTeamSQL = `SELECT m.account_id, m.user_id, m.role, m.function, m.added_at,
	(SELECT max(i.at) FROM interactions i INDEXED BY interactions_touch_user
		WHERE i.team_id = m.team_id AND i.account_id = m.account_id AND i.user_id = m.user_id AND i.kind <> 'note')
	FROM json_each(?2) a CROSS JOIN members m ON m.account_id = a.value WHERE +m.team_id = +?1`

	// Each account's latest real contact by anyone: one seek each.
	healthLastContactSQL = `SELECT a.value, (SELECT max(i.at) FROM interactions i INDEXED BY interactions_touch_at
		WHERE i.team_id = +?1 AND i.account_id = a.value AND i.kind <> 'note')
	FROM json_each(?2) a`

	// The window's real contacts, from the covering index.
	healthRecentSQL = `SELECT i.id, i.account_id, i.user_id, i.kind, i.at
	FROM json_each(?2) a CROSS JOIN interactions i INDEXED BY interactions_touch_at
		ON i.team_id = +?1 AND i.account_id = a.value AND i.kind <> 'note' AND i.at >= +?3 AND i.at <= +?4`

	// The stakeholders named in the window, found from the accounts'
	// stakeholders: a range of the contact index each.
	healthMetSQL = `SELECT ic.interaction_id, ic.contact_id
	FROM json_each(?2) a CROSS JOIN contacts c INDEXED BY contacts_team_account ON c.team_id = +?1 AND c.account_id = a.value
	CROSS JOIN interaction_contacts ic INDEXED BY interaction_contacts_contact
		ON ic.contact_id = c.id AND ic.at >= +?3 AND ic.at <= +?4 AND +ic.team_id = +?1`

	healthContactsSQL = `SELECT ` + contactCols + ` FROM json_each(?2) a CROSS JOIN contacts c INDEXED BY contacts_team_account
		ON c.team_id = +?1 AND c.account_id = a.value ORDER BY c.account_id, c.name COLLATE NOCASE, c.id`
)

// Open opportunities, with only the columns health reads.
var healthOppsSQL = `SELECT o.id, o.account_id, o.name, o.close_date, o.stage, o.stage_since
	FROM json_each(?2) a CROSS JOIN opportunities o INDEXED BY opportunities_account_name ON o.account_id = a.value
	WHERE +o.team_id = +?1 AND o.stage IN ` + openStages + ` ORDER BY o.account_id, o.id`

// healthChunk is how many accounts HealthInputsEach loads at a time: enough
// to keep the per-query overhead small, few enough that a dense window of
// a whole workspace never sits in memory at once.
const healthChunk = 256

// HealthInputs loads everything kam.AssessHealth needs for the accounts,
// which must be the workspace's, in the order given. For many accounts
// prefer HealthInputsEach, which holds only a chunk at a time.
func (db *DB) HealthInputs(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]kam.HealthInput, error) {
	if len(accts) == 0 {
		return nil, nil
	}
	out := make([]kam.HealthInput, 0, len(accts))
	err := db.HealthInputsEach(ctx, teamID, accts, now, func(in kam.HealthInput) error {
		out = append(out, in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HealthInputsEach loads the inputs of the accounts, which must be the
// workspace's, a chunk at a time, and calls fn with each, in the order
// given; an error from fn stops it. Memory is bounded by a chunk of
// accounts whatever the portfolio's size or the density of its history.
func (db *DB) HealthInputsEach(ctx context.Context, teamID string, accts []kam.Account, now time.Time, fn func(kam.HealthInput) error) error {
	for _, a := range accts {
		if a.TeamID != "" && a.TeamID != teamID {
			return fmt.Errorf("health inputs: account %d is not of workspace %s", a.ID, teamID)
		}
	}
	for len(accts) > 0 {
		n := min(len(accts), healthChunk)
		ins, err := db.healthInputs(ctx, teamID, accts[:n], now)
		if err != nil {
			return err
		}
		for _, in := range ins {
			if err := fn(in); err != nil {
				return err
			}
		}
		accts = accts[n:]
	}
	return nil
}

// healthInputs loads one chunk. It runs a fixed number of set-based
// queries whatever the chunk's size — the team with each member's latest
// real contact, each account's latest real contact, the interactions of the
// last kam.RelationshipWindow before now and the stakeholders they named,
// the stakeholder map, the open opportunities, the plans and the surveys'
// NPS summaries — each bounded by the accounts' own rows in the window.
// The queries are independent and run side by side on the read pool, each
// into its own result, merged at the end. Satisfaction is nil for an
// account never surveyed.
func (db *DB) healthInputs(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]kam.HealthInput, error) {
	ids := make([]int64, len(accts))
	idx := make(map[int64]int, len(accts))
	out := make([]kam.HealthInput, len(accts))
	for i, a := range accts {
		ids[i], idx[a.ID] = a.ID, i
		out[i] = kam.HealthInput{Account: a, LastTouch: map[string]time.Time{}}
	}
	list := idList(ids)
	from := now.Add(-kam.RelationshipWindow)

	var (
		members  []kam.Member
		lastSeen []sql.NullInt64 // per member: latest real contact
		last     = map[int64]time.Time{}
		recent   = make([][]kam.Interaction, len(accts)) // by position in accts
		links    = map[int64][]int64{}
		contacts = make([][]kam.Contact, len(accts))
		opps     = make([][]kam.Opportunity, len(accts))
		plans    map[int64]kam.Plan
		sat      map[int64]*kam.NPSSummary
	)
	err := parallel(
		// The team, each member with their latest real contact: one seek each.
		func() error {
			err := db.each(ctx, func(r *sql.Rows) error {
				var m kam.Member
				var role string
				var added int64
				var seen sql.NullInt64
				if err := r.Scan(&m.AccountID, &m.UserID, &role, &m.Function, &added, &seen); err != nil {
					return err
				}
				m.TeamID, m.Role, m.AddedAt = teamID, kam.Role(role), fromMS(added)
				members, lastSeen = append(members, m), append(lastSeen, seen)
				return nil
			}, healthTeamSQL, teamID, list)
			return wrapErr(err, "health inputs: read teams")
		},
		// Each account's latest real contact by anyone: one seek each.
		func() error {
			err := db.each(ctx, func(r *sql.Rows) error {
				var acct int64
				var at sql.NullInt64
				if err := r.Scan(&acct, &at); err != nil {
					return err
				}
				if at.Valid {
					last[acct] = fromMS(at.Int64)
				}
				return nil
			}, healthLastContactSQL, teamID, list)
			return wrapErr(err, "health inputs: read last contacts")
		},
		// The window's real contacts, from the covering index. User IDs and
		// kinds repeat: read them as raw bytes and keep one string each.
		func() error {
			intern := map[string]string{}
			str := func(b sql.RawBytes) string {
				if s, ok := intern[string(b)]; ok {
					return s
				}
				s := string(b)
				intern[s] = s
				return s
			}
			err := db.each(ctx, func(r *sql.Rows) error {
				var in kam.Interaction
				var user, kind sql.RawBytes
				var when int64
				if err := r.Scan(&in.ID, &in.AccountID, &user, &kind, &when); err != nil {
					return err
				}
				in.TeamID, in.UserID, in.Kind, in.At = teamID, str(user), kam.InteractionKind(str(kind)), fromMS(when)
				k := idx[in.AccountID]
				recent[k] = append(recent[k], in)
				return nil
			}, healthRecentSQL, teamID, list, ms(from), ms(now))
			return wrapErr(err, "health inputs: read recent interactions")
		},
		// The stakeholders named in the window.
		func() error {
			err := db.each(ctx, func(r *sql.Rows) error {
				var id, contact int64
				if err := r.Scan(&id, &contact); err != nil {
					return err
				}
				links[id] = append(links[id], contact)
				return nil
			}, healthMetSQL, teamID, list, ms(from), ms(now))
			return wrapErr(err, "health inputs: read stakeholders met")
		},
		func() error {
			err := db.each(ctx, func(r *sql.Rows) error {
				c, err := scanContact(r)
				if err == nil {
					k := idx[c.AccountID]
					contacts[k] = append(contacts[k], c)
				}
				return err
			}, healthContactsSQL, teamID, list)
			return wrapErr(err, "health inputs: read stakeholders")
		},
		// Open opportunities, with only the columns health reads.
		func() error {
			err := db.each(ctx, func(r *sql.Rows) error {
				var o kam.Opportunity
				var closeDate, stage sql.RawBytes
				var since int64
				if err := r.Scan(&o.ID, &o.AccountID, &o.Name, &closeDate, &stage, &since); err != nil {
					return err
				}
				if len(closeDate) > 0 {
					d, err := time.Parse(closeDateLayout, string(closeDate))
					if err != nil {
						return fmt.Errorf("opportunity %d close date: %w", o.ID, err)
					}
					o.CloseDate = d
				}
				st, ok := kam.ParseEnum(string(stage), kam.Stages)
				if !ok {
					return fmt.Errorf("opportunity %d: unknown stage %q", o.ID, stage)
				}
				o.TeamID, o.Stage, o.StageSince = teamID, st, fromMS(since)
				k := idx[o.AccountID]
				opps[k] = append(opps[k], o)
				return nil
			}, healthOppsSQL, teamID, list)
			return wrapErr(err, "health inputs: read open opportunities")
		},
		func() (err error) {
			plans, err = db.plans(ctx, teamID, ids)
			return wrapErr(err, "health inputs")
		},
		// Satisfaction comes from the surveys (store/surveys.go).
		func() (err error) {
			sat, err = db.NPSSummaries(ctx, teamID, ids, now)
			return wrapErr(err, "health inputs")
		},
	)
	if err != nil {
		return nil, err
	}

	for i, m := range members {
		in := &out[idx[m.AccountID]]
		in.Members = append(in.Members, m)
		if lastSeen[i].Valid {
			in.LastTouch[m.UserID] = fromMS(lastSeen[i].Int64)
		}
	}
	for i := range out {
		for j := range recent[i] {
			recent[i][j].Contacts = links[recent[i][j].ID]
		}
		out[i].Recent, out[i].Contacts, out[i].Opportunities = recent[i], contacts[i], opps[i]
		id := out[i].Account.ID
		out[i].LastContact = last[id]
		out[i].Plan = plans[id]
		out[i].Plan.AccountID = id
		out[i].Satisfaction = sat[id]
	}
	return out, nil
}
