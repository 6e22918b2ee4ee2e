package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
)

func TestLog(t *testing.T) {
	tests := []struct {
		name, text, wantSummary string
		wantKind                kam.InteractionKind
	}{
		{"plain", "log acme call Talked renewal timing with their CFO", "Talked renewal timing with their CFO", kam.KindCall},
		{"quoted", `log "Acme Corp" QBR "Q1 review went well"`, "Q1 review went well", kam.KindQBR},
		{"curly quotes", "log acme-corp meeting “Workshop on the EMEA rollout”", "Workshop on the EMEA rollout", kam.KindMeeting},
		{"stray quote kept", `log acme visit Walked the 5" line with <@USARA01|sara> &amp; team`, `Walked the 5" line with <@USARA01|sara> & team`, kam.KindVisit},
		{"multi-line", "log acme note first line\nsecond line", "first line\nsecond line", kam.KindNote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			acme := e.ids[team+"/Acme Corp"]
			rep := e.ok(ben, tt.text)
			got, err := e.db.Interactions(context.Background(), team, acme, 1)
			if err != nil || len(got) != 1 {
				t.Fatalf("interactions: %v %v", got, err)
			}
			in := got[0]
			if in.Summary != tt.wantSummary || in.Kind != tt.wantKind || in.UserID != ben || !in.At.Equal(fixedNow) {
				t.Fatalf("stored %+v", in)
			}
			if !strings.HasPrefix(rep.Text, "Logged "+kindArticle(tt.wantKind)) || !strings.Contains(rep.Text, "Acme Corp") {
				t.Errorf("reply %q", rep.Text)
			}
			posts := e.notes.all()
			// A note is internal: never posted to the (maybe shared) channel.
			if tt.wantKind == kam.KindNote {
				if len(posts) != 0 {
					t.Fatalf("a note was posted: %v", posts)
				}
				return
			}
			if len(posts) != 1 {
				t.Fatalf("posts = %v", posts)
			}
			p := posts[0]
			if p.team != team || p.channel != acmeChan || p.key != fmt.Sprintf("interaction:%d", in.ID) {
				t.Errorf("post %+v", p)
			}
			if !strings.HasPrefix(p.text, "@"+ben+" logged "+kindArticle(tt.wantKind)+" with Acme Corp: ") || len(p.blocks) == 0 {
				t.Errorf("post text %q", p.text)
			}
		})
	}
}

func kindArticle(k kam.InteractionKind) string {
	switch k {
	case kam.KindEmail, kam.KindEvent:
		return "an " + string(k)
	case kam.KindQBR:
		return "a QBR"
	case kam.KindExec:
		return "an executive meeting"
	}
	return "a " + string(k)
}

func TestLogWithoutChannelOrNotifier(t *testing.T) {
	e := newEnv(t)
	e.ok(ana, "log globex call Checked the retrofit plan")
	if posts := e.notes.all(); len(posts) != 0 {
		t.Fatalf("account without channel posted %v", posts)
	}
	e2 := newEnv(t, func(c *commands.Config) { c.Notifier = nil; c.Directory = nil })
	e2.ok(ana, "log acme call No notifier configured")
	if n := count(t, e2.path, "interactions"); n != 7 {
		t.Fatalf("interactions = %d", n)
	}
}

// A change and the channel post that reports it commit together: when the
// post cannot be queued, the user is told and nothing is written.
func TestPostQueueFailureWritesNothing(t *testing.T) {
	for _, tc := range []struct{ name, user, cmd, table string }{
		{"log", ana, "log acme call Queue is down, so nothing is logged", "interactions"},
		{"stage", ben, "stage acme pil qualified Queue is down", "stage_changes"},
		{"survey", ana, "survey acme send", "surveys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: e.db, Notifier: e.notes}))
			failOutboxInserts(t, e.path)
			before := snapshot(t, e.path)
			rep, err := e.run(tc.user, tc.cmd)
			if err == nil || !strings.Contains(rep.Text, "Internal error") {
				t.Fatalf("reply %q, err %v: want an internal error", rep.Text, err)
			}
			if after := snapshot(t, e.path); after != before {
				t.Fatalf("%s changed although its post was not queued:\n%s", tc.table, after)
			}
			if posts := e.notes.all(); len(posts) != 0 {
				t.Fatalf("posts %+v", posts)
			}
		})
	}
}

