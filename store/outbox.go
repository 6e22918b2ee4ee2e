package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kambot/kambot/kam"
)

const outboxCols = `id, team_id, key, channel, text, blocks, metadata, status, attempts, throttles,
	next_attempt_at, claimed_at, verify_since, last_error, created_at, sent_at, failed_at, slack_ts, slack_channel, op, target`

// Limits on what one outbox message may hold. Slack truncates text beyond
// 40,000 characters and refuses more than 50 blocks; the key goes into the
// message metadata, which should stay small.
const (
	outboxMaxKey     = 255
	outboxMaxText    = 40000
	outboxMaxPayload = 8000
)

// claimOutboxSQL claims the due heads of the channels not excluded. A head
// is the lowest-ID open (pending or sending) message of its channel, kept in
// outbox_heads by triggers, so a channel whose head is being sent offers
// nothing: posts stay in order and at most one per channel is in flight.
// CROSS JOIN keeps the heads as the outer loop: one row per channel.
const claimOutboxSQL = `UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?1
WHERE id IN (
	SELECT o.id FROM outbox_heads h CROSS JOIN outbox o ON o.id = h.head_id
	WHERE o.status = 'pending' AND o.next_attempt_at <= ?1
	  AND h.channel NOT IN (SELECT value FROM json_each(?2))
	ORDER BY o.next_attempt_at, o.id
	LIMIT ?3)
RETURNING ` + outboxCols

// claimOutboxFairSQL claims due channel heads fairly (see kam.OutboxClaim):
// each workspace's heads are numbered in turn, the channel served longest
// ago (outbox_served) first, at most its quota of them are taken, and the
// claim takes turn 1 of every workspace before turn 2 of any. The sender's
// quotas and held channels come as JSON arrays.
const claimOutboxFairSQL = `WITH
	teams (team_id, quota, served) AS MATERIALIZED (
		SELECT value->>0, value->>1, value->>2 FROM json_each(?2)),
	heads AS (
		SELECT o.id, o.next_attempt_at, coalesce(t.served, 0) AS team_served, coalesce(t.quota, ?4) AS quota,
			row_number() OVER (PARTITION BY h.team_id ORDER BY coalesce(s.served_at, 0), o.next_attempt_at, o.id) AS turn
		FROM outbox_heads h CROSS JOIN outbox o ON o.id = h.head_id
		LEFT JOIN outbox_served s ON s.team_id = h.team_id AND s.channel = h.channel
		LEFT JOIN teams t ON t.team_id = h.team_id
		WHERE o.status = 'pending' AND o.next_attempt_at <= ?1
		  AND coalesce(t.quota, ?4) > 0
		  AND (h.team_id, h.channel) NOT IN (SELECT value->>0, value->>1 FROM json_each(?3)))
UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?1
WHERE id IN (
	SELECT id FROM heads WHERE turn <= quota
	ORDER BY turn, team_served, next_attempt_at, id
	LIMIT ?5)
RETURNING ` + outboxCols

