package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

const (
	svTeam  = "T0SURVEY"
	svOther = "T0ELSEWH"
	svKAM   = "USVKAM01"
	svAdmin = "USVADM01"
	svChan  = "C0SVSHARE"
)

var svEpoch = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// svClock is a settable clock.
type svClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *svClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *svClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// openSurveyDB opens a migrated database with two accounts in svTeam and
// one in svOther.
func openSurveyDB(t testing.TB) (*store.DB, *svClock, map[string]kam.Account) {
	t.Helper()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &svClock{t: svEpoch.AddDate(-3, 0, 0)}
	db.Now = clock.Now
	accts := map[string]kam.Account{}
	for _, a := range []kam.Account{
		{TeamID: svTeam, Name: "Acme Corp", OwnerID: svKAM, ChannelID: svChan, Tier: kam.TierPartner},
		{TeamID: svTeam, Name: "Globex", OwnerID: svKAM},
		{TeamID: svOther, Name: "Initech", OwnerID: "UOTHER01"},
	} {
		if err := db.CreateAccount(context.Background(), &a, svAdmin); err != nil {
			t.Fatalf("create %s: %v", a.Name, err)
		}
		accts[a.Name] = a
	}
	clock.Set(svEpoch)
	return db, clock, accts
}

// svCount counts rows of a table, through a separate read-only handle.
func svCount(t testing.TB, db *store.DB, table string) int {
	t.Helper()
	raw, err := store.OpenRaw(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func svWantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := kam.ErrorCode(err); got != code {
		t.Fatalf("got %v (code %s), want code %s", err, got, code)
	}
	if code != kam.EINTERNAL && kam.ErrorMessage(err) == "" {
		t.Fatalf("error %v has no message for the user", err)
	}
	coreWantStructured(t, err)
}

// svSend records a survey and queues its post, as /kam survey send does.
func svSend(t testing.TB, db *store.DB, s kam.Survey) kam.Survey {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateSurvey(ctx, &s, svKAM, nil); err != nil {
		t.Fatalf("create survey: %v", err)
	}
	if _, _, err := db.EnqueueOutbox(ctx, kam.OutboxMessage{TeamID: s.TeamID, Key: kam.SurveyKey(s.ID), Channel: s.Recipient(), Text: "How likely…"}); err != nil {
		t.Fatalf("queue survey: %v", err)
	}
	return s
}

func TestCreateSurvey(t *testing.T) {
	ctx := context.Background()
	db, clock, accts := openSurveyDB(t)
	acme := accts["Acme Corp"]

	t.Run("OK", func(t *testing.T) {
		s := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: svChan})
		if s.ID == 0 || len(s.Token) != 16 || s.SentBy != svKAM || !s.SentAt.Equal(svEpoch) ||
			!s.ClosesAt.Equal(svEpoch.Add(kam.SurveyOpenFor)) || s.Recipient() != svChan {
			t.Fatalf("created %+v", s)
		}
		got, err := db.Survey(ctx, svTeam, s.ID)
		if err != nil || got != s {
			t.Fatalf("kam.Survey = %+v, %v; want %+v", got, err, s)
		}
		if !s.Open(svEpoch.Add(kam.SurveyOpenFor-time.Millisecond)) || s.Open(s.ClosesAt) {
			t.Fatal("Open misreads the closing time")
		}
		dm := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: acme.ID, UserID: "UJANE001"})
		if dm.Token == s.Token {
			t.Fatal("two surveys share a token")
		}
		list, err := db.Surveys(ctx, svTeam, acme.ID, 0)
		if err != nil || len(list) != 2 {
			t.Fatalf("Surveys = %v, %v", list, err)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		before := svCount(t, db, "surveys")
		audits := svCount(t, db, "audit_log")
		for _, tc := range []struct {
			name  string
			s     kam.Survey
			actor string
			code  string
		}{
			{"no recipient", kam.Survey{TeamID: svTeam, AccountID: acme.ID}, svKAM, kam.EINVALID},
			{"two recipients", kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: "C0X", UserID: "U0X"}, svKAM, kam.EINVALID},
			{"escaped channel", kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: "<#C0X|x>"}, svKAM, kam.EINVALID},
			{"no actor", kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: "C0NEW"}, "", kam.EINVALID},
			{"no workspace", kam.Survey{AccountID: acme.ID, ChannelID: "C0NEW"}, svKAM, kam.EINVALID},
			{"other workspace", kam.Survey{TeamID: svOther, AccountID: acme.ID, ChannelID: "C0NEW"}, svKAM, kam.ENOTFOUND},
			{"no account", kam.Survey{TeamID: svTeam, AccountID: 999, ChannelID: "C0NEW"}, svKAM, kam.ENOTFOUND},
			{"closes before sent", kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: "C0NEW", ClosesAt: svEpoch.Add(-time.Hour)}, svKAM, kam.EINVALID},
			{"asked this week", kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: svChan}, svKAM, kam.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := tc.s
				svWantCode(t, db.CreateSurvey(ctx, &s, tc.actor, nil), tc.code)
			})
		}
		if n := svCount(t, db, "surveys"); n != before {
			t.Fatalf("%d surveys after refused sends, want %d", n, before)
		}
		if n := svCount(t, db, "audit_log"); n != audits {
			t.Fatalf("refused sends wrote %d audit rows", n-audits)
		}
	})

	t.Run("ResendWhenNeverQueued", func(t *testing.T) {
		// A survey whose post was never queued reached nobody: sending
		// again at once is allowed.
		lost := kam.Survey{TeamID: svTeam, AccountID: accts["Globex"].ID, ChannelID: "C0LOST01"}
		if err := db.CreateSurvey(ctx, &lost, svKAM, nil); err != nil {
			t.Fatal(err)
		}
		svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: accts["Globex"].ID, ChannelID: "C0LOST01"})
		again := kam.Survey{TeamID: svTeam, AccountID: accts["Globex"].ID, ChannelID: "C0LOST01"}
		svWantCode(t, db.CreateSurvey(ctx, &again, svKAM, nil), kam.ECONFLICT)
	})

	t.Run("ResendAfterAWeek", func(t *testing.T) {
		clock.Set(svEpoch.Add(kam.SurveyResendAfter + time.Minute))
		defer clock.Set(svEpoch)
		s := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: svChan})
		if s.ID == 0 {
			t.Fatal("no survey")
		}
	})
}

