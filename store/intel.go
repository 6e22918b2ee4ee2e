package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kambot/kambot/kam"
)

// Audit actions written by the account-intelligence store.
const (
	ActionContactAdd    = "contact.add"
	ActionContactUpdate = "contact.update"
	ActionContactRemove = "contact.remove"
	ActionScoringSave   = "scoring.save"
	ActionWeightsSet    = "weights.set"
	ActionWeightsReset  = "weights.reset"
	ActionObjectiveAdd  = "plan.objective"
	ActionTacticAdd     = "plan.tactic"
	ActionTacticDone    = "plan.done"
	ActionPlanReview    = "plan.review"
)

// ---- Stakeholder map ----------------------------------------------------------

const contactCols = `c.id, c.team_id, c.account_id, c.name, c.title, c.role, c.influence, c.stance, c.mirror_id,
	c.created_at, c.updated_at, (SELECT max(at) FROM interaction_contacts ic WHERE ic.contact_id = c.id)`

func scanContact(r rowSource) (kam.Contact, error) {
	var c kam.Contact
	var role string
	var created, updated int64
	var last sql.NullInt64
	if err := r.Scan(&c.ID, &c.TeamID, &c.AccountID, &c.Name, &c.Title, &role, &c.Influence, &c.Stance, &c.MirrorID,
		&created, &updated, &last); err != nil {
		return kam.Contact{}, err
	}
	c.Role, c.CreatedAt, c.UpdatedAt = kam.ContactRole(role), fromMS(created), fromMS(updated)
	if last.Valid {
		c.LastContact = fromMS(last.Int64)
	}
	return c, nil
}

func errContactNotFound() error {
	return kam.Errorf(kam.ENOTFOUND, "I can't find that stakeholder on this account. `/kam contact` with the account's name lists them.")
}

func errContactTaken(name string) error {
	return kam.Errorf(kam.ECONFLICT, "This account already has a stakeholder named %q. Change them with `/kam contact` … `set \"%s\"`.", name, name)
}

// normalizeContact trims c's text, fills the default influence and checks
// every field, returning an EINVALID error that says what to type instead.
func normalizeContact(c *kam.Contact) error {
	if c.TeamID == "" {
		return kam.Errorf(kam.EINVALID, "This request carries no Slack workspace, so I can't tell whose account it is.")
	}
	if c.AccountID <= 0 {
		return errAccountNotFound()
	}
	var err error
	if c.Name, err = normLine("The stakeholder's name", c.Name, kam.MaxNameLen); err != nil {
		return err
	}
	if c.Name == "" {
		return kam.Errorf(kam.EINVALID, "Give the stakeholder's name in quotes, e.g. `/kam contact acme add \"Jane Doe\" title=CFO`.")
	}
	if c.Title, err = normLine("The title", c.Title, kam.MaxTextLen); err != nil {
		return err
	}
	if c.Role != "" {
		r, ok := kam.ParseEnum(string(c.Role), kam.ContactRoles)
		if !ok {
			return kam.Errorf(kam.EINVALID, "%q is not a role in the decision; type role=%s.", string(c.Role), kam.Names(kam.ContactRoles))
		}
		c.Role = r
	}
	if c.Influence == 0 {
		c.Influence = kam.DefaultInfluence
	}
	if _, err := kam.ParseInfluence(strconv.Itoa(c.Influence)); err != nil {
		return err
	}
	if _, err := kam.ParseStance(strconv.Itoa(c.Stance)); err != nil {
		return err
	}
	if c.MirrorID, err = normID("The mirror", c.MirrorID, "mirror=@person"); err != nil {
		return err
	}
	return nil
}

// contactValues lists a contact's fields under the keys of /kam contact, for
// the audit log.
func contactValues(c kam.Contact) map[string]any {
	return map[string]any{"name": c.Name, "title": c.Title, "role": string(c.Role), "influence": c.Influence,
		"stance": c.Stance, "mirror": c.MirrorID}
}

