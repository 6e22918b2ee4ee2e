package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// The brief fixture: two accounts in one workspace and one, with the same
// name, in another. Every account holds texts no other account holds.
const (
	bfTeam     = "T0BRIEF1"
	bfOther    = "T0BRIEF2"
	bfAdmin    = "U0BFADMIN"
	bfKAM      = "U0BFKAM01" // owns Acme Corp
	bfSponsor  = "U0BFSPONS" // Acme Corp's executive sponsor, on no team row of their own
	bfMember   = "U0BFMEMBR" // on Acme Corp's team
	bfOutsider = "U0BFOUTSD" // in the workspace, on no team
	bfGlobexKM = "U0BFGLOBX" // owns Globex, not on Acme's team
	bfOtherKAM = "U0BFOTHER" // owns the other workspace's Acme Corp
	bfModel    = "test-model-1"
)

// bfNow is the fixture's clock: a Friday afternoon.
var bfNow = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

// acmeFacts are texts of Acme Corp's records that its prompt must hold:
// the card, quadrant, health and an alert, the relationship model,
// stakeholders, interactions, opportunities, plan and NPS.
var acmeFacts = []string{
	`"account":"Acme Corp"`, `"tier":"partner"`, `"relationship_level":"value-add"`, `"quadrant":"strategic"`,
	`"health_0_100":`, `"relationship_model":"`, `"annual_revenue":1200000`, `"segment":"Retail"`,
	`Past close date: `, `Checkout revamp`,
	`"stakeholder":"Dana Whitfield"`, `"title":"Chief Executive"`, `"stakeholder":"Raj Patel"`, `"stance":-1`,
	`Raj asked for a 12 percent discount on the renewal`, `Dinner with Dana about supplier consolidation`,
	`"opportunity":"Platform renewal"`, `"stage":"closing"`, `"value":480000`,
	`Cut logistics cost by a tenth by 2027`, `Run the 20-store pilot`,
	`"nps":`, `Invoices are wrong too often.`,
}

// foreignFacts are texts only Globex (same workspace) or the other
// workspace's Acme Corp hold; no Acme Corp prompt may contain any of them.
var foreignFacts = []string{
	"Globex", "Hank Scorpio", "Cypress Creek", "Doomsday device", "volcano lair", "pneumatic tube", bfGlobexKM,
	"Monty Burns", "Springfield reactor", "Reactor cooling", "Keep the plant running", "Smithers approves", bfOtherKAM,
}

// bfLLM is an OpenAI-compatible server double: it serves POST
// /v1/chat/completions in the real API's JSON and records every request.
type bfLLM struct {
	srv *httptest.Server

	mu      sync.Mutex
	prompts []string // system and user messages of each request, joined
	status  int      // 0: 200 with answer
	answer  string
}

func newBFLLM(t testing.TB, answer string) *bfLLM {
	t.Helper()
	d := &bfLLM{answer: answer}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *bfLLM) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":{"message":"Unknown request URL: %s %s.","type":"invalid_request_error","param":null,"code":"unknown_url"}}`, r.Method, r.URL.Path)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error","param":null,"code":null}}`)
		return
	}
	var parts []string
	for _, m := range req.Messages {
		parts = append(parts, m.Role+": "+m.Content)
	}
	d.mu.Lock()
	d.prompts = append(d.prompts, strings.Join(parts, "\n"))
	status, answer := d.status, d.answer
	d.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		fmt.Fprint(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`)
		return
	}
	content, _ := json.Marshal(answer)
	fmt.Fprintf(w, `{"id":"chatcmpl-bf1","object":"chat.completion","created":1741960800,"model":%q,
"choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null},"logprobs":null,"finish_reason":"stop"}],
"usage":{"prompt_tokens":1500,"completion_tokens":220,"total_tokens":1720},"system_fingerprint":"fp_bf"}`, req.Model, content)
}

func (d *bfLLM) seen() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.prompts)
}

func (d *bfLLM) fail(status int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.status = status
}

// bfEnv is an engine with account intelligence and briefs on a real SQLite
// database holding the fixture.
type bfEnv struct {
	t       testing.TB
	db      *store.DB
	path    string
	eng     *commands.Engine
	drafter *brief.Drafter
	ids     map[string]int64 // account IDs by "team/name"
}

type bfOptions struct {
	llm     *bfLLM // nil: no model configured
	dm      commands.DMSender
	noIntel bool // account intelligence off: core records only

	admins []string                          // more admins, beside bfAdmin
	limits commands.BriefLimits              // zero: the defaults
	wrap   func(db *store.DB) commands.Store // the engine's core store; nil: db itself
}

