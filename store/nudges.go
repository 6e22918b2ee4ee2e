package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// Audit actions written by the nudge store.
const (
	ActionNudgeHandle   = "nudge.handle"
	ActionNudgeUnhandle = "nudge.unhandle"
	ActionNudgeSnooze   = "nudge.snooze"
	ActionNudgeSettings = "nudge.settings"
)

// ---- Job runs ---------------------------------------------------------------

const jobRunCols = `job, covered_until, finished_at, failed_at, last_error`

func scanJobRun(r rowSource) (kam.JobRun, error) {
	var j kam.JobRun
	var covered, fin, failed int64
	if err := r.Scan(&j.Job, &covered, &fin, &failed, &j.LastError); err != nil {
		return kam.JobRun{}, err
	}
	j.CoveredUntil, j.FinishedAt, j.FailedAt = fromMS(covered), optMS(fin), optMS(failed)
	return j, nil
}

// JobRun returns a job's run record; ok is false when the job never ran
// and no baseline was recorded.
func (db *DB) JobRun(ctx context.Context, job string) (run kam.JobRun, ok bool, err error) {
	run, err = scanJobRun(db.read.QueryRowContext(ctx, `SELECT `+jobRunCols+` FROM job_runs WHERE job = ?`, job))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.JobRun{}, false, nil
	} else if err != nil {
		return kam.JobRun{}, false, fmt.Errorf("read run of job %s: %w", job, err)
	}
	return run, true, nil
}

// JobRuns returns every job's run record, by job name.
func (db *DB) JobRuns(ctx context.Context) ([]kam.JobRun, error) {
	var out []kam.JobRun
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		j, err := scanJobRun(r)
		out = append(out, j)
		return err
	}, `SELECT `+jobRunCols+` FROM job_runs ORDER BY job`)
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	return out, nil
}

// JobCoveredUntil returns the time up to which the job's schedule was
// served. A job without a record gets at as its baseline, so that a fresh
// install does not replay schedules from before it existed.
func (db *DB) JobCoveredUntil(ctx context.Context, job string, at time.Time) (time.Time, error) {
	if job == "" {
		return time.Time{}, errors.New("job clock: empty job name")
	}
	var covered int64
	err := db.read.QueryRowContext(ctx, `SELECT covered_until FROM job_runs WHERE job = ?`, job).Scan(&covered)
	if err == nil {
		return fromMS(covered), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("read clock of job %s: %w", job, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, covered_until) VALUES (?, ?) ON CONFLICT (job) DO NOTHING`,
			job, ms(at)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT covered_until FROM job_runs WHERE job = ?`, job).Scan(&covered)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("start clock of job %s: %w", job, err)
	}
	return fromMS(covered), nil
}

// RecordJobRun records that a run which started at covered completed at
// finished, and clears the failure: every scheduled time up to covered is
// served. An earlier time never moves the record back.
func (db *DB) RecordJobRun(ctx context.Context, job string, covered, finished time.Time) error {
	if job == "" {
		return errors.New("record job run: empty job name")
	}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, covered_until, finished_at) VALUES (?1, ?2, ?3)
			ON CONFLICT (job) DO UPDATE SET covered_until = max(covered_until, excluded.covered_until),
				finished_at = excluded.finished_at, failed_at = 0, last_error = ''`,
			job, ms(covered), ms(finished))
		return err
	})
	if err != nil {
		return fmt.Errorf("record run of job %s: %w", job, err)
	}
	return nil
}

// RecordJobFailure records that a run of the job failed at the given time,
// and why; what the job covered stays, so the run is retried.
func (db *DB) RecordJobFailure(ctx context.Context, job string, at time.Time, reason string) error {
	if job == "" {
		return errors.New("record job failure: empty job name")
	}
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, covered_until, failed_at, last_error) VALUES (?1, 0, ?2, ?3)
			ON CONFLICT (job) DO UPDATE SET failed_at = excluded.failed_at, last_error = excluded.last_error`,
			job, ms(at), reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("record failure of job %s: %w", job, err)
	}
	return nil
}