// EnqueueOutbox queues m for delivery, due at once, and returns its ID. A
// message whose key the workspace already used is not queued again: the
// existing message's ID is returned with created false, whatever its state.
// Only TeamID, Key, Channel, Text, Blocks and Metadata are read from m.
func (db *DB) EnqueueOutbox(ctx context.Context, m kam.OutboxMessage) (id int64, created bool, err error) {
	if err := checkOutboxMessage(&m); err != nil {
		return 0, false, err
	}
	// Prepared before the transaction: preparing on the write pool while
	// the transaction holds its one connection would wait forever.
	ins, err := db.stmt(ctx, db.write, enqueueOutboxSQL)
	if err != nil {
		return 0, false, fmt.Errorf("enqueue outbox message %s: %w", m.Key, err)
	}
	sel, err := db.stmt(ctx, db.write, outboxIDByKeySQL)
	if err != nil {
		return 0, false, fmt.Errorf("enqueue outbox message %s: %w", m.Key, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		id, created, err = enqueueOutbox(ctx, tx.StmtContext(ctx, ins), tx.StmtContext(ctx, sel), m, db.now())
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("enqueue outbox message %s: %w", m.Key, err)
	}
	return id, created, nil
}

// enqueueOutboxSQL has no RETURNING clause on purpose: SQLite buffers
// RETURNING rows in an ephemeral table with a page cache of its own, and
// allocating and freeing that cache on every insert (glibc hands the memory
// back with madvise, which flushes every core's TLB) cost several times the
// insert itself. The new ID comes from last_insert_rowid instead, which the
// heads trigger does not disturb.
const (
	enqueueOutboxSQL = `INSERT INTO outbox (team_id, key, channel, text, blocks, metadata, next_attempt_at, created_at, op, target)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (team_id, key) DO NOTHING`
	outboxIDByKeySQL = `SELECT id FROM outbox WHERE team_id = ? AND key = ?`
)

// outboxStmts are the prepared statements that queue a message; bind them
// to a transaction with in.
type outboxStmts struct {
	ins, sel *sql.Stmt
	tx       *sql.Tx // set by in: edits of earlier posts run on it
}

// outboxStmts prepares (once per connection pool) the statements that queue
// a message on the write connection.
func (db *DB) outboxStmts(ctx context.Context) (*outboxStmts, error) {
	ins, err := db.stmt(ctx, db.write, enqueueOutboxSQL)
	if err != nil {
		return nil, err
	}
	sel, err := db.stmt(ctx, db.write, outboxIDByKeySQL)
	if err != nil {
		return nil, err
	}
	return &outboxStmts{ins: ins, sel: sel}, nil
}

// in binds the statements to tx; a nil receiver gives a nil result, whose
// post queues nothing.
func (q *outboxStmts) in(ctx context.Context, tx *sql.Tx) *outboxStmts {
	if q == nil {
		return nil
	}
	return &outboxStmts{ins: tx.StmtContext(ctx, q.ins), sel: tx.StmtContext(ctx, q.sel), tx: tx}
}

// postTx builds the posts of a stored change and queues them with
// statements bound to the change's transaction. A nil post, or one that
// builds no message, queues nothing.
func postTx[T any](ctx context.Context, q *outboxStmts, post kam.Post[T], stored T, now time.Time) error {
	if post == nil {
		return nil
	}
	msgs, err := post(stored)
	if err != nil || len(msgs) == 0 {
		return err
	}
	if q == nil {
		return errors.New("no outbox statements for a post")
	}
	for i := range msgs {
		if op := msgs[i].Op; op == kam.OutboxUpdate || op == kam.OutboxDelete {
			if err := queueEdit(ctx, q, msgs[i], now); err != nil {
				return err
			}
			continue
		}
		if err := checkOutboxMessage(&msgs[i]); err != nil {
			return err
		}
		if _, _, err := enqueueOutbox(ctx, q.ins, q.sel, msgs[i], now); err != nil {
			return err
		}
	}
	return nil
}

// enqueueOutbox inserts m unless its key is taken, with statements bound
// to the caller's transaction.
func enqueueOutbox(ctx context.Context, ins, sel *sql.Stmt, m kam.OutboxMessage, now time.Time) (int64, bool, error) {
	op := m.Op
	if op == "" {
		op = kam.OutboxPost
	}
	res, err := ins.ExecContext(ctx, m.TeamID, m.Key, m.Channel, m.Text, string(m.Blocks), string(m.Metadata), ms(now), ms(now), op, m.Target)
	if err != nil {
		return 0, false, err
	}
	// Changes made by triggers are not counted, so 0 means the key was taken.
	if n, err := res.RowsAffected(); err != nil {
		return 0, false, err
	} else if n == 1 {
		id, err := res.LastInsertId()
		return id, err == nil, err
	}
	var id int64
	err = sel.QueryRowContext(ctx, m.TeamID, m.Key).Scan(&id)
	return id, false, err
}

// jsonArrayLen is the number of elements of the JSON array b, with ok
// false when b is not valid JSON or not an array; null counts as an empty
// array, as json.Unmarshal into a slice has it. It
// counts without decoding: every post is checked on its way into the
// outbox, and decoding its blocks only to count them allocated a copy of
// each.
func jsonArrayLen(b []byte) (n int, ok bool) {
	if !json.Valid(b) {
		return 0, false
	}
	i := 0
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	switch b[i] { // valid JSON is never all white space
	case '[':
	case 'n':
		return 0, true
	default:
		return 0, false
	}
	depth, inString, escaped, some := 0, false, false, false
	for _, c := range b[i:] {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
			some = true
		case c == '[' || c == '{':
			depth++
			some = some || depth > 1
		case c == ']' || c == '}':
			depth--
		case c == ',':
			if depth == 1 {
				n++
			}
		case !isJSONSpace(c):
			some = true
		}
	}
	if !some {
		return 0, true
	}
	return n + 1, true
}