func newBFEnv(t testing.TB, o bfOptions) *bfEnv {
	t.Helper()
	ctx := context.Background()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e := &bfEnv{t: t, db: db, path: path, ids: map[string]int64{}}
	e.seed(ctx)
	db.Now = func() time.Time { return bfNow }

	cfg := brief.Config{Now: func() time.Time { return bfNow }, Timeout: 5 * time.Second, MaxRetries: -1}
	if o.llm != nil {
		cfg.APIKey, cfg.BaseURL, cfg.Model = "sk-test", o.llm.srv.URL+"/v1", bfModel
	}
	e.drafter = brief.New(cfg)
	var core commands.Store = db
	if o.wrap != nil {
		core = o.wrap(db)
	}
	ecfg := commands.Config{
		Store:  core,
		Intel:  db,
		Admins: append([]string{bfAdmin}, o.admins...),
		Now:    func() time.Time { return bfNow },
		Logger: slog.New(slog.DiscardHandler),
	}
	if o.noIntel {
		ecfg.Intel = nil
	}
	e.eng = commands.New(ecfg)
	e.eng.Register(commands.BriefExtensionLimited(e.drafter, o.dm, o.limits))
	return e
}

// seed writes the fixture through the store, its clock set to each record's time.
func (e *bfEnv) seed(ctx context.Context) {
	t := e.t
	t.Helper()
	ago := func(days int) time.Time { return bfNow.AddDate(0, 0, -days) }
	clock := ago(400)
	e.db.Now = func() time.Time { return clock }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	type account struct {
		acct         kam.Account
		contacts     []kam.Contact
		interactions []kam.Interaction // Contacts index contacts, from 1
		opps         []kam.Opportunity
		stages       []kam.Stage
		objectives   []kam.Objective
		tactics      []kam.Tactic
		answers      []kam.SurveyAnswer
		scores       kam.Scores
	}
	accounts := []account{{
		acct: kam.Account{TeamID: bfTeam, Name: "Acme Corp", Tier: kam.TierPartner, Level: kam.LevelValueAdd, OwnerID: bfKAM, SponsorID: bfSponsor,
			Cadence: kam.CadenceMonthly, Revenue: 1_200_000, WalletPct: 35, Segment: "Retail", Region: "EMEA"},
		contacts: []kam.Contact{
			{Name: "Dana Whitfield", Title: "Chief Executive", Role: kam.ContactDecisionMaker, Influence: 5, Stance: 1, MirrorID: bfSponsor},
			{Name: "Raj Patel", Title: "Head of Procurement", Role: kam.ContactGatekeeper, Influence: 4, Stance: -1},
		},
		interactions: []kam.Interaction{
			{UserID: bfKAM, Kind: kam.KindQBR, Summary: "QBR: service levels green, checkout project behind.", Contacts: []int64{1}, At: ago(80)},
			{UserID: bfSponsor, Kind: kam.KindExec, Summary: "Dinner with Dana about supplier consolidation.", Contacts: []int64{1}, At: ago(20)},
			{UserID: bfKAM, Kind: kam.KindMeeting, Summary: "Raj asked for a 12 percent discount on the renewal.", Contacts: []int64{2}, At: ago(3)},
		},
		opps: []kam.Opportunity{
			{Name: "Platform renewal", Value: 480_000, OwnerID: bfKAM, CloseDate: bfNow.AddDate(0, 0, 28).Truncate(24 * time.Hour)},
			{Name: "Checkout revamp", Value: 250_000, OwnerID: bfKAM, CloseDate: ago(10).Truncate(24 * time.Hour)},
		},
		stages: []kam.Stage{kam.StageClosing, kam.StagePursuing},
		objectives: []kam.Objective{
			{For: kam.ForCustomer, Text: "Cut logistics cost by a tenth by 2027"},
			{For: kam.ForUs, Text: "Grow share of wallet to 45 percent"},
		},
		tactics: []kam.Tactic{{Text: "Run the 20-store pilot", Quarter: "Q2", OwnerID: bfMember, Due: bfNow.AddDate(0, 0, 20).Truncate(24 * time.Hour)}},
		answers: []kam.SurveyAnswer{
			{Score: 4, Comment: "Invoices are wrong too often.", Contact: "Raj Patel", At: ago(30)},
			{Score: 9, Comment: "Great account team.", Contact: "Dana Whitfield", At: ago(40)},
		},
		scores: kam.Scores{"size": 5, "growth": 5, "fit": 4, "service": 4, "trust": 5, "people": 4},
	}, {
		acct: kam.Account{TeamID: bfTeam, Name: "Globex Industries", Tier: kam.TierConsultant, Level: kam.LevelProduct, OwnerID: bfGlobexKM, Cadence: kam.CadenceWeekly},
		contacts: []kam.Contact{
			{Name: "Hank Scorpio", Title: "Chief Executive", Role: kam.ContactDecisionMaker, Influence: 5, Stance: 2, MirrorID: bfGlobexKM},
		},
		interactions: []kam.Interaction{{UserID: bfGlobexKM, Kind: kam.KindVisit, Summary: "Toured the Cypress Creek plant with Hank.", Contacts: []int64{1}, At: ago(2)}},
		opps:         []kam.Opportunity{{Name: "Doomsday device maintenance", Value: 2_000_000, OwnerID: bfGlobexKM}},
		stages:       []kam.Stage{kam.StageQualified},
		objectives:   []kam.Objective{{For: kam.ForUs, Text: "Win the volcano lair contract"}},
		answers:      []kam.SurveyAnswer{{Score: 3, Comment: "Globex invoices arrive by pneumatic tube.", Contact: "Hank Scorpio", At: ago(15)}},
		scores:       kam.Scores{"size": 1, "growth": 1, "price": 2},
	}, {
		acct: kam.Account{TeamID: bfOther, Name: "Acme Corp", Tier: kam.TierVendor, Level: kam.LevelCommodity, OwnerID: bfOtherKAM, SponsorID: bfSponsor},
		contacts: []kam.Contact{
			{Name: "Monty Burns", Title: "Owner", Role: kam.ContactDecisionMaker, Influence: 5, Stance: -2},
		},
		interactions: []kam.Interaction{{UserID: bfOtherKAM, Kind: kam.KindCall, Summary: "Springfield reactor inspection went badly.", Contacts: []int64{1}, At: ago(4)}},
		opps:         []kam.Opportunity{{Name: "Reactor cooling upgrade", Value: 90_000, OwnerID: bfOtherKAM}},
		stages:       []kam.Stage{kam.StagePursuing},
		objectives:   []kam.Objective{{For: kam.ForUs, Text: "Keep the plant running"}},
		answers:      []kam.SurveyAnswer{{Score: 10, Comment: "Smithers approves.", Contact: "Monty Burns", At: ago(12)}},
	}}
	for _, x := range accounts {
		clock = ago(400)
		a := x.acct
		must(e.db.CreateAccount(ctx, &a, bfAdmin))
		e.ids[a.TeamID+"/"+a.Name] = a.ID
		if a.Name == "Acme Corp" && a.TeamID == bfTeam {
			must(e.db.PutMember(ctx, kam.Member{TeamID: bfTeam, AccountID: a.ID, UserID: bfMember, Role: kam.RoleMember, Function: "service"}, bfAdmin))
		}
		var contactIDs []int64
		for _, c := range x.contacts {
			c.TeamID, c.AccountID = a.TeamID, a.ID
			must(e.db.AddContact(ctx, &c, a.OwnerID))
			contactIDs = append(contactIDs, c.ID)
		}
		for _, in := range x.interactions {
			clock = in.At
			in.TeamID, in.AccountID = a.TeamID, a.ID
			for i, n := range in.Contacts {
				in.Contacts[i] = contactIDs[n-1]
			}
			must(e.db.LogInteraction(ctx, &in, in.UserID, nil))
		}
		for i, o := range x.opps {
			clock = ago(120)
			o.TeamID, o.AccountID = a.TeamID, a.ID
			must(e.db.AddOpportunity(ctx, &o, a.OwnerID))
			clock = ago(40)
			_, err := e.db.MoveStage(ctx, a.TeamID, o.ID, x.stages[i], a.OwnerID, "", clock, nil)
			must(err)
		}
		clock = ago(100)
		for _, o := range x.objectives {
			o.TeamID, o.AccountID = a.TeamID, a.ID
			must(e.db.AddObjective(ctx, &o, a.OwnerID))
		}
		for _, tc := range x.tactics {
			tc.TeamID, tc.AccountID = a.TeamID, a.ID
			must(e.db.AddTactic(ctx, &tc, a.OwnerID))
		}
		if len(x.scores) > 0 {
			// Factors the fixture leaves out score 3, so the account is placed.
			full := kam.Scores{}
			for _, f := range kam.DefaultCriteria().Factors {
				full[f.Key] = 3
			}
			must(e.db.SaveScoring(ctx, &kam.Scoring{TeamID: a.TeamID, AccountID: a.ID, Scores: full.Merge(x.scores)}, a.OwnerID))
		}
		clock = bfNow
		for _, ans := range x.answers {
			ans.TeamID, ans.AccountID = a.TeamID, a.ID
			must(e.db.RecordSurveyAnswer(ctx, &ans, a.OwnerID))
		}
	}
}

