package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/outbox"
	"github.com/kambot/kambot/store"
)

// The fixture's people and workspaces.
const (
	team      = "T0ACME"
	otherTeam = "T0OTHER"
	admin     = "UADMIN1"
	ana       = "UANA001" // KAM of Acme Corp and Globex
	ben       = "UBEN001" // member of Acme Corp, KAM of Acorn Ltd
	sara      = "USARA01" // executive sponsor of Acme Corp
	outsider  = "UOUT001" // in the workspace, on no team
	ghost     = "UGHOST1" // not in the workspace
	acmeChan  = "C0ACME1"
)

// fixedNow is the clock of every test: a Friday afternoon.
var fixedNow = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

// notifier records posts: those sent through Notify, and on Wake those
// the store queued with a change (read from the outbox and marked sent);
// fail makes every Notify fail.
type notifier struct {
	mu    sync.Mutex
	fail  bool
	posts []post
	db    outbox.Store // set: Wake drains its outbox
}

func (n *notifier) Wake() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.db == nil {
		return
	}
	// Queued posts are stamped with the store's clock, which tests fix.
	now := time.Now()
	if fixedNow.After(now) {
		now = fixedNow
	}
	_, err := outbox.Drain(context.Background(), n.db, now.Add(time.Hour), func(m kam.OutboxMessage, ts string) error {
		var bs slack.Blocks
		if len(m.Blocks) > 0 {
			if err := json.Unmarshal(m.Blocks, &bs); err != nil {
				return err
			}
		}
		n.posts = append(n.posts, post{m.TeamID, m.Channel, m.Key, m.Text, bs.BlockSet, ts})
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("drain the outbox: %v", err))
	}
}

type post struct {
	team, channel, key, text string
	blocks                   []slack.Block
	ts                       string // the message's timestamp, once delivered from the outbox
}

func (n *notifier) Notify(_ context.Context, teamID, channelID, key, text string, blocks []slack.Block) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return errors.New("queue unavailable")
	}
	n.posts = append(n.posts, post{teamID, channelID, key, text, blocks, ""})
	return nil
}

func (n *notifier) all() []post {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.posts)
}

// directory knows every fixture user but ghost; errUser makes lookups fail.
type directory struct{ errUser string }

func (d directory) UserExists(_ context.Context, teamID, userID string) (bool, error) {
	if userID == d.errUser {
		return false, errors.New("users.info: ratelimited")
	}
	switch userID {
	case admin, ana, ben, sara, outsider:
		return teamID == team || teamID == otherTeam, nil
	}
	return false, nil
}