// ---- Queued nudges -------------------------------------------------------------

// maxNudgeBatch bounds the messages QueueNudges takes at once: the write
// connection is shared with every command, so transactions stay short.
const maxNudgeBatch = 1000

// QueueNudges records each nudge and queues its message in the outbox under
// the same key, in one transaction: a nudge is recorded if and only if its
// message is queued. A key already recorded is skipped (its message was
// queued before), as is a nudge on an account the workspace no longer has.
// It returns the indexes in msgs of the nudges queued now. Every message is
// checked first; one that is invalid fails the call and nothing is queued.
func (db *DB) QueueNudges(ctx context.Context, msgs []kam.NudgeMessage) (queued []int, err error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	if len(msgs) > maxNudgeBatch {
		return nil, fmt.Errorf("queue nudges: %d messages in one batch; the limit is %d", len(msgs), maxNudgeBatch)
	}
	out := make([]kam.OutboxMessage, len(msgs))
	for i, m := range msgs {
		if err := m.Key.Validate(); err != nil {
			return nil, fmt.Errorf("queue nudges: %w", err)
		}
		o := kam.OutboxMessage{TeamID: m.TeamID, Key: m.Key.String(), Channel: m.Key.Recipient, Text: m.Text,
			Blocks: m.Blocks, Metadata: m.Metadata}
		if err := checkOutboxMessage(&o); err != nil {
			return nil, fmt.Errorf("queue nudge %s: %w", o.Key, err)
		}
		out[i] = o
	}
	// The statements are prepared once and bound to the transaction: a
	// first sweep queues thousands of messages in a few transactions.
	ins, err := db.stmt(ctx, db.write, `INSERT INTO nudges (team_id, key, account_id, kind, item, recipient, period, round, queued_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?3 AND team_id = ?1)
		ON CONFLICT (team_id, key) DO NOTHING`)
	if err != nil {
		return nil, fmt.Errorf("queue nudges: %w", err)
	}
	outIns, err := db.stmt(ctx, db.write, enqueueOutboxSQL)
	if err != nil {
		return nil, fmt.Errorf("queue nudges: %w", err)
	}
	outSel, err := db.stmt(ctx, db.write, outboxIDByKeySQL)
	if err != nil {
		return nil, fmt.Errorf("queue nudges: %w", err)
	}
	now := db.now()
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		st, oi, os := tx.StmtContext(ctx, ins), tx.StmtContext(ctx, outIns), tx.StmtContext(ctx, outSel)
		queued = queued[:0]
		for i, m := range msgs {
			k := m.Key
			res, err := st.ExecContext(ctx, m.TeamID, out[i].Key, k.AccountID, string(k.Kind), k.Item, k.Recipient,
				k.Period, k.Round, ms(now))
			if err != nil {
				return fmt.Errorf("record nudge %s: %w", out[i].Key, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("record nudge %s: %w", out[i].Key, err)
			}
			if n == 0 {
				continue
			}
			if _, _, err := enqueueOutbox(ctx, oi, os, out[i], now); err != nil {
				return fmt.Errorf("enqueue nudge %s: %w", out[i].Key, err)
			}
			queued = append(queued, i)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue nudges: %w", err)
	}
	return queued, nil
}

// QueuedNudgeKeys returns which of the keys the workspace has queued.
func (db *DB) QueuedNudgeKeys(ctx context.Context, teamID string, keys []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(keys) == 0 {
		return out, nil
	}
	list, err := jsonList(keys)
	if err != nil {
		return nil, fmt.Errorf("look up queued nudges: %w", err)
	}
	err = eachRow(ctx, db.read, func(r *sql.Rows) error {
		var k string
		if err := r.Scan(&k); err != nil {
			return err
		}
		out[k] = true
		return nil
	}, `SELECT key FROM nudges WHERE team_id = ? AND key IN (SELECT value FROM json_each(?))`, teamID, list)
	if err != nil {
		return nil, fmt.Errorf("look up queued nudges: %w", err)
	}
	return out, nil
}

// NudgeRecord returns the workspace's queued nudge with the key; ENOTFOUND
// when there is none (never sent, or pruned).
func (db *DB) NudgeRecord(ctx context.Context, teamID, key string) (kam.NudgeRecord, error) {
	var r kam.NudgeRecord
	var k string
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT id, team_id, key, queued_at FROM nudges WHERE team_id = ? AND key = ?`,
		teamID, key).Scan(&r.ID, &r.TeamID, &k, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return kam.NudgeRecord{}, kam.ErrNotFound(kam.EntityNudge)
	} else if err != nil {
		return kam.NudgeRecord{}, fmt.Errorf("read nudge %s: %w", key, err)
	}
	if r.Key, err = kam.ParseNudgeKey(k); err != nil {
		return kam.NudgeRecord{}, fmt.Errorf("read nudge %s: %w", key, err)
	}
	r.QueuedAt = fromMS(at)
	return r, nil
}

// PruneNudges forgets the nudges queued before the given time and the marks
// last touched before it, and returns how many rows it deleted. The
// retention must outlast the longest nudge period, or a nudge could be
// queued again within its period.
func (db *DB) PruneNudges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM nudges WHERE queued_at < ?`, ms(before))
		if err != nil {
			return err
		}
		a, err := res.RowsAffected()
		if err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM nudge_marks WHERE max(handled_at, snoozed_at, snoozed_until) < ?`, ms(before))
		if err != nil {
			return err
		}
		b, err := res.RowsAffected()
		n = a + b
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune nudges: %w", err)
	}
	return n, nil
}

// ---- Marks ----------------------------------------------------------------------

const markCols = `team_id, account_id, kind, item, period, handled_by, handled_how, handled_at, snoozed_by, snoozed_at, snoozed_until`

func scanMark(r rowSource) (kam.NudgeMark, error) {
	var m kam.NudgeMark
	var kind string
	var handled, snoozed, until int64
	if err := r.Scan(&m.TeamID, &m.AccountID, &kind, &m.Item, &m.Period, &m.HandledBy, &m.HandledHow, &handled,
		&m.SnoozedBy, &snoozed, &until); err != nil {
		return kam.NudgeMark{}, err
	}
	m.Kind = kam.NudgeKind(kind)
	m.HandledAt, m.SnoozedAt, m.SnoozedUntil = optMS(handled), optMS(snoozed), optMS(until)
	return m, nil
}

// NudgeMarks returns every mark on the accounts, in no particular order.
func (db *DB) NudgeMarks(ctx context.Context, teamID string, accountIDs []int64) ([]kam.NudgeMark, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	var out []kam.NudgeMark
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		m, err := scanMark(r)
		out = append(out, m)
		return err
	}, `SELECT `+markCols+` FROM nudge_marks WHERE team_id = ? AND account_id IN (SELECT value FROM json_each(?))`,
		teamID, idList(accountIDs))
	if err != nil {
		return nil, fmt.Errorf("read nudge marks: %w", err)
	}
	return out, nil
}

// NudgeMark returns the mark on one topic; a mark with only the topic set
// when nobody acted on it.
func (db *DB) NudgeMark(ctx context.Context, teamID string, t kam.NudgeTopic) (kam.NudgeMark, error) {
	m, err := markQ(ctx, db.read.QueryRowContext, teamID, t)
	if err != nil {
		return kam.NudgeMark{}, fmt.Errorf("read nudge mark %s: %w", t.KindItem(), err)
	}
	return m, nil
}

func markQ(ctx context.Context, q func(ctx context.Context, query string, args ...any) *sql.Row, teamID string, t kam.NudgeTopic) (kam.NudgeMark, error) {
	m, err := scanMark(q(ctx, `SELECT `+markCols+` FROM nudge_marks
		WHERE team_id = ? AND account_id = ? AND kind = ? AND item = ? AND period = ?`,
		teamID, t.AccountID, string(t.Kind), t.Item, t.Period))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.NudgeMark{TeamID: teamID, NudgeTopic: t}, nil
	}
	return m, err
}

// The conflicts of HandleNudge and SnoozeNudge; IsNudgeHandled and
// IsNudgeSnoozed tell them apart.
var (
	errNudgeHandled = kam.ErrNudgeHandled
	errNudgeSnoozed = kam.ErrNudgeSnoozed
)

// IsNudgeHandled reports whether err is HandleNudge's or SnoozeNudge's
// "already handled" conflict.
func IsNudgeHandled(err error) bool { return errors.Is(err, errNudgeHandled) }

// IsNudgeSnoozed reports whether err is SnoozeNudge's "already snoozed"
// conflict.
func IsNudgeSnoozed(err error) bool { return errors.Is(err, errNudgeSnoozed) }

// HandleNudge marks a topic handled by the actor (how is kam.HowReviewed
// or kam.HowLogged) and returns the mark. When the topic was already
// handled nothing changes: the existing mark is returned with an ECONFLICT
// error (IsNudgeHandled). ENOTFOUND when the account is not the workspace's.
func (db *DB) HandleNudge(ctx context.Context, teamID string, t kam.NudgeTopic, how, actor string) (kam.NudgeMark, error) {
	if err := checkActor(actor); err != nil {
		return kam.NudgeMark{}, err
	}
	if err := t.Validate(); err != nil {
		return kam.NudgeMark{}, fmt.Errorf("handle nudge: %w", err)
	}
	if how != kam.HowReviewed && how != kam.HowLogged {
		return kam.NudgeMark{}, fmt.Errorf("handle nudge: unknown way %q", how)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.NudgeMark{}, fmt.Errorf("handle nudge %s: %w", t.KindItem(), err)
	}
	var m kam.NudgeMark
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = markQ(ctx, tx.QueryRowContext, teamID, t); err != nil {
			return err
		}
		if m.Handled() {
			return errNudgeHandled
		}
		if _, err := accountTx(ctx, tx, teamID, t.AccountID); err != nil {
			return err
		}
		m.HandledBy, m.HandledHow, m.HandledAt = actor, how, db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO nudge_marks (team_id, account_id, kind, item, period, handled_by, handled_how, handled_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id, account_id, kind, item, period) DO UPDATE SET handled_by = excluded.handled_by,
				handled_how = excluded.handled_how, handled_at = excluded.handled_at`,
			teamID, t.AccountID, string(t.Kind), t.Item, t.Period, actor, how, ms(m.HandledAt)); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionNudgeHandle, auditEntity("account", t.AccountID),
			markDetail(t, map[string]any{"how": how}), m.HandledAt)
	})
	if errors.Is(err, errNudgeHandled) {
		return m, err
	}
	if err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return kam.NudgeMark{}, err
		}
		return kam.NudgeMark{}, fmt.Errorf("handle nudge %s on account %d: %w", t.KindItem(), t.AccountID, err)
	}
	return m, nil
}

