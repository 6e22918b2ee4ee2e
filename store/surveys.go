package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kambot/kambot/kam"
)

// Audit actions written by the surveys and digest store.
const (
	ActionSurveySend   = "survey.send"
	ActionSurveyAnswer = "survey.answer"
	ActionSurveyRecord = "survey.record"
)

// snapshotRetention is how long weekly health snapshots are kept.
const snapshotRetention = 2 * 365 * 24 * time.Hour

func errSurveyNotFound() error { return kam.ErrNotFound(kam.EntitySurvey) }

func newToken() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// ---- Sending ------------------------------------------------------------------

const surveyCols = `id, team_id, account_id, channel_id, user_id, token, sent_by, sent_at, closes_at, message_ts, message_channel`

func scanSurvey(r rowSource) (kam.Survey, error) {
	var s kam.Survey
	var sent, closes int64
	if err := r.Scan(&s.ID, &s.TeamID, &s.AccountID, &s.ChannelID, &s.UserID, &s.Token, &s.SentBy, &sent, &closes,
		&s.MessageTS, &s.MessageChannel); err != nil {
		return kam.Survey{}, err
	}
	s.SentAt, s.ClosesAt = fromMS(sent), fromMS(closes)
	return s, nil
}

// CreateSurvey records a survey being sent by the actor, filling ID, Token,
// SentBy, SentAt and ClosesAt (SentAt + kam.SurveyOpenFor unless set). Exactly
// one of ChannelID and UserID names the recipient. The account must be the
// workspace's (ENOTFOUND). post builds the question from the stored survey
// (its key should be kam.SurveyKey); it is queued in the same transaction.
// Asking the same recipient about the same account again within
// kam.SurveyResendAfter of a survey whose post was queued is ECONFLICT.
func (db *DB) CreateSurvey(ctx context.Context, s *kam.Survey, actor string, post kam.Post[kam.Survey]) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *s
	if err := n.Validate(); err != nil {
		return err
	}
	var err error
	if n.Token, err = newToken(); err != nil {
		return fmt.Errorf("create survey for account %d: %w", n.AccountID, err)
	}
	n.SentBy, n.SentAt = actor, db.now()
	if n.ClosesAt.IsZero() {
		n.ClosesAt = n.SentAt.Add(kam.SurveyOpenFor)
	}
	n.ClosesAt = fromMS(n.ClosesAt.UnixMilli())
	if !n.ClosesAt.After(n.SentAt) {
		return kam.ErrInvalid(kam.EntitySurvey, "closes", kam.ReasonRange)
	}
	n.MessageTS, n.MessageChannel = "", ""
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("create survey for account %d: %w", n.AccountID, err)
	}
	q, err := db.outboxStmts(ctx)
	if err != nil {
		return fmt.Errorf("create survey for account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, n.TeamID, n.AccountID); err != nil {
			return err
		}
		// Only a survey whose post was queued counts: one whose queuing
		// failed never reached anybody and must not block a retry.
		prev, err := scanSurvey(tx.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM surveys s
			WHERE team_id = ? AND account_id = ? AND channel_id = ? AND user_id = ? AND sent_at > ?
				AND EXISTS (SELECT 1 FROM outbox o WHERE o.team_id = s.team_id AND o.key = 'survey:' || s.id)
			ORDER BY sent_at DESC, id DESC LIMIT 1`,
			n.TeamID, n.AccountID, n.ChannelID, n.UserID, ms(n.SentAt.Add(-kam.SurveyResendAfter))))
		switch {
		case err == nil:
			e := kam.ErrConflict(kam.EntitySurvey, kam.ReasonRecent)
			e.Field, e.Other = "user", prev.UserID
			if prev.ChannelID != "" {
				e.Field, e.Other = "channel", prev.ChannelID
			}
			e.Since, e.Until = prev.SentAt, prev.ClosesAt
			return e
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("check earlier surveys of account %d: %w", n.AccountID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO surveys (team_id, account_id, channel_id, user_id, token, sent_by, sent_at, closes_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.ChannelID, n.UserID, n.Token, n.SentBy, ms(n.SentAt), ms(n.ClosesAt))
		if err != nil {
			return fmt.Errorf("create survey for account %d: %w", n.AccountID, err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("create survey for account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "channel": n.ChannelID, "user": n.UserID, "closes": n.ClosesAt}
		if err := writeAudit(ctx, tx, aud, n.TeamID, actor, ActionSurveySend, auditEntity("survey", n.ID), d, n.SentAt); err != nil {
			return err
		}
		if err := postTx(ctx, q.in(ctx, tx), post, n, n.SentAt); err != nil {
			return fmt.Errorf("queue survey %d: %w", n.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*s = n
	return nil
}

// Survey returns one of the workspace's surveys; ENOTFOUND when absent.
func (db *DB) Survey(ctx context.Context, teamID string, id int64) (kam.Survey, error) {
	s, err := scanSurvey(db.read.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM surveys WHERE id = ? AND team_id = ?`, id, teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Survey{}, errSurveyNotFound()
	} else if err != nil {
		return kam.Survey{}, fmt.Errorf("read survey %d: %w", id, err)
	}
	return s, nil
}