// AddContact puts a stakeholder on an account's map, filling ID, CreatedAt
// and UpdatedAt. Influence 0 means the default (3). A name already on the
// account (case-insensitively) is ECONFLICT; an account of another
// workspace is ENOTFOUND.
func (db *DB) AddContact(ctx context.Context, c *kam.Contact, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *c
	if err := normalizeContact(&n); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add contact to account %d: %w", n.AccountID, err)
	}
	n.CreatedAt = db.now()
	n.UpdatedAt = n.CreatedAt
	n.LastContact = time.Time{}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts (team_id, account_id, name, title, role, influence, stance,
			mirror_id, created_at, updated_at)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, n.Name, n.Title, string(n.Role), n.Influence, n.Stance, n.MirrorID, ms(n.CreatedAt))
		if isUnique(err) {
			return errContactTaken(n.Name)
		} else if err != nil {
			return fmt.Errorf("add contact to account %d: %w", n.AccountID, err)
		}
		if n.ID, err = insertedForAccount(res); err != nil {
			return fmt.Errorf("add contact to account %d: %w", n.AccountID, err)
		}
		d := contactValues(n)
		d["account"] = n.AccountID
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionContactAdd, auditEntity("contact", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*c = n
	return nil
}

// UpdateContact saves every field of c, matched by TeamID, AccountID and
// ID; fields names the keys the caller set, for the audit log. Saving an
// unchanged contact writes nothing. It fills CreatedAt, UpdatedAt and
// LastContact.
func (db *DB) UpdateContact(ctx context.Context, c *kam.Contact, actor string, fields []string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *c
	if err := normalizeContact(&n); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("update contact %d: %w", n.ID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		old, err := contactTx(ctx, tx, n.TeamID, n.AccountID, n.ID)
		if err != nil {
			return err
		}
		n.CreatedAt, n.LastContact = old.CreatedAt, old.LastContact
		changes := diffValues(contactValues(old), contactValues(n))
		if len(changes) == 0 {
			n.UpdatedAt = old.UpdatedAt
			return nil
		}
		n.UpdatedAt = db.now()
		_, err = tx.ExecContext(ctx, `UPDATE contacts SET name = ?, title = ?, role = ?, influence = ?, stance = ?,
			mirror_id = ?, updated_at = ? WHERE id = ? AND account_id = ? AND team_id = ?`,
			n.Name, n.Title, string(n.Role), n.Influence, n.Stance, n.MirrorID, ms(n.UpdatedAt), n.ID, n.AccountID, n.TeamID)
		if isUnique(err) {
			return errContactTaken(n.Name)
		} else if err != nil {
			return fmt.Errorf("update contact %d: %w", n.ID, err)
		}
		if fields == nil {
			fields = []string{}
		}
		detail := struct {
			Account int64                  `json:"account"`
			Fields  []string               `json:"fields"`
			Changes map[string]fieldChange `json:"changes"`
		}{n.AccountID, fields, changes}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionContactUpdate, auditEntity("contact", n.ID), detail, n.UpdatedAt)
	})
	if err != nil {
		return err
	}
	*c = n
	return nil
}

// RemoveContact takes a stakeholder off the map; the interactions that
// named them stay, without the link. ENOTFOUND when absent.
func (db *DB) RemoveContact(ctx context.Context, teamID string, accountID, contactID int64, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("remove contact %d: %w", contactID, err)
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		old, err := contactTx(ctx, tx, teamID, accountID, contactID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = ? AND account_id = ? AND team_id = ?`,
			contactID, accountID, teamID); err != nil {
			return fmt.Errorf("remove contact %d: %w", contactID, err)
		}
		d := contactValues(old)
		d["account"] = accountID
		return writeAudit(ctx, tx, aud, teamID, actor, ActionContactRemove, auditEntity("contact", contactID), d, db.now())
	})
}

func contactTx(ctx context.Context, tx *sql.Tx, teamID string, accountID, id int64) (kam.Contact, error) {
	c, err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts c
		WHERE c.id = ? AND c.account_id = ? AND c.team_id = ?`, id, accountID, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Contact{}, errContactNotFound()
	} else if err != nil {
		return kam.Contact{}, fmt.Errorf("read contact %d: %w", id, err)
	}
	return c, nil
}