// isJSONSpace is JSON's insignificant white space.
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// checkOutboxMessage validates and normalises the fields a caller supplies.
// It is the adapter's own safety net: the messages come from kambot's code,
// never straight from a user, so its errors are technical.
func checkOutboxMessage(m *kam.OutboxMessage) error {
	switch {
	case strings.TrimSpace(m.TeamID) == "":
		return kam.ErrMissingTeam(kam.EntityOutboxMessage)
	case m.Key == "" || len(m.Key) > outboxMaxKey || strings.TrimSpace(m.Key) != m.Key:
		return outboxInvalid("key", kam.ReasonMalformed, outboxMaxKey, len(m.Key))
	case !isOutboxChannel(m.Channel):
		e := outboxInvalid("channel", kam.ReasonNotSlackID, 0, 0)
		e.Value = m.Channel
		return e
	case strings.TrimSpace(m.Text) == "" && len(m.Blocks) == 0:
		return outboxInvalid("text", kam.ReasonMissing, 0, 0)
	case utf8.RuneCountInString(m.Text) > outboxMaxText:
		return outboxInvalid("text", kam.ReasonTooLong, outboxMaxText, utf8.RuneCountInString(m.Text))
	}
	if len(m.Blocks) > 0 {
		n, ok := jsonArrayLen(m.Blocks)
		if !ok {
			return outboxInvalid("blocks", kam.ReasonMalformed, 0, 0)
		}
		if n > outboxMaxBlocks {
			return outboxInvalid("blocks", kam.ReasonTooLong, outboxMaxBlocks, n)
		}
		if n == 0 {
			m.Blocks = nil
			if strings.TrimSpace(m.Text) == "" {
				return outboxInvalid("text", kam.ReasonMissing, 0, 0)
			}
		}
	}
	if len(m.Metadata) > 0 {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(m.Metadata, &obj); err != nil || obj == nil {
			return outboxInvalid("metadata", kam.ReasonMalformed, 0, 0)
		}
		if len(m.Metadata) > outboxMaxPayload {
			return outboxInvalid("metadata", kam.ReasonTooLong, outboxMaxPayload, len(m.Metadata))
		}
	}
	return nil
}

// outboxMaxBlocks is Slack's limit on the blocks of one message.
const outboxMaxBlocks = 50

// outboxInvalid is an EINVALID error of an outbox message's field, with
// the bound and the size found when they apply.
func outboxInvalid(field, reason string, limit, got int) *kam.Error {
	e := kam.ErrInvalid(kam.EntityOutboxMessage, field, reason)
	e.Limit, e.Got = limit, got
	if limit > 0 {
		e.Message = fmt.Sprintf("%s (%d, at most %d)", e.Message, got, limit)
	}
	return e
}