func TestSurveyByToken(t *testing.T) {
	ctx := context.Background()
	db, _, accts := openSurveyDB(t)
	s := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: accts["Acme Corp"].ID, ChannelID: svChan})
	got, err := db.SurveyByToken(ctx, s.ID, s.Token)
	if err != nil || got != s {
		t.Fatalf("SurveyByToken = %+v, %v", got, err)
	}
	for _, tc := range []struct {
		name  string
		id    int64
		token string
	}{
		{"wrong token", s.ID, strings.Repeat("0", 16)},
		{"empty token", s.ID, ""},
		{"unknown survey", s.ID + 1, s.Token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.SurveyByToken(ctx, tc.id, tc.token)
			svWantCode(t, err, kam.ENOTFOUND)
		})
	}
	_, err = db.Survey(ctx, svOther, s.ID)
	svWantCode(t, err, kam.ENOTFOUND)
}

func TestAnswerSurvey(t *testing.T) {
	ctx := context.Background()
	db, clock, accts := openSurveyDB(t)
	acme := accts["Acme Corp"]
	s := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: svChan})
	dm := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: acme.ID, UserID: "UJANE001"})

	t.Run("OK", func(t *testing.T) {
		clock.Set(svEpoch.Add(time.Hour))
		a := kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", UserTeam: "T0CUSTOMR", Score: 4}
		_, existed, err := db.AnswerSurvey(ctx, &a, false)
		if err != nil || existed {
			t.Fatalf("first answer: existed %v, %v", existed, err)
		}
		if a.ID == 0 || a.AccountID != acme.ID || a.Respondent != "user:UCUST001" || !a.At.Equal(svEpoch.Add(time.Hour)) || !a.Detractor() {
			t.Fatalf("answer %+v", a)
		}

		// A second click updates the answer; the comment, set through the
		// modal meanwhile, stays.
		c := kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", UserTeam: "T0CUSTOMR", Score: 4, Comment: "  Slow support  "}
		if _, _, err := db.AnswerSurvey(ctx, &c, true); err != nil {
			t.Fatal(err)
		}
		if c.Comment != "Slow support" {
			t.Fatalf("comment %q", c.Comment)
		}
		clock.Set(svEpoch.Add(2 * time.Hour))
		b := kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", UserTeam: "T0CUSTOMR", Score: 9}
		prev, existed, err := db.AnswerSurvey(ctx, &b, false)
		if err != nil || !existed || prev.Score != 4 {
			t.Fatalf("second click: prev %+v existed %v, %v", prev, existed, err)
		}
		if b.ID != a.ID || b.Score != 9 || b.Comment != "Slow support" || !b.CreatedAt.Equal(a.CreatedAt) || !b.At.Equal(svEpoch.Add(2*time.Hour)) {
			t.Fatalf("updated answer %+v", b)
		}
		if n := svCount(t, db, "survey_responses"); n != 1 {
			t.Fatalf("%d responses after two clicks by one person, want 1", n)
		}
		got, err := db.SurveyAnswerOf(ctx, svTeam, s.ID, "UCUST001")
		if err != nil || got != b {
			t.Fatalf("SurveyAnswerOf = %+v, %v; want %+v", got, err, b)
		}
		_, err = db.SurveyAnswerOf(ctx, svTeam, s.ID, "UNOBODY1")
		svWantCode(t, err, kam.ENOTFOUND)

		mine := kam.SurveyAnswer{TeamID: svTeam, SurveyID: dm.ID, UserID: "UJANE001", Score: 10}
		if _, _, err := db.AnswerSurvey(ctx, &mine, false); err != nil {
			t.Fatalf("addressee answering a DM survey: %v", err)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		clock.Set(svEpoch.Add(3 * time.Hour))
		before := svCount(t, db, "survey_responses")
		audits := svCount(t, db, "audit_log")
		was, _ := db.SurveyAnswerOf(ctx, svTeam, s.ID, "UCUST001")
		for _, tc := range []struct {
			name    string
			a       kam.SurveyAnswer
			comment bool
			code    string
		}{
			{"score 11", kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", Score: 11}, false, kam.EINVALID},
			{"score -1", kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", Score: -1}, false, kam.EINVALID},
			{"long comment", kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", Score: 3,
				Comment: strings.Repeat("x", kam.MaxSurveyComment+1)}, true, kam.EINVALID},
			{"control character", kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", Score: 3, Comment: "a\x00b"}, true, kam.EINVALID},
			{"no user", kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, Score: 3}, false, kam.EINVALID},
			{"other workspace", kam.SurveyAnswer{TeamID: svOther, SurveyID: s.ID, UserID: "UCUST001", Score: 3}, false, kam.ENOTFOUND},
			{"unknown survey", kam.SurveyAnswer{TeamID: svTeam, SurveyID: 999, UserID: "UCUST001", Score: 3}, false, kam.ENOTFOUND},
			{"someone else's DM", kam.SurveyAnswer{TeamID: svTeam, SurveyID: dm.ID, UserID: "UCUST001", Score: 3}, false, kam.EUNAUTHORIZED},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := tc.a
				_, _, err := db.AnswerSurvey(ctx, &a, tc.comment)
				svWantCode(t, err, tc.code)
			})
		}
		clock.Set(s.ClosesAt)
		late := kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", Score: 0}
		_, _, err := db.AnswerSurvey(ctx, &late, false)
		svWantCode(t, err, kam.ECONFLICT)

		if n := svCount(t, db, "survey_responses"); n != before {
			t.Fatalf("%d responses after refused answers, want %d", n, before)
		}
		if n := svCount(t, db, "audit_log"); n != audits {
			t.Fatalf("refused answers wrote %d audit rows", n-audits)
		}
		if now, _ := db.SurveyAnswerOf(ctx, svTeam, s.ID, "UCUST001"); now != was {
			t.Fatalf("refused answers changed %+v into %+v", was, now)
		}
	})
}