// SurveyByToken returns the survey with this ID and token, whatever its
// workspace. It is the one lookup not scoped to a workspace: a customer
// answering in a Slack Connect channel clicks from their own workspace,
// and the random token, which only the survey's buttons carry, is what
// vouches for the click. The caller decides whether a click from another
// workspace may count. A wrong token is ENOTFOUND, like a missing survey.
func (db *DB) SurveyByToken(ctx context.Context, id int64, token string) (kam.Survey, error) {
	s, err := scanSurvey(db.read.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM surveys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Survey{}, errSurveyNotFound()
	} else if err != nil {
		return kam.Survey{}, fmt.Errorf("read survey %d: %w", id, err)
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(s.Token), []byte(token)) != 1 {
		return kam.Survey{}, errSurveyNotFound()
	}
	return s, nil
}

// Surveys returns an account's surveys, newest first, at most limit of
// them (all when limit is 0 or less).
func (db *DB) Surveys(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Survey, error) {
	var out []kam.Survey
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		s, err := scanSurvey(r)
		out = append(out, s)
		return err
	}, `SELECT `+surveyCols+` FROM surveys WHERE team_id = ? AND account_id = ? ORDER BY sent_at DESC, id DESC LIMIT ?`,
		teamID, accountID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list surveys of account %d: %w", accountID, err)
	}
	return out, nil
}

// ---- Answers ------------------------------------------------------------------

const answerCols = `id, team_id, account_id, coalesce(survey_id, 0), respondent, user_id, user_team, contact, score, comment,
	recorded_by, created_at, at`

func scanAnswer(r rowSource) (kam.SurveyAnswer, error) {
	var a kam.SurveyAnswer
	var created, at int64
	if err := r.Scan(&a.ID, &a.TeamID, &a.AccountID, &a.SurveyID, &a.Respondent, &a.UserID, &a.UserTeam, &a.Contact,
		&a.Score, &a.Comment, &a.RecordedBy, &created, &at); err != nil {
		return kam.SurveyAnswer{}, err
	}
	a.CreatedAt, a.At = fromMS(created), fromMS(at)
	return a, nil
}