// Contacts returns an account's stakeholders by name, each with the time of
// the latest interaction that named them.
func (db *DB) Contacts(ctx context.Context, teamID string, accountID int64) ([]kam.Contact, error) {
	st, err := db.stmt(ctx, db.read, `SELECT `+contactCols+` FROM contacts c
		WHERE c.account_id = ? AND c.team_id = ? ORDER BY c.name COLLATE NOCASE, c.id`)
	if err != nil {
		return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	rows, err := st.QueryContext(ctx, accountID, teamID)
	if err != nil {
		return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []kam.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	return out, nil
}

// ---- Scoring --------------------------------------------------------------------

// Weights returns the workspace's factor weights; factors never set weigh 1
// and are absent from the map.
func (db *DB) Weights(ctx context.Context, teamID string) (kam.Weights, error) {
	return weightsQ(ctx, db.read, teamID)
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func weightsQ(ctx context.Context, q queryer, teamID string) (kam.Weights, error) {
	rows, err := q.QueryContext(ctx, `SELECT factor, weight FROM score_weights WHERE team_id = ?`, teamID)
	if err != nil {
		return nil, fmt.Errorf("read weights of %s: %w", teamID, err)
	}
	defer rows.Close()
	w := kam.Weights{}
	for rows.Next() {
		var f string
		var v float64
		if err := rows.Scan(&f, &v); err != nil {
			return nil, fmt.Errorf("read weights of %s: %w", teamID, err)
		}
		w[f] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read weights of %s: %w", teamID, err)
	}
	return w, nil
}

// SetWeights changes the weights of the factors in w, keeping the others,
// and returns the workspace's weights after the change. The result must
// keep a weight above 0 on each axis, or nothing changes (EINVALID).
func (db *DB) SetWeights(ctx context.Context, teamID string, w kam.Weights, actor string) (kam.Weights, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	if teamID == "" {
		return nil, kam.Errorf(kam.EINVALID, "This request carries no Slack workspace.")
	}
	if len(w) == 0 {
		return nil, kam.Errorf(kam.EINVALID, "Give at least one factor=weight, e.g. `/kam weights size=2 trust=3`.")
	}
	set := kam.Weights{}
	for k, v := range w {
		f, ok := kam.LookupFactor(k)
		if !ok {
			return nil, (kam.Weights{k: v}).Validate()
		}
		set[f.Key] = v
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return nil, fmt.Errorf("set weights of %s: %w", teamID, err)
	}
	var after kam.Weights
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		before, err := weightsQ(ctx, tx, teamID)
		if err != nil {
			return err
		}
		after = kam.Weights{}
		for k, v := range before {
			after[k] = v
		}
		for k, v := range set {
			after[k] = v
		}
		if err := after.Validate(); err != nil {
			return err
		}
		at := db.now()
		for k, v := range set {
			if _, err := tx.ExecContext(ctx, `INSERT INTO score_weights (team_id, factor, weight, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, factor) DO UPDATE SET weight = excluded.weight,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`, teamID, k, v, actor, ms(at)); err != nil {
				return fmt.Errorf("set weight of %s in %s: %w", k, teamID, err)
			}
		}
		detail := struct {
			Set    kam.Weights `json:"set"`
			Before kam.Weights `json:"before"`
		}{set, before}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionWeightsSet, "workspace:"+teamID, detail, at)
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}

// ResetWeights puts every factor back to the default weight of 1.
func (db *DB) ResetWeights(ctx context.Context, teamID, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("reset weights of %s: %w", teamID, err)
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		before, err := weightsQ(ctx, tx, teamID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM score_weights WHERE team_id = ?`, teamID); err != nil {
			return fmt.Errorf("reset weights of %s: %w", teamID, err)
		}
		detail := struct {
			Before kam.Weights `json:"before"`
		}{before}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionWeightsReset, "workspace:"+teamID, detail, db.now())
	})
}

// SaveScoring records a scoring of an account. s.Scores holds the factors
// being set; inside the same transaction they are laid over the account's
// latest scores (factors not given keep their last value), so two people
// scoring at once never lose each other's factors. It fills ID, UserID
// (the actor when empty), At, Changed and the full Scores.
func (db *DB) SaveScoring(ctx context.Context, s *kam.Scoring, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *s
	if n.TeamID == "" {
		return kam.Errorf(kam.EINVALID, "This request carries no Slack workspace, so I can't tell whose account it is.")
	}
	if n.AccountID <= 0 {
		return errAccountNotFound()
	}
	if len(n.Scores) == 0 {
		return kam.Errorf(kam.EINVALID, "Give at least one factor=score, e.g. `/kam score acme size=4 trust=3`.")
	}
	update := kam.Scores{}
	for k, v := range n.Scores {
		f, _, err := kam.ParseScore(k, strconv.Itoa(v))
		if err != nil {
			return err
		}
		update[f.Key] = v
	}
	if n.UserID == "" {
		n.UserID = actor
	}
	var err error
	if n.UserID, err = normID("The person", n.UserID, "@person"); err != nil {
		return err
	}
	n.Changed = nil
	for _, f := range kam.Factors {
		if _, ok := update[f.Key]; ok {
			n.Changed = append(n.Changed, f.Key)
		}
	}
	n.At = db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("score account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		prev, err := latestScoresTx(ctx, tx, n.TeamID, n.AccountID)
		if err != nil {
			return err
		}
		n.Scores = prev.Merge(update)
		res, err := tx.ExecContext(ctx, `INSERT INTO scorings (team_id, account_id, user_id, changed, at) VALUES (?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.UserID, strings.Join(n.Changed, ","), ms(n.At))
		if err != nil {
			return fmt.Errorf("score account %d: %w", n.AccountID, err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("score account %d: %w", n.AccountID, err)
		}
		for k, v := range n.Scores {
			if _, err := tx.ExecContext(ctx, `INSERT INTO scoring_values (scoring_id, team_id, factor, score) VALUES (?, ?, ?, ?)`,
				n.ID, n.TeamID, k, v); err != nil {
				return fmt.Errorf("score account %d: %w", n.AccountID, err)
			}
		}
		detail := struct {
			Account int64      `json:"account"`
			Set     kam.Scores `json:"set"`
			Before  kam.Scores `json:"before"`
		}{n.AccountID, update, prev}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionScoringSave, auditEntity("scoring", n.ID), detail, n.At)
	})
	if err != nil {
		return err
	}
	*s = n
	return nil
}

func latestScoresTx(ctx context.Context, tx *sql.Tx, teamID string, accountID int64) (kam.Scores, error) {
	rows, err := tx.QueryContext(ctx, `SELECT factor, score FROM scoring_values WHERE scoring_id =
		(SELECT max(id) FROM scorings WHERE account_id = ? AND team_id = ?)`, accountID, teamID)
	if err != nil {
		return nil, fmt.Errorf("read scores of account %d: %w", accountID, err)
	}
	defer rows.Close()
	s := kam.Scores{}
	for rows.Next() {
		var f string
		var v int
		if err := rows.Scan(&f, &v); err != nil {
			return nil, fmt.Errorf("read scores of account %d: %w", accountID, err)
		}
		s[f] = v
	}
	return s, rows.Err()
}

// Scorings returns an account's scorings, newest first, at most limit of
// them (all when limit is 0 or less).
func (db *DB) Scorings(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Scoring, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, team_id, account_id, user_id, changed, at FROM scorings
		WHERE account_id = ? AND team_id = ? ORDER BY id DESC LIMIT ?`, accountID, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
	}
	var out []kam.Scoring
	byID := map[int64]int{}
	var ids []int64
	for rows.Next() {
		var s kam.Scoring
		var changed string
		var at int64
		if err := rows.Scan(&s.ID, &s.TeamID, &s.AccountID, &s.UserID, &changed, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
		}
		if changed != "" {
			s.Changed = strings.Split(changed, ",")
		}
		s.At, s.Scores = fromMS(at), kam.Scores{}
		byID[s.ID] = len(out)
		ids = append(ids, s.ID)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err = db.read.QueryContext(ctx, `SELECT scoring_id, factor, score FROM scoring_values
		WHERE scoring_id IN (SELECT value FROM json_each(?)) AND team_id = ?`, idList(ids), teamID)
	if err != nil {
		return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var f string
		var v int
		if err := rows.Scan(&id, &f, &v); err != nil {
			return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
		}
		out[byID[id]].Scores[f] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
	}
	return out, nil
}

// LatestScores returns the latest scores of every scored account of the
// workspace, by account ID, in one query.
func (db *DB) LatestScores(ctx context.Context, teamID string) (map[int64]kam.Scores, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.account_id, v.factor, v.score
		FROM scorings s JOIN scoring_values v ON v.scoring_id = s.id
		WHERE s.id IN (SELECT max(id) FROM scorings WHERE team_id = ?1 GROUP BY account_id) AND s.team_id = ?1`, teamID)
	if err != nil {
		return nil, fmt.Errorf("read latest scores of %s: %w", teamID, err)
	}
	defer rows.Close()
	out := map[int64]kam.Scores{}
	for rows.Next() {
		var id int64
		var f string
		var v int
		if err := rows.Scan(&id, &f, &v); err != nil {
			return nil, fmt.Errorf("read latest scores of %s: %w", teamID, err)
		}
		if out[id] == nil {
			out[id] = kam.Scores{}
		}
		out[id][f] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read latest scores of %s: %w", teamID, err)
	}
	return out, nil
}

