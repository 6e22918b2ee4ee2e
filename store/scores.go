package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kambot/kambot/kam"
)

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
	if n.UserID == "" {
		n.UserID = actor
	}
	var err error
	if n.UserID, err = kam.CheckSlackID(kam.EntityScoring, "user", n.UserID); err != nil {
		return err
	}
	n.At = db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("score account %d: %w", n.AccountID, err)
	}
	var update kam.Scores
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		// The scoring is made under the current criteria: every factor
		// given must be one of them, and the previous scores are carried
		// onto them (renamed factors keep their score, retired ones drop).
		cur, err := criteriaQ(ctx, tx, n.TeamID, -1)
		if err != nil {
			return err
		}
		c := cur.Current()
		update = kam.Scores{}
		for k, v := range s.Scores {
			f, _, err := c.ParseScore(k, strconv.Itoa(v))
			if err != nil {
				return err
			}
			update[f.Key] = v
		}
		n.Changed = nil
		for _, f := range c.Factors {
			if _, ok := update[f.Key]; ok {
				n.Changed = append(n.Changed, f.Key)
			}
		}
		prev, prevVersion, err := latestScoresTx(ctx, tx, n.TeamID, n.AccountID)
		if err != nil {
			return err
		}
		if prevVersion != c.Version {
			old, err := criteriaQ(ctx, tx, n.TeamID, prevVersion)
			if err != nil {
				return err
			}
			prev = c.Carry(prev, old.Of(prevVersion))
		}
		n.Scores, n.Criteria = prev.Merge(update), c.Version
		res, err := tx.ExecContext(ctx, `INSERT INTO scorings (team_id, account_id, user_id, changed, at, criteria_version) VALUES (?, ?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.UserID, strings.Join(n.Changed, ","), ms(n.At), n.Criteria)
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
			Account  int64      `json:"account"`
			Set      kam.Scores `json:"set"`
			Before   kam.Scores `json:"before"`
			Criteria int        `json:"criteria"`
		}{n.AccountID, update, prev, n.Criteria}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionScoringSave, auditEntity("scoring", n.ID), detail, n.At)
	})
	if err != nil {
		return err
	}
	*s = n
	return nil
}

// latestScoresTx reads an account's latest scores and the criteria
// version they were scored under.
func latestScoresTx(ctx context.Context, tx *sql.Tx, teamID string, accountID int64) (kam.Scores, int, error) {
	var version int
	err := tx.QueryRowContext(ctx, `SELECT criteria_version FROM scorings WHERE id =
		(SELECT max(id) FROM scorings WHERE account_id = ? AND team_id = ?)`, accountID, teamID).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Scores{}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read scores of account %d: %w", accountID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT factor, score FROM scoring_values WHERE scoring_id =
		(SELECT max(id) FROM scorings WHERE account_id = ? AND team_id = ?)`, accountID, teamID)
	if err != nil {
		return nil, 0, fmt.Errorf("read scores of account %d: %w", accountID, err)
	}
	defer rows.Close()
	s := kam.Scores{}
	for rows.Next() {
		var f string
		var v int
		if err := rows.Scan(&f, &v); err != nil {
			return nil, 0, fmt.Errorf("read scores of account %d: %w", accountID, err)
		}
		s[f] = v
	}
	return s, version, rows.Err()
}

// scoringsSQL and scoringValuesSQL read one account's scorings along its
// own index (see healthTeamSQL for the "+team_id").
const (
	scoringsSQL = `SELECT id, team_id, account_id, user_id, changed, at, criteria_version FROM scorings INDEXED BY scorings_account
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
		if err := rows.Scan(&s.ID, &s.TeamID, &s.AccountID, &s.UserID, &changed, &at, &s.Criteria); err != nil {
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

// LatestScores returns the latest scoring of every scored account of the
// workspace, by account ID, in one query: its scores and the criteria
// version they were made under (ID, author and time are left empty).
func (db *DB) LatestScores(ctx context.Context, teamID string) (map[int64]kam.Scoring, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.account_id, s.criteria_version, v.factor, v.score
		FROM scorings s JOIN scoring_values v ON v.scoring_id = s.id
		WHERE s.id IN (SELECT max(id) FROM scorings WHERE team_id = ?1 GROUP BY account_id) AND s.team_id = ?1`, teamID)
	if err != nil {
		return nil, fmt.Errorf("read latest scores of %s: %w", teamID, err)
	}
	defer rows.Close()
	out := map[int64]kam.Scoring{}
	for rows.Next() {
		if err := scanScoringValue(rows, out); err != nil {
			return nil, fmt.Errorf("read latest scores of %s: %w", teamID, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read latest scores of %s: %w", teamID, err)
	}
	return out, nil
}

// scanScoringValue reads one (account, version, factor, score) row into
// the account's scoring.
func scanScoringValue(r *sql.Rows, out map[int64]kam.Scoring) error {
	var id int64
	var version int
	var f string
	var v int
	if err := r.Scan(&id, &version, &f, &v); err != nil {
		return err
	}
	s, ok := out[id]
	if !ok {
		s = kam.Scoring{AccountID: id, Criteria: version, Scores: kam.Scores{}}
		out[id] = s
	}
	s.Scores[f] = v
	return nil
}