func (e *bfEnv) do(teamID, user, text string) (commands.Reply, error) {
	e.t.Helper()
	return e.eng.Do(context.Background(), commands.Request{TeamID: teamID, UserID: user, ChannelID: "C0BRIEF01", Text: text, ResponseURL: "https://hooks.slack.test/commands/1"})
}

// brief runs text as user, checks the immediate acknowledgement and
// returns it with the result of its slow part.
func (e *bfEnv) brief(teamID, user, text string) (ack, later commands.Reply) {
	e.t.Helper()
	ack, err := e.do(teamID, user, text)
	if err != nil {
		e.t.Fatalf("/kam %s (as %s): %v\n%s", text, user, err, ack.Text)
	}
	if !strings.Contains(ack.Text, "Drafting") || !strings.Contains(ack.Text, "visible only to you") || ack.InChannel {
		e.t.Fatalf("/kam %s: acknowledgement %q (in channel %v)", text, ack.Text, ack.InChannel)
	}
	if ack.Later == nil {
		e.t.Fatalf("/kam %s: no slow part to deliver the text", text)
	}
	later = ack.Later(context.Background())
	if later.InChannel || later.Later != nil || later.Text == "" {
		e.t.Fatalf("/kam %s: delivered reply in channel %v, text %q", text, later.InChannel, later.Text)
	}
	if t, ok := e.t.(*testing.T); ok {
		checkLimits(t, later.Blocks)
	}
	return ack, later
}

