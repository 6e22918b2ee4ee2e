package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kambot/kambot/kam"
)

// insertInteractionSQL inserts only when the account belongs to the
// workspace, so the ownership check costs no extra round trip on the
// busiest write of the product. On SQLite the ID is chosen above any
// deleted newest interaction's (migration 00130): an ID, and so a post's
// outbox key, is never given twice. Both lookups are single seeks.
const insertInteractionSQL = `INSERT INTO interactions (id, team_id, account_id, user_id, kind, summary, at, permalink)
	SELECT max(coalesce((SELECT max(id) FROM interactions), 0), coalesce((SELECT id FROM id_floors WHERE tbl = 'interactions'), 0)) + 1,
		?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`

// insertInteractionPG is insertInteractionSQL on PostgreSQL, whose
// sequence never reuses an ID.
const insertInteractionPG = `INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at, permalink)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`

// On SQLite a batch of logs indexes its interactions for search once, at
// its end (migration 00190): while the batch holds its search_deferred row
// the insert trigger skips the index, and indexBatchSQL then adds the
// batch's rows with one statement, so FTS4 writes one segment per batch
// instead of one per interaction. The IDs of a batch are consecutive
// except where a retried request's duplicate was deleted again, and that
// one is no longer in the table.
const (
	deferIndexSQL   = `INSERT INTO search_deferred (source) VALUES (1)`
	undeferIndexSQL = `DELETE FROM search_deferred WHERE source = 1`
	indexBatchSQL   = `INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
	SELECT id * 8 + 1, summary, 'a' || account_id, team_id, account_id, kind, user_id, at
	FROM interactions WHERE id BETWEEN ? AND ?`
)

const insertInteractionContactSQL = `INSERT OR IGNORE INTO interaction_contacts (interaction_id, contact_id, team_id, at)
	VALUES (?, ?, ?, ?)`

// interactionsSQL lists an account's interactions, newest first, with the
// IDs of the stakeholders met.
const interactionsSQL = `SELECT ` + interactionCols + `
	FROM interactions i WHERE account_id = +? AND team_id = +? ORDER BY at DESC, id DESC LIMIT +?`

// interactionDetail is the audit detail of interaction.log; the summary
// itself stays in the interactions table.
type interactionDetail struct {
	Account  int64               `json:"account"`
	User     string              `json:"user"`
	Kind     kam.InteractionKind `json:"kind"`
	Contacts []int64             `json:"contacts,omitempty"`
	At       time.Time           `json:"at"`
}

// LogInteraction stores an interaction and the stakeholders met, filling
// ID. An empty UserID means the actor; a zero At means now. The summary is
// trimmed and may span lines. Contacts are the stakeholder-map IDs of the
// people met; duplicates are dropped.
//
// Calls that arrive while another is being written share its successor's
// transaction (see logCombiner); each still gets its own result, and each
// interaction is stored with its audit entry and its post (when post
// returns one) in one transaction. Once queued, a call completes even if
// ctx is cancelled meanwhile.
func (db *DB) LogInteraction(ctx context.Context, in *kam.Interaction, actor string, post kam.Post[kam.Interaction]) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	r := &logReq{ctx: ctx, in: *in, actor: actor, post: post}
	if err := db.normalizeInteraction(&r.in, actor); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("log interaction for account %d: %w", r.in.AccountID, err)
	}
	db.logs.run(r, db.commitLogs)
	if r.err != nil {
		return r.err
	}
	*in = r.in
	return nil
}

// maxLogBatch bounds how many interactions one transaction carries, so no
// caller waits behind an unbounded one.
const maxLogBatch = 64

// logCombiner merges LogInteraction calls into shared write transactions
// ("group commit"). A commit costs the same few file writes and locks
// whether it carries one interaction or fifty, and the one write connection
// serves commits one at a time, so under load sharing is what keeps the
// busiest write of the product from queueing. A call that finds no commit
// in progress leads at once and waits for nobody; calls that arrive during
// a commit queue, and when it ends the first of them leads the next one for
// the queue (up to maxLogBatch). Nobody works for others for more than one
// batch.
type logCombiner struct {
	mu      sync.Mutex
	busy    bool      // a leader is committing
	pending []*logReq // queued for the next commit, oldest first
}