// failOutboxInserts makes every insert into the outbox fail, as a full disk
// would, with a trigger in the test's database.
func failOutboxInserts(t *testing.T, path string) {
	t.Helper()
	storetest.Exec(t, path,
		`CREATE TRIGGER outbox_full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
		`CREATE FUNCTION outbox_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$;
		CREATE TRIGGER outbox_full BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_full()`)
}

func TestDirectoryErrorDoesNotBlock(t *testing.T) {
	e := newEnv(t, func(c *commands.Config) { c.Directory = directory{errUser: outsider} })
	e.ok(admin, "team acme add <@UOUT001|olga> role=manager")
	if !strings.Contains(e.logs.String(), "check mentioned user") {
		t.Fatal("lookup failure not logged")
	}
}

func TestStage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pilot := e.ids["opp/Pilot"]
	rep := e.ok(ben, "stage acme pil qualified Budget confirmed by procurement")
	if !strings.Contains(rep.Text, "Moved Pilot to qualified (was identified): Budget confirmed by procurement.") {
		t.Fatalf("reply %q", rep.Text)
	}
	hist, err := e.db.StageHistory(ctx, team, pilot)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history %v %v", hist, err)
	}
	last := hist[1]
	if last.From != kam.StageIdentified || last.To != kam.StageQualified || last.UserID != ben || last.Note != "Budget confirmed by procurement" || !last.At.Equal(fixedNow) {
		t.Fatalf("change %+v", last)
	}
	posts := e.notes.all()
	if len(posts) != 1 || posts[0].key != fmt.Sprintf("stage:%d", last.ID) || posts[0].channel != acmeChan ||
		!strings.Contains(posts[0].text, "moved Pilot (Acme Corp) from identified to qualified: Budget confirmed") {
		t.Fatalf("posts %+v", posts)
	}

	// Exact name wins over a longer one it prefixes; aliases for no-go; a win is cheered.
	rep = e.ok(ana, `stage acme "Renewal 2025" contracted`)
	if !strings.Contains(rep.Text, "Won") {
		t.Fatalf("reply %q", rep.Text)
	}
	e.ok(ana, `stage acme "renewal plus" nogo`)
	opps, _ := e.db.Opportunities(ctx, team, e.ids[team+"/Acme Corp"], false)
	for _, o := range opps {
		if o.Name == "Renewal plus" && o.Stage != kam.StageNoGo {
			t.Fatalf("Renewal plus is %s", o.Stage)
		}
	}
}

func TestAddAndSet(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rep := e.ok(admin, `add “Zeta Industries” tier=consultant level=product owner=<@UBEN001|ben> sponsor=<@USARA01> cadence=weekly channel=<#C0ZETA1|zeta> revenue=$1,250,000 wallet=12.5% segment="Food & beverage" region=APAC`)
	if !strings.Contains(rep.Text, "Created Zeta Industries (`zeta-industries`) — consultant tier, weekly reviews, KAM @UBEN001.") {
		t.Fatalf("reply %q", rep.Text)
	}
	found, err := e.db.FindAccounts(ctx, team, "zeta", 5)
	if err != nil || len(found) != 1 {
		t.Fatalf("find: %v %v", found, err)
	}
	z := found[0]
	want := kam.Account{Name: "Zeta Industries", Tier: kam.TierConsultant, Level: kam.LevelProduct, OwnerID: ben, SponsorID: sara,
		Cadence: kam.CadenceWeekly, ChannelID: "C0ZETA1", Revenue: 1_250_000, WalletPct: 12.5, Segment: "Food & beverage", Region: "APAC"}
	if z.Name != want.Name || z.Tier != want.Tier || z.Level != want.Level || z.OwnerID != want.OwnerID || z.SponsorID != want.SponsorID ||
		z.Cadence != want.Cadence || z.ChannelID != want.ChannelID || z.Revenue != want.Revenue || z.WalletPct != want.WalletPct ||
		z.Segment != want.Segment || z.Region != want.Region {
		t.Fatalf("stored %+v", z)
	}
	// Defaults for a bare add.
	e.ok(admin, "add Umbrella")
	found, _ = e.db.FindAccounts(ctx, team, "umbrella", 5)
	if len(found) != 1 || found[0].Tier != kam.TierVendor || found[0].Level != kam.LevelCommodity || found[0].Cadence != kam.CadenceMonthly {
		t.Fatalf("defaults %+v", found)
	}

	// The KAM changes fields; unchanged keys are not reported; empty clears.
	rep = e.ok(ana, "set acme tier=partner level=partner sponsor= revenue=1.5m segment=")
	if !strings.Contains(rep.Text, "Updated Acme Corp: level → partner, sponsor → (cleared), revenue → $1.5M, segment → (cleared).") {
		t.Fatalf("reply %q", rep.Text)
	}
	a, _ := e.db.Account(ctx, team, e.ids[team+"/Acme Corp"])
	if a.Level != kam.LevelPartner || a.SponsorID != "" || a.Revenue != 1_500_000 || a.Segment != "" || a.Tier != kam.TierPartner {
		t.Fatalf("after set %+v", a)
	}
	before := snapshot(t, e.path)
	rep = e.ok(ana, "set acme tier=partner")
	if !strings.Contains(rep.Text, "Nothing to change") || snapshot(t, e.path) != before {
		t.Fatalf("no-op set: %q", rep.Text)
	}
	// Renaming keeps the account reachable by its new name.
	e.ok(ana, `set acme name="Acme Group"`)
	e.ok(ana, `show "acme group"`)
}

func TestTeam(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acme := e.ids[team+"/Acme Corp"]
	rep := e.ok(admin, "team acme add <@UOUT001|olga> function=service")
	if !strings.Contains(rep.Text, "Added @UOUT001 to Acme Corp as member · service.") {
		t.Fatalf("reply %q", rep.Text)
	}
	if r, _ := e.db.MemberRole(ctx, team, acme, outsider); r != kam.RoleMember {
		t.Fatalf("role %q", r)
	}
	// Now on the team, the former outsider may log.
	e.ok(outsider, "log acme email Sent the service report")

	rep = e.ok(admin, "team acme add <@UOUT001> role=kam")
	if !strings.Contains(rep.Text, "is now kam on Acme Corp (was member)") || !strings.Contains(rep.Text, "@UOUT001 is the account's KAM now, taking over from @UANA001") {
		t.Fatalf("reply %q", rep.Text)
	}
	a, _ := e.db.Account(ctx, team, acme)
	if a.OwnerID != outsider {
		t.Fatalf("owner %q", a.OwnerID)
	}
	rep = e.ok(admin, "team acme remove <@UOUT001>")
	if !strings.Contains(rep.Text, "Removed @UOUT001 from Acme Corp. Acme Corp has no KAM now") {
		t.Fatalf("reply %q", rep.Text)
	}
	if r, _ := e.db.MemberRole(ctx, team, acme, outsider); r != "" {
		t.Fatalf("still %q", r)
	}
	// Someone who left the workspace can still be removed.
	e.ok(admin, "team acme remove <@UBEN001>")
}

func TestOppAdd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rep := e.ok(ben, `opp acme add "Service contract 2026" value=1.2m close=2026-01-31`)
	if !strings.Contains(rep.Text, "Added opportunity Service contract 2026 to Acme Corp — identified · $1.2M · closes 2026-01-31.") {
		t.Fatalf("reply %q", rep.Text)
	}
	opps, _ := e.db.Opportunities(ctx, team, e.ids[team+"/Acme Corp"], true)
	var o kam.Opportunity
	for _, x := range opps {
		if x.Name == "Service contract 2026" {
			o = x
		}
	}
	if o.ID == 0 || o.Value != 1_200_000 || o.OwnerID != ben || o.Stage != kam.StageIdentified || o.CloseDate.Format("2006-01-02") != "2026-01-31" {
		t.Fatalf("stored %+v", o)
	}
	rep = e.ok(ana, `opp acme add Spares value=20k close=2025-01-31 owner=<@UBEN001>`)
	if !strings.Contains(rep.Text, "past close date") || !strings.Contains(rep.Text, "already passed") {
		t.Fatalf("reply %q", rep.Text)
	}
}