// UnhandleNudge takes back the mark a HandleNudge call made (the same actor
// and time) when the work it stood for failed; a mark anyone made since is
// left alone.
func (db *DB) UnhandleNudge(ctx context.Context, teamID string, t kam.NudgeTopic, actor string, at time.Time) error {
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("unhandle nudge %s: %w", t.KindItem(), err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE nudge_marks SET handled_by = '', handled_how = '', handled_at = 0
			WHERE team_id = ? AND account_id = ? AND kind = ? AND item = ? AND period = ? AND handled_by = ? AND handled_at = ?`,
			teamID, t.AccountID, string(t.Kind), t.Item, t.Period, actor, ms(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM nudge_marks
			WHERE team_id = ? AND account_id = ? AND kind = ? AND item = ? AND period = ? AND handled_by = '' AND snoozed_by = ''`,
			teamID, t.AccountID, string(t.Kind), t.Item, t.Period); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionNudgeUnhandle, auditEntity("account", t.AccountID),
			markDetail(t, nil), db.now())
	})
	if err != nil {
		return fmt.Errorf("unhandle nudge %s on account %d: %w", t.KindItem(), t.AccountID, err)
	}
	return nil
}

// SnoozeNudge snoozes a topic until the given time and returns the mark. A
// topic already handled, or snoozed past now, is left as it is: the
// existing mark is returned with an ECONFLICT error (IsNudgeHandled,
// IsNudgeSnoozed). ENOTFOUND when the account is not the workspace's.
func (db *DB) SnoozeNudge(ctx context.Context, teamID string, t kam.NudgeTopic, actor string, until time.Time) (kam.NudgeMark, error) {
	if err := checkActor(actor); err != nil {
		return kam.NudgeMark{}, err
	}
	if err := t.Validate(); err != nil {
		return kam.NudgeMark{}, fmt.Errorf("snooze nudge: %w", err)
	}
	now := db.now()
	if !until.After(now) {
		return kam.NudgeMark{}, fmt.Errorf("snooze nudge %s: until %s is not after now", t.KindItem(), until)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.NudgeMark{}, fmt.Errorf("snooze nudge %s: %w", t.KindItem(), err)
	}
	var m kam.NudgeMark
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if m, err = markQ(ctx, tx.QueryRowContext, teamID, t); err != nil {
			return err
		}
		switch {
		case m.Handled():
			return errNudgeHandled
		case m.Snoozed(now):
			return errNudgeSnoozed
		}
		if _, err := accountTx(ctx, tx, teamID, t.AccountID); err != nil {
			return err
		}
		m.SnoozedBy, m.SnoozedAt, m.SnoozedUntil = actor, now, fromMS(ms(until))
		if _, err := tx.ExecContext(ctx, `INSERT INTO nudge_marks (team_id, account_id, kind, item, period, snoozed_by, snoozed_at, snoozed_until)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id, account_id, kind, item, period) DO UPDATE SET snoozed_by = excluded.snoozed_by,
				snoozed_at = excluded.snoozed_at, snoozed_until = excluded.snoozed_until`,
			teamID, t.AccountID, string(t.Kind), t.Item, t.Period, actor, ms(now), ms(m.SnoozedUntil)); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionNudgeSnooze, auditEntity("account", t.AccountID),
			markDetail(t, map[string]any{"until": m.SnoozedUntil}), now)
	})
	if errors.Is(err, errNudgeHandled) || errors.Is(err, errNudgeSnoozed) {
		return m, err
	}
	if err != nil {
		if kam.ErrorCode(err) != kam.EINTERNAL {
			return kam.NudgeMark{}, err
		}
		return kam.NudgeMark{}, fmt.Errorf("snooze nudge %s on account %d: %w", t.KindItem(), t.AccountID, err)
	}
	return m, nil
}

