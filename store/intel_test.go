package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

const (
	intelTeam  = "TINTEL"
	intelOther = "TOTHER"
)

var intelEpoch = time.Date(2025, 11, 10, 12, 0, 0, 0, time.UTC)

// intelClock is a settable clock for store.DB.Now.
type intelClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *intelClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *intelClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func openIntelDB(t testing.TB) (*store.DB, *intelClock) {
	t.Helper()
	db, err := store.OpenMigrated(context.Background(), storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &intelClock{t: intelEpoch}
	db.Now = clock.Now
	return db, clock
}

func intelAccount(t testing.TB, db *store.DB, team, name string) kam.Account {
	t.Helper()
	a := kam.Account{TeamID: team, Name: name, OwnerID: "UKAM", Tier: kam.TierConsultant}
	if err := db.CreateAccount(context.Background(), &a, "UKAM"); err != nil {
		t.Fatalf("create account %q: %v", name, err)
	}
	return a
}

func intelCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := kam.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %s), want %s", err, got, code)
	}
	if code != kam.EINTERNAL && kam.ErrorMessage(err) == "Internal error." {
		t.Fatalf("error %v has no message for the user", err)
	}
	coreWantStructured(t, err)
}

// intelState captures everything the intelligence store holds for a
// workspace, to prove that a refused call changed nothing.
func intelState(t testing.TB, db *store.DB, team string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	accts, err := db.Accounts(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		cs, err := db.Contacts(ctx, team, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := db.Scorings(ctx, team, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Plan(ctx, team, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d %+v\n%+v\n%+v\n", a.ID, cs, ss, p)
		if p.LastReview != nil {
			fmt.Fprintf(&b, "%+v\n", *p.LastReview)
		}
	}
	w, err := db.CriteriaSets(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	audit, err := db.Audit(ctx, team, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "%v audit %d\n", w, len(audit))
	return b.String()
}

func lastAudit(t testing.TB, db *store.DB, team string) store.AuditEntry {
	t.Helper()
	es, err := db.Audit(context.Background(), team, 1)
	if err != nil || len(es) == 0 {
		t.Fatalf("audit: %v, %d entries", err, len(es))
	}
	return es[0]
}

func TestContacts(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, clock := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		jane := kam.Contact{TeamID: intelTeam, AccountID: a.ID, Name: "  Jane Doe ", Title: "CFO", Role: "Decision-Maker", Stance: 1, MirrorID: "UANA"}
		if err := db.AddContact(ctx, &jane, "UANA"); err != nil {
			t.Fatal(err)
		}
		want := kam.Contact{ID: jane.ID, TeamID: intelTeam, AccountID: a.ID, Name: "Jane Doe", Title: "CFO", Role: kam.ContactDecisionMaker,
			Influence: 3, Stance: 1, MirrorID: "UANA", CreatedAt: intelEpoch, UpdatedAt: intelEpoch}
		if jane.ID == 0 || !reflect.DeepEqual(jane, want) {
			t.Fatalf("added %+v\nwant %+v", jane, want)
		}
		if e := lastAudit(t, db, intelTeam); e.Action != store.ActionContactAdd || e.Actor != "UANA" || e.Entity != fmt.Sprintf("contact:%d", jane.ID) {
			t.Errorf("audit = %+v", e)
		}
		li := kam.Contact{TeamID: intelTeam, AccountID: a.ID, Name: "Li Wei", Influence: 5, Stance: -2}
		if err := db.AddContact(ctx, &li, "UANA"); err != nil {
			t.Fatal(err)
		}

		// Interactions that name stakeholders give them a last contact.
		for i, at := range []time.Time{intelEpoch.Add(-72 * time.Hour), intelEpoch.Add(-24 * time.Hour), intelEpoch.Add(-48 * time.Hour)} {
			in := kam.Interaction{TeamID: intelTeam, AccountID: a.ID, Kind: kam.KindMeeting, Summary: fmt.Sprint("meeting ", i), At: at, Contacts: []int64{jane.ID}}
			if err := db.LogInteraction(ctx, &in, "UANA", nil); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := db.Contacts(ctx, intelTeam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 || cs[0].Name != "Jane Doe" || cs[1].Name != "Li Wei" {
			t.Fatalf("contacts = %+v", cs)
		}
		if !cs[0].LastContact.Equal(intelEpoch.Add(-24*time.Hour)) || !cs[1].LastContact.IsZero() {
			t.Errorf("last contacts = %v, %v", cs[0].LastContact, cs[1].LastContact)
		}

		clock.Set(intelEpoch.Add(time.Hour))
		upd := cs[0]
		upd.Influence, upd.MirrorID = 5, "UBEN"
		if err := db.UpdateContact(ctx, &upd, "UBEN", []string{"influence", "mirror"}); err != nil {
			t.Fatal(err)
		}
		if !upd.UpdatedAt.Equal(intelEpoch.Add(time.Hour)) || !upd.CreatedAt.Equal(intelEpoch) {
			t.Errorf("updated times = %v / %v", upd.CreatedAt, upd.UpdatedAt)
		}
		e := lastAudit(t, db, intelTeam)
		if e.Action != store.ActionContactUpdate || !strings.Contains(string(e.Detail), `"mirror":{"from":"UANA","to":"UBEN"}`) {
			t.Errorf("update audit = %s %s", e.Action, e.Detail)
		}
		// An unchanged save writes nothing.
		before := intelState(t, db, intelTeam)
		same := upd
		if err := db.UpdateContact(ctx, &same, "UBEN", []string{"influence"}); err != nil {
			t.Fatal(err)
		}
		if intelState(t, db, intelTeam) != before {
			t.Error("an unchanged save wrote something")
		}

		if err := db.RemoveContact(ctx, intelTeam, a.ID, jane.ID, "UANA"); err != nil {
			t.Fatal(err)
		}
		ins, err := db.Interactions(ctx, intelTeam, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range ins {
			if len(in.Contacts) != 0 {
				t.Errorf("interaction %d still names the removed stakeholder: %v", in.ID, in.Contacts)
			}
		}
		if e := lastAudit(t, db, intelTeam); e.Action != store.ActionContactRemove || !strings.Contains(string(e.Detail), "Jane Doe") {
			t.Errorf("remove audit = %s %s", e.Action, e.Detail)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		ok := kam.Contact{TeamID: intelTeam, AccountID: a.ID, Name: "Jane Doe"}
		if err := db.AddContact(ctx, &ok, "UANA"); err != nil {
			t.Fatal(err)
		}
		before := intelState(t, db, intelTeam)
		bad := []struct {
			name string
			c    kam.Contact
			code string
		}{
			{"empty name", kam.Contact{Name: "  "}, kam.EINVALID},
			{"long name", kam.Contact{Name: strings.Repeat("x", kam.MaxNameLen+1)}, kam.EINVALID},
			{"two lines", kam.Contact{Name: "Jane\nDoe"}, kam.EINVALID},
			{"influence 6", kam.Contact{Name: "X", Influence: 6}, kam.EINVALID},
			{"influence -1", kam.Contact{Name: "X", Influence: -1}, kam.EINVALID},
			{"stance 3", kam.Contact{Name: "X", Stance: 3}, kam.EINVALID},
			{"stance -3", kam.Contact{Name: "X", Stance: -3}, kam.EINVALID},
			{"role", kam.Contact{Name: "X", Role: "boss"}, kam.EINVALID},
			{"mirror", kam.Contact{Name: "X", MirrorID: "<@U1>"}, kam.EINVALID},
			{"duplicate", kam.Contact{Name: "JANE DOE"}, kam.ECONFLICT},
		}
		for _, tt := range bad {
			c := tt.c
			c.TeamID, c.AccountID = intelTeam, a.ID
			err := db.AddContact(ctx, &c, "UANA")
			if kam.ErrorCode(err) != tt.code {
				t.Errorf("%s: error %v, want %s", tt.name, err, tt.code)
			}
		}
		up := ok
		up.Stance = 3
		intelCode(t, db.UpdateContact(ctx, &up, "UANA", nil), kam.EINVALID)
		intelCode(t, db.AddContact(ctx, &kam.Contact{TeamID: intelTeam, AccountID: a.ID, Name: "Y"}, ""), kam.EINVALID)
		if intelState(t, db, intelTeam) != before {
			t.Error("a refused change changed something")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := openIntelDB(t)
		mine := intelAccount(t, db, intelTeam, "Acme")
		theirs := intelAccount(t, db, intelOther, "Theirs")
		c := kam.Contact{TeamID: intelOther, AccountID: theirs.ID, Name: "Their Contact"}
		if err := db.AddContact(ctx, &c, "UOTHER"); err != nil {
			t.Fatal(err)
		}
		before, beforeOther := intelState(t, db, intelTeam), intelState(t, db, intelOther)
		// Another workspace's account, by ID.
		intelCode(t, db.AddContact(ctx, &kam.Contact{TeamID: intelTeam, AccountID: theirs.ID, Name: "X"}, "UANA"), kam.ENOTFOUND)
		// Another workspace's stakeholder, through my account or theirs.
		stolen := c
		stolen.TeamID, stolen.AccountID = intelTeam, mine.ID
		intelCode(t, db.UpdateContact(ctx, &stolen, "UANA", nil), kam.ENOTFOUND)
		intelCode(t, db.RemoveContact(ctx, intelTeam, theirs.ID, c.ID, "UANA"), kam.ENOTFOUND)
		intelCode(t, db.RemoveContact(ctx, intelTeam, mine.ID, c.ID, "UANA"), kam.ENOTFOUND)
		intelCode(t, db.RemoveContact(ctx, intelTeam, mine.ID, 9999, "UANA"), kam.ENOTFOUND)
		if cs, err := db.Contacts(ctx, intelTeam, theirs.ID); err != nil || len(cs) != 0 {
			t.Errorf("listed another workspace's stakeholders: %v %v", cs, err)
		}
		if intelState(t, db, intelTeam) != before || intelState(t, db, intelOther) != beforeOther {
			t.Error("a refused change changed something")
		}
	})
}

func TestScoring(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, clock := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		s1 := kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{"size": 4, "trust": 2, "Value_In_Use": 5}}
		if err := db.SaveScoring(ctx, &s1, "UANA"); err != nil {
			t.Fatal(err)
		}
		if want := (kam.Scores{"size": 4, "trust": 2, "value-in-use": 5}); !reflect.DeepEqual(s1.Scores, want) {
			t.Errorf("scores = %v, want %v", s1.Scores, want)
		}
		if !reflect.DeepEqual(s1.Changed, []string{"size", "value-in-use", "trust"}) || s1.UserID != "UANA" || !s1.At.Equal(intelEpoch) {
			t.Errorf("scoring = %+v", s1)
		}
		clock.Set(intelEpoch.Add(24 * time.Hour))
		s2 := kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{"size": 5, "price": 1}}
		if err := db.SaveScoring(ctx, &s2, "UBEN"); err != nil {
			t.Fatal(err)
		}
		if want := (kam.Scores{"size": 5, "trust": 2, "value-in-use": 5, "price": 1}); !reflect.DeepEqual(s2.Scores, want) {
			t.Errorf("factors not given must keep their last value: %v, want %v", s2.Scores, want)
		}
		e := lastAudit(t, db, intelTeam)
		if e.Action != store.ActionScoringSave || e.Actor != "UBEN" || !strings.Contains(string(e.Detail), `"before":{"size":4`) {
			t.Errorf("audit = %s %s", e.Action, e.Detail)
		}
		hist, err := db.Scorings(ctx, intelTeam, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || !reflect.DeepEqual(hist[0], s2) || !reflect.DeepEqual(hist[1], s1) {
			t.Fatalf("history =\n%+v\nwant\n%+v\n%+v", hist, s2, s1)
		}
		if one, _ := db.Scorings(ctx, intelTeam, a.ID, 1); len(one) != 1 || one[0].ID != s2.ID {
			t.Errorf("limit 1 = %+v", one)
		}
		b := intelAccount(t, db, intelTeam, "Birch")
		if err := db.SaveScoring(ctx, &kam.Scoring{TeamID: intelTeam, AccountID: b.ID, Scores: kam.Scores{"fit": 3}}, "UANA"); err != nil {
			t.Fatal(err)
		}
		latest, err := db.LatestScores(ctx, intelTeam)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(latest, map[int64]kam.Scoring{a.ID: {AccountID: a.ID, Scores: s2.Scores}, b.ID: {AccountID: b.ID, Scores: kam.Scores{"fit": 3}}}) {
			t.Errorf("latest = %v", latest)
		}
		if other, _ := db.LatestScores(ctx, intelOther); len(other) != 0 {
			t.Errorf("another workspace sees scores: %v", other)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		db, _ := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		var wg sync.WaitGroup
		keys := kam.DefaultCriteria().Keys("")
		errs := make(chan error, len(keys))
		for i, k := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.SaveScoring(ctx, &kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{k: i%5 + 1}}, "UANA")
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		latest, _ := db.LatestScores(ctx, intelTeam)
		if len(latest[a.ID].Scores) != len(keys) {
			t.Errorf("concurrent scorings lost factors: %v", latest[a.ID])
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		theirs := intelAccount(t, db, intelOther, "Theirs")
		if err := db.SaveScoring(ctx, &kam.Scoring{TeamID: intelTeam, AccountID: a.ID, Scores: kam.Scores{"size": 3}}, "UANA"); err != nil {
			t.Fatal(err)
		}
		before := intelState(t, db, intelTeam)
		for _, tt := range []struct {
			name   string
			s      kam.Scoring
			code   string
			actor  string
			accept bool
		}{
			{"score 0", kam.Scoring{Scores: kam.Scores{"size": 0}}, kam.EINVALID, "UANA", false},
			{"score 6", kam.Scoring{Scores: kam.Scores{"size": 6}}, kam.EINVALID, "UANA", false},
			{"unknown factor", kam.Scoring{Scores: kam.Scores{"size": 3, "colour": 3}}, kam.EINVALID, "UANA", false},
			{"nothing", kam.Scoring{Scores: kam.Scores{}}, kam.EINVALID, "UANA", false},
			{"no actor", kam.Scoring{Scores: kam.Scores{"size": 2}}, kam.EINVALID, "", false},
		} {
			s := tt.s
			s.TeamID, s.AccountID = intelTeam, a.ID
			if err := db.SaveScoring(ctx, &s, tt.actor); kam.ErrorCode(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		intelCode(t, db.SaveScoring(ctx, &kam.Scoring{TeamID: intelTeam, AccountID: theirs.ID, Scores: kam.Scores{"size": 2}}, "UANA"), kam.ENOTFOUND)
		if intelState(t, db, intelTeam) != before {
			t.Error("a refused scoring changed something")
		}
		if ss, _ := db.Scorings(ctx, intelOther, theirs.ID, 0); len(ss) != 0 {
			t.Errorf("another workspace's account was scored: %v", ss)
		}
	})
}

func TestPlan(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, clock := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		ours := kam.Objective{TeamID: intelTeam, AccountID: a.ID, Text: "Become preferred supplier"}
		theirs := kam.Objective{TeamID: intelTeam, AccountID: a.ID, For: "Customer", Text: "Cut logistics cost 10%"}
		for _, o := range []*kam.Objective{&ours, &theirs} {
			if err := db.AddObjective(ctx, o, "UANA"); err != nil {
				t.Fatal(err)
			}
		}
		if ours.For != kam.ForUs || theirs.For != kam.ForCustomer || ours.AuthorID != "UANA" {
			t.Errorf("objectives = %+v %+v", ours, theirs)
		}
		t1 := kam.Tactic{TeamID: intelTeam, AccountID: a.ID, Text: "Joint workshop", Quarter: "q3", OwnerID: "UBEN",
			Due: time.Date(2025, 9, 30, 15, 0, 0, 0, time.UTC)}
		t2 := kam.Tactic{TeamID: intelTeam, AccountID: a.ID, Text: "Exec dinner"}
		for _, x := range []*kam.Tactic{&t1, &t2} {
			if err := db.AddTactic(ctx, x, "UANA"); err != nil {
				t.Fatal(err)
			}
		}
		if t1.Number != 1 || t2.Number != 2 || t1.Quarter != "Q3" || !t1.Due.Equal(time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("tactics = %+v %+v", t1, t2)
		}
		clock.Set(intelEpoch.Add(time.Hour))
		done, err := db.CompleteTactic(ctx, intelTeam, a.ID, 2, "UBEN")
		if err != nil {
			t.Fatal(err)
		}
		if !done.Done || done.DoneBy != "UBEN" || !done.DoneAt.Equal(intelEpoch.Add(time.Hour)) || done.Text != "Exec dinner" {
			t.Errorf("done = %+v", done)
		}
		if e := lastAudit(t, db, intelTeam); e.Action != store.ActionTacticDone || e.Actor != "UBEN" {
			t.Errorf("audit = %+v", e)
		}
		for i, at := range []time.Time{intelEpoch.Add(2 * time.Hour), intelEpoch.Add(3 * time.Hour)} {
			clock.Set(at)
			r := kam.PlanReview{TeamID: intelTeam, AccountID: a.ID, Note: fmt.Sprint("review ", i)}
			if err := db.RecordPlanReview(ctx, &r, "UANA"); err != nil {
				t.Fatal(err)
			}
		}
		p, err := db.Plan(ctx, intelTeam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Objectives) != 2 || p.Objectives[0].For != kam.ForCustomer || p.Objectives[1].ID != ours.ID {
			t.Errorf("objectives = %+v (customer's first)", p.Objectives)
		}
		if len(p.Tactics) != 2 || !reflect.DeepEqual(p.Tactics[0], t1) || !reflect.DeepEqual(p.Tactics[1], done) {
			t.Errorf("tactics =\n%+v\nwant\n%+v\n%+v", p.Tactics, t1, done)
		}
		if p.Reviews != 2 || p.LastReview == nil || p.LastReview.Note != "review 1" || !p.LastReview.At.Equal(intelEpoch.Add(3*time.Hour)) {
			t.Errorf("reviews = %d %+v", p.Reviews, p.LastReview)
		}
		if got := p.NextReview(kam.CadenceMonthly); !got.Equal(intelEpoch.Add(3*time.Hour + 30*24*time.Hour)) {
			t.Errorf("next review = %v", got)
		}
		revs, err := db.PlanReviews(ctx, intelTeam, a.ID, 0)
		if err != nil || len(revs) != 2 || revs[0].Note != "review 1" {
			t.Errorf("reviews = %+v, %v", revs, err)
		}
		if e := lastAudit(t, db, intelTeam); e.Action != store.ActionPlanReview {
			t.Errorf("audit = %+v", e)
		}
		// Another workspace sees none of it.
		if p, _ := db.Plan(ctx, intelOther, a.ID); !p.Empty() || p.LastReview != nil {
			t.Errorf("another workspace read the plan: %+v", p)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openIntelDB(t)
		a := intelAccount(t, db, intelTeam, "Acme")
		theirs := intelAccount(t, db, intelOther, "Theirs")
		if err := db.AddTactic(ctx, &kam.Tactic{TeamID: intelTeam, AccountID: a.ID, Text: "One"}, "UANA"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CompleteTactic(ctx, intelTeam, a.ID, 1, "UANA"); err != nil {
			t.Fatal(err)
		}
		before := intelState(t, db, intelTeam)
		intelCode(t, db.AddObjective(ctx, &kam.Objective{TeamID: intelTeam, AccountID: a.ID, Text: ""}, "UANA"), kam.EINVALID)
		intelCode(t, db.AddObjective(ctx, &kam.Objective{TeamID: intelTeam, AccountID: a.ID, Text: "x", For: "them"}, "UANA"), kam.EINVALID)
		intelCode(t, db.AddObjective(ctx, &kam.Objective{TeamID: intelTeam, AccountID: a.ID, Text: strings.Repeat("x", kam.MaxTextLen+1)}, "UANA"), kam.EINVALID)
		intelCode(t, db.AddObjective(ctx, &kam.Objective{TeamID: intelTeam, AccountID: theirs.ID, Text: "x"}, "UANA"), kam.ENOTFOUND)
		intelCode(t, db.AddTactic(ctx, &kam.Tactic{TeamID: intelTeam, AccountID: a.ID, Text: "x", Quarter: "Q5"}, "UANA"), kam.EINVALID)
		intelCode(t, db.AddTactic(ctx, &kam.Tactic{TeamID: intelTeam, AccountID: a.ID, Text: ""}, "UANA"), kam.EINVALID)
		intelCode(t, db.AddTactic(ctx, &kam.Tactic{TeamID: intelTeam, AccountID: a.ID, Text: "x", OwnerID: "@ana"}, "UANA"), kam.EINVALID)
		intelCode(t, db.AddTactic(ctx, &kam.Tactic{TeamID: intelTeam, AccountID: theirs.ID, Text: "x"}, "UANA"), kam.ENOTFOUND)
		_, err := db.CompleteTactic(ctx, intelTeam, a.ID, 99, "UANA")
		intelCode(t, err, kam.ENOTFOUND)
		_, err = db.CompleteTactic(ctx, intelTeam, a.ID, 1, "UANA")
		intelCode(t, err, kam.ECONFLICT)
		_, err = db.CompleteTactic(ctx, intelOther, a.ID, 1, "UANA")
		intelCode(t, err, kam.ENOTFOUND)
		intelCode(t, db.RecordPlanReview(ctx, &kam.PlanReview{TeamID: intelTeam, AccountID: theirs.ID}, "UANA"), kam.ENOTFOUND)
		intelCode(t, db.RecordPlanReview(ctx, &kam.PlanReview{TeamID: intelTeam, AccountID: a.ID, Note: "a\x00b"}, "UANA"), kam.EINVALID)
		if intelState(t, db, intelTeam) != before {
			t.Error("a refused change changed something")
		}
	})
}

func TestHealthInputs(t *testing.T) {
	ctx := context.Background()
	db, clock := openIntelDB(t)
	now := intelEpoch
	a := intelAccount(t, db, intelTeam, "Acme")
	b := intelAccount(t, db, intelTeam, "Birch")
	x := intelAccount(t, db, intelOther, "Other")
	for _, m := range []kam.Member{
		{TeamID: intelTeam, AccountID: a.ID, UserID: "USPON", Role: kam.RoleSponsor},
		{TeamID: intelTeam, AccountID: a.ID, UserID: "UANA", Role: kam.RoleMember},
		{TeamID: intelTeam, AccountID: a.ID, UserID: "UBEN", Role: kam.RoleMember},
	} {
		if err := db.PutMember(ctx, m, "UKAM"); err != nil {
			t.Fatal(err)
		}
	}
	jane := kam.Contact{TeamID: intelTeam, AccountID: a.ID, Name: "Jane", Role: kam.ContactDecisionMaker, MirrorID: "UANA"}
	if err := db.AddContact(ctx, &jane, "UANA"); err != nil {
		t.Fatal(err)
	}
	log := func(acct kam.Account, user string, kind kam.InteractionKind, daysAgo int, contacts ...int64) {
		t.Helper()
		in := kam.Interaction{TeamID: acct.TeamID, AccountID: acct.ID, UserID: user, Kind: kind, Summary: "x",
			At: now.Add(-time.Duration(daysAgo) * 24 * time.Hour), Contacts: contacts}
		if err := db.LogInteraction(ctx, &in, user, nil); err != nil {
			t.Fatal(err)
		}
	}
	log(a, "UANA", kam.KindMeeting, 5, jane.ID)
	log(a, "UANA", kam.KindCall, 200)
	log(a, "UBEN", kam.KindNote, 1) // a note: no touch
	log(a, "UBEN", kam.KindEmail, 100)
	log(a, "UOUT", kam.KindCall, 3) // not on the team: counts for the account only
	log(b, "UCY", kam.KindCall, 10)
	log(x, "UX", kam.KindCall, 1)
	for _, o := range []kam.Opportunity{
		{TeamID: intelTeam, AccountID: a.ID, Name: "Open", Stage: kam.StageQualified},
		{TeamID: intelTeam, AccountID: a.ID, Name: "Won", Stage: kam.StageContracted},
		{TeamID: intelOther, AccountID: x.ID, Name: "Theirs", Stage: kam.StageQualified},
	} {
		if err := db.AddOpportunity(ctx, &o, "UANA"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddTactic(ctx, &kam.Tactic{TeamID: intelTeam, AccountID: b.ID, Text: "T"}, "UCY"); err != nil {
		t.Fatal(err)
	}
	clock.Set(now)

	ins, err := db.HealthInputs(ctx, intelTeam, []kam.Account{b, a}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].Account.ID != b.ID || ins[1].Account.ID != a.ID {
		t.Fatalf("inputs not in the order asked: %+v", ins)
	}
	ia, ib := ins[1], ins[0]
	wantTouch := map[string]time.Time{"UANA": now.Add(-5 * 24 * time.Hour), "UBEN": now.Add(-100 * 24 * time.Hour)}
	if !reflect.DeepEqual(ia.LastTouch, wantTouch) {
		t.Errorf("last touch = %v, want %v (team only, notes excluded)", ia.LastTouch, wantTouch)
	}
	if !ia.LastContact.Equal(now.Add(-3*24*time.Hour)) || !ib.LastContact.Equal(now.Add(-10*24*time.Hour)) {
		t.Errorf("last contact = %v / %v", ia.LastContact, ib.LastContact)
	}
	wantWindow := []kam.Touches{{UserID: "UANA", Count: 1, Met: []int64{jane.ID}}, {UserID: "UOUT", Count: 1}}
	if !reflect.DeepEqual(ia.Window, wantWindow) {
		t.Errorf("window = %+v, want %+v: the two real contacts of the last 90 days, the first naming Jane", ia.Window, wantWindow)
	}
	if len(ia.Contacts) != 1 || ia.Contacts[0].Name != "Jane" || ia.Contacts[0].LastContact.IsZero() {
		t.Errorf("contacts = %+v", ia.Contacts)
	}
	if len(ia.Opportunities) != 1 || ia.Opportunities[0].Name != "Open" {
		t.Errorf("opportunities = %+v, want the open one", ia.Opportunities)
	}
	var sponsors []string
	for _, m := range ia.Members {
		if m.Role == kam.RoleSponsor {
			sponsors = append(sponsors, m.UserID)
		}
	}
	if !slices.Equal(sponsors, []string{"USPON"}) {
		t.Errorf("members = %+v", ia.Members)
	}
	if len(ib.Plan.Tactics) != 1 || ib.Plan.AccountID != b.ID || !ia.Plan.Empty() || ib.Satisfaction != nil {
		t.Errorf("plans = %+v / %+v", ia.Plan, ib.Plan)
	}
	h := kam.AssessHealth(ia, now)
	if h.Relationship.Model != kam.ModelBowTie {
		t.Errorf("relationship = %+v", h.Relationship)
	}

	// Another workspace's account is refused, not silently read.
	if _, err := db.HealthInputs(ctx, intelTeam, []kam.Account{x}, now); err == nil {
		t.Error("read another workspace's account")
	}
	if got, err := db.HealthInputs(ctx, intelTeam, nil, now); err != nil || len(got) != 0 {
		t.Errorf("empty portfolio = %v, %v", got, err)
	}
}

// seedPortfolio writes a portfolio straight into the database file, in one
// transaction, as fast as SQLite takes it: accounts, three team members
// each, stakeholders, interactions spread over two years (a third naming a
// stakeholder), opportunities (a third open) and a small plan per account.
func seedPortfolio(tb testing.TB, db *store.DB, accounts, interactions, opportunities, contacts int, now time.Time) []kam.Account {
	tb.Helper()
	ctx := context.Background()
	raw, err := store.OpenRaw(db.Path())
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	nowMS := now.UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	exec := func(q string, args ...any) sql.Result {
		res, err := tx.Exec(q, args...)
		if err != nil {
			tb.Fatalf("seed: %v\n%s", err, q)
		}
		return res
	}
	prep := func(q string) *sql.Stmt {
		st, err := tx.Prepare(q)
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	tiers := kam.Tiers
	cadences := kam.Cadences
	acct := prep(`INSERT INTO accounts (id, team_id, name, slug, tier, cadence, owner_id, sponsor_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	member := prep(`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES (?, ?, ?, ?, ?)`)
	// Account i's people: its KAM, sponsor and a member, plus a specialist
	// who is not on the team.
	owner := func(i int) string { return fmt.Sprintf("U%03d", i%50) }
	sponsor := func(i int) string { return fmt.Sprintf("US%02d", i%10) }
	memberOf := func(i int) string { return fmt.Sprintf("UM%03d", i%70) }
	specialist := func(i int) string { return fmt.Sprintf("UX%02d", i%20) }
	for i := 1; i <= accounts; i++ {
		name := fmt.Sprintf("Account %04d", i)
		if _, err := acct.Exec(i, intelTeam, name, fmt.Sprintf("account-%04d", i), string(tiers[i%4]), string(cadences[i%3]),
			owner(i), sponsor(i), nowMS-800*day, nowMS-800*day); err != nil {
			tb.Fatal(err)
		}
		for _, m := range [][2]string{{owner(i), "kam"}, {sponsor(i), "sponsor"}, {memberOf(i), "member"}} {
			if _, err := member.Exec(intelTeam, i, m[0], m[1], nowMS-800*day); err != nil {
				tb.Fatal(err)
			}
		}
	}
	contact := prep(`INSERT INTO contacts (id, team_id, account_id, name, role, influence, stance, mirror_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	for i := 1; i <= contacts; i++ {
		// Contact i is account (i-1)%accounts+1's, as the links below expect.
		acct := (i-1)%accounts + 1
		mirror := ""
		switch i % 3 {
		case 0:
			mirror = memberOf(acct)
		case 1:
			mirror = owner(acct)
		}
		if _, err := contact.Exec(i, intelTeam, acct, fmt.Sprintf("Contact %d", i), string(kam.ContactRoles[i%6]),
			i%5+1, i%5-2, mirror, nowMS-700*day, nowMS-700*day); err != nil {
			tb.Fatal(err)
		}
	}
	inter := prep(`INSERT INTO interactions (id, team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	link := prep(`INSERT OR IGNORE INTO interaction_contacts (interaction_id, contact_id, team_id, at) VALUES (?, ?, ?, ?)`)
	perAcct := max(1, contacts/accounts)
	for i := 1; i <= interactions; i++ {
		a := rng.IntN(accounts) + 1
		at := nowMS - rng.Int64N(730*day)
		kind := kam.InteractionKinds[rng.IntN(len(kam.InteractionKinds))]
		var user string
		switch p := rng.IntN(100); {
		case p < 50:
			user = owner(a)
		case p < 80:
			user = memberOf(a)
		case p < 95:
			user = specialist(a)
		default:
			user = sponsor(a)
		}
		if _, err := inter.Exec(i, intelTeam, a, user, string(kind), "seeded interaction", at); err != nil {
			tb.Fatal(err)
		}
		if i%3 == 0 {
			// Contacts of account a are a-1+k*accounts+1 for k < perAcct.
			c := (a - 1) + rng.IntN(perAcct)*accounts + 1
			if c <= contacts {
				if _, err := link.Exec(i, c, intelTeam, at); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	opp := prep(`INSERT INTO opportunities (id, team_id, account_id, name, value, close_date, stage, stage_since, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	for i := 1; i <= opportunities; i++ {
		stage := kam.Stages[rng.IntN(len(kam.Stages))]
		since := nowMS - rng.Int64N(120*day)
		closeDate := time.UnixMilli(nowMS + (rng.Int64N(180)-60)*day).UTC().Format(time.DateOnly)
		if _, err := opp.Exec(i, intelTeam, i%accounts+1, fmt.Sprintf("Opp %d", i), 1000*i, closeDate, string(stage), since, since); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 1; i <= accounts; i++ {
		exec(`INSERT INTO plan_objectives (team_id, account_id, owner, text, author_id, created_at) VALUES (?, ?, 'customer', 'Grow', 'U1', ?)`,
			intelTeam, i, nowMS-200*day)
		for n := 1; n <= 3; n++ {
			exec(`INSERT INTO plan_tactics (team_id, account_id, number, text, due, author_id, created_at) VALUES (?, ?, ?, 'Do', ?, 'U1', ?)`,
				intelTeam, i, n, time.UnixMilli(nowMS+int64(n*20-30)*day).UTC().Format(time.DateOnly), nowMS-200*day)
		}
		exec(`INSERT INTO plan_reviews (team_id, account_id, user_id, at) VALUES (?, ?, 'U1', ?)`, intelTeam, i, nowMS-int64(i%100)*day)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if _, err := raw.Exec(`ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	accts, err := db.Accounts(ctx, intelTeam)
	if err != nil {
		tb.Fatal(err)
	}
	return accts
}

// TestHealthPortfolio checks the bulk loader against the per-account reads
// on a seeded portfolio: the same stakeholders, opportunities and plans.
func TestHealthPortfolio(t *testing.T) {
	ctx := context.Background()
	db, _ := openIntelDB(t)
	accts := seedPortfolio(t, db, 40, 4000, 400, 100, intelEpoch)
	ins, err := db.HealthInputs(ctx, intelTeam, accts, intelEpoch)
	if err != nil {
		t.Fatal(err)
	}
	var recent, met int
	models := map[kam.RelationshipModel]int{}
	for i, in := range ins {
		a := accts[i]
		cs, _ := db.Contacts(ctx, intelTeam, a.ID)
		if !reflect.DeepEqual(in.Contacts, cs) {
			t.Fatalf("%s: contacts differ:\n%+v\n%+v", a.Name, in.Contacts, cs)
		}
		opps, _ := db.Opportunities(ctx, intelTeam, a.ID, true)
		if len(in.Opportunities) != len(opps) {
			t.Fatalf("%s: %d open opportunities, want %d", a.Name, len(in.Opportunities), len(opps))
		}
		p, _ := db.Plan(ctx, intelTeam, a.ID)
		if !reflect.DeepEqual(in.Plan, p) {
			t.Fatalf("%s: plan differs:\n%+v\n%+v", a.Name, in.Plan, p)
		}
		// The window counted in SQL is the window counted from the rows.
		all, _ := db.Interactions(ctx, intelTeam, a.ID, 0)
		want := kam.ActivityOf(all, a.ID, intelEpoch.Add(-kam.RelationshipWindow), intelEpoch)
		if !reflect.DeepEqual(in.Window, want) {
			t.Fatalf("%s: window differs:\n%+v\n%+v", a.Name, in.Window, want)
		}
		for _, w := range want {
			recent += w.Count
			met += len(w.Met)
		}
		// Loaded alone (/kam health <account>) or in a chunk of the whole
		// workspace (health all, the digest): the same inputs, the same
		// score and alerts.
		one, err := db.HealthInputs(ctx, intelTeam, []kam.Account{a}, intelEpoch)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one[0], in) {
			t.Fatalf("%s: inputs alone differ from the portfolio's:\n%+v\n%+v", a.Name, one[0], in)
		}
		alone, bulk := kam.AssessHealth(one[0], intelEpoch), kam.AssessHealth(in, intelEpoch)
		if alone.Score != bulk.Score || !reflect.DeepEqual(alone.Alerts, bulk.Alerts) || alone.Relationship.Model != bulk.Relationship.Model {
			t.Fatalf("%s: health alone %d %v, in the portfolio %d %v", a.Name, alone.Score, alone.Alerts, bulk.Score, bulk.Alerts)
		}
		models[bulk.Relationship.Model]++
	}
	if recent == 0 || met == 0 {
		t.Fatalf("seed produced %d recent interactions naming %d stakeholders: the check proves nothing", recent, met)
	}
	if len(models) < 2 {
		t.Fatalf("every account has the same relationship model %v: the check proves little", models)
	}
}

// BenchmarkHealthPortfolio measures /kam health's data work over a whole
// portfolio — loading every input and assessing every account — at two
// history sizes, so that growth with history can be read off.
func BenchmarkHealthPortfolio(b *testing.B) {
	for _, size := range []struct {
		name                                   string
		accounts, interactions, opps, contacts int
	}{
		{"1k-accounts/100k-interactions", 1000, 100_000, 10_000, 5_000},
		{"1k-accounts/200k-interactions", 1000, 200_000, 20_000, 5_000},
	} {
		b.Run(size.name, func(b *testing.B) {
			db, _ := openIntelDB(b)
			accts := seedPortfolio(b, db, size.accounts, size.interactions, size.opps, size.contacts, intelEpoch)
			ctx := context.Background()
			cpu := cpuTime()
			for b.Loop() {
				ins, err := db.HealthInputs(ctx, intelTeam, accts, intelEpoch)
				if err != nil {
					b.Fatal(err)
				}
				hs := make([]kam.Health, len(ins))
				for i, in := range ins {
					hs[i] = kam.AssessHealth(in, intelEpoch)
				}
				kam.SortWorstFirst(hs)
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// cpuTime is the process's CPU time (user and system) so far: on a shared
// machine it measures the work done, where wall time also counts waiting.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