func TestAccountsAndPipelineScope(t *testing.T) {
	e := newEnv(t)
	rep := e.ok(ben, "accounts")
	if !strings.Contains(rep.Text, "Your accounts (2)") || !strings.Contains(rep.Text, "Acme Corp") || !strings.Contains(rep.Text, "Acorn Ltd") || strings.Contains(rep.Text, "Globex") {
		t.Fatalf("ben's accounts: %q", rep.Text)
	}
	rep = e.ok(outsider, "accounts")
	if !strings.Contains(rep.Text, "not on any account's team") {
		t.Fatalf("outsider: %q", rep.Text)
	}
	rep = e.ok(admin, "accounts ALL")
	if !strings.Contains(rep.Text, "All accounts (3)") || strings.Contains(rep.Text, "Initech") {
		t.Fatalf("admin: %q", rep.Text)
	}
	// ben's pipeline holds Acme's deals, not Globex's.
	rep = e.ok(ben, "pipeline")
	if !strings.Contains(rep.Text, "Pipeline — your accounts (2)") || strings.Contains(rep.Text, "Line retrofit") || !strings.Contains(rep.Text, "Expansion EMEA") {
		t.Fatalf("ben's pipeline: %q", rep.Text)
	}
	// One scope rule: an admin's own accounts, every account with `all`.
	rep = e.ok(admin, "pipeline")
	if !strings.Contains(rep.Text, "Pipeline — your accounts") || strings.Contains(rep.Text, "Line retrofit") {
		t.Fatalf("admin's own pipeline: %q", rep.Text)
	}
	if _, err := e.run(ben, "pipeline all"); kam.ErrorCode(err) != kam.EUNAUTHORIZED {
		t.Fatalf("pipeline all by a non-admin: %v", err)
	}
	rep = e.ok(admin, "pipeline all")
	if !strings.Contains(rep.Text, "Pipeline — all accounts (3)") || !strings.Contains(rep.Text, "Line retrofit (Globex)") {
		t.Fatalf("admin pipeline: %q", rep.Text)
	}
	e.ok(admin, "pipeline globex") // admins read any account
	e.ok(sara, "show acme")        // the sponsor is on the team
	rep = e.ok(outsider, "pipeline")
	if !strings.Contains(rep.Text, "no pipeline to show") {
		t.Fatalf("outsider pipeline: %q", rep.Text)
	}
}