// isOutboxChannel accepts Slack channel and user IDs (and the console's
// stand-ins): letters, digits, '.', '_' and '-', at most 64 of them. It
// rejects the escaped mention forms a caller forgot to unwrap.
func isOutboxChannel(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ClaimOutbox marks up to limit due messages as being sent, stamping the
// claim with now, and returns them by due time. It takes only the head of
// each channel (the oldest message not yet sent or failed), and none of the
// channels in exclude, which the sender uses for channels it must not post
// to yet. Claim and stamp happen in one transaction.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, limit int, exclude []string) ([]kam.OutboxMessage, error) {
	if limit <= 0 {
		return nil, nil
	}
	if exclude == nil {
		exclude = []string{}
	}
	ex, err := json.Marshal(exclude)
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	st, err := db.stmt(ctx, db.write, claimOutboxSQL)
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	var out []kam.OutboxMessage
	err = db.withQuietTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, ms(now), string(ex), limit)
		if err != nil {
			return err
		}
		out, err = scanOutboxRows(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	sortByDue(out)
	return out, nil
}

// ClaimOutboxFair marks up to c.Limit due messages as being sent, stamping
// the claim with now, and returns them by due time. Like ClaimOutbox it
// takes only channel heads; it shares the claim fairly between workspaces
// and between the channels of each, within the quotas c gives (see
// kam.OutboxClaim). Claim and stamp happen in one transaction.
func (db *DB) ClaimOutboxFair(ctx context.Context, now time.Time, c kam.OutboxClaim) ([]kam.OutboxMessage, error) {
	if c.Limit <= 0 {
		return nil, nil
	}
	perTeam := c.PerTeam
	if perTeam <= 0 {
		perTeam = c.Limit
	}
	teams := make([][3]any, 0, len(c.Teams))
	for _, t := range c.Teams {
		teams = append(teams, [3]any{t.TeamID, max(t.Max, 0), optMSValue(t.Served)})
	}
	chans := make([][2]string, 0, len(c.Held))
	for _, ch := range c.Held {
		chans = append(chans, [2]string{ch.TeamID, ch.Channel})
	}
	tj, err := json.Marshal(teams)
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	cj, err := json.Marshal(chans)
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	if ok, err := db.anyClaimable(ctx, now, c, perTeam); err != nil || !ok {
		return nil, wrapErr(err, "claim outbox messages")
	}
	st, err := db.stmt(ctx, db.write, claimOutboxFairSQL)
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	var out []kam.OutboxMessage
	err = db.withQuietTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, ms(now), string(tj), string(cj), perTeam, c.Limit)
		if err != nil {
			return err
		}
		out, err = scanOutboxRows(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	sortByDue(out)
	return out, nil
}

// dueHeadsSQL lists the channels whose head is due.
const dueHeadsSQL = `SELECT h.team_id, h.channel FROM outbox_heads h CROSS JOIN outbox o ON o.id = h.head_id
	WHERE o.status = 'pending' AND o.next_attempt_at <= +?`

// anyClaimable reports whether a fair claim would take anything: whether
// some channel's head is due, not held, and of a workspace whose quota is
// not spent. It reads on the read pool, so that the sender, which looks for
// work whenever a change queues a post, does not take the one write
// connection from the changes themselves while every channel with work is
// waiting for its pace (a burst of logs to one account's channel).
func (db *DB) anyClaimable(ctx context.Context, now time.Time, c kam.OutboxClaim, perTeam int) (bool, error) {
	st, err := db.stmt(ctx, db.read, dueHeadsSQL)
	if err != nil {
		return false, err
	}
	rows, err := st.QueryContext(ctx, ms(now))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	quota := make(map[string]int, len(c.Teams))
	for _, t := range c.Teams {
		quota[t.TeamID] = t.Max
	}
	held := make(map[kam.OutboxChannel]bool, len(c.Held))
	for _, h := range c.Held {
		held[h] = true
	}
	for rows.Next() {
		var ch kam.OutboxChannel
		if err := rows.Scan(&ch.TeamID, &ch.Channel); err != nil {
			return false, err
		}
		q, ok := quota[ch.TeamID]
		if !ok {
			q = perTeam
		}
		if q > 0 && !held[ch] {
			return true, nil
		}
	}
	return false, rows.Err()
}