func TestRecordSurveyAnswer(t *testing.T) {
	ctx := context.Background()
	db, _, accts := openSurveyDB(t)
	acme := accts["Acme Corp"]

	t.Run("OK", func(t *testing.T) {
		a := kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 6, Comment: "Pricing", Contact: " Jane Doe ", At: svEpoch.AddDate(0, 0, -3)}
		if err := db.RecordSurveyAnswer(ctx, &a, svKAM); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.SurveyID != 0 || a.Respondent != "contact:jane doe" || a.Contact != "Jane Doe" || a.RecordedBy != svKAM ||
			!a.At.Equal(svEpoch.AddDate(0, 0, -3)) || !a.CreatedAt.Equal(svEpoch) {
			t.Fatalf("recorded %+v", a)
		}
		b := kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 10}
		c := kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 10}
		if err := db.RecordSurveyAnswer(ctx, &b, svKAM); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordSurveyAnswer(ctx, &c, svKAM); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.Respondent, "anon:") || b.Respondent == c.Respondent || !b.At.Equal(svEpoch) {
			t.Fatalf("anonymous answers %+v %+v", b, c)
		}
		list, err := db.AccountSurveyAnswers(ctx, svTeam, acme.ID, 0)
		if err != nil || len(list) != 3 || list[2].ID != a.ID {
			t.Fatalf("AccountSurveyAnswers = %+v, %v", list, err)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		before := svCount(t, db, "survey_responses")
		for _, tc := range []struct {
			name  string
			a     kam.SurveyAnswer
			actor string
			code  string
		}{
			{"score 11", kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 11}, svKAM, kam.EINVALID},
			{"future", kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 8, At: svEpoch.AddDate(0, 0, 2)}, svKAM, kam.EINVALID},
			{"long contact", kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 8, Contact: strings.Repeat("n", kam.MaxNameLen+1)}, svKAM, kam.EINVALID},
			{"contact on two lines", kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 8, Contact: "Jane\nDoe"}, svKAM, kam.EINVALID},
			{"long comment", kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 8, Comment: strings.Repeat("c", kam.MaxSurveyComment+1)}, svKAM, kam.EINVALID},
			{"no actor", kam.SurveyAnswer{TeamID: svTeam, AccountID: acme.ID, Score: 8}, "", kam.EINVALID},
			{"other workspace", kam.SurveyAnswer{TeamID: svOther, AccountID: acme.ID, Score: 8}, svKAM, kam.ENOTFOUND},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := tc.a
				svWantCode(t, db.RecordSurveyAnswer(ctx, &a, tc.actor), tc.code)
			})
		}
		if n := svCount(t, db, "survey_responses"); n != before {
			t.Fatalf("%d responses after refused records, want %d", n, before)
		}
	})
}

