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

	// Each person's real contacts in the window, counted from the covering
	// index: one range each.
	healthWindowSQL = `SELECT i.account_id, i.user_id, count(*), min(i.at)
	FROM json_each(?2) a CROSS JOIN interactions i INDEXED BY interactions_touch_at
		ON i.team_id = +?1 AND i.account_id = a.value AND i.kind <> 'note' AND i.at >= +?3 AND i.at <= +?4
	GROUP BY i.account_id, i.user_id`

	// The stakeholders each person named in the window's real contacts,
	// found from the accounts' stakeholders: a range of the covering link
	// index each (who logged the link and its kind are copied onto it).
	healthMetSQL = `SELECT c.account_id, ic.user_id, ic.contact_id, min(ic.at)
	FROM json_each(?2) a CROSS JOIN contacts c INDEXED BY contacts_team_account ON c.team_id = +?1 AND c.account_id = a.value
	CROSS JOIN interaction_contacts ic INDEXED BY interaction_contacts_contact
		ON ic.contact_id = c.id AND ic.at >= +?3 AND ic.at <= +?4 AND ic.kind <> 'note'
	GROUP BY c.account_id, ic.user_id, ic.contact_id`

	// Each account's latest real contact by anyone, and what bounds how
	// long a load stays true with no write: the first real contact dated
	// after now (it enters the window), the first survey sent after now,
	// and the first answer of each NPS period — the one before, the last
	// and after now — each moving on when its period ends. One seek each:
	// the ranges after now are empty but for contacts logged ahead, and the
	// latest contact and the first one ahead are found on the same index
	// page. The first stakeholder link dated after now comes with the
	// stakeholders (healthContactsSQL). ?3 is now, ?4 now less two NPS
	// periods and ?5 now less one.
	healthBoundsSQL = `SELECT a.value,
	(SELECT max(i.at) FROM interactions i INDEXED BY interactions_touch_at
		WHERE i.team_id = +?1 AND i.account_id = a.value AND i.kind <> 'note'),
	(SELECT min(i.at) FROM interactions i INDEXED BY interactions_touch_at
		WHERE i.team_id = +?1 AND i.account_id = a.value AND i.kind <> 'note' AND i.at > +?3),
	(SELECT min(s.sent_at) FROM surveys s INDEXED BY surveys_account
		WHERE s.team_id = +?1 AND s.account_id = a.value AND s.sent_at > +?3),
	(SELECT min(r.at) FROM survey_responses r INDEXED BY survey_responses_account_cover
		WHERE r.account_id = a.value AND r.at > +?4 AND r.at <= +?5 AND +r.team_id = +?1),
	(SELECT min(r.at) FROM survey_responses r INDEXED BY survey_responses_account_cover
		WHERE r.account_id = a.value AND r.at > +?5 AND r.at <= +?3 AND +r.team_id = +?1),
	(SELECT min(r.at) FROM survey_responses r INDEXED BY survey_responses_account_cover
		WHERE r.account_id = a.value AND r.at > +?3 AND +r.team_id = +?1)
	FROM json_each(?2) a`

	// The stakeholder maps, each stakeholder with the first real contact
	// that named them dated after now (?3), which bounds the load as it
	// enters the window: one seek each, on the index page that gives
	// their latest contact.
	healthContactsSQL = `SELECT ` + contactCols + `,
	(SELECT min(ic.at) FROM interaction_contacts ic INDEXED BY interaction_contacts_contact
		WHERE ic.contact_id = c.id AND ic.at > +?3 AND ic.kind <> 'note')
	FROM json_each(?2) a CROSS JOIN contacts c INDEXED BY contacts_team_account
		ON c.team_id = +?1 AND c.account_id = a.value ORDER BY c.account_id, c.name COLLATE NOCASE, c.id`
)