// modelBriefAnswer is a well-formed brief answer.
const modelBriefAnswer = `*Where we stand*
• Partner account at health 60; the renewal is closing.

*Who matters*
• Dana Whitfield decides; <@U0BFSPONS> mirrors her.

*In flight*
• Platform renewal, 480k, closing.

*Risks*
• Raj Patel wants a discount.

*Three things to say*
1. Thank you for the pilot.
2. We are committed to the renewal.
3. Where can we help on supplier consolidation?`

// TestBriefPromptHoldsOnlyTheAccount is the test: the prompt for
// Acme Corp holds Acme's facts and none of Globex's (same workspace) or of
// the other workspace's Acme Corp.
func TestBriefPromptHoldsOnlyTheAccount(t *testing.T) {
	llm := newBFLLM(t, modelBriefAnswer)
	e := newBFEnv(t, bfOptions{llm: llm})

	_, rep := e.brief(bfTeam, bfSponsor, "brief acme")

	prompts := llm.seen()
	if len(prompts) != 1 {
		t.Fatalf("%d requests to the model; want 1", len(prompts))
	}
	p := prompts[0]
	for _, want := range acmeFacts {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks Acme's %q", want)
		}
	}
	for _, bad := range foreignFacts {
		if strings.Contains(p, bad) {
			t.Errorf("prompt holds another account's %q", bad)
		}
	}
	if t.Failed() {
		t.Logf("prompt:\n%s", p)
	}
	for _, want := range []string{"Brief: Acme Corp", "drafted by " + bfModel, "Dana Whitfield decides", "Three things to say"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, rep.Text)
		}
	}
	if strings.Contains(rep.Text, brief.FallbackMarker) {
		t.Errorf("a model brief is marked as a template:\n%s", rep.Text)
	}

	// The other workspace's Acme Corp, asked for there, is briefed from its
	// own records only.
	e.brief(bfOther, bfOtherKAM, "brief acme")
	prompts = llm.seen()
	if len(prompts) != 2 {
		t.Fatalf("%d requests to the model; want 2", len(prompts))
	}
	for _, want := range []string{"Monty Burns", "Springfield reactor", "Reactor cooling upgrade", "Smithers approves."} {
		if !strings.Contains(prompts[1], want) {
			t.Errorf("other workspace's prompt lacks %q", want)
		}
	}
	for _, bad := range []string{"Dana Whitfield", "Raj Patel", "Platform renewal", "Invoices are wrong", "Hank Scorpio", "Cypress Creek"} {
		if strings.Contains(prompts[1], bad) {
			t.Errorf("other workspace's prompt holds %q", bad)
		}
	}
}