// AnswerSurvey stores a Slack user's answer to a survey of the workspace
// a.TeamID: a.SurveyID, a.UserID (and a.UserTeam, their own workspace),
// a.Score and, when setComment, a.Comment. The respondent's earlier answer
// to the same survey is updated, not added to: prev is that answer and
// existed says there was one. Without setComment an earlier comment is
// kept. It fills the rest of a. A closed survey is ECONFLICT, a DM survey
// answered by someone else EUNAUTHORIZED; neither changes anything.
func (db *DB) AnswerSurvey(ctx context.Context, a *kam.SurveyAnswer, setComment bool) (prev kam.SurveyAnswer, existed bool, err error) {
	// Check the answer before opening a transaction.
	n, err := checkSurveyAnswer(*a, setComment)
	if err != nil {
		return kam.SurveyAnswer{}, false, err
	}
	n.At = db.now()
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return kam.SurveyAnswer{}, false, fmt.Errorf("answer survey %d: %w", n.SurveyID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		// The survey must be open and, for a DM survey, sent to this user.
		s, err := answerableSurvey(ctx, tx, n)
		if err != nil {
			return err
		}
		n.AccountID = s.AccountID
		// Update the respondent's earlier answer, or add the first one.
		if prev, existed, err = saveSurveyAnswer(ctx, tx, &n, setComment); err != nil {
			return err
		}
		// Audit it, with the score it replaced.
		d := map[string]any{"account": n.AccountID, "score": n.Score, "updated": existed, "comment": n.Comment != ""}
		if existed {
			d["previous_score"] = prev.Score
		}
		return writeAudit(ctx, tx, aud, n.TeamID, n.UserID, ActionSurveyAnswer, auditEntity("survey", n.SurveyID), d, n.At)
	})
	if err != nil {
		return kam.SurveyAnswer{}, false, err
	}
	*a = n
	return prev, existed, nil
}

// checkSurveyAnswer validates what a Slack user gives when answering (the
// comment only when setComment) and returns n with its identifiers
// normalized and the respondent set to that user.
func checkSurveyAnswer(n kam.SurveyAnswer, setComment bool) (kam.SurveyAnswer, error) {
	var err error
	if n.TeamID == "" || n.SurveyID <= 0 {
		return kam.SurveyAnswer{}, errSurveyNotFound()
	}
	if n.UserID, err = kam.CheckSlackID(kam.EntitySurveyAnswer, "user", n.UserID); err != nil {
		return kam.SurveyAnswer{}, err
	}
	if n.UserID == "" {
		return kam.SurveyAnswer{}, checkActor("")
	}
	if n.UserTeam, err = kam.CheckSlackID(kam.EntitySurveyAnswer, "user_team", n.UserTeam); err != nil {
		return kam.SurveyAnswer{}, err
	}
	if err := kam.CheckScore(n.Score); err != nil {
		return kam.SurveyAnswer{}, err
	}
	if setComment {
		if n.Comment, err = kam.CheckText(kam.EntitySurveyAnswer, "comment", n.Comment, kam.MaxSurveyComment); err != nil {
			return kam.SurveyAnswer{}, err
		}
	}
	n.Respondent, n.Contact, n.RecordedBy = kam.RespondentUser(n.UserID), "", ""
	return n, nil
}

