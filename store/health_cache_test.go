package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
)

var hcEpoch = time.Date(2025, 11, 10, 12, 0, 0, 0, time.UTC)

const hcTeam = "THC"

// hcClock is the shared clock of the handles of a test.
type hcClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *hcClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *hcClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// hcWorld is a small workspace seen through three handles on the same
// database: reader and other keep health inputs in memory, as two
// processes would; fresh forgets them before every read, so it answers as
// the database does.
type hcWorld struct {
	t                    *testing.T
	dsn                  string
	clock                *hcClock
	reader, other, fresh *DB
	accts                []kam.Account
}

func newHCWorld(t *testing.T) *hcWorld {
	ctx := context.Background()
	w := &hcWorld{t: t, dsn: storetest.DSN(t, "health.db"), clock: &hcClock{t: hcEpoch}}
	open := func() *DB {
		db, err := OpenMigrated(ctx, w.dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = w.clock.Now
		return db
	}
	w.reader, w.other, w.fresh = open(), open(), open()
	for _, n := range []string{"Acme", "Birch", "Cedar"} {
		a := kam.Account{TeamID: hcTeam, Name: n, OwnerID: "UKAM", SponsorID: "USPON", Tier: kam.TierConsultant}
		if err := w.reader.CreateAccount(ctx, &a, "UKAM"); err != nil {
			t.Fatal(err)
		}
		w.accts = append(w.accts, a)
	}
	return w
}

// read is every account's inputs through db at now.
func (w *hcWorld) read(db *DB, now time.Time) []kam.HealthInput {
	w.t.Helper()
	if db == w.fresh {
		db.ForgetHealthInputs()
	}
	ins, err := db.HealthInputs(context.Background(), hcTeam, w.accts, now)
	if err != nil {
		w.t.Fatal(err)
	}
	return ins
}

// same fails unless both caching handles answer as the database does at
// now; it returns the database's answer.
func (w *hcWorld) same(step string, now time.Time) []kam.HealthInput {
	w.t.Helper()
	want := w.read(w.fresh, now)
	for _, h := range []struct {
		name string
		db   *DB
	}{{"same handle", w.reader}, {"other handle", w.other}} {
		if got := w.read(h.db, now); !reflect.DeepEqual(got, want) {
			w.t.Errorf("%s, %s: kept inputs differ from the database's:\n got %s\nwant %s", step, h.name, hcDump(got), hcDump(want))
		}
	}
	return want
}

func hcDump(ins []kam.HealthInput) string {
	s := ""
	for _, in := range ins {
		s += fmt.Sprintf("\n  %d: %+v sat=%+v", in.Account.ID, in, in.Satisfaction)
	}
	return s
}

// exec runs one statement, the same on both backends.
func (w *hcWorld) exec(q string) {
	w.t.Helper()
	storetest.Exec(w.t, w.dsn, q, q)
}

// TestHealthInputsKeptFollowWrites: after every kind of write the health
// inputs depend on, made through one handle, the inputs both handles keep
// in memory equal a fresh load from the database. Each step must change
// the inputs (checked), so a missing trigger shows as a stale answer.
func TestHealthInputsKeptFollowWrites(t *testing.T) {
	ctx := context.Background()
	w := newHCWorld(t)
	now := hcEpoch
	acme, birch, cedar := w.accts[0], w.accts[1], w.accts[2]
	db := w.reader
	var ids struct {
		jane, joe    kam.Contact
		in1, in2     kam.Interaction
		opp          kam.Opportunity
		survey       kam.Survey
		objective    kam.Objective
		charterMoved bool
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	logAt := func(in *kam.Interaction) { must(db.LogInteraction(ctx, in, in.UserID, nil)) }
	steps := []struct {
		name  string
		write func()
	}{
		{"add member", func() {
			must(db.PutMember(ctx, kam.Member{TeamID: hcTeam, AccountID: acme.ID, UserID: "UANA", Role: kam.RoleMember}, "UKAM"))
			must(db.PutMember(ctx, kam.Member{TeamID: hcTeam, AccountID: acme.ID, UserID: "UDAN", Role: kam.RoleMember}, "UKAM"))
		}},
		{"change member's role", func() {
			must(db.PutMember(ctx, kam.Member{TeamID: hcTeam, AccountID: acme.ID, UserID: "UANA", Role: kam.RoleSponsor, Function: "Sales"}, "UKAM"))
		}},
		{"change member's function", func() {
			must(db.PutMember(ctx, kam.Member{TeamID: hcTeam, AccountID: acme.ID, UserID: "UANA", Role: kam.RoleSponsor, Function: "Finance"}, "UKAM"))
		}},
		{"move a member row to another account", func() {
			w.exec(fmt.Sprintf(`UPDATE members SET account_id = %d WHERE account_id = %d AND user_id = 'UDAN'`, cedar.ID, acme.ID))
		}},
		{"add contact", func() {
			ids.jane = kam.Contact{TeamID: hcTeam, AccountID: acme.ID, Name: "Jane", Role: kam.ContactDecisionMaker}
			must(db.AddContact(ctx, &ids.jane, "UKAM"))
			ids.joe = kam.Contact{TeamID: hcTeam, AccountID: acme.ID, Name: "Joe"}
			must(db.AddContact(ctx, &ids.joe, "UKAM"))
		}},
		{"edit contact", func() {
			ids.jane.Title, ids.jane.Stance = "CFO", 2
			must(db.UpdateContact(ctx, &ids.jane, "UKAM", []string{"title", "stance"}))
		}},
		{"log interaction naming a stakeholder", func() {
			ids.in1 = kam.Interaction{TeamID: hcTeam, AccountID: acme.ID, UserID: "UANA", Kind: kam.KindMeeting, Summary: "x",
				At: now.Add(-10 * 24 * time.Hour), Contacts: []int64{ids.jane.ID}}
			logAt(&ids.in1)
		}},
		{"log old interaction", func() {
			ids.in2 = kam.Interaction{TeamID: hcTeam, AccountID: acme.ID, UserID: "UKAM", Kind: kam.KindCall, Summary: "y",
				At: now.Add(-200 * 24 * time.Hour)}
			logAt(&ids.in2)
		}},
		{"edit interaction: date into the window, kind, stakeholders", func() {
			in := ids.in2
			in.At, in.Kind, in.Contacts = now.Add(-3*24*time.Hour), kam.KindVisit, []int64{ids.joe.ID}
			must(db.UpdateInteraction(ctx, &in, "UKAM", ids.in2.EditedAt, nil))
			ids.in2 = in
		}},
		{"edit interaction into a note", func() {
			in := ids.in2
			in.Kind = kam.KindNote
			must(db.UpdateInteraction(ctx, &in, "UKAM", ids.in2.EditedAt, nil))
			ids.in2 = in
		}},
		{"unlink a stakeholder", func() {
			in := ids.in1
			in.Contacts = nil
			must(db.UpdateInteraction(ctx, &in, "UANA", ids.in1.EditedAt, nil))
			ids.in1 = in
		}},
		{"link a stakeholder", func() {
			w.exec(fmt.Sprintf(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at, user_id, kind)
				VALUES (%d, %d, '%s', %d, 'UANA', 'meeting')`, ids.in1.ID, ids.joe.ID, hcTeam, ms(ids.in1.At)))
		}},
		{"change a link's copied author", func() {
			w.exec(fmt.Sprintf(`UPDATE interaction_contacts SET user_id = 'UBEN' WHERE interaction_id = %d AND contact_id = %d`, ids.in1.ID, ids.joe.ID))
		}},
		{"move an interaction to another account", func() {
			w.exec(fmt.Sprintf(`UPDATE interactions SET account_id = %d WHERE id = %d`, birch.ID, ids.in1.ID))
		}},
		{"move a stakeholder to another account", func() {
			w.exec(fmt.Sprintf(`UPDATE contacts SET account_id = %d WHERE id = %d`, birch.ID, ids.joe.ID))
		}},
		{"delete interaction", func() {
			_, err := db.DeleteInteraction(ctx, hcTeam, ids.in1.ID, "UANA", ids.in1.EditedAt, nil)
			must(err)
		}},
		{"remove contact", func() {
			must(db.RemoveContact(ctx, hcTeam, birch.ID, ids.joe.ID, "UKAM"))
		}},
		{"remove member", func() { must(db.RemoveMember(ctx, hcTeam, acme.ID, "UANA", "UKAM")) }},
		{"add opportunity", func() {
			ids.opp = kam.Opportunity{TeamID: hcTeam, AccountID: acme.ID, Name: "Renewal", Stage: kam.StageQualified}
			must(db.AddOpportunity(ctx, &ids.opp, "UKAM"))
		}},
		{"move opportunity's stage", func() {
			_, err := db.MoveStage(ctx, hcTeam, ids.opp.ID, kam.StagePursuing, "UKAM", "", now, nil)
			must(err)
		}},
		{"move opportunity to another account", func() {
			w.exec(fmt.Sprintf(`UPDATE opportunities SET account_id = %d WHERE id = %d`, cedar.ID, ids.opp.ID))
		}},
		{"close opportunity", func() {
			_, err := db.MoveStage(ctx, hcTeam, ids.opp.ID, kam.StageLost, "UKAM", "", now, nil)
			must(err)
		}},
		{"add objective", func() {
			ids.objective = kam.Objective{TeamID: hcTeam, AccountID: acme.ID, For: kam.ForCustomer, Text: "Grow"}
			must(db.AddObjective(ctx, &ids.objective, "UKAM"))
		}},
		{"add tactic", func() {
			must(db.AddTactic(ctx, &kam.Tactic{TeamID: hcTeam, AccountID: acme.ID, Text: "Visit", OwnerID: "UKAM"}, "UKAM"))
		}},
		{"complete tactic", func() {
			_, err := db.CompleteTactic(ctx, hcTeam, acme.ID, 1, "UKAM")
			must(err)
		}},
		{"record plan review", func() {
			must(db.RecordPlanReview(ctx, &kam.PlanReview{TeamID: hcTeam, AccountID: acme.ID, Note: "ok"}, "UKAM"))
		}},
		{"add charter line", func() {
			must(db.AddCharterEntry(ctx, &kam.CharterEntry{TeamID: hcTeam, AccountID: acme.ID, Kind: kam.CharterStrength, Text: "Trust"}, "UKAM"))
		}},
		{"drop charter line", func() {
			_, err := db.DropCharterEntry(ctx, hcTeam, acme.ID, string(kam.CharterStrength), 1, "UKAM")
			must(err)
		}},
		{"add strategy", func() {
			must(db.AddStrategy(ctx, &kam.Strategy{TeamID: hcTeam, AccountID: acme.ID, Text: "Land"}, "UKAM"))
		}},
		{"drop strategy", func() {
			_, err := db.DropCharterEntry(ctx, hcTeam, acme.ID, "strategy", 1, "UKAM")
			must(err)
		}},
		{"set target", func() {
			must(db.SetTarget(ctx, &kam.Target{TeamID: hcTeam, AccountID: acme.ID, Year: 2025, Amount: 100_000}, "UKAM"))
		}},
		{"edit objective", func() {
			w.exec(fmt.Sprintf(`UPDATE plan_objectives SET text = 'Grow more' WHERE id = %d`, ids.objective.ID))
		}},
		{"delete objective", func() {
			w.exec(fmt.Sprintf(`DELETE FROM plan_objectives WHERE id = %d`, ids.objective.ID))
		}},
		{"delete plan review", func() { w.exec(fmt.Sprintf(`DELETE FROM plan_reviews WHERE account_id = %d`, acme.ID)) }},
		{"edit tactic", func() { w.exec(fmt.Sprintf(`UPDATE plan_tactics SET text = 'Call' WHERE account_id = %d`, acme.ID)) }},
		{"delete tactic", func() { w.exec(fmt.Sprintf(`DELETE FROM plan_tactics WHERE account_id = %d`, acme.ID)) }},
		{"send survey", func() {
			ids.survey = kam.Survey{TeamID: hcTeam, AccountID: birch.ID, ChannelID: "CBIRCH"}
			must(db.CreateSurvey(ctx, &ids.survey, "UKAM", nil))
		}},
		{"answer survey", func() {
			_, _, err := db.AnswerSurvey(ctx, &kam.SurveyAnswer{TeamID: hcTeam, AccountID: birch.ID, SurveyID: ids.survey.ID,
				Respondent: "user:UCUST", UserID: "UCUST", Score: 9}, false)
			must(err)
		}},
		{"change answer", func() {
			_, _, err := db.AnswerSurvey(ctx, &kam.SurveyAnswer{TeamID: hcTeam, AccountID: birch.ID, SurveyID: ids.survey.ID,
				Respondent: "user:UCUST", UserID: "UCUST", Score: 3, Comment: "slow"}, true)
			must(err)
		}},
		{"record answer", func() {
			must(db.RecordSurveyAnswer(ctx, &kam.SurveyAnswer{TeamID: hcTeam, AccountID: cedar.ID, Contact: "Jim", Score: 7,
				At: now.Add(-400 * 24 * time.Hour)}, "UKAM"))
		}},
		{"move answer to another account", func() {
			w.exec(fmt.Sprintf(`UPDATE survey_responses SET account_id = %d WHERE account_id = %d`, acme.ID, cedar.ID))
		}},
		{"delete survey and its answers", func() {
			w.exec(fmt.Sprintf(`DELETE FROM survey_responses WHERE survey_id = %d`, ids.survey.ID))
			w.exec(fmt.Sprintf(`DELETE FROM surveys WHERE id = %d`, ids.survey.ID))
		}},
		{"delete account", func() {
			w.exec(fmt.Sprintf(`DELETE FROM accounts WHERE id = %d`, acme.ID))
		}},
	}
	before := w.same("start", now)
	for _, s := range steps {
		s.write()
		after := w.same(s.name, now)
		if reflect.DeepEqual(before, after) {
			t.Errorf("%s: changed nothing the health inputs show; the step proves nothing", s.name)
		}
		before = after
		if t.Failed() {
			return
		}
	}
	// The same holds through the other handle's writes.
	w.reader, w.other = w.other, w.reader
	db = w.reader
	w.same("swap", now)
	must(db.PutMember(ctx, kam.Member{TeamID: hcTeam, AccountID: birch.ID, UserID: "UCY", Role: kam.RoleMember}, "UKAM"))
	w.same("add member through the other handle", now)
}

// TestHealthInputsKeptFollowTheClock: with no write, the kept inputs equal
// a fresh load at every instant around the moments the now-dependent parts
// change — a contact leaving the window, contacts and links dated ahead
// entering it, a survey sent ahead, answers moving from one NPS period to
// the next and out — and are served from memory between them.
func TestHealthInputsKeptFollowTheClock(t *testing.T) {
	ctx := context.Background()
	w := newHCWorld(t)
	now := hcEpoch
	acme, birch := w.accts[0], w.accts[1]
	day := 24 * time.Hour
	jane := kam.Contact{TeamID: hcTeam, AccountID: acme.ID, Name: "Jane"}
	if err := w.reader.AddContact(ctx, &jane, "UKAM"); err != nil {
		t.Fatal(err)
	}
	// Rows dated where the clock will pass them, written as an import
	// would (the API refuses dates ahead).
	var moments []time.Time
	interaction := func(acct int64, kind string, at time.Time, contact int64) {
		w.exec(fmt.Sprintf(`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at)
			VALUES ('%s', %d, 'UKAM', '%s', 'x', %d)`, hcTeam, acct, kind, ms(at)))
		if contact != 0 {
			w.exec(fmt.Sprintf(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at, user_id, kind)
				VALUES ((SELECT max(id) FROM interactions), %d, '%s', %d, 'UKAM', '%s')`, contact, hcTeam, ms(at), kind))
		}
	}
	answer := func(acct int64, who string, score int, at time.Time) {
		w.exec(fmt.Sprintf(`INSERT INTO survey_responses (team_id, account_id, respondent, contact, score, created_at, at)
			VALUES ('%s', %d, 'contact:%s', '%s', %d, %d, %d)`, hcTeam, acct, who, who, score, ms(at), ms(at)))
	}
	leaves := now.Add(-89 * day)
	interaction(acme.ID, "call", leaves, jane.ID)
	moments = append(moments, leaves.Add(kam.RelationshipWindow))
	ahead := now.Add(5 * day)
	interaction(acme.ID, "meeting", ahead, 0)
	moments = append(moments, ahead)
	linkAhead := now.Add(7 * day)
	interaction(birch.ID, "call", linkAhead, jane.ID) // Jane is Acme's: the link counts there
	moments = append(moments, linkAhead)
	interaction(acme.ID, "note", now.Add(2*day), 0) // a note ahead changes nothing
	sentAhead := now.Add(9 * day)
	w.exec(fmt.Sprintf(`INSERT INTO surveys (team_id, account_id, channel_id, token, sent_by, sent_at, closes_at)
		VALUES ('%s', %d, 'CB', 'tok', 'UKAM', %d, %d)`, hcTeam, birch.ID, ms(sentAhead), ms(sentAhead.Add(14*day))))
	moments = append(moments, sentAhead)
	current, previous, answerAhead := now.Add(-300*day), now.Add(-500*day), now.Add(11*day)
	answer(acme.ID, "ann", 10, current)
	answer(acme.ID, "cat", 2, previous)
	answer(acme.ID, "bob", 6, answerAhead)
	moments = append(moments, current.Add(kam.NPSPeriod), previous.Add(2*kam.NPSPeriod), answerAhead)

	w.same("start", now)
	// Between the moments the kept entries are served, not loaded again.
	later := now.Add(time.Hour)
	for _, a := range w.accts {
		rev := hcRev(t, w.reader, a.ID)
		if _, ok := w.reader.health.get(hcTeam, a, rev, ms(later)); !ok {
			t.Errorf("account %s: not served an hour later with nothing written", a.Name)
		}
	}
	w.same("an hour later", later)
	for _, m := range moments {
		for _, at := range []time.Time{m.Add(-time.Millisecond), m, m.Add(time.Millisecond), m.Add(time.Hour)} {
			w.same(fmt.Sprintf("at %s", at.Format(time.RFC3339Nano)), at)
		}
	}
	// A clock gone back is not served what was read later.
	w.same("back to the start", now)
}

// hcRev is the change counter of an account.
func hcRev(t *testing.T, db *DB, id int64) int64 {
	t.Helper()
	revs, err := db.healthRevs(context.Background(), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	return revs[id]
}

// TestHealthInputsKeptAreCopies: what a caller is given can be changed
// without changing what the next caller gets.
func TestHealthInputsKeptAreCopies(t *testing.T) {
	ctx := context.Background()
	w := newHCWorld(t)
	acme := w.accts[0]
	jane := kam.Contact{TeamID: hcTeam, AccountID: acme.ID, Name: "Jane"}
	if err := w.reader.AddContact(ctx, &jane, "UKAM"); err != nil {
		t.Fatal(err)
	}
	in := kam.Interaction{TeamID: hcTeam, AccountID: acme.ID, UserID: "UKAM", Kind: kam.KindCall, Summary: "x",
		At: hcEpoch.Add(-time.Hour), Contacts: []int64{jane.ID}}
	if err := w.reader.LogInteraction(ctx, &in, "UKAM", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.reader.AddTactic(ctx, &kam.Tactic{TeamID: hcTeam, AccountID: acme.ID, Text: "Visit"}, "UKAM"); err != nil {
		t.Fatal(err)
	}
	if err := w.reader.RecordSurveyAnswer(ctx, &kam.SurveyAnswer{TeamID: hcTeam, AccountID: acme.ID, Contact: "Jim", Score: 7}, "UKAM"); err != nil {
		t.Fatal(err)
	}
	want := w.read(w.fresh, hcEpoch)
	for range 2 {
		got := w.read(w.reader, hcEpoch)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("kept inputs differ from the database's:\n got %s\nwant %s", hcDump(got), hcDump(want))
		}
		a := &got[0]
		a.Members = append(a.Members[:0], kam.Member{UserID: "UX"})
		a.LastTouch["UX"] = hcEpoch
		a.Window[0].Count, a.Window[0].Met[0] = 99, 99
		a.Contacts[0].Name = "X"
		a.Plan.Tactics[0].Text = "X"
		a.Satisfaction.Latest.Score, a.Satisfaction.NPS = 0, 1
	}
}

// TestHealthCacheBounded: past its budget the cache drops entries.
func TestHealthCacheBounded(t *testing.T) {
	c := healthCache{max: 100_000}
	for i := range int64(10_000) {
		c.put("T", 0, 0, never, kam.HealthInput{Account: kam.Account{ID: i}, Members: make([]kam.Member, 3)})
	}
	if c.bytes > c.max || len(c.entries) == 0 || len(c.entries) >= 10_000 {
		t.Errorf("%d entries of %d bytes, budget %d", len(c.entries), c.bytes, c.max)
	}
	var sum int64
	for _, e := range c.entries {
		sum += e.size()
	}
	if sum != c.bytes {
		t.Errorf("bytes counted %d, entries hold %d", c.bytes, sum)
	}
}

// TestHealthCodecRoundTrip: every field of the inputs, drawn at random —
// nil and empty slices and maps, nil and set pointers, zero and set times —
// comes back equal.
func TestHealthCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		var in kam.HealthInput
		hcFill(r, reflect.ValueOf(&in).Elem(), 0)
		data, err := encodeHealth(&in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeHealth(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, in) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, in)
		}
		if _, err := decodeHealth(data[:len(data)-1]); err == nil {
			t.Fatal("a cut entry decoded without error")
		}
	}
	// A time the store never reads (not UTC) is refused, not kept wrong.
	in := kam.HealthInput{LastContact: time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("X", 3600))}
	if _, err := encodeHealth(&in); err == nil {
		t.Error("a time with a zone was encoded")
	}
}

// hcFill sets v to random values; slices, maps and pointers are nil a
// third of the time.
func hcFill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(r.Int64N(1<<40) - 1<<39)
	case reflect.Float64:
		v.SetFloat(r.NormFloat64() * 100)
	case reflect.String:
		v.SetString(strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(12)))
	case reflect.Slice:
		if r.IntN(3) == 0 || depth > 4 {
			return
		}
		n := r.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			hcFill(r, s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if r.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range r.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			hcFill(r, k, depth+1)
			hcFill(r, e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if r.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		hcFill(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == timeType {
			if r.IntN(4) > 0 {
				v.Set(reflect.ValueOf(fromMS(r.Int64N(4e12))))
			}
			return
		}
		for i := range v.NumField() {
			hcFill(r, v.Field(i), depth+1)
		}
	default:
		panic("hcFill: " + v.Type().String())
	}
}