func TestHelpAndEmpty(t *testing.T) {
	e := newEnv(t)
	for _, text := range []string{"", "  ", "help", "HELP"} {
		rep := e.ok(outsider, text)
		if !strings.Contains(format.Read(rep.Text), "/kam log <account> <kind> [with=\"<stakeholder>, …\"] <summary…>") {
			t.Fatalf("/kam %q: %q", text, rep.Text)
		}
	}
	rep := e.ok(outsider, "help stage")
	if !strings.Contains(rep.Text, "identified, qualified, pursuing") || !strings.Contains(rep.Text, "Who: the account's team.") {
		t.Fatalf("help stage: %q", rep.Text)
	}
}

func TestSubCommand(t *testing.T) {
	e := newEnv(t)
	for text, want := range map[string]string{
		"": "help", "log acme call x": "log", "  LOG acme": "log", "pipeline": "pipeline",
		"frobnicate": "unknown", `"log"`: "unknown", "help\tlog": "help",
	} {
		if got := e.eng.SubCommand(text); got != want {
			t.Errorf("SubCommand(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestExtensionCommandsAndSafety(t *testing.T) {
	e := newEnv(t)
	var seen *commands.Call
	e.eng.Register(commands.Extension{
		Commands: []commands.Command{
			{Name: "health", Usage: "health <account>", Summary: "Account health.", Access: commands.AccessTeamOrAdmin, Account: true,
				Action: "see its health", Run: func(_ context.Context, c *commands.Call) (commands.Reply, error) {
					seen = c
					return commands.Reply{Text: "healthy " + c.Account.Name + " " + c.Args.Rest()}, nil
				}},
			{Name: "boom", Usage: "boom", Summary: "Panics.", Run: func(context.Context, *commands.Call) (commands.Reply, error) {
				panic("kaboom")
			}},
			{Name: "leak", Usage: "leak", Summary: "Fails inside.", Run: func(context.Context, *commands.Call) (commands.Reply, error) {
				return commands.Reply{}, fmt.Errorf("select from secret_table: disk I/O error")
			}},
			{Name: "slow", Usage: "slow", Summary: "Slow work.", Run: func(context.Context, *commands.Call) (commands.Reply, error) {
				return commands.Reply{Text: "working…", Later: func(context.Context) commands.Reply { panic("late boom") }}, nil
			}},
		},
	})
	rep := e.ok(admin, "health acme extra words")
	if rep.Text != "healthy Acme Corp extra words" || seen.Role != "" || !seen.Admin || seen.Now != fixedNow {
		t.Fatalf("reply %q, call %+v", rep.Text, seen)
	}
	if _, err := e.run(outsider, "health acme"); kam.ErrorCode(err) != kam.EUNAUTHORIZED {
		t.Fatalf("outsider health: %v", err)
	}
	if e.eng.SubCommand("health x") != "health" {
		t.Fatal("SubCommand does not know registered commands")
	}
	help := e.ok(ana, "help")
	if !strings.Contains(format.Read(help.Text), "/kam health <account>") {
		t.Fatalf("help lacks the extension: %q", help.Text)
	}

	for _, text := range []string{"boom", "leak"} {
		rep, err := e.run(ana, text)
		if err == nil || rep.Text != "Internal error." || strings.Contains(rep.Text, "secret") {
			t.Fatalf("/kam %s: %q %v", text, rep.Text, err)
		}
	}
	logs := e.logs.String()
	if strings.Count(logs, "command panicked") != 1 || strings.Count(logs, "secret_table") != 1 {
		t.Fatalf("logs:\n%s", logs)
	}
	rep = e.ok(ana, "slow")
	late := rep.Later(context.Background())
	if late.Text != "Internal error." || !strings.Contains(e.logs.String(), "slow command work panicked") {
		t.Fatalf("later %q", late.Text)
	}

	mustPanic := func(name string, x commands.Extension) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: Register did not panic", name)
			}
		}()
		e.eng.Register(x)
	}
	run := func(context.Context, *commands.Call) (commands.Reply, error) { return commands.Reply{}, nil }
	mustPanic("duplicate name", commands.Extension{Commands: []commands.Command{{Name: "log", Usage: "log", Summary: "x", Run: run}}})
	mustPanic("no handler", commands.Extension{Commands: []commands.Command{{Name: "x1", Usage: "x1", Summary: "x"}}})
	mustPanic("team access without account", commands.Extension{Commands: []commands.Command{{Name: "x2", Usage: "x2", Summary: "x", Access: commands.AccessTeam, Run: run}}})
	mustPanic("upper-case name", commands.Extension{Commands: []commands.Command{{Name: "Xx", Usage: "x", Summary: "x", Run: run}}})
}