// answerableSurvey reads the survey n answers and checks that n.UserID may
// answer it at n.At: it is open, and a DM survey was sent to them.
func answerableSurvey(ctx context.Context, tx *sql.Tx, n kam.SurveyAnswer) (kam.Survey, error) {
	s, err := scanSurvey(tx.QueryRowContext(ctx, `SELECT `+surveyCols+` FROM surveys WHERE id = ? AND team_id = ?`, n.SurveyID, n.TeamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.Survey{}, errSurveyNotFound()
	} else if err != nil {
		return kam.Survey{}, fmt.Errorf("read survey %d: %w", n.SurveyID, err)
	}
	if !s.Open(n.At) {
		e := kam.ErrConflict(kam.EntitySurvey, kam.ReasonClosed)
		e.Until = s.ClosesAt
		return kam.Survey{}, e
	}
	if s.UserID != "" && s.UserID != n.UserID {
		return kam.Survey{}, &kam.Error{Code: kam.EUNAUTHORIZED, Entity: kam.EntitySurvey, Reason: kam.ReasonNotRecipient,
			Other: s.UserID, Message: fmt.Sprintf("survey %d was sent to %s alone", s.ID, s.UserID)}
	}
	return s, nil
}

// saveSurveyAnswer updates the respondent's earlier answer to the survey
// (keeping its comment unless setComment) or inserts n, and fills n's ID
// and CreatedAt. prev is the earlier answer when existed.
func saveSurveyAnswer(ctx context.Context, tx *sql.Tx, n *kam.SurveyAnswer, setComment bool) (prev kam.SurveyAnswer, existed bool, err error) {
	prev, err = scanAnswer(tx.QueryRowContext(ctx, `SELECT `+answerCols+` FROM survey_responses
		WHERE survey_id = ? AND respondent = ?`, n.SurveyID, n.Respondent))
	switch {
	case err == nil:
		n.ID, n.CreatedAt = prev.ID, prev.CreatedAt
		if !setComment {
			n.Comment = prev.Comment
		}
		if _, err := tx.ExecContext(ctx, `UPDATE survey_responses SET score = ?, comment = ?, user_team = ?, at = ? WHERE id = ?`,
			n.Score, n.Comment, n.UserTeam, ms(n.At), n.ID); err != nil {
			return prev, true, fmt.Errorf("update answer to survey %d: %w", n.SurveyID, err)
		}
		return prev, true, nil
	case errors.Is(err, sql.ErrNoRows):
		if !setComment {
			n.Comment = ""
		}
		n.CreatedAt = n.At
		res, err := tx.ExecContext(ctx, `INSERT INTO survey_responses (team_id, account_id, survey_id, respondent, user_id, user_team,
			score, comment, created_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.TeamID, n.AccountID, n.SurveyID, n.Respondent, n.UserID, n.UserTeam, n.Score, n.Comment, ms(n.At), ms(n.At))
		if err != nil {
			return prev, false, fmt.Errorf("store answer to survey %d: %w", n.SurveyID, err)
		}
		if n.ID, err = res.LastInsertId(); err != nil {
			return prev, false, fmt.Errorf("store answer to survey %d: %w", n.SurveyID, err)
		}
		return prev, false, nil
	default:
		return prev, false, fmt.Errorf("read answer to survey %d: %w", n.SurveyID, err)
	}
}

// RecordSurveyAnswer stores an answer to a survey taken outside Slack (a
// call, a form, a QBR), recorded by the actor: a.TeamID, a.AccountID,
// a.Score, and optionally a.Comment, a.Contact (the stakeholder's name) and
// a.At (when it was given; zero means now, and it may not lie in the
// future). It fills ID, SurveyID (0), Respondent, RecordedBy and CreatedAt.
func (db *DB) RecordSurveyAnswer(ctx context.Context, a *kam.SurveyAnswer, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	n := *a
	if n.TeamID == "" {
		return kam.ErrMissingTeam(kam.EntitySurveyAnswer)
	}
	if n.AccountID <= 0 {
		return errAccountNotFound()
	}
	if err := n.Validate(); err != nil {
		return err
	}
	now := db.now()
	n.At = db.orNow(n.At)
	if n.At.After(now.Add(clockSkew)) {
		e := kam.ErrInvalid(kam.EntitySurveyAnswer, "date", kam.ReasonFuture)
		e.Until = now
		return e
	}
	if n.Contact != "" {
		n.Respondent = "contact:" + strings.ToLower(n.Contact)
	} else {
		tok, err := newToken()
		if err != nil {
			return fmt.Errorf("record answer for account %d: %w", n.AccountID, err)
		}
		// Each anonymous answer is its own respondent.
		n.Respondent = "anon:" + tok
	}
	n.SurveyID, n.UserID, n.UserTeam, n.RecordedBy, n.CreatedAt = 0, "", "", actor, now
	aud, err := db.auditStmt(ctx)
	if err != nil {
		return fmt.Errorf("record answer for account %d: %w", n.AccountID, err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO survey_responses (team_id, account_id, respondent, contact, score, comment,
			recorded_by, created_at, at)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)`,
			n.TeamID, n.AccountID, n.Respondent, n.Contact, n.Score, n.Comment, n.RecordedBy, ms(n.CreatedAt), ms(n.At))
		if err == nil {
			n.ID, err = insertedForAccount(res)
		}
		if err != nil {
			return fmt.Errorf("record answer for account %d: %w", n.AccountID, err)
		}
		d := map[string]any{"account": n.AccountID, "score": n.Score, "contact": n.Contact, "at": n.At, "comment": n.Comment != ""}
		return writeAudit(ctx, tx, aud, n.TeamID, actor, ActionSurveyRecord, auditEntity("response", n.ID), d, n.CreatedAt)
	})
	if err != nil {
		return err
	}
	*a = n
	return nil
}