// logReq is one LogInteraction call.
type logReq struct {
	ctx   context.Context
	in    kam.Interaction // normalized; ID filled when stored
	actor string
	post  kam.Post[kam.Interaction] // the channel post, queued with it; may be nil
	err   error                     // the call's result
	done  chan bool                 // true: result is in; false: lead the next commit
}

// run returns once r has been committed (or refused), by this goroutine
// or by another leader.
func (c *logCombiner) run(r *logReq, commit func(ctx context.Context, batch []*logReq)) {
	c.mu.Lock()
	if c.busy {
		r.done = make(chan bool, 1)
		c.pending = append(c.pending, r)
		c.mu.Unlock()
		if <-r.done {
			return
		}
		c.mu.Lock()
	} else {
		c.busy = true
		c.pending = append(c.pending, r)
	}
	// r is the oldest queued call, so it heads the batch.
	k := min(len(c.pending), maxLogBatch)
	batch := slices.Clone(c.pending[:k])
	rest := copy(c.pending, c.pending[k:])
	clear(c.pending[rest:])
	c.pending = c.pending[:rest]
	c.mu.Unlock()

	// The batch outlives any one caller's context.
	commit(context.WithoutCancel(r.ctx), batch)

	for _, x := range batch[1:] {
		x.done <- true
	}
	c.mu.Lock()
	if len(c.pending) > 0 {
		c.pending[0].done <- false
	} else {
		c.busy = false
	}
	c.mu.Unlock()
}

// commitLogs stores a batch of interactions in one transaction, setting
// each request's result. A request whose account is not the workspace's
// fails alone. If the transaction itself fails, each request is tried again
// in a transaction of its own, so every caller gets the result of its own
// interaction.
func (db *DB) commitLogs(ctx context.Context, batch []*logReq) {
	todo := batch[:0:0]
	for _, x := range batch {
		if err := x.ctx.Err(); err != nil {
			x.err = fmt.Errorf("log interaction for account %d: %w", x.in.AccountID, err)
			continue
		}
		todo = append(todo, x)
	}
	if len(todo) == 0 {
		return
	}
	if err := db.commitLogsTx(ctx, todo); err == nil {
		return
	} else if len(todo) == 1 {
		todo[0].err = err
		return
	}
	for _, x := range todo {
		x.err, x.in.ID = nil, 0
		if err := db.commitLogsTx(ctx, []*logReq{x}); err != nil {
			x.err = err
		}
	}
}