func TestCardSections(t *testing.T) {
	e := newEnv(t)
	e.eng.Register(commands.Extension{CardSections: []commands.CardSection{
		{Name: "health", Render: func(_ context.Context, a *commands.Actor, acct kam.Account) ([]slack.Block, error) {
			return []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Health* 72/100 for "+acct.Name+" seen by "+a.UserID, false, false), nil, nil)}, nil
		}},
		{Name: "broken", Render: func(context.Context, *commands.Actor, kam.Account) ([]slack.Block, error) {
			return nil, fmt.Errorf("quadrant: no scores")
		}},
	}})
	rep := e.ok(ana, "show acme")
	if !strings.Contains(rep.Text, "Health 72/100 for Acme Corp seen by UANA001") {
		t.Fatalf("card lacks the section: %q", rep.Text)
	}
	if !strings.Contains(e.logs.String(), "card section failed") {
		t.Fatal("failed section not logged")
	}
}

func TestHandleReturnsReply(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := e.eng.Handle(ctx, commands.Request{TeamID: team, UserID: ana, Text: "log acme call via Handle"})
	if !strings.Contains(rep.Text, "Logged a call") {
		t.Fatalf("Handle reply %q", rep.Text)
	}
}

// An admin listed as T…:U… is an admin of that workspace only; a refusal
// names only the admins of the workspace it happens in.
func TestAdminScopedToWorkspace(t *testing.T) {
	e := newEnv(t, func(c *commands.Config) { c.Admins = []string{admin, otherTeam + ":" + ben} })
	before := snapshot(t, e.path)
	rep, err := e.run(ben, `add "Scoped Co"`)
	if err == nil || !strings.Contains(rep.Text, "Only kambot admins") {
		t.Fatalf("admin of %s acted in %s: %q %v", otherTeam, team, rep.Text, err)
	}
	if strings.Contains(rep.Text, ben) || !strings.Contains(rep.Text, admin) {
		t.Fatalf("refusal in %s lists the wrong admins: %q", team, rep.Text)
	}
	if snapshot(t, e.path) != before {
		t.Fatal("a refused add changed the database")
	}
	if rep, err := e.runIn(otherTeam, ben, `add "Scoped Co"`); err != nil {
		t.Fatalf("admin of %s refused there: %q %v", otherTeam, rep.Text, err)
	}
}

