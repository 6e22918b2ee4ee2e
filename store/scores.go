package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/kambot/kambot/kam"
)

// Weights returns the workspace's factor weights; factors never set weigh 1
// and are absent from the map.
func (db *DB) Weights(ctx context.Context, teamID string) (kam.Weights, error) {
	return weightsQ(ctx, db.read, teamID)
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
		return nil, kam.ErrMissingTeam(kam.EntityWeights)
	}
	if len(w) == 0 {
		return nil, kam.ErrInvalid(kam.EntityWeights, "", kam.ReasonMissing)
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
		return kam.ErrMissingTeam(kam.EntityScoring)
	}
	if n.AccountID <= 0 {
		return errAccountNotFound()
	}
	if len(n.Scores) == 0 {
		return kam.ErrInvalid(kam.EntityScoring, "", kam.ReasonMissing)
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
	if n.UserID, err = kam.CheckSlackID(kam.EntityScoring, "user", n.UserID); err != nil {
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

// scoringsSQL and scoringValuesSQL read one account's scorings along its
// own index (see healthTeamSQL for the "+team_id").
const (
	scoringsSQL = `SELECT id, team_id, account_id, user_id, changed, at FROM scorings INDEXED BY scorings_account
	WHERE account_id = +?1 AND +team_id = +?2 ORDER BY id DESC LIMIT +?3`
	scoringValuesSQL = `SELECT scoring_id, factor, score FROM scoring_values
	WHERE scoring_id IN (SELECT value FROM json_each(?1)) AND +team_id = +?2`
)

// Scorings returns an account's scorings, newest first, at most limit of
// them (all when limit is 0 or less).
func (db *DB) Scorings(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Scoring, error) {
	st, err := db.stmt(ctx, db.read, scoringsSQL)
	if err != nil {
		return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
	}
	rows, err := st.QueryContext(ctx, accountID, teamID, sqlLimit(limit))
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
	if st, err = db.stmt(ctx, db.read, scoringValuesSQL); err != nil {
		return nil, fmt.Errorf("list scorings of account %d: %w", accountID, err)
	}
	rows, err = st.QueryContext(ctx, idList(ids), teamID)
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