// env is an engine on a real SQLite database with a seeded portfolio.
type env struct {
	t     testing.TB
	db    *store.DB
	path  string
	eng   *commands.Engine
	notes *notifier
	logs  *syncBuffer
	ids   map[string]int64 // account and opportunity IDs by name
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv opens a fresh database (storetest.DSN), seeds it and builds an engine;
// configure adjusts the engine's config before New.
func newEnv(t testing.TB, configure ...func(*commands.Config)) *env {
	t.Helper()
	ctx := context.Background()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, path: path, notes: &notifier{}, logs: &syncBuffer{}, ids: map[string]int64{}}
	e.notes.db = db
	e.seed(ctx)
	db.Now = func() time.Time { return fixedNow }
	cfg := commands.Config{
		Store:     db,
		Notifier:  e.notes,
		Directory: directory{},
		Admins:    []string{admin},
		Now:       func() time.Time { return fixedNow },
		Logger:    slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range configure {
		f(&cfg)
	}
	e.eng = commands.New(cfg)
	return e
}

// seed writes the fixture portfolio through the store, with its clock set
// to each record's time.
func (e *env) seed(ctx context.Context) {
	t := e.t
	t.Helper()
	at := func(days int) time.Time { return fixedNow.AddDate(0, 0, -days) }
	clock := at(400)
	e.db.Now = func() time.Time { return clock }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	accounts := []kam.Account{
		{TeamID: team, Name: "Acme Corp", Tier: kam.TierPartner, Level: kam.LevelValueAdd, OwnerID: ana, SponsorID: sara,
			Cadence: kam.CadenceMonthly, ChannelID: acmeChan, Revenue: 1_200_000, WalletPct: 35,
			Segment: "Industrial automation", Region: "EMEA"},
		{TeamID: team, Name: "Acorn Ltd", Tier: kam.TierVendor, Level: kam.LevelCommodity, OwnerID: ben, Cadence: kam.CadenceQuarterly},
		{TeamID: team, Name: "Globex", Tier: kam.TierConsultant, Level: kam.LevelProduct, OwnerID: ana, Cadence: kam.CadenceWeekly, Revenue: 480_000},
		{TeamID: otherTeam, Name: "Initech", Tier: kam.TierPreferred, OwnerID: outsider},
		{TeamID: otherTeam, Name: "Acme Corp", Tier: kam.TierVendor, OwnerID: outsider},
	}
	for i := range accounts {
		must(e.db.CreateAccount(ctx, &accounts[i], admin))
		e.ids[accounts[i].TeamID+"/"+accounts[i].Name] = accounts[i].ID
	}
	acme := e.ids[team+"/Acme Corp"]
	must(e.db.PutMember(ctx, kam.Member{TeamID: team, AccountID: acme, UserID: ben, Role: kam.RoleMember, Function: "finance"}, admin))

	for i, x := range []struct {
		user, kind, summary string
		days                int
	}{
		{ana, "qbr", "Q4 review: NPS up to 42, asked for a roadmap workshop", 60},
		{ben, "call", "Invoice dispute settled", 40},
		{ana, "meeting", "Met <@USARA01|sara> and their COO about the EMEA rollout", 20},
		{ben, "email", "Sent the revised price list & terms", 9},
		{ana, "visit", "Plant tour in Lyon; they want predictive maintenance", 5},
		{ana, "note", "Champion might move to the parent company", 2},
	} {
		in := kam.Interaction{TeamID: team, AccountID: acme, UserID: x.user, Kind: kam.InteractionKind(x.kind), Summary: x.summary,
			At: at(x.days).Add(time.Duration(i) * time.Minute)}
		must(e.db.LogInteraction(ctx, &in, x.user, nil))
	}

	date := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, o := range []struct {
		name  string
		value int64
		close string
		moves []kam.Stage
	}{
		{"Renewal 2025", 250_000, "2025-03-01", []kam.Stage{kam.StageQualified, kam.StagePursuing, kam.StageClosing}},
		{"Renewal plus", 60_000, "2025-06-30", []kam.Stage{kam.StageQualified}},
		{"Expansion EMEA", 1_200_000, "2025-09-30", []kam.Stage{kam.StageQualified, kam.StagePursuing}},
		{"Pilot", 50_000, "", nil},
		{"Old deal", 80_000, "2024-06-30", []kam.Stage{kam.StageQualified, kam.StageLost}},
		{"Support contract", 300_000, "2024-12-31", []kam.Stage{kam.StageQualified, kam.StagePursuing, kam.StageClosing, kam.StageContracted}},
		{"Side thing", 10_000, "", []kam.Stage{kam.StageNoGo}},
	} {
		clock = at(300)
		opp := kam.Opportunity{TeamID: team, AccountID: acme, Name: o.name, Value: o.value, OwnerID: ana}
		if o.close != "" {
			opp.CloseDate = date(o.close)
		}
		must(e.db.AddOpportunity(ctx, &opp, ana))
		e.ids["opp/"+o.name] = opp.ID
		for i, st := range o.moves {
			clock = at(250 - 30*i)
			_, err := e.db.MoveStage(ctx, team, opp.ID, st, ana, "", clock, nil)
			must(err)
		}
	}
	globex := e.ids[team+"/Globex"]
	clock = at(100)
	g := kam.Opportunity{TeamID: team, AccountID: globex, Name: "Line retrofit", Value: 400_000, OwnerID: ana, CloseDate: date("2025-05-15")}
	must(e.db.AddOpportunity(ctx, &g, ana))
	clock = at(50)
	_, err := e.db.MoveStage(ctx, team, g.ID, kam.StageQualified, ana, "", clock, nil)
	must(err)
}

// run executes text as user in the fixture workspace.
func (e *env) run(user, text string) (commands.Reply, error) {
	return e.runIn(team, user, text)
}

func (e *env) runIn(teamID, user, text string) (commands.Reply, error) {
	e.t.Helper()
	return e.eng.Do(context.Background(), commands.Request{TeamID: teamID, UserID: user, ChannelID: "C0SOMEWHERE", Text: text})
}

// ok runs text and fails the test unless it succeeds.
func (e *env) ok(user, text string) commands.Reply {
	e.t.Helper()
	rep, err := e.run(user, text)
	if err != nil {
		e.t.Fatalf("/kam %s (as %s): %v\nreply: %s", text, user, err, rep.Text)
	}
	if rep.Text == "" || rep.InChannel {
		e.t.Fatalf("/kam %s: reply text %q, in channel %v", text, rep.Text, rep.InChannel)
	}
	return rep
}

// snapshot dumps every table of the database, through a connection of its
// own, so a test can assert that nothing changed.
func snapshot(t testing.TB, path string) string {
	t.Helper()
	return storetest.Snapshot(t, path)
}

// count returns the rows of one table.
func count(t testing.TB, path, table string) int {
	t.Helper()
	return storetest.Count(t, path, table)
}
