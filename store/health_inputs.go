package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
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

	// Each person's real contacts in the window, counted from the covering
	// index: one range each.
	healthWindowSQL = `SELECT i.account_id, i.user_id, count(*)
	FROM json_each(?2) a CROSS JOIN interactions i INDEXED BY interactions_touch_at
		ON i.team_id = +?1 AND i.account_id = a.value AND i.kind <> 'note' AND i.at >= +?3 AND i.at <= +?4
	GROUP BY i.account_id, i.user_id`

	// The stakeholders each person named in the window's real contacts,
	// found from the accounts' stakeholders: a range of the covering link
	// index each (who logged the link and its kind are copied onto it).
	healthMetSQL = `SELECT c.account_id, ic.user_id, ic.contact_id
	FROM json_each(?2) a CROSS JOIN contacts c INDEXED BY contacts_team_account ON c.team_id = +?1 AND c.account_id = a.value
	CROSS JOIN interaction_contacts ic INDEXED BY interaction_contacts_contact
		ON ic.contact_id = c.id AND ic.at >= +?3 AND ic.at <= +?4 AND ic.kind <> 'note'
	GROUP BY c.account_id, ic.user_id, ic.contact_id`

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
	// The survey-overdue alert follows the workspace's survey cadence.
	every, err := db.surveyEvery(ctx, teamID)
	if err != nil {
		return err
	}
	for len(accts) > 0 {
		n := min(len(accts), healthChunk)
		ins, err := db.healthInputs(ctx, teamID, accts[:n], now)
		if err != nil {
			return err
		}
		for _, in := range ins {
			in.SurveyEvery = every
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
// real contact, each account's latest real contact, the real contacts of
// the last kam.RelationshipWindow before now counted per person with the
// stakeholders each named (aggregated in SQL: a dense window costs rows
// per person, not per interaction), the stakeholder map, the open
// opportunities, the plans and the surveys' NPS summaries — each bounded by the accounts' own rows in the window.
// The queries are independent and run side by side on the read pool, each
// into its own result, merged at the end. Satisfaction is nil for an
// account never surveyed.
func (db *DB) healthInputs(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]kam.HealthInput, error) {
	l := newHealthLoad(db, teamID, accts, now)
	err := parallel(
		func() error { return l.readTeams(ctx) },
		func() error { return l.readLastContacts(ctx) },
		func() error { return l.readWindow(ctx) },
		func() error { return l.readContacts(ctx) },
		func() error { return l.readOpportunities(ctx) },
		func() (err error) {
			l.plans, err = db.plans(ctx, teamID, l.ids)
			return wrapErr(err, "health inputs")
		},
		// Satisfaction comes from the surveys (store/surveys.go).
		func() (err error) {
			l.sat, err = db.NPSSummaries(ctx, teamID, l.ids, now)
			return wrapErr(err, "health inputs")
		},
	)
	if err != nil {
		return nil, err
	}
	return l.merge(), nil
}

// healthLoad is one healthInputs call: the accounts, and what each of its
// side-by-side queries read, each into its own field.
type healthLoad struct {
	db        *DB
	team      string
	now, from time.Time
	ids       []int64
	idx       map[int64]int // position in accts by account ID
	list      string        // ids as an SQL list
	out       []kam.HealthInput

	members  []kam.Member
	lastSeen []sql.NullInt64 // per member: latest real contact
	last     map[int64]time.Time
	window   []map[string]*kam.Touches // by position in accts, then user
	contacts [][]kam.Contact
	opps     [][]kam.Opportunity
	plans    map[int64]kam.Plan
	sat      map[int64]*kam.NPSSummary
}

func newHealthLoad(db *DB, teamID string, accts []kam.Account, now time.Time) *healthLoad {
	l := &healthLoad{db: db, team: teamID, now: now, from: now.Add(-kam.RelationshipWindow),
		ids: make([]int64, len(accts)), idx: make(map[int64]int, len(accts)), out: make([]kam.HealthInput, len(accts)),
		last: map[int64]time.Time{}, window: make([]map[string]*kam.Touches, len(accts)),
		contacts: make([][]kam.Contact, len(accts)), opps: make([][]kam.Opportunity, len(accts))}
	for i, a := range accts {
		l.ids[i], l.idx[a.ID] = a.ID, i
		l.out[i] = kam.HealthInput{Account: a, LastTouch: map[string]time.Time{}}
	}
	l.list = idList(l.ids)
	return l
}

// readTeams reads the team, each member with their latest real contact:
// one seek each.
func (l *healthLoad) readTeams(ctx context.Context) error {
	err := l.db.each(ctx, func(r *sql.Rows) error {
		var m kam.Member
		var role string
		var added int64
		var seen sql.NullInt64
		if err := r.Scan(&m.AccountID, &m.UserID, &role, &m.Function, &added, &seen); err != nil {
			return err
		}
		m.TeamID, m.Role, m.AddedAt = l.team, kam.Role(role), fromMS(added)
		l.members, l.lastSeen = append(l.members, m), append(l.lastSeen, seen)
		return nil
	}, healthTeamSQL, l.team, l.list)
	return wrapErr(err, "health inputs: read teams")
}

// readLastContacts reads each account's latest real contact by anyone:
// one seek each.
func (l *healthLoad) readLastContacts(ctx context.Context) error {
	err := l.db.each(ctx, func(r *sql.Rows) error {
		var acct int64
		var at sql.NullInt64
		if err := r.Scan(&acct, &at); err != nil {
			return err
		}
		if at.Valid {
			l.last[acct] = fromMS(at.Int64)
		}
		return nil
	}, healthLastContactSQL, l.team, l.list)
	return wrapErr(err, "health inputs: read last contacts")
}

// readWindow counts each person's real contacts in the window and reads
// the stakeholders they named. The two queries run one after the other:
// both fill the same per-person records.
func (l *healthLoad) readWindow(ctx context.Context) error {
	touches := func(acct int64, user string) *kam.Touches {
		k, ok := l.idx[acct]
		if !ok {
			return nil
		}
		if l.window[k] == nil {
			l.window[k] = map[string]*kam.Touches{}
		}
		t := l.window[k][user]
		if t == nil {
			t = &kam.Touches{UserID: user}
			l.window[k][user] = t
		}
		return t
	}
	err := l.db.each(ctx, func(r *sql.Rows) error {
		var acct int64
		var user string
		var n int
		if err := r.Scan(&acct, &user, &n); err != nil {
			return err
		}
		if t := touches(acct, user); t != nil {
			t.Count = n
		}
		return nil
	}, healthWindowSQL, l.team, l.list, ms(l.from), ms(l.now))
	if err != nil {
		return wrapErr(err, "health inputs: count the window's contacts")
	}
	err = l.db.each(ctx, func(r *sql.Rows) error {
		var acct, contact int64
		var user string
		if err := r.Scan(&acct, &user, &contact); err != nil {
			return err
		}
		if t := touches(acct, user); t != nil {
			t.Met = append(t.Met, contact)
		}
		return nil
	}, healthMetSQL, l.team, l.list, ms(l.from), ms(l.now))
	return wrapErr(err, "health inputs: read stakeholders met")
}

// readContacts reads the stakeholder maps.
func (l *healthLoad) readContacts(ctx context.Context) error {
	err := l.db.each(ctx, func(r *sql.Rows) error {
		c, err := scanContact(r)
		if err == nil {
			k := l.idx[c.AccountID]
			l.contacts[k] = append(l.contacts[k], c)
		}
		return err
	}, healthContactsSQL, l.team, l.list)
	return wrapErr(err, "health inputs: read stakeholders")
}

// readOpportunities reads the open opportunities, with only the columns
// health reads.
func (l *healthLoad) readOpportunities(ctx context.Context) error {
	err := l.db.each(ctx, func(r *sql.Rows) error {
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
		o.TeamID, o.Stage, o.StageSince = l.team, st, fromMS(since)
		k := l.idx[o.AccountID]
		l.opps[k] = append(l.opps[k], o)
		return nil
	}, healthOppsSQL, l.team, l.list)
	return wrapErr(err, "health inputs: read open opportunities")
}

// merge puts what the queries read into each account's input.
func (l *healthLoad) merge() []kam.HealthInput {
	out := l.out
	for i, m := range l.members {
		in := &out[l.idx[m.AccountID]]
		in.Members = append(in.Members, m)
		if l.lastSeen[i].Valid {
			in.LastTouch[m.UserID] = fromMS(l.lastSeen[i].Int64)
		}
	}
	for i := range out {
		out[i].Window = touchesByUser(l.window[i])
		out[i].Contacts, out[i].Opportunities = l.contacts[i], l.opps[i]
		id := out[i].Account.ID
		out[i].LastContact = l.last[id]
		out[i].Plan = l.plans[id]
		out[i].Plan.AccountID = id
		out[i].Satisfaction = l.sat[id]
	}
	return out
}

// touchesByUser lists an account's window of contact by user. Every person
// counted has at least one contact: a link of a note-only person cannot
// occur, as both queries leave notes out.
func touchesByUser(m map[string]*kam.Touches) []kam.Touches {
	if len(m) == 0 {
		return nil
	}
	out := make([]kam.Touches, 0, len(m))
	for _, t := range m {
		slices.Sort(t.Met)
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b kam.Touches) int { return strings.Compare(a.UserID, b.UserID) })
	return out
}