// TestBriefAccess: the sponsor, the team and admins may ask; anyone else is
// refused with a message that says whom to ask, and nothing reaches the model.
func TestBriefAccess(t *testing.T) {
	llm := newBFLLM(t, modelBriefAnswer)
	e := newBFEnv(t, bfOptions{llm: llm})
	tests := []struct {
		name, team, user string
		allowed          bool
	}{
		{"sponsor", bfTeam, bfSponsor, true},
		{"owner", bfTeam, bfKAM, true},
		{"member", bfTeam, bfMember, true},
		{"admin not on the team", bfTeam, bfAdmin, true},
		{"outsider", bfTeam, bfOutsider, false},
		{"another account's KAM", bfTeam, bfGlobexKM, false},
		{"owner of the same name elsewhere", bfTeam, bfOtherKAM, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(llm.seen())
			if tt.allowed {
				_, rep := e.brief(tt.team, tt.user, "brief acme")
				if !strings.Contains(rep.Text, "Brief: Acme Corp") {
					t.Errorf("reply:\n%s", rep.Text)
				}
				if n := len(llm.seen()) - before; n != 1 {
					t.Errorf("%d requests to the model; want 1", n)
				}
				return
			}
			rep, err := e.do(tt.team, tt.user, "brief acme")
			if kam.ErrorCode(err) != kam.EUNAUTHORIZED {
				t.Fatalf("error %v; want unauthorized", err)
			}
			if rep.Later != nil {
				t.Error("a refused request still has slow work")
			}
			if !strings.Contains(rep.Text, "Acme Corp") || !strings.Contains(rep.Text, "@"+bfKAM) {
				t.Errorf("refusal does not say whom to ask: %q", rep.Text)
			}
			if n := len(llm.seen()) - before; n != 0 {
				t.Errorf("%d requests reached the model for a refused user", n)
			}
		})
	}
}

// TestBriefBadInput: each bad command gets a clear error, and nothing is
// drafted, sent or changed.
func TestBriefBadInput(t *testing.T) {
	llm := newBFLLM(t, modelBriefAnswer)
	dms := &notifier{} // DMs go through the outbox in production: DMVia
	e := newBFEnv(t, bfOptions{llm: llm, dm: commands.DMVia(dms)})
	before := snapshot(t, e.path)
	tests := []struct {
		text, code, says string
	}{
		{"brief", kam.EINVALID, "Which account?"},
		{"brief nosuch", kam.ENOTFOUND, "No account “nosuch”"},
		{"brief acmee", kam.ENOTFOUND, "did you mean Acme Corp?"},
		{"brief Acme Corp", kam.EINVALID, "quote names with spaces"},
		{"brief acme now", kam.EINVALID, "add `review`"},
		{`brief acme "review"`, kam.EINVALID, "Unexpected"},
		{"brief acme review extra", kam.EINVALID, "Unexpected “extra”"},
		{"brief acme tone=formal", kam.EINVALID, "Unexpected “tone=formal”"},
		{"brief globex", kam.EUNAUTHORIZED, "Globex Industries"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			rep, err := e.do(bfTeam, bfSponsor, tt.text)
			if kam.ErrorCode(err) != tt.code {
				t.Fatalf("error %v; want code %s", err, tt.code)
			}
			if !strings.Contains(rep.Text, tt.says) || rep.Later != nil || rep.InChannel {
				t.Errorf("reply %q (later %v); want an ephemeral error saying %q", rep.Text, rep.Later != nil, tt.says)
			}
		})
	}
	if n := len(llm.seen()); n != 0 {
		t.Errorf("%d requests reached the model", n)
	}
	if n := len(dms.all()); n != 0 {
		t.Errorf("%d DMs sent", n)
	}
	if snapshot(t, e.path) != before {
		t.Error("a bad command changed the database")
	}
}