func markDetail(t kam.NudgeTopic, extra map[string]any) map[string]any {
	d := map[string]any{"account": t.AccountID, "kind": string(t.Kind), "period": t.Period}
	if t.Item != "" {
		d["item"] = t.Item
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// OpportunityOwners returns the owner of each open opportunity of the
// accounts that has one, by opportunity ID: the sweep addresses stall and
// close-date nudges to them.
func (db *DB) OpportunityOwners(ctx context.Context, teamID string, accountIDs []int64) (map[int64]string, error) {
	out := make(map[int64]string)
	if len(accountIDs) == 0 {
		return out, nil
	}
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var id int64
		var owner string
		if err := r.Scan(&id, &owner); err != nil {
			return err
		}
		out[id] = owner
		return nil
	}, `SELECT id, owner_id FROM opportunities WHERE team_id = ? AND stage IN `+openStages+` AND owner_id <> ''
		AND account_id IN (SELECT value FROM json_each(?))`, teamID, idList(accountIDs))
	if err != nil {
		return nil, fmt.Errorf("read opportunity owners: %w", err)
	}
	return out, nil
}

// ---- Surveys and settings ---------------------------------------------------------

// LastSurveys returns, for each of the accounts that ever had one, when its
// latest satisfaction survey was sent or answered, whichever is later.
func (db *DB) LastSurveys(ctx context.Context, teamID string, accountIDs []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time)
	if len(accountIDs) == 0 {
		return out, nil
	}
	list := idList(accountIDs)
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var id, at int64
		if err := r.Scan(&id, &at); err != nil {
			return err
		}
		out[id] = fromMS(at)
		return nil
	}, `SELECT account_id, max(at) FROM (
			SELECT account_id, sent_at AS at FROM surveys
			WHERE team_id = ?1 AND account_id IN (SELECT value FROM json_each(?2))
			UNION ALL
			SELECT account_id, at FROM survey_responses
			WHERE team_id = ?1 AND account_id IN (SELECT value FROM json_each(?2))) AS latest
		GROUP BY account_id`, teamID, list)
	if err != nil {
		return nil, fmt.Errorf("read latest surveys: %w", err)
	}
	return out, nil
}