// Open opportunities, with the columns health reads and their value, which
// the Home sums into each account's open pipeline: it needs no query of its
// own.
var healthOppsSQL = `SELECT o.id, o.account_id, o.name, o.value, o.close_date, o.stage, o.stage_since
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
// Inputs unchanged since they were last loaded come from memory (see
// healthCache); fn may keep or change what it is given.
func (db *DB) HealthInputsEach(ctx context.Context, teamID string, accts []kam.Account, now time.Time, fn func(kam.HealthInput) error) error {
	for _, a := range accts {
		if a.TeamID != "" && a.TeamID != teamID {
			return fmt.Errorf("health inputs: account %d is not of workspace %s", a.ID, teamID)
		}
	}
	if len(accts) == 0 {
		return nil
	}
	// The survey-overdue alert follows the workspace's survey cadence.
	every, err := db.surveyEvery(ctx, teamID)
	if err != nil {
		return err
	}
	// The next chunk loads while fn works through this one, so that on a
	// large portfolio reading and assessing overlap; fn is still called in
	// order, from this goroutine, and at most two chunks are held at once.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := func() <-chan healthChunkResult {
		n := min(len(accts), healthChunk)
		part := accts[:n]
		accts = accts[n:]
		ch := make(chan healthChunkResult, 1)
		go func() {
			items, err := db.healthChunk(ctx, teamID, part, now)
			ch <- healthChunkResult{items, err}
		}()
		return ch
	}
	pending := next()
	for pending != nil {
		r := <-pending
		if r.err != nil {
			return r.err
		}
		pending = nil
		if len(accts) > 0 {
			pending = next()
		}
		for i := range r.items {
			// Let go of each input once fn has it: the chunk's inputs
			// are not held until its last is done with.
			it := r.items[i]
			r.items[i] = healthItem{}
			in, err := db.healthInput(ctx, teamID, it, now)
			if err != nil {
				return err
			}
			in.SurveyEvery = every
			if err := fn(in); err != nil {
				return err
			}
		}
	}
	return nil
}

// healthChunkResult is one chunk loaded ahead by HealthInputsEach.
type healthChunkResult struct {
	items []healthItem
	err   error
}

// healthItem is one account's inputs in a chunk: as loaded, or the bytes
// of the entry kept, decoded only when their turn comes, so that a chunk
// loaded ahead from memory holds its inputs encoded.
type healthItem struct {
	in   kam.HealthInput // its Account alone when data is set
	data []byte
}

// healthInput is the inputs of it, decoded if need be; an entry that
// does not decode (it cannot happen: it was encoded here) is loaded again.
func (db *DB) healthInput(ctx context.Context, teamID string, it healthItem, now time.Time) (kam.HealthInput, error) {
	if it.data == nil {
		return it.in, nil
	}
	if in, ok := decodeEntry(it.data, it.in.Account); ok {
		return in, nil
	}
	ins, _, err := db.healthInputs(ctx, teamID, []kam.Account{it.in.Account}, now)
	if err != nil {
		return kam.HealthInput{}, err
	}
	return ins[0], nil
}

// healthChunk serves one chunk: the change counters first, then the
// entries kept under the same counters and still good at now, and the
// rest loaded and kept. The counters are read before the load, so a write
// racing it can only make the entry look older than it is (and be loaded
// again), never newer.
func (db *DB) healthChunk(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]healthItem, error) {
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	revs, err := db.healthRevs(ctx, ids)
	if err != nil {
		return nil, err
	}
	nowMS := ms(now)
	out := make([]healthItem, len(accts))
	var miss []kam.Account
	var at []int // position in out of each miss
	for i, a := range accts {
		if data, ok := db.health.encoded(teamID, a.ID, revs[a.ID], nowMS); ok {
			out[i] = healthItem{in: kam.HealthInput{Account: a}, data: data}
		} else {
			miss, at = append(miss, a), append(at, i)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	ins, until, err := db.healthInputs(ctx, teamID, miss, now)
	if err != nil {
		return nil, err
	}
	db.health.loads.Add(int64(len(miss)))
	for j, in := range ins {
		db.health.put(teamID, revs[in.Account.ID], nowMS, until[j], in)
		out[at[j]] = healthItem{in: in}
	}
	return out, nil
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
// account never surveyed. It also returns, for each account, until when
// (unix ms, exclusive) the inputs stay what they are if nothing is written.
func (db *DB) healthInputs(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]kam.HealthInput, []int64, error) {
	l := newHealthLoad(db, teamID, accts, now)
	err := parallel(
		func() error { return l.readTeams(ctx) },
		func() error { return l.readWindow(ctx) },
		func() error { return l.readBounds(ctx) },
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
		return nil, nil, err
	}
	return l.merge(), l.until(), nil
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

	// Until when (unix ms, exclusive) each account's inputs hold with no
	// write, by position: as the window's contacts leave it, as the other
	// now-dependent parts change (readBounds) and as a stakeholder link
	// dated after now enters the window (readContacts).
	windowUntil, boundUntil, linkUntil []int64
}

func newHealthLoad(db *DB, teamID string, accts []kam.Account, now time.Time) *healthLoad {
	l := &healthLoad{db: db, team: teamID, now: now, from: now.Add(-kam.RelationshipWindow),
		ids: make([]int64, len(accts)), idx: make(map[int64]int, len(accts)), out: make([]kam.HealthInput, len(accts)),
		last: map[int64]time.Time{}, window: make([]map[string]*kam.Touches, len(accts)),
		contacts: make([][]kam.Contact, len(accts)), opps: make([][]kam.Opportunity, len(accts)),
		windowUntil: make([]int64, len(accts)), boundUntil: make([]int64, len(accts)), linkUntil: make([]int64, len(accts))}
	for i, a := range accts {
		l.windowUntil[i], l.boundUntil[i], l.linkUntil[i] = never, never, never
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
		var acct, first int64
		var user string
		var n int
		if err := r.Scan(&acct, &user, &n, &first); err != nil {
			return err
		}
		if t := touches(acct, user); t != nil {
			t.Count = n
			l.leaves(acct, first)
		}
		return nil
	}, healthWindowSQL, l.team, l.list, ms(l.from), ms(l.now))
	if err != nil {
		return wrapErr(err, "health inputs: count the window's contacts")
	}
	err = l.db.each(ctx, func(r *sql.Rows) error {
		var acct, contact, first int64
		var user string
		if err := r.Scan(&acct, &user, &contact, &first); err != nil {
			return err
		}
		if t := touches(acct, user); t != nil {
			t.Met = append(t.Met, contact)
			l.leaves(acct, first)
		}
		return nil
	}, healthMetSQL, l.team, l.list, ms(l.from), ms(l.now))
	return wrapErr(err, "health inputs: read stakeholders met")
}

// leaves notes that a row of the window dated at (unix ms) leaves it once
// now passes at + the window: the window is at >= now - window.
func (l *healthLoad) leaves(acct, at int64) {
	k := l.idx[acct]
	l.windowUntil[k] = min(l.windowUntil[k], at+kam.RelationshipWindow.Milliseconds()+1)
}

// readBounds reads each account's latest real contact by anyone, and
// until when the parts that depend on now stay as they are with no write:
// a row dated after now enters the window, the surveyed accounts or the
// last NPS period when now reaches its date; an answer of the last NPS
// period moves to the one before, and an answer of that one out, one
// period later (npsCountsSQL). Stakeholder links dated after now are
// read with the stakeholders (readContacts).
func (l *healthLoad) readBounds(ctx context.Context) error {
	nowMS, period := ms(l.now), kam.NPSPeriod.Milliseconds()
	err := l.db.each(ctx, func(r *sql.Rows) error {
		var acct int64
		var last, contact, survey, previous, current, answer sql.NullInt64
		if err := r.Scan(&acct, &last, &contact, &survey, &previous, &current, &answer); err != nil {
			return err
		}
		if last.Valid {
			l.last[acct] = fromMS(last.Int64)
		}
		until := int64(never)
		for _, b := range []struct {
			at    sql.NullInt64
			after int64
		}{{contact, 0}, {survey, 0}, {previous, 2 * period}, {current, period}, {answer, 0}} {
			if b.at.Valid {
				until = min(until, b.at.Int64+b.after)
			}
		}
		if k, ok := l.idx[acct]; ok {
			l.boundUntil[k] = until
		}
		return nil
	}, healthBoundsSQL, l.team, l.list, nowMS, nowMS-2*period, nowMS-period)
	return wrapErr(err, "health inputs: read bounds")
}

// until is, by position, until when (unix ms, exclusive) each account's
// inputs hold with no write.
func (l *healthLoad) until() []int64 {
	out := make([]int64, len(l.windowUntil))
	for i := range out {
		out[i] = min(l.windowUntil[i], l.boundUntil[i], l.linkUntil[i])
	}
	return out
}

// readContacts reads the stakeholder maps, and until when no stakeholder
// link dated after now enters the window.
func (l *healthLoad) readContacts(ctx context.Context) error {
	var ahead sql.NullInt64 // the stakeholder's first link dated after now
	err := l.db.each(ctx, func(r *sql.Rows) error {
		c, err := scanContact(r, &ahead)
		if err == nil {
			k := l.idx[c.AccountID]
			l.contacts[k] = append(l.contacts[k], c)
			if ahead.Valid {
				l.linkUntil[k] = min(l.linkUntil[k], ahead.Int64)
			}
		}
		return err
	}, healthContactsSQL, l.team, l.list, ms(l.now))
	return wrapErr(err, "health inputs: read stakeholders")
}

// readOpportunities reads the open opportunities, with the columns health
// reads and their value.
func (l *healthLoad) readOpportunities(ctx context.Context) error {
	err := l.db.each(ctx, func(r *sql.Rows) error {
		var o kam.Opportunity
		var closeDate, stage sql.RawBytes
		var since int64
		if err := r.Scan(&o.ID, &o.AccountID, &o.Name, &o.Value, &closeDate, &stage, &since); err != nil {
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