// optMSValue is t in unix milliseconds, 0 for the zero time.
func optMSValue(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// sortByDue orders claimed messages by due time, then ID: RETURNING gives
// rows in no promised order.
func sortByDue(out []kam.OutboxMessage) {
	slices.SortFunc(out, func(a, b kam.OutboxMessage) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
}

const (
	settleSentSQL = `UPDATE outbox
		SET status = 'sent', sent_at = ?, slack_ts = ?, slack_channel = ?, last_error = '', verify_since = 0
		WHERE id = ? AND attempts = ? AND status = 'sending'`
	settleFailedSQL = `UPDATE outbox
		SET status = 'failed', failed_at = ?, last_error = ?
		WHERE id = ? AND attempts = ? AND status = 'sending'`
	settleRetrySQL = `UPDATE outbox
		SET status = 'pending', next_attempt_at = ?, last_error = ?, throttles = throttles + ?, verify_since = ?
		WHERE id = ? AND attempts = ? AND status = 'sending'`
)

// SettleOutbox records the outcomes of claims, all in one transaction (the
// sender gathers the outcomes of concurrent posts, so that one commit serves
// many). Each outcome applies only while its claim still holds the message;
// errs[i] is a kam.ErrOutboxClaimLost for an outcome that did not. err is set
// when the transaction failed and nothing was recorded.
func (db *DB) SettleOutbox(ctx context.Context, items []kam.OutboxSettlement) (errs []error, err error) {
	for _, it := range items {
		switch it.Status {
		case kam.OutboxSent, kam.OutboxFailed, kam.OutboxPending:
		default:
			return nil, fmt.Errorf("settle outbox message %d: unknown outcome %q", it.ID, it.Status)
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	var stmts [3]*sql.Stmt
	for i, q := range []string{settleSentSQL, settleFailedSQL, settleRetrySQL} {
		if stmts[i], err = db.stmt(ctx, db.write, q); err != nil {
			return nil, fmt.Errorf("settle outbox messages: %w", err)
		}
	}
	now := ms(db.now())
	errs = make([]error, len(items))
	err = db.withQuietTx(ctx, func(tx *sql.Tx) error {
		sent, failed, retry := tx.StmtContext(ctx, stmts[0]), tx.StmtContext(ctx, stmts[1]), tx.StmtContext(ctx, stmts[2])
		for i, it := range items {
			var res sql.Result
			var err error
			switch it.Status {
			case kam.OutboxSent:
				res, err = sent.ExecContext(ctx, now, it.TS, it.Channel, it.ID, it.Attempt)
			case kam.OutboxFailed:
				res, err = failed.ExecContext(ctx, now, it.Reason, it.ID, it.Attempt)
			default:
				throttled, verify := 0, int64(0)
				if it.Retry.Throttled {
					throttled = 1
				}
				if !it.Retry.VerifySince.IsZero() {
					verify = ms(it.Retry.VerifySince)
				}
				res, err = retry.ExecContext(ctx, ms(it.Retry.Next), it.Retry.Err, throttled, verify, it.ID, it.Attempt)
			}
			if err != nil {
				return fmt.Errorf("message %d: %w", it.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				errs[i] = fmt.Errorf("settle outbox message %d (claim %d): %w", it.ID, it.Attempt, kam.ErrOutboxClaimLost)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("settle outbox messages: %w", err)
	}
	return errs, nil
}

func (db *DB) settleOne(ctx context.Context, it kam.OutboxSettlement) error {
	errs, err := db.SettleOutbox(ctx, []kam.OutboxSettlement{it})
	if err != nil {
		return err
	}
	return errs[0]
}

// MarkOutboxSent records that Slack accepted the message claimed as attempt
// (its Attempts when claimed), with the message's ts and channel. It fails
// with kam.ErrOutboxClaimLost when that claim no longer holds the message.
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, attempt int, ts, channel string) error {
	return db.settleOne(ctx, kam.OutboxSettlement{ID: id, Attempt: attempt, Status: kam.OutboxSent, TS: ts, Channel: channel})
}

// MarkOutboxRetry puts the message claimed as attempt back in the queue,
// due at r.Next. It fails with kam.ErrOutboxClaimLost when that claim no longer
// holds the message.
func (db *DB) MarkOutboxRetry(ctx context.Context, id int64, attempt int, r kam.OutboxRetry) error {
	return db.settleOne(ctx, kam.OutboxSettlement{ID: id, Attempt: attempt, Status: kam.OutboxPending, Retry: r})
}

// MarkOutboxFailed records that the message claimed as attempt will not be
// delivered, and why. It fails with kam.ErrOutboxClaimLost when that claim no
// longer holds the message.
func (db *DB) MarkOutboxFailed(ctx context.Context, id int64, attempt int, reason string) error {
	return db.settleOne(ctx, kam.OutboxSettlement{ID: id, Attempt: attempt, Status: kam.OutboxFailed, Reason: reason})
}

// OutboxInFlight returns the messages claimed before the given time and
// still being sent, oldest claim first: after a crash, those whose outcome
// nobody recorded. A zero time returns every message being sent.
func (db *DB) OutboxInFlight(ctx context.Context, claimedBefore time.Time) ([]kam.OutboxMessage, error) {
	before := int64(1<<63 - 1)
	if !claimedBefore.IsZero() {
		before = ms(claimedBefore)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE status = 'sending' AND claimed_at < ? ORDER BY claimed_at, id`, before)
	if err != nil {
		return nil, fmt.Errorf("list outbox messages in flight: %w", err)
	}
	out, err := scanOutboxRows(rows)
	if err != nil {
		return nil, fmt.Errorf("list outbox messages in flight: %w", err)
	}
	return out, nil
}

// OutboxFailures returns a workspace's failed messages, the latest failure
// first, at most limit of them (0: all).
func (db *DB) OutboxFailures(ctx context.Context, teamID string, limit int) ([]kam.OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE team_id = ? AND status = 'failed' ORDER BY failed_at DESC, id DESC LIMIT ?`, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list failed outbox messages of %s: %w", teamID, err)
	}
	out, err := scanOutboxRows(rows)
	if err != nil {
		return nil, fmt.Errorf("list failed outbox messages of %s: %w", teamID, err)
	}
	return out, nil
}

// OutboxMessageByKey returns a workspace's message by its key; ENOTFOUND if
// there is none.
func (db *DB) OutboxMessageByKey(ctx context.Context, teamID, key string) (kam.OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE team_id = ? AND key = ?`, teamID, key)
	if err != nil {
		return kam.OutboxMessage{}, fmt.Errorf("read outbox message %s: %w", key, err)
	}
	out, err := scanOutboxRows(rows)
	if err != nil {
		return kam.OutboxMessage{}, fmt.Errorf("read outbox message %s: %w", key, err)
	}
	if len(out) == 0 {
		e := kam.ErrNotFound(kam.EntityOutboxMessage)
		e.Value, e.Message = key, fmt.Sprintf("outbox message %q not found", key)
		return kam.OutboxMessage{}, e
	}
	return out[0], nil
}

// OutboxStats counts a workspace's messages by state.
func (db *DB) OutboxStats(ctx context.Context, teamID string) (kam.OutboxStats, error) {
	var s kam.OutboxStats
	rows, err := db.read.QueryContext(ctx, `SELECT status, count(*) FROM outbox WHERE team_id = ? GROUP BY status`, teamID)
	if err != nil {
		return s, fmt.Errorf("count outbox messages of %s: %w", teamID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return s, fmt.Errorf("count outbox messages of %s: %w", teamID, err)
		}
		switch status {
		case kam.OutboxPending:
			s.Pending = n
		case kam.OutboxSending:
			s.Sending = n
		case kam.OutboxSent:
			s.Sent = n
		case kam.OutboxFailed:
			s.Failed = n
		}
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("count outbox messages of %s: %w", teamID, err)
	}
	var oldest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT min(created_at) FROM outbox
		WHERE team_id = ? AND status IN ('pending', 'sending')`, teamID).Scan(&oldest); err != nil {
		return s, fmt.Errorf("find oldest outbox message of %s: %w", teamID, err)
	}
	if oldest.Valid {
		s.OldestPending = fromMS(oldest.Int64)
	}
	return s, nil
}

// OutboxDepth counts the messages of every workspace not yet sent or failed.
func (db *DB) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count queued outbox messages: %w", err)
	}
	return n, nil
}

// OutboxNextDue returns the earliest time after the given one at which a
// pending message falls due; ok is false when none is waiting for a later
// time.
func (db *DB) OutboxNextDue(ctx context.Context, after time.Time) (next time.Time, ok bool, err error) {
	var v sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM outbox
		WHERE status = 'pending' AND next_attempt_at > ?`, ms(after)).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("find next due outbox message: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(v.Int64), true, nil
}

// RequeueOutbox queues a failed message of the workspace again, due at
// once, with its failure count reset: for an admin who fixed the cause
// (invited the bot to the channel, say). ENOTFOUND if the workspace has no
// failed message with that ID.
func (db *DB) RequeueOutbox(ctx context.Context, teamID string, id int64) error {
	var n int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox
			SET status = 'pending', next_attempt_at = ?, throttles = attempts, failed_at = 0
			WHERE team_id = ? AND id = ? AND status = 'failed'`, ms(db.now()), teamID, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("requeue outbox message %d: %w", id, err)
	}
	if n == 0 {
		e := kam.ErrNotFound(kam.EntityFailedMessage)
		e.ID, e.Message = id, fmt.Sprintf("failed outbox message %d not found", id)
		return e
	}
	return nil
}

// PruneOutbox deletes the messages sent or failed before the given time and
// returns how many it deleted. Their keys are forgotten with them, so the
// retention must outlast any producer that may enqueue a key again.
func (db *DB) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox
			WHERE (status = 'sent' AND sent_at < ?1) OR (status = 'failed' AND failed_at < ?1)`, ms(before))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		// A channel with nothing queued needs no turn; it starts afresh.
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox_served
			WHERE (team_id, channel) NOT IN (SELECT team_id, channel FROM outbox_heads)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	return n, nil
}

func scanOutboxRows(rows *sql.Rows) ([]kam.OutboxMessage, error) {
	defer rows.Close()
	var out []kam.OutboxMessage
	for rows.Next() {
		var (
			m                                            kam.OutboxMessage
			blocks, meta                                 string
			next, claimed, verify, created, sent, failed int64
		)
		if err := rows.Scan(&m.ID, &m.TeamID, &m.Key, &m.Channel, &m.Text, &blocks, &meta, &m.Status,
			&m.Attempts, &m.Throttles, &next, &claimed, &verify, &m.LastError, &created, &sent, &failed,
			&m.SlackTS, &m.SlackChannel, &m.Op, &m.Target); err != nil {
			return nil, err
		}
		if blocks != "" {
			m.Blocks = json.RawMessage(blocks)
		}
		if meta != "" {
			m.Metadata = json.RawMessage(meta)
		}
		m.NextAttemptAt = fromMS(next)
		m.ClaimedAt = optMS(claimed)
		m.VerifySince = optMS(verify)
		m.CreatedAt = fromMS(created)
		m.SentAt = optMS(sent)
		m.FailedAt = optMS(failed)
		out = append(out, m)
	}
	return out, rows.Err()
}