// SurveyAnswerOf returns a Slack user's answer to one of the workspace's
// surveys; ENOTFOUND when they have not answered.
func (db *DB) SurveyAnswerOf(ctx context.Context, teamID string, surveyID int64, userID string) (kam.SurveyAnswer, error) {
	a, err := scanAnswer(db.read.QueryRowContext(ctx, `SELECT `+answerCols+` FROM survey_responses
		WHERE survey_id = ? AND respondent = ? AND team_id = ?`, surveyID, kam.RespondentUser(userID), teamID))
	if errors.Is(err, sql.ErrNoRows) {
		return kam.SurveyAnswer{}, kam.ErrNotFound(kam.EntitySurveyAnswer)
	} else if err != nil {
		return kam.SurveyAnswer{}, fmt.Errorf("read answer to survey %d: %w", surveyID, err)
	}
	return a, nil
}

// accountAnswersSQL reads one account's answers back along its own index.
const accountAnswersSQL = `SELECT ` + answerCols + ` FROM survey_responses INDEXED BY survey_responses_account_at
	WHERE account_id = +?1 AND +team_id = +?2 ORDER BY at DESC, id DESC LIMIT +?3`

// AccountSurveyAnswers returns an account's answers, latest first, at most
// limit of them (all when limit is 0 or less).
func (db *DB) AccountSurveyAnswers(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.SurveyAnswer, error) {
	var out []kam.SurveyAnswer
	err := db.each(ctx, func(r *sql.Rows) error {
		a, err := scanAnswer(r)
		out = append(out, a)
		return err
	}, accountAnswersSQL,
		accountID, teamID, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list answers of account %d: %w", accountID, err)
	}
	return out, nil
}

// SurveyAnswers returns the workspace's answers given after since and not
// after until, by account and time: one query for a whole portfolio.
func (db *DB) SurveyAnswers(ctx context.Context, teamID string, since, until time.Time) ([]kam.SurveyAnswer, error) {
	var out []kam.SurveyAnswer
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		a, err := scanAnswer(r)
		out = append(out, a)
		return err
	}, `SELECT `+answerCols+` FROM survey_responses WHERE team_id = ? AND at > ? AND at <= ? ORDER BY account_id, at, id`,
		teamID, ms(since), ms(until))
	if err != nil {
		return nil, fmt.Errorf("list survey answers of %s: %w", teamID, err)
	}
	return out, nil
}

// ---- NPS ------------------------------------------------------------------------

// The NPS queries start from the accounts and read their own answers
// (see healthTeamSQL).
const (
	npsSurveyedSQL = `SELECT a.value FROM json_each(?2) a WHERE EXISTS (SELECT 1 FROM surveys s INDEXED BY surveys_account
	WHERE s.team_id = +?1 AND s.account_id = a.value AND s.sent_at <= +?3)`

	// Promoters, passives and detractors of each account in the last
	// kam.NPSPeriod (period 1: after ?5) and the one before (period 0),
	// counting each respondent once by their latest answer in the period,
	// as kam.ScoreNPS does: two rows an account, however many answers.
	npsCountsSQL = `SELECT account_id, period, sum(score >= 9), sum(score BETWEEN 7 AND 8), sum(score <= 6) FROM (
		SELECT account_id, at > ?5 AS period, score,
			row_number() OVER (PARTITION BY account_id, at > ?5, respondent ORDER BY at DESC, id DESC) AS n
		FROM survey_responses INDEXED BY survey_responses_account_cover
		WHERE account_id IN (SELECT value FROM json_each(?2)) AND +team_id = +?1 AND at > +?3 AND at <= +?4)
	WHERE n = 1 GROUP BY account_id, period`

	// The latest answer of each account is one step back along its index,
	// however long its history.
	npsLatestSQL = `SELECT ` + answerCols + ` FROM survey_responses WHERE id IN (SELECT
	(SELECT r.id FROM survey_responses r INDEXED BY survey_responses_account_at
		WHERE r.account_id = a.value AND r.at <= +?3 AND +r.team_id = +?1 ORDER BY r.at DESC, r.id DESC LIMIT 1)
	FROM json_each(?2) a)`
)