// TestBriefFallback: without a model the brief is the template from the
// same facts, marked as such; the rendered reply is pinned by a golden file.
func TestBriefFallback(t *testing.T) {
	e := newBFEnv(t, bfOptions{})
	ack, rep := e.brief(bfTeam, bfSponsor, "brief acme")
	if want := "Drafting the brief on Acme Corp"; !strings.Contains(ack.Text, want) {
		t.Errorf("acknowledgement %q lacks %q", ack.Text, want)
	}
	for _, want := range []string{brief.FallbackMarker, "no language model is configured", "Dana Whitfield", "Platform renewal", "Invoices are wrong too often."} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("fallback lacks %q:\n%s", want, rep.Text)
		}
	}
	for _, bad := range foreignFacts {
		if strings.Contains(rep.Text, bad) {
			t.Errorf("fallback holds another account's %q", bad)
		}
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep.Blocks); err != nil {
		t.Fatal(err)
	}
	golden(t, "brief_fallback.json", js.Bytes())
	golden(t, "brief_fallback.txt", []byte(rep.Text+"\n"))
}

// TestBriefWithoutIntelligence: with account intelligence off, the brief
// is built from the core records (card, interactions, opportunities) and
// the surveys, with no health, stakeholders or plan to tell.
func TestBriefWithoutIntelligence(t *testing.T) {
	llm := newBFLLM(t, modelBriefAnswer)
	e := newBFEnv(t, bfOptions{llm: llm, noIntel: true})
	e.brief(bfTeam, bfSponsor, "brief acme")
	prompts := llm.seen()
	if len(prompts) != 1 {
		t.Fatalf("%d requests; want 1", len(prompts))
	}
	p := prompts[0]
	for _, want := range []string{`"account":"Acme Corp"`, `"tier":"partner"`, "Raj asked for a 12 percent discount", `"opportunity":"Platform renewal"`, `"nps":`, "Invoices are wrong too often."} {
		if !strings.Contains(p, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	for _, bad := range append([]string{`"health_0_100"`, `"quadrant"`, `"stakeholder"`, "Cut logistics cost"}, foreignFacts...) {
		if strings.Contains(p, bad) {
			t.Errorf("prompt holds %q", bad)
		}
	}
}

// TestBriefModelFailure: a configured model that fails gives the template,
// on time, saying why.
func TestBriefModelFailure(t *testing.T) {
	llm := newBFLLM(t, modelBriefAnswer)
	llm.fail(http.StatusInternalServerError)
	e := newBFEnv(t, bfOptions{llm: llm})
	_, rep := e.brief(bfTeam, bfKAM, "brief acme")
	if len(llm.seen()) != 1 {
		t.Errorf("%d requests; want 1 (no retries configured)", len(llm.seen()))
	}
	for _, want := range []string{brief.FallbackMarker, "the language model is unavailable", "Brief: Acme Corp"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, rep.Text)
		}
	}
}