// commitLogsTx writes the batch in one transaction. It returns an error
// only when the transaction failed as a whole; a request refused on its own
// gets its error in err and leaves no row behind.
func (db *DB) commitLogsTx(ctx context.Context, batch []*logReq) error {
	ins, err := db.stmt(ctx, db.write, insertInteractionSQL)
	if err != nil {
		return fmt.Errorf("log interaction: %w", err)
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("log interaction: %w", err)
	}
	var con *sql.Stmt
	var q *outboxStmts
	var reqs *requestStmts
	for _, x := range batch {
		if x.post != nil && q == nil {
			if q, err = db.outboxStmts(ctx); err != nil {
				return fmt.Errorf("log interaction: %w", err)
			}
		}
		if x.in.RequestID != "" && reqs == nil {
			if reqs, err = db.requestStmts(ctx); err != nil {
				return fmt.Errorf("log interaction: %w", err)
			}
		}
	}
	for _, x := range batch {
		if len(x.in.Contacts) > 0 {
			if con, err = db.stmt(ctx, db.write, insertInteractionContactSQL); err != nil {
				return fmt.Errorf("log interaction: %w", err)
			}
			break
		}
	}
	var index *batchIndex
	if db.pg == nil {
		if index, err = db.batchIndexStmts(ctx); err != nil {
			return fmt.Errorf("log interaction: %w", err)
		}
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if index != nil {
			if _, err := tx.StmtContext(ctx, index.deferIt).ExecContext(ctx); err != nil {
				return fmt.Errorf("log interaction: defer the search index: %w", err)
			}
		}
		var first, last int64 // the batch's interaction IDs, for the index
		insTx := tx.StmtContext(ctx, ins)
		var conTx *sql.Stmt
		if con != nil {
			conTx = tx.StmtContext(ctx, con)
		}
		qTx := q.in(ctx, tx)
		now := db.now()
		for _, x := range batch {
			n := &x.in
			at := ms(n.At)
			res, err := insTx.ExecContext(ctx, n.TeamID, n.AccountID, n.UserID, string(n.Kind), n.Summary, at, n.Permalink)
			if err != nil {
				return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
			}
			if k, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
			} else if k == 0 {
				x.err = errAccountNotFound()
				continue
			}
			if n.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("log interaction for account %d: %w", n.AccountID, err)
			}
			if first == 0 {
				first = n.ID
			}
			last = n.ID
			if n.RequestID != "" {
				// The same request handled again (here or on another
				// replica) gets the interaction it logged, and nothing new.
				first, err := db.claimRequest(ctx, tx, reqs, n.TeamID, n.RequestID, n.ID, now)
				if err != nil {
					return err
				}
				if first != n.ID {
					n.ID = first
					continue
				}
			}
			for _, id := range n.Contacts {
				if _, err := conTx.ExecContext(ctx, n.ID, id, n.TeamID, at); err != nil {
					return fmt.Errorf("log contact %d of interaction %d: %w", id, n.ID, err)
				}
			}
			d := interactionDetail{Account: n.AccountID, User: n.UserID, Kind: n.Kind, Contacts: n.Contacts, At: n.At}
			if err := writeAudit(ctx, tx, aud, n.TeamID, x.actor, ActionInteractionLog, auditEntity("interaction", n.ID), d, n.At); err != nil {
				return err
			}
			if err := postTx(ctx, qTx, x.post, *n, now); err != nil {
				return fmt.Errorf("queue the post of interaction %d: %w", n.ID, err)
			}
		}
		if index != nil {
			// Undeferred first, so that the index's insert is the last
			// statement and its pending terms are flushed once, at commit.
			if _, err := tx.StmtContext(ctx, index.undefer).ExecContext(ctx); err != nil {
				return fmt.Errorf("log interaction: %w", err)
			}
			if first != 0 {
				if _, err := tx.StmtContext(ctx, index.add).ExecContext(ctx, first, last); err != nil {
					return fmt.Errorf("index interactions %d to %d: %w", first, last, err)
				}
			}
		}
		return nil
	})
}

// batchIndex are the statements by which a batch of logs indexes its
// interactions at its end (SQLite only, see indexBatchSQL).
type batchIndex struct{ deferIt, undefer, add *sql.Stmt }

// batchIndexStmts prepares (once per pool) the statements of batchIndex on
// the write connection.
func (db *DB) batchIndexStmts(ctx context.Context) (*batchIndex, error) {
	var b batchIndex
	for _, s := range []struct {
		st    **sql.Stmt
		query string
	}{{&b.deferIt, deferIndexSQL}, {&b.undefer, undeferIndexSQL}, {&b.add, indexBatchSQL}} {
		st, err := db.stmt(ctx, db.write, s.query)
		if err != nil {
			return nil, err
		}
		*s.st = st
	}
	return &b, nil
}

// normalizeInteraction fills the defaults the store owns (the actor as the
// person, now as the time) and validates the rest on the domain type.
func (db *DB) normalizeInteraction(in *kam.Interaction, actor string) error {
	if in.UserID == "" {
		in.UserID = actor
	}
	if len(in.RequestID) > maxRequestID {
		in.RequestID = ""
	}
	if err := in.Validate(); err != nil {
		return err
	}
	in.At = db.orNow(in.At)
	return nil
}

// Interactions returns an account's latest interactions, newest first, at
// most limit of them (all when limit is 0 or less). ENOTFOUND when the
// account is not the workspace's.
func (db *DB) Interactions(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Interaction, error) {
	st, err := db.stmt(ctx, db.read, interactionsSQL)
	if err != nil {
		return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
	}
	rows, err := st.QueryContext(ctx, accountID, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []kam.Interaction
	for rows.Next() {
		in, err := scanInteraction(rows)
		if err != nil {
			return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list interactions of account %d: %w", accountID, err)
	}
	if len(out) == 0 {
		if _, err := db.Account(ctx, teamID, accountID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