// NPSSummaries loads what health needs of the surveys of many accounts of
// the workspace, by account ID, in three queries: the NPS of the last
// kam.NPSPeriod before now, the period before it (the trend) and the latest
// answer. Accounts never surveyed and without answers are absent, which
// leaves the satisfaction part of their health out.
func (db *DB) NPSSummaries(ctx context.Context, teamID string, ids []int64, now time.Time) (map[int64]*kam.NPSSummary, error) {
	out := make(map[int64]*kam.NPSSummary)
	if len(ids) == 0 {
		return out, nil
	}
	list := idList(ids)
	get := func(id int64) *kam.NPSSummary {
		s := out[id]
		if s == nil {
			s = &kam.NPSSummary{}
			out[id] = s
		}
		return s
	}
	err := db.each(ctx, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		get(id)
		return nil
	}, npsSurveyedSQL, teamID, list, ms(now))
	if err != nil {
		return nil, fmt.Errorf("read surveyed accounts: %w", err)
	}

	err = db.each(ctx, func(r *sql.Rows) error {
		var id int64
		var current bool
		var pro, pas, det int
		if err := r.Scan(&id, &current, &pro, &pas, &det); err != nil {
			return err
		}
		s, st := get(id), kam.NPSFromCounts(pro, pas, det)
		if current {
			s.Responses, s.NPS, s.Current = st.Responses, st.NPS, st
		} else if st.Responses > 0 {
			v := st.NPS
			s.Previous, s.PreviousNPS = st, &v
		}
		return nil
	}, npsCountsSQL, teamID, list, ms(now.Add(-2*kam.NPSPeriod)), ms(now), ms(now.Add(-kam.NPSPeriod)))
	if err != nil {
		return nil, fmt.Errorf("count survey answers: %w", err)
	}

	err = db.each(ctx, func(r *sql.Rows) error {
		a, err := scanAnswer(r)
		if err == nil {
			na := a.NPSAnswer()
			get(a.AccountID).Latest = &na
		}
		return err
	}, npsLatestSQL, teamID, list, ms(now))
	if err != nil {
		return nil, fmt.Errorf("read latest survey answers: %w", err)
	}
	return out, nil
}

// ---- Weekly digest ------------------------------------------------------------------
//
// The digest's loaders read a whole workspace's week in a fixed number of
// set-based queries, whatever the portfolio's size; the digest builder
// slices the result per manager.

// interactionCountsSQL goes account by account, so that each account is one
// range of the covering index of real contacts by account and time rather
// than a scan of the workspace's week row by row.
const interactionCountsSQL = `SELECT i.account_id, i.user_id, count(*) FROM accounts a
	JOIN interactions i ON i.team_id = a.team_id AND i.account_id = a.id AND i.kind <> 'note' AND i.at >= ?2 AND i.at < ?3
	WHERE a.team_id = ?1 GROUP BY i.account_id, i.user_id ORDER BY i.account_id, i.user_id`

// InteractionCounts counts the workspace's real contacts (every kind but
// note) logged at or after from and before to, by account and person.
func (db *DB) InteractionCounts(ctx context.Context, teamID string, from, to time.Time) ([]kam.InteractionCount, error) {
	var out []kam.InteractionCount
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var c kam.InteractionCount
		err := r.Scan(&c.AccountID, &c.UserID, &c.Count)
		out = append(out, c)
		return err
	}, interactionCountsSQL, teamID, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("count interactions of %s: %w", teamID, err)
	}
	return out, nil
}