// longBriefAnswer is a model brief longer than brief.DMThreshold.
func longBriefAnswer() string {
	var b strings.Builder
	for _, title := range []string{"Where we stand", "Who matters", "In flight", "Risks", "Three things to say"} {
		fmt.Fprintf(&b, "*%s*\n", title)
		for i := range 8 {
			fmt.Fprintf(&b, "%d. Point %d on %s, with enough detail to make the brief long enough for a DM.\n", i+1, i+1, strings.ToLower(title))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestBriefDelivery: a long brief goes by DM when a DM sender is set, and is
// shown in place when none is set (the console) or the DM cannot be queued.
func TestBriefDelivery(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		dm     *notifier // the outbox, reached through commands.DMVia
		byDM   bool
	}{
		{"long brief by DM", longBriefAnswer(), &notifier{}, true},
		{"short brief in place", modelBriefAnswer, &notifier{}, false},
		{"long brief without a DM sender", longBriefAnswer(), nil, false},
		{"long brief when the DM fails", longBriefAnswer(), &notifier{fail: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := bfOptions{llm: newBFLLM(t, tt.answer)}
			if tt.dm != nil {
				o.dm = commands.DMVia(tt.dm)
			}
			e := newBFEnv(t, o)
			_, rep := e.brief(bfTeam, bfSponsor, "brief acme")
			var sent []post
			if tt.dm != nil {
				sent = tt.dm.all()
			}
			if !tt.byDM {
				if len(sent) != 0 {
					t.Errorf("%d DMs sent", len(sent))
				}
				if !strings.Contains(rep.Text, "Where we stand") || !strings.Contains(rep.Text, "drafted by "+bfModel) {
					t.Errorf("brief not shown in place:\n%s", rep.Text)
				}
				return
			}
			if !strings.Contains(rep.Text, "Sent you the brief on Acme Corp by direct message") || strings.Contains(rep.Text, "Where we stand") {
				t.Errorf("reply:\n%s", rep.Text)
			}
			if len(sent) != 1 {
				t.Fatalf("%d DMs; want 1", len(sent))
			}
			dm := sent[0]
			wantKey := fmt.Sprintf("brief:brief:%d:%s:%d", e.ids[bfTeam+"/Acme Corp"], bfSponsor, bfNow.UnixMilli())
			if dm.team != bfTeam || dm.channel != bfSponsor || dm.key != wantKey || dm.text != "Brief: Acme Corp" {
				t.Errorf("DM to %s/%s key %q text %q; want %s/%s %q", dm.team, dm.channel, dm.key, dm.text, bfTeam, bfSponsor, wantKey)
			}
			text := commands.PlainText(dm.blocks)
			if !strings.Contains(text, "Point 8 on three things to say") || len(dm.blocks) > 50 {
				t.Errorf("DM blocks (%d):\n%s", len(dm.blocks), text)
			}
			checkLimits(t, dm.blocks)
		})
	}
}

// modelReviewAnswer is a well-formed review note answer.
const modelReviewAnswer = `*Progress*
• The 20-store pilot is planned for Q2.

*Behind plan*
• Checkout revamp is past its close date.

*Relationships*
• Raj Patel is sceptical.

*Proposed next steps*
1. <@U0BFKAM01> updates the close date of Checkout revamp.`

// TestBriefReviewNote: /kam brief <account> review drafts the plan review
// note from the same facts.
func TestBriefReviewNote(t *testing.T) {
	llm := newBFLLM(t, modelReviewAnswer)
	e := newBFEnv(t, bfOptions{llm: llm})
	ack, rep := e.brief(bfTeam, bfMember, "brief acme review")
	if !strings.Contains(ack.Text, "plan review note for Acme Corp") {
		t.Errorf("acknowledgement %q", ack.Text)
	}
	for _, want := range []string{"Plan review note: Acme Corp", "Proposed next steps", "drafted by " + bfModel} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, rep.Text)
		}
	}
	prompts := llm.seen()
	if len(prompts) != 1 || !strings.Contains(prompts[0], "plan review") || !strings.Contains(prompts[0], "Run the 20-store pilot") {
		t.Fatalf("prompts: %q", prompts)
	}
	for _, bad := range foreignFacts {
		if strings.Contains(prompts[0], bad) {
			t.Errorf("review prompt holds another account's %q", bad)
		}
	}
}

// reviewButton returns the "Draft a review note" button of a reply, if any.
func reviewButton(rep commands.Reply) *slack.ButtonBlockElement {
	for _, b := range rep.Blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == "brief:review-note" {
				return btn
			}
		}
	}
	return nil
}

// click presses a button of the review offer as user.
func (e *bfEnv) click(teamID, user, value string) commands.InteractionReply {
	cb := slack.InteractionCallback{
		Type:        slack.InteractionTypeBlockActions,
		Team:        slack.Team{ID: teamID},
		User:        slack.User{ID: user, TeamID: teamID},
		ResponseURL: "https://hooks.slack.test/actions/1",
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{
			{ActionID: "brief:review-note", BlockID: "brief-review-note", Value: value, Type: "button"},
		}},
	}
	return e.eng.Interact(context.Background(), cb)
}