func TestScoreNPS(t *testing.T) {
	at := func(days int) time.Time { return svEpoch.AddDate(0, 0, -days) }
	ans := func(id, acct int64, who string, score, days int) kam.SurveyAnswer {
		return kam.SurveyAnswer{ID: id, AccountID: acct, Respondent: who, Score: score, At: at(days)}
	}
	for _, tc := range []struct {
		name    string
		answers []kam.SurveyAnswer
		want    kam.NPSStats
	}{
		{"none", nil, kam.NPSStats{}},
		{"mixed", []kam.SurveyAnswer{ans(1, 1, "a", 10, 1), ans(2, 1, "b", 9, 1), ans(3, 1, "c", 8, 1), ans(4, 1, "d", 3, 1)},
			kam.NPSStats{NPS: 25, Responses: 4, Promoters: 2, Passives: 1, Detractors: 1}},
		{"latest answer of a respondent counts", []kam.SurveyAnswer{ans(1, 1, "a", 2, 100), ans(2, 1, "a", 10, 10)},
			kam.NPSStats{NPS: 100, Responses: 1, Promoters: 1}},
		{"same person on two accounts counts twice", []kam.SurveyAnswer{ans(1, 1, "a", 2, 10), ans(2, 2, "a", 10, 10)},
			kam.NPSStats{NPS: 0, Responses: 2, Promoters: 1, Detractors: 1}},
		{"outside the span", []kam.SurveyAnswer{ans(1, 1, "a", 0, 400), ans(2, 1, "b", 0, -1), ans(3, 1, "c", 7, 364), ans(4, 1, "d", 0, 365)},
			kam.NPSStats{NPS: 0, Responses: 1, Passives: 1}},
		{"thirds", []kam.SurveyAnswer{ans(1, 1, "a", 9, 1), ans(2, 1, "b", 7, 1), ans(3, 1, "c", 7, 1)},
			kam.NPSStats{NPS: 33.3, Responses: 3, Promoters: 1, Passives: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := kam.ScoreNPS(tc.answers, svEpoch.Add(-kam.NPSPeriod), svEpoch)
			if got != tc.want {
				t.Fatalf("kam.ScoreNPS = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestSatisfactionInHealth checks that health sees the surveys: nothing for
// an account never surveyed, an overdue survey for one asked without
// answer, and NPS, trend and latest answer otherwise.
func TestSatisfactionInHealth(t *testing.T) {
	ctx := context.Background()
	db, clock, accts := openSurveyDB(t)
	acme, globex := accts["Acme Corp"], accts["Globex"]
	other := accts["Initech"]

	// Acme: a promoter and a detractor 18 months ago, then two detractors
	// and a passive this year.
	rec := func(acct kam.Account, score int, contact string, daysAgo int) {
		t.Helper()
		a := kam.SurveyAnswer{TeamID: acct.TeamID, AccountID: acct.ID, Score: score, Contact: contact, At: svEpoch.AddDate(0, 0, -daysAgo)}
		if err := db.RecordSurveyAnswer(ctx, &a, svKAM); err != nil {
			t.Fatal(err)
		}
	}
	rec(acme, 10, "Ann", 540)
	rec(acme, 2, "Bob", 530)
	rec(acme, 3, "Ann", 40)
	rec(acme, 8, "Cy", 20)
	rec(other, 0, "Zed", 5)
	clock.Set(svEpoch.AddDate(0, 0, -2))
	s := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: acme.ID, ChannelID: svChan})
	ans := kam.SurveyAnswer{TeamID: svTeam, SurveyID: s.ID, UserID: "UCUST001", Score: 5, Comment: "Too slow"}
	if _, _, err := db.AnswerSurvey(ctx, &ans, true); err != nil {
		t.Fatal(err)
	}
	clock.Set(svEpoch.AddDate(-2, 0, 0))
	svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: globex.ID, UserID: "UJANE001"})
	clock.Set(svEpoch)

	sums, err := db.NPSSummaries(ctx, svTeam, []int64{acme.ID, globex.ID, other.ID}, svEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sums[other.ID]; ok {
		t.Fatal("another workspace's answers leaked into the summaries")
	}
	a := sums[acme.ID]
	if a == nil || a.Responses != 3 || a.NPS != -66.7 || a.PreviousNPS == nil || *a.PreviousNPS != 0 ||
		a.Latest == nil || a.Latest.Score != 5 || a.Latest.Comment != "Too slow" || a.Latest.Contact != "" || a.Latest.UserID != "UCUST001" {
		t.Fatalf("Acme summary %+v (latest %+v)", a, a.Latest)
	}
	// Counted in SQL as kam.ScoreNPS counts the answers themselves.
	raw, err := db.SurveyAnswers(ctx, svTeam, svEpoch.Add(-2*kam.NPSPeriod), svEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if cur := kam.ScoreNPS(raw, svEpoch.Add(-kam.NPSPeriod), svEpoch); a.Current != cur || cur.Responses != 3 {
		t.Errorf("Acme current NPS %+v, want %+v", a.Current, cur)
	}
	if prev := kam.ScoreNPS(raw, svEpoch.Add(-2*kam.NPSPeriod), svEpoch.Add(-kam.NPSPeriod)); a.Previous != prev || prev.Responses != 2 {
		t.Errorf("Acme previous NPS %+v, want %+v", a.Previous, prev)
	}
	g := sums[globex.ID]
	if g == nil || g.Responses != 0 || g.Latest != nil || g.PreviousNPS != nil {
		t.Fatalf("Globex summary %+v", g)
	}

	ins, err := db.HealthInputs(ctx, svTeam, []kam.Account{acme, globex}, svEpoch)
	if err != nil {
		t.Fatal(err)
	}
	if ins[0].Satisfaction == nil || ins[0].Satisfaction.NPS != -66.7 || ins[1].Satisfaction == nil {
		t.Fatalf("HealthInputs satisfaction %+v, %+v", ins[0].Satisfaction, ins[1].Satisfaction)
	}
	kinds := func(h kam.Health) map[kam.AlertKind]bool {
		m := map[kam.AlertKind]bool{}
		for _, al := range h.Alerts {
			m[al.Kind] = true
		}
		return m
	}
	h := kam.AssessHealth(ins[0], svEpoch)
	if k := kinds(h); !k[kam.AlertDetractor] || !k[kam.AlertNPSFalling] {
		t.Fatalf("Acme alerts %+v; want detractor and nps-falling", h.Alerts)
	}
	var sat bool
	for _, p := range h.Parts {
		sat = sat || p.Key == kam.PartSatisfaction
	}
	if !sat {
		t.Fatal("Acme health has no satisfaction part")
	}
	if k := kinds(kam.AssessHealth(ins[1], svEpoch)); !k[kam.AlertSurveyOverdue] {
		t.Fatal("Globex, surveyed two years ago without answer, has no survey-overdue alert")
	}
}

// TestSurveyPostedTrigger checks that the outbox's delivery of a survey's
// post records where it landed, and nothing else's does.
func TestSurveyPostedTrigger(t *testing.T) {
	ctx := context.Background()
	db, _, accts := openSurveyDB(t)
	// Another message to the channel goes first, then a key that only
	// looks like the survey's; neither may touch the survey.
	for _, key := range []string{"interaction:1", "survey:" + svItoa(999)} {
		if _, _, err := db.EnqueueOutbox(ctx, kam.OutboxMessage{TeamID: svTeam, Key: key, Channel: svChan, Text: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	s := svSend(t, db, kam.Survey{TeamID: svTeam, AccountID: accts["Acme Corp"].ID, ChannelID: svChan})
	for i := 0; i < 3; i++ {
		ms, err := db.ClaimOutbox(ctx, svEpoch.Add(time.Hour), 10, nil)
		if err != nil || len(ms) != 1 {
			t.Fatalf("claim = %v, %v", ms, err)
		}
		if got, _ := db.Survey(ctx, svTeam, s.ID); got.MessageTS != "" {
			t.Fatalf("survey has a ts %q before its post was sent", got.MessageTS)
		}
		if err := db.MarkOutboxSent(ctx, ms[0].ID, ms[0].Attempts, "1700000000.00010"+svItoa(int64(i)), svChan); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Survey(ctx, svTeam, s.ID)
	if err != nil || got.MessageTS != "1700000000.000102" || got.MessageChannel != svChan {
		t.Fatalf("after delivery: %+v, %v", got, err)
	}
}

func svItoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestDigestLoaders(t *testing.T) {
	ctx := context.Background()
	db, clock, accts := openSurveyDB(t)
	acme, globex, other := accts["Acme Corp"], accts["Globex"], accts["Initech"]
	from, to := svEpoch.AddDate(0, 0, -7), svEpoch

	log := func(acct kam.Account, user string, kind kam.InteractionKind, at time.Time) {
		t.Helper()
		in := kam.Interaction{TeamID: acct.TeamID, AccountID: acct.ID, UserID: user, Kind: kind, Summary: "x", At: at}
		if err := db.LogInteraction(ctx, &in, user, nil); err != nil {
			t.Fatal(err)
		}
	}
	log(acme, "UANA", kam.KindCall, from)                       // first instant: in
	log(acme, "UANA", kam.KindMeeting, to.Add(-time.Minute))    // in
	log(acme, "UBEN", kam.KindEmail, svEpoch.AddDate(0, 0, -3)) // in
	log(acme, "UBEN", kam.KindNote, svEpoch.AddDate(0, 0, -3))  // a note: out
	log(acme, "UANA", kam.KindCall, from.Add(-time.Minute))     // before: out
	log(globex, "UANA", kam.KindCall, to)                       // the end is open: out
	log(other, "UANA", kam.KindCall, svEpoch.AddDate(0, 0, -1)) // another workspace: out

	counts, err := db.InteractionCounts(ctx, svTeam, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []kam.InteractionCount{{AccountID: acme.ID, UserID: "UANA", Count: 2}, {AccountID: acme.ID, UserID: "UBEN", Count: 1}}
	if len(counts) != len(want) || counts[0] != want[0] || counts[1] != want[1] {
		t.Fatalf("InteractionCounts = %+v, want %+v", counts, want)
	}

	clock.Set(svEpoch.AddDate(0, 0, -30))
	o := kam.Opportunity{TeamID: svTeam, AccountID: acme.ID, Name: "Renewal", Value: 250_000, Stage: kam.StageIdentified}
	if err := db.AddOpportunity(ctx, &o, svKAM); err != nil {
		t.Fatal(err)
	}
	clock.Set(svEpoch)
	if _, err := db.MoveStage(ctx, svTeam, o.ID, kam.StageQualified, svKAM, "", svEpoch.AddDate(0, 0, -10), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveStage(ctx, svTeam, o.ID, kam.StageContracted, svKAM, "Signed", svEpoch.AddDate(0, 0, -2), nil); err != nil {
		t.Fatal(err)
	}
	moves, err := db.StageMoves(ctx, svTeam, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(moves) != 1 || moves[0].From != kam.StageQualified || moves[0].To != kam.StageContracted || moves[0].AccountID != acme.ID ||
		moves[0].Opportunity != "Renewal" || moves[0].Value != 250_000 || moves[0].Note != "Signed" || moves[0].UserID != svKAM {
		t.Fatalf("StageMoves = %+v", moves)
	}
	if all, _ := db.StageMoves(ctx, svTeam, svEpoch.AddDate(0, 0, -60), to); len(all) != 2 {
		t.Fatalf("StageMoves over 60 days = %+v; want the two moves without the creation", all)
	}

	t.Run("Snapshots", func(t *testing.T) {
		snaps := []kam.HealthSnapshot{{AccountID: acme.ID, Score: 60, Alerts: []string{"no-contact:1"}}, {AccountID: globex.ID, Score: 80}}
		if err := db.SaveHealthSnapshots(ctx, svTeam, "2025-W10", snaps); err != nil {
			t.Fatal(err)
		}
		// A later run the same week replaces; another workspace's account is skipped.
		snaps[0].Score = 55
		if err := db.SaveHealthSnapshots(ctx, svTeam, "2025-W10", append(snaps[:1], kam.HealthSnapshot{AccountID: other.ID, Score: 1})); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveHealthSnapshots(ctx, svTeam, "2025-W11", []kam.HealthSnapshot{{AccountID: acme.ID, Score: 40}}); err != nil {
			t.Fatal(err)
		}
		got, err := db.HealthSnapshots(ctx, svTeam, "2025-W11")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[acme.ID].Score != 55 || got[acme.ID].Week != "2025-W10" || len(got[acme.ID].Alerts) != 1 ||
			got[globex.ID].Score != 80 || got[globex.ID].Alerts == nil {
			t.Fatalf("HealthSnapshots before W11 = %+v", got)
		}
		if got, _ := db.HealthSnapshots(ctx, svTeam, "2025-W12"); got[acme.ID].Score != 40 {
			t.Fatalf("HealthSnapshots before W12 = %+v", got)
		}
		if got, _ := db.HealthSnapshots(ctx, svOther, "2025-W12"); len(got) != 0 {
			t.Fatalf("another workspace sees %+v", got)
		}
		for _, week := range []string{"", "2025-11", "2025-W54", "2025-W00", "25-W11"} {
			if err := db.SaveHealthSnapshots(ctx, svTeam, week, snaps); err == nil {
				t.Errorf("SaveHealthSnapshots(%q) accepted a bad week", week)
			}
			if _, err := db.HealthSnapshots(ctx, svTeam, week); err == nil {
				t.Errorf("HealthSnapshots(%q) accepted a bad week", week)
			}
		}
		if err := db.SaveHealthSnapshots(ctx, svTeam, "2025-W13", []kam.HealthSnapshot{{AccountID: acme.ID, Score: 101}}); err == nil {
			t.Error("a score of 101 was saved")
		}
		if got, _ := db.HealthSnapshots(ctx, svTeam, "2025-W14"); got[acme.ID].Week != "2025-W11" {
			t.Fatalf("a refused save left %+v", got[acme.ID])
		}
	})
}