// Only admins and the account's KAM change who leads an account: its KAM,
// sponsor and channel. A member's attempt changes nothing; an allowed
// change is audited and the KAMs before and after it are told by DM, queued
// with the change.
func TestLeadChanges(t *testing.T) {
	for _, tc := range []struct {
		name, user, cmd string
		refused         bool
		dms             []string // who is told
	}{
		{"member makes an outsider sponsor", ben, "set acme sponsor=<@UOUT001|olga>", true, nil},
		{"member makes themselves KAM", ben, "set acme owner=<@UBEN001|ben>", true, nil},
		{"member redirects the channel", ben, "set acme channel=<#C0EVIL1|shared>", true, nil},
		{"sponsor makes themselves KAM", sara, "set acme owner=<@USARA01|sara>", true, nil},
		{"member mixes a lead key with others", ben, "set acme tier=vendor owner=<@UBEN001|ben>", true, nil},
		{"member changes other keys", ben, "set acme tier=vendor", false, nil},
		{"KAM hands over", ana, "set acme owner=<@UBEN001|ben>", false, []string{ben}},
		{"KAM sets the sponsor", ana, "set acme sponsor=<@UOUT001|olga>", false, nil},
		{"admin replaces the KAM", admin, "set acme owner=<@UBEN001|ben>", false, []string{ana, ben}},
		{"admin moves the channel", admin, "set acme channel=<#C0NEW01|new>", false, []string{ana}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			before := snapshot(t, e.path)
			audits := count(t, e.path, "audit_log")
			rep, err := e.run(tc.user, tc.cmd)
			if tc.refused {
				if kam.ErrorCode(err) != kam.EUNAUTHORIZED || !strings.Contains(rep.Text, "Only admins and its KAM") {
					t.Fatalf("reply %q, err %v: want a refusal", rep.Text, err)
				}
				if snapshot(t, e.path) != before {
					t.Fatal("a refused lead change changed the database")
				}
				return
			}
			if err != nil {
				t.Fatalf("reply %q, err %v", rep.Text, err)
			}
			if count(t, e.path, "audit_log") <= audits {
				t.Error("the change was not audited")
			}
			e.notes.Wake()
			var told []string
			for _, p := range e.notes.all() {
				if strings.HasPrefix(p.key, "account-leads:") {
					told = append(told, p.channel)
					if !strings.Contains(p.text, "changed who leads Acme Corp") {
						t.Errorf("notice %q", p.text)
					}
				}
			}
			if !slices.Equal(told, tc.dms) {
				t.Errorf("told %v, want %v", told, tc.dms)
			}
		})
	}
}

// Names that read like an existing account's (another alphabet's letters,
// full-width forms) or that carry text-direction controls are refused with
// what to type instead, and change nothing.
func TestLookAlikeNames(t *testing.T) {
	for _, tc := range []struct{ name, cmd, want string }{
		{"Cyrillic a", "add \"\u0410cme Corp\"", `reads the same as the account "Acme Corp"`},
		{"full-width", "add \"\uff21\uff43\uff4d\uff45 Corp\"", `reads the same as the account "Acme Corp"`},
		{"rename onto another", "set acorn name=\"Gl\u043ebex\"", `reads the same as the account "Globex"`},
		{"right-to-left override", "add \"Acme\u202eproC\"", "changes the direction of the text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			before := snapshot(t, e.path)
			rep, err := e.run(admin, tc.cmd)
			if err == nil || !strings.Contains(rep.Text, tc.want) {
				t.Fatalf("reply %q, err %v: want %q", rep.Text, err, tc.want)
			}
			if snapshot(t, e.path) != before {
				t.Fatal("a refused name changed the database")
			}
		})
	}
}