// TestPlanReviewOffersNote: with a model configured, /kam plan <account>
// review offers a button that drafts the review note; without one it does
// not; a click from someone off the team, or with a forged value, drafts
// nothing.
func TestPlanReviewOffersNote(t *testing.T) {
	t.Run("no model, no offer", func(t *testing.T) {
		e := newBFEnv(t, bfOptions{})
		rep, err := e.do(bfTeam, bfKAM, `plan acme review "On track"`)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rep.Text, "Recorded a review") || reviewButton(rep) != nil {
			t.Errorf("reply %q, button %v", rep.Text, reviewButton(rep) != nil)
		}
	})

	llm := newBFLLM(t, modelReviewAnswer)
	e := newBFEnv(t, bfOptions{llm: llm})
	acme := strconv.FormatInt(e.ids[bfTeam+"/Acme Corp"], 10)
	rep, err := e.do(bfTeam, bfKAM, `plan acme review "On track; the pilot moves to Q2"`)
	if err != nil {
		t.Fatal(err)
	}
	btn := reviewButton(rep)
	if !strings.Contains(rep.Text, "Recorded a review") || btn == nil || btn.Value != acme {
		t.Fatalf("reply %q; want the review recorded and a button for account %s", rep.Text, acme)
	}
	checkLimits(t, rep.Blocks)
	if n := len(llm.seen()); n != 0 {
		t.Fatalf("%d requests before the click", n)
	}

	t.Run("team member clicks", func(t *testing.T) {
		ir := e.click(bfTeam, bfMember, btn.Value)
		if ir.Reply == nil || ir.Reply.Later == nil || !strings.Contains(ir.Reply.Text, "Drafting a plan review note") {
			t.Fatalf("interaction reply %+v", ir)
		}
		note := ir.Reply.Later(context.Background())
		if !strings.Contains(note.Text, "Plan review note: Acme Corp") || !strings.Contains(note.Text, "Proposed next steps") {
			t.Errorf("note:\n%s", note.Text)
		}
		if n := len(llm.seen()); n != 1 {
			t.Errorf("%d requests; want 1", n)
		}
	})

	other := strconv.FormatInt(e.ids[bfOther+"/Acme Corp"], 10)
	for _, tt := range []struct {
		name, user, value, says string
	}{
		{"outsider clicks", bfOutsider, acme, "Only Acme Corp's team and admins"},
		{"account of another workspace", bfKAM, other, "no longer exists"},
		{"malformed value", bfKAM, "12abc", "This button no longer works"},
		{"empty value", bfKAM, "", "This button no longer works"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(llm.seen())
			ir := e.click(bfTeam, tt.user, tt.value)
			if ir.Reply == nil || ir.Reply.Later != nil || !strings.Contains(ir.Reply.Text, tt.says) {
				t.Fatalf("interaction reply %+v; want a refusal saying %q", ir.Reply, tt.says)
			}
			if n := len(llm.seen()) - before; n != 0 {
				t.Errorf("%d requests reached the model", n)
			}
		})
	}
}

// TestDigestSummary: the digest's summary is the model's two sentences from
// the account's records only, read in the account's own workspace; without
// a model, or when the model fails, or for an account that does not exist,
// there is none.
func TestDigestSummary(t *testing.T) {
	const answer = "Acme Corp needs attention: Checkout revamp is past its close date. Ask <@U0BFKAM01> to update it this week."
	llm := newBFLLM(t, answer)
	e := newBFEnv(t, bfOptions{llm: llm})
	acme := kam.Account{TeamID: bfTeam, ID: e.ids[bfTeam+"/Acme Corp"], Name: "Acme Corp"}
	ctx := context.Background()

	sum := commands.DigestSummary(e.eng, e.drafter)
	got, ok := sum(ctx, acme)
	if !ok || got != answer {
		t.Errorf("summary = %q, %v; want %q", got, ok, answer)
	}
	prompts := llm.seen()
	if len(prompts) != 1 || !strings.Contains(prompts[0], "two sentences") || !strings.Contains(prompts[0], "Dana Whitfield") {
		t.Fatalf("prompts: %q", prompts)
	}
	for _, bad := range foreignFacts {
		if strings.Contains(prompts[0], bad) {
			t.Errorf("summary prompt holds another account's %q", bad)
		}
	}

	other := kam.Account{TeamID: bfOther, ID: e.ids[bfOther+"/Acme Corp"], Name: "Acme Corp"}
	if _, ok := sum(ctx, other); !ok || !strings.Contains(llm.seen()[1], "Monty Burns") || strings.Contains(llm.seen()[1], "Dana Whitfield") {
		t.Errorf("the other workspace's account: ok %v, prompt %q", ok, llm.seen()[1])
	}

	before := len(llm.seen())
	for _, tt := range []struct {
		name string
		run  func() (string, bool)
	}{
		{"account of another workspace under this one's ID", func() (string, bool) {
			return sum(ctx, kam.Account{TeamID: bfTeam, ID: other.ID, Name: "Acme Corp"})
		}},
		{"no such account", func() (string, bool) { return sum(ctx, kam.Account{TeamID: bfTeam, ID: 987654}) }},
		{"no model", func() (string, bool) {
			off := newBFEnv(t, bfOptions{})
			return commands.DigestSummary(off.eng, off.drafter)(ctx, kam.Account{TeamID: bfTeam, ID: off.ids[bfTeam+"/Acme Corp"]})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := tt.run(); ok || got != "" {
				t.Errorf("summary = %q, %v; want none", got, ok)
			}
		})
	}
	if n := len(llm.seen()) - before; n != 0 {
		t.Errorf("%d requests reached the model without an account to summarise", n)
	}

	llm.fail(http.StatusServiceUnavailable)
	if got, ok := sum(ctx, acme); ok || got != "" {
		t.Errorf("model failing: summary = %q, %v; want none", got, ok)
	}
}