// Bounds of a workspace's survey cadence, in days (kam's).
const (
	MinSurveyEveryDays = kam.MinSurveyEveryDays
	MaxSurveyEveryDays = kam.MaxSurveyEveryDays
)

// SurveyEveryDays returns the survey cadence the workspace set, in days; 0
// when it set none.
func (db *DB) SurveyEveryDays(ctx context.Context, teamID string) (int, error) {
	var days int
	err := db.read.QueryRowContext(ctx, `SELECT survey_every_days FROM nudge_settings WHERE team_id = ?`, teamID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("read nudge settings of %s: %w", teamID, err)
	}
	return days, nil
}

// SurveyCadences returns every workspace's survey cadence in days, for the
// workspaces that set one.
func (db *DB) SurveyCadences(ctx context.Context) (map[string]int, error) {
	out := make(map[string]int)
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var team string
		var days int
		if err := r.Scan(&team, &days); err != nil {
			return err
		}
		out[team] = days
		return nil
	}, `SELECT team_id, survey_every_days FROM nudge_settings`)
	if err != nil {
		return nil, fmt.Errorf("read nudge settings: %w", err)
	}
	return out, nil
}

// SetSurveyEveryDays sets the workspace's survey cadence in days
// (MinSurveyEveryDays–MaxSurveyEveryDays); 0 returns it to the default.
func (db *DB) SetSurveyEveryDays(ctx context.Context, teamID string, days int, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if teamID == "" {
		return kam.ErrMissingTeam(kam.EntitySettings)
	}
	if days != 0 && (days < MinSurveyEveryDays || days > MaxSurveyEveryDays) {
		e := kam.ErrInvalid(kam.EntitySettings, "survey", kam.ReasonRange)
		e.Got = days
		return e
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("set survey cadence of %s: %w", teamID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if days == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM nudge_settings WHERE team_id = ?`, teamID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO nudge_settings (team_id, survey_every_days, updated_by, updated_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (team_id) DO UPDATE SET survey_every_days = excluded.survey_every_days,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`, teamID, days, actor, ms(db.now()))
		}
		if err != nil {
			return err
		}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionNudgeSettings, "workspace:"+teamID,
			map[string]any{"survey_every_days": days}, db.now())
	})
	if err != nil {
		return fmt.Errorf("set survey cadence of %s: %w", teamID, err)
	}
	return nil
}