// ---- Account plan ------------------------------------------------------------------

func errTacticNotFound(n int) error {
	return kam.Errorf(kam.ENOTFOUND, "There is no tactic %d on this account's plan. `/kam plan` with the account's name shows the numbers.", n)
}

// AddObjective adds an objective to an account's plan, filling ID,
// AuthorID (the actor) and CreatedAt. An empty For means ours.
func (db *DB) AddObjective(ctx context.Context, o *kam.Objective, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *o
	if n.AccountID <= 0 || n.TeamID == "" {
		return errAccountNotFound()
	}
	if n.For == "" {
		n.For = kam.ForUs
	}
	f, ok := kam.ParseEnum(string(n.For), kam.ObjectiveFors)
	if !ok {
		return kam.Errorf(kam.EINVALID, "%q is not whose objective it is; type for=customer or for=us.", string(n.For))
	}
	n.For = f
	var err error
	if n.Text, err = normLine("The objective", n.Text, kam.MaxTextLen); err != nil {
		return err
	}
	if n.Text == "" {
		return kam.Errorf(kam.EINVALID, "Say the objective in quotes, e.g. `/kam plan acme objective \"Cut their logistics cost 10%%\" for=customer`.")
	}
	n.AuthorID, n.CreatedAt = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add objective to account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, string(n.For), n.Text, n.AuthorID, ms(n.CreatedAt))
		if err == nil {
			n.ID, err = insertedForAccount(res)
		}
		if err != nil {
			return fmt.Errorf("add objective to account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "for": n.For, "text": n.Text}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionObjectiveAdd, auditEntity("objective", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*o = n
	return nil
}

// AddTactic adds a tactic to an account's plan, numbering it after the
// last one, and fills ID, Number, AuthorID (the actor) and CreatedAt. Due is
// kept as a calendar date.
func (db *DB) AddTactic(ctx context.Context, t *kam.Tactic, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *t
	if n.AccountID <= 0 || n.TeamID == "" {
		return errAccountNotFound()
	}
	var err error
	if n.Text, err = normLine("The tactic", n.Text, kam.MaxTextLen); err != nil {
		return err
	}
	if n.Text == "" {
		return kam.Errorf(kam.EINVALID, "Say the tactic in quotes, e.g. `/kam plan acme tactic \"Run a joint workshop\" quarter=Q3 owner=@ana due=2025-09-30`.")
	}
	if n.Quarter != "" {
		if n.Quarter, err = kam.ParseQuarter(n.Quarter); err != nil {
			return err
		}
	}
	if n.OwnerID, err = normID("The owner", n.OwnerID, "owner=@person"); err != nil {
		return err
	}
	if !n.Due.IsZero() {
		n.Due = time.Date(n.Due.Year(), n.Due.Month(), n.Due.Day(), 0, 0, 0, 0, time.UTC)
	}
	n.Done, n.DoneAt, n.DoneBy = false, time.Time{}, ""
	n.AuthorID, n.CreatedAt = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("add tactic to account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM plan_tactics WHERE account_id = ? AND team_id = ?`,
			n.AccountID, n.TeamID).Scan(&n.Number); err != nil {
			return fmt.Errorf("number tactic of account %d: %w", n.AccountID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_tactics (team_id, account_id, number, text, quarter, owner_id, due,
			author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.Number, n.Text, n.Quarter, n.OwnerID, closeDateString(n.Due), n.AuthorID, ms(n.CreatedAt))
		if err != nil {
			return fmt.Errorf("add tactic to account %d: %w", n.AccountID, err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("add tactic to account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "number": n.Number, "text": n.Text, "quarter": n.Quarter,
			"owner": n.OwnerID, "due": closeDateString(n.Due)}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionTacticAdd, auditEntity("tactic", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*t = n
	return nil
}

// CompleteTactic marks tactic number n of an account's plan done by the
// actor. ENOTFOUND when there is no such tactic; ECONFLICT when it is
// already done (nothing changes).
func (db *DB) CompleteTactic(ctx context.Context, teamID string, accountID int64, number int, actor string) (kam.Tactic, error) {
	if err := checkActor(actor); err != nil {
		return kam.Tactic{}, err
	}
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.Tactic{}, fmt.Errorf("complete tactic %d of account %d: %w", number, accountID, err)
	}
	var t kam.Tactic
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		t, err = scanTactic(tx.QueryRowContext(ctx, `SELECT `+tacticCols+` FROM plan_tactics
			WHERE account_id = ? AND team_id = ? AND number = ?`, accountID, teamID, number))
		if errors.Is(err, sql.ErrNoRows) {
			return errTacticNotFound(number)
		} else if err != nil {
			return fmt.Errorf("complete tactic %d of account %d: %w", number, accountID, err)
		}
		if t.Done {
			return kam.Errorf(kam.ECONFLICT, "Tactic %d (“%s”) was already done on %s.", number, t.Text, t.DoneAt.Format(time.DateOnly))
		}
		t.Done, t.DoneAt, t.DoneBy = true, db.now(), actor
		if _, err := tx.ExecContext(ctx, `UPDATE plan_tactics SET done_at = ?, done_by = ? WHERE id = ? AND team_id = ?`,
			ms(t.DoneAt), t.DoneBy, t.ID, teamID); err != nil {
			return fmt.Errorf("complete tactic %d of account %d: %w", number, accountID, err)
		}
		d := map[string]any{"account": accountID, "number": number}
		return writeAudit(ctx, tx, aud, teamID, actor, ActionTacticDone, auditEntity("tactic", t.ID), d, t.DoneAt)
	})
	if err != nil {
		return kam.Tactic{}, err
	}
	return t, nil
}

// RecordPlanReview records that the actor reviewed an account's plan now,
// filling ID, UserID and At. The next review falls due one cadence period later.
func (db *DB) RecordPlanReview(ctx context.Context, r *kam.PlanReview, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *r
	if n.AccountID <= 0 || n.TeamID == "" {
		return errAccountNotFound()
	}
	var err error
	if n.Note, err = normText("The review note", n.Note, kam.MaxSummaryLen); err != nil {
		return err
	}
	n.UserID, n.At = actor, db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("review plan of account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO plan_reviews (team_id, account_id, user_id, note, at)
			SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, n.UserID, n.Note, ms(n.At))
		if err == nil {
			n.ID, err = insertedForAccount(res)
		}
		if err != nil {
			return fmt.Errorf("review plan of account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "note": n.Note}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionPlanReview, auditEntity("review", n.ID), d, n.At)
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

const tacticCols = `id, team_id, account_id, number, text, quarter, owner_id, due, done_at, done_by, author_id, created_at`

func scanTactic(r rowSource) (kam.Tactic, error) {
	var t kam.Tactic
	var due string
	var doneAt sql.NullInt64
	var created int64
	if err := r.Scan(&t.ID, &t.TeamID, &t.AccountID, &t.Number, &t.Text, &t.Quarter, &t.OwnerID, &due, &doneAt,
		&t.DoneBy, &t.AuthorID, &created); err != nil {
		return kam.Tactic{}, err
	}
	if due != "" {
		d, err := time.Parse(closeDateLayout, due)
		if err != nil {
			return kam.Tactic{}, fmt.Errorf("tactic %d due date: %w", t.ID, err)
		}
		t.Due = d
	}
	if doneAt.Valid {
		t.Done, t.DoneAt = true, fromMS(doneAt.Int64)
	}
	t.CreatedAt = fromMS(created)
	return t, nil
}

const objectiveCols = `id, team_id, account_id, owner, text, author_id, created_at`

func scanObjective(r rowSource) (kam.Objective, error) {
	var o kam.Objective
	var owner string
	var created int64
	if err := r.Scan(&o.ID, &o.TeamID, &o.AccountID, &owner, &o.Text, &o.AuthorID, &created); err != nil {
		return kam.Objective{}, err
	}
	o.For, o.CreatedAt = kam.ObjectiveFor(owner), fromMS(created)
	return o, nil
}

const reviewCols = `id, team_id, account_id, user_id, note, at`

func scanReview(r rowSource) (kam.PlanReview, error) {
	var p kam.PlanReview
	var at int64
	if err := r.Scan(&p.ID, &p.TeamID, &p.AccountID, &p.UserID, &p.Note, &at); err != nil {
		return kam.PlanReview{}, err
	}
	p.At = fromMS(at)
	return p, nil
}

// Plan returns an account's plan: objectives (customer's first), tactics by
// number, the latest review and how many there were.
func (db *DB) Plan(ctx context.Context, teamID string, accountID int64) (kam.Plan, error) {
	plans, err := db.plans(ctx, teamID, []int64{accountID})
	if err != nil {
		return kam.Plan{}, err
	}
	p := plans[accountID]
	p.AccountID = accountID
	return p, nil
}

// plans loads the plans of many accounts in three queries.
func (db *DB) plans(ctx context.Context, teamID string, ids []int64) (map[int64]kam.Plan, error) {
	list := idList(ids)
	out := make(map[int64]kam.Plan, len(ids))
	get := func(id int64) kam.Plan { p := out[id]; p.AccountID = id; return p }

	if err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		o, err := scanObjective(r)
		if err == nil {
			p := get(o.AccountID)
			p.Objectives = append(p.Objectives, o)
			out[o.AccountID] = p
		}
		return err
	}, `SELECT `+objectiveCols+` FROM plan_objectives WHERE team_id = ? AND account_id IN (SELECT value FROM json_each(?))
		ORDER BY account_id, CASE owner WHEN 'customer' THEN 0 ELSE 1 END, id`, teamID, list); err != nil {
		return nil, fmt.Errorf("read plan objectives: %w", err)
	}
	if err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		t, err := scanTactic(r)
		if err == nil {
			p := get(t.AccountID)
			p.Tactics = append(p.Tactics, t)
			out[t.AccountID] = p
		}
		return err
	}, `SELECT `+tacticCols+` FROM plan_tactics WHERE team_id = ? AND account_id IN (SELECT value FROM json_each(?))
		ORDER BY account_id, number`, teamID, list); err != nil {
		return nil, fmt.Errorf("read plan tactics: %w", err)
	}
	if err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var rev kam.PlanReview
		var at int64
		var n int
		if err := r.Scan(&rev.ID, &rev.TeamID, &rev.AccountID, &rev.UserID, &rev.Note, &at, &n); err != nil {
			return err
		}
		rev.At = fromMS(at)
		p := get(rev.AccountID)
		p.LastReview, p.Reviews = &rev, n
		out[rev.AccountID] = p
		return nil
	}, `SELECT `+reviewCols+`, n FROM (SELECT *, row_number() OVER w AS rn, count(*) OVER (PARTITION BY account_id) AS n
		FROM plan_reviews WHERE team_id = ? AND account_id IN (SELECT value FROM json_each(?))
		WINDOW w AS (PARTITION BY account_id ORDER BY at DESC, id DESC)) WHERE rn = 1`, teamID, list); err != nil {
		return nil, fmt.Errorf("read plan reviews: %w", err)
	}
	return out, nil
}