// StageMoves returns the workspace's stage changes made at or after from
// and before to, oldest first; the creation entries of new opportunities
// are not moves and are left out.
func (db *DB) StageMoves(ctx context.Context, teamID string, from, to time.Time) ([]kam.StageMove, error) {
	var out []kam.StageMove
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var m kam.StageMove
		var fromStage, toStage string
		var at int64
		if err := r.Scan(&m.ID, &m.OpportunityID, &fromStage, &toStage, &m.UserID, &m.Note, &at,
			&m.AccountID, &m.Opportunity, &m.Value); err != nil {
			return err
		}
		m.TeamID, m.From, m.To, m.At = teamID, kam.Stage(fromStage), kam.Stage(toStage), fromMS(at)
		out = append(out, m)
		return nil
	}, `SELECT sc.id, sc.opportunity_id, sc.from_stage, sc.to_stage, sc.user_id, sc.note, sc.at, o.account_id, o.name, o.value
		FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id
		WHERE sc.team_id = ? AND sc.at >= ? AND sc.at < ? AND sc.from_stage <> ''
		ORDER BY sc.at, sc.id`, teamID, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("list stage moves of %s: %w", teamID, err)
	}
	return out, nil
}

var isoWeek = regexp.MustCompile(`^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$`)

func checkWeek(week string) error {
	if !isoWeek.MatchString(week) {
		return fmt.Errorf("week %q is not an ISO week such as 2025-W11", week)
	}
	return nil
}

// HealthSnapshots returns, by account, the latest snapshot of each of the
// workspace's accounts taken for a week before the given ISO week: what the
// previous digest saw.
func (db *DB) HealthSnapshots(ctx context.Context, teamID, beforeWeek string) (map[int64]kam.HealthSnapshot, error) {
	if err := checkWeek(beforeWeek); err != nil {
		return nil, fmt.Errorf("read health snapshots: %w", err)
	}
	out := make(map[int64]kam.HealthSnapshot)
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var s kam.HealthSnapshot
		var alerts string
		var taken int64
		if err := r.Scan(&s.AccountID, &s.Week, &s.Score, &alerts, &taken); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(alerts), &s.Alerts); err != nil {
			return fmt.Errorf("alerts of account %d in %s: %w", s.AccountID, s.Week, err)
		}
		s.TakenAt = fromMS(taken)
		out[s.AccountID] = s
		return nil
	}, `SELECT account_id, week, score, alerts, taken_at FROM (
		SELECT *, row_number() OVER (PARTITION BY account_id ORDER BY week DESC) AS rn
		FROM health_snapshots WHERE team_id = ? AND week < ?) AS ranked WHERE rn = 1`, teamID, beforeWeek)
	if err != nil {
		return nil, fmt.Errorf("read health snapshots of %s: %w", teamID, err)
	}
	return out, nil
}

// SaveHealthSnapshots records the accounts' health for an ISO week,
// replacing what an earlier run that week recorded, and forgets snapshots
// older than two years. Accounts of another workspace are skipped.
func (db *DB) SaveHealthSnapshots(ctx context.Context, teamID, week string, snaps []kam.HealthSnapshot) error {
	if err := checkWeek(week); err != nil {
		return fmt.Errorf("save health snapshots: %w", err)
	}
	if teamID == "" {
		return errors.New("save health snapshots: no workspace")
	}
	now := db.now()
	return db.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO health_snapshots (team_id, account_id, week, score, alerts, taken_at)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?2 AND team_id = ?1)
			ON CONFLICT (team_id, account_id, week) DO UPDATE SET score = excluded.score, alerts = excluded.alerts,
			taken_at = excluded.taken_at`)
		if err != nil {
			return fmt.Errorf("save health snapshots: %w", err)
		}
		defer st.Close()
		for _, s := range snaps {
			alerts := s.Alerts
			if alerts == nil {
				alerts = []string{}
			}
			js, err := json.Marshal(alerts)
			if err != nil {
				return fmt.Errorf("save health snapshot of account %d: %w", s.AccountID, err)
			}
			if s.Score < 0 || s.Score > 100 {
				return fmt.Errorf("save health snapshot of account %d: score %d outside 0–100", s.AccountID, s.Score)
			}
			if _, err := st.ExecContext(ctx, teamID, s.AccountID, week, s.Score, string(js), ms(now)); err != nil {
				return fmt.Errorf("save health snapshot of account %d: %w", s.AccountID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM health_snapshots WHERE team_id = ? AND taken_at < ?`,
			teamID, ms(now.Add(-snapshotRetention))); err != nil {
			return fmt.Errorf("prune health snapshots: %w", err)
		}
		return nil
	})
}