// PlanReviews returns an account's plan reviews, newest first, at most
// limit of them (all when limit is 0 or less).
func (db *DB) PlanReviews(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.PlanReview, error) {
	var out []kam.PlanReview
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		p, err := scanReview(r)
		out = append(out, p)
		return err
	}, `SELECT `+reviewCols+` FROM plan_reviews WHERE account_id = ? AND team_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
		accountID, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list plan reviews of account %d: %w", accountID, err)
	}
	return out, nil
}

// ---- Health ---------------------------------------------------------------------------

// HealthInputs loads everything kam.AssessHealth needs for the accounts,
// which must be the workspace's, in the order given. It runs a fixed number
// of set-based queries whatever the portfolio's size — the team with each
// member's latest real contact, each account's latest real contact, the
// interactions of the last kam.RelationshipWindow before now and the
// stakeholders they named, the stakeholder map, the open opportunities, the
// plans and the surveys' NPS summaries — and each reads index ranges bounded
// by the window, the teams and the open work, so the cost does not grow with
// the length of history. The queries are independent and run side by side
// on the read pool, each into its own result, merged at the end.
// Satisfaction is nil for an account never surveyed.
func (db *DB) HealthInputs(ctx context.Context, teamID string, accts []kam.Account, now time.Time) ([]kam.HealthInput, error) {
	if len(accts) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(accts))
	idx := make(map[int64]int, len(accts))
	out := make([]kam.HealthInput, len(accts))
	for i, a := range accts {
		if a.TeamID != "" && a.TeamID != teamID {
			return nil, fmt.Errorf("health inputs: account %d is not of workspace %s", a.ID, teamID)
		}
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
			err := eachRow(ctx, db.read, func(r *sql.Rows) error {
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
			}, `SELECT m.account_id, m.user_id, m.role, m.function, m.added_at,
				(SELECT max(i.at) FROM interactions i INDEXED BY interactions_touch_user
					WHERE i.team_id = m.team_id AND i.account_id = m.account_id AND i.user_id = m.user_id AND i.kind <> 'note')
				FROM members m WHERE m.team_id = ? AND m.account_id IN (SELECT value FROM json_each(?))`, teamID, list)
			return wrapErr(err, "health inputs: read teams")
		},
		// Each account's latest real contact by anyone: one seek each.
		func() error {
			err := eachRow(ctx, db.read, func(r *sql.Rows) error {
				var acct int64
				var at sql.NullInt64
				if err := r.Scan(&acct, &at); err != nil {
					return err
				}
				if at.Valid {
					last[acct] = fromMS(at.Int64)
				}
				return nil
			}, `SELECT a.value, (SELECT max(i.at) FROM interactions i INDEXED BY interactions_touch_at
					WHERE i.team_id = ?1 AND i.account_id = a.value AND i.kind <> 'note')
				FROM json_each(?2) a`, teamID, list)
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
			err := eachRow(ctx, db.read, func(r *sql.Rows) error {
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
			}, `SELECT i.id, i.account_id, i.user_id, i.kind, i.at FROM interactions i INDEXED BY interactions_touch_at
				WHERE i.team_id = ? AND i.kind <> 'note' AND i.account_id IN (SELECT value FROM json_each(?))
					AND i.at >= ? AND i.at <= ?`, teamID, list, ms(from), ms(now))
			return wrapErr(err, "health inputs: read recent interactions")
		},
		// The stakeholders named in the window.
		func() error {
			err := eachRow(ctx, db.read, func(r *sql.Rows) error {
				var id, contact int64
				if err := r.Scan(&id, &contact); err != nil {
					return err
				}
				links[id] = append(links[id], contact)
				return nil
			}, `SELECT interaction_id, contact_id FROM interaction_contacts INDEXED BY interaction_contacts_team_at
				WHERE team_id = ? AND at >= ? AND at <= ?`, teamID, ms(from), ms(now))
			return wrapErr(err, "health inputs: read stakeholders met")
		},
		func() error {
			err := eachRow(ctx, db.read, func(r *sql.Rows) error {
				c, err := scanContact(r)
				if err == nil {
					k := idx[c.AccountID]
					contacts[k] = append(contacts[k], c)
				}
				return err
			}, `SELECT `+contactCols+` FROM contacts c WHERE c.team_id = ? AND c.account_id IN (SELECT value FROM json_each(?))
				ORDER BY c.name COLLATE NOCASE, c.id`, teamID, list)
			return wrapErr(err, "health inputs: read stakeholders")
		},
		// Open opportunities, with only the columns health reads.
		func() error {
			err := eachRow(ctx, db.read, func(r *sql.Rows) error {
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
			}, `SELECT id, account_id, name, close_date, stage, stage_since FROM opportunities INDEXED BY opportunities_team_stage
				WHERE team_id = ? AND stage IN `+openStages+` AND account_id IN (SELECT value FROM json_each(?)) ORDER BY id`, teamID, list)
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

// parallel runs fns side by side and returns their errors joined.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// wrapErr adds what was being done to a non-nil error.
func wrapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// eachRow runs a query and calls fn for every row.
func eachRow(ctx context.Context, q queryer, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// idList encodes IDs as a JSON array for json_each: one bound parameter
// however many accounts, instead of one placeholder each.
func idList(ids []int64) string {
	b, _ := json.Marshal(ids) // []int64 always marshals
	return string(b)
}
