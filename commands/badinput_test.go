package commands_test

import (
	"strings"
	"testing"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// TestBadInputChangesNothing runs every kind of bad command and checks that
// the reply is an ephemeral error that says what to do, and that the
// database and the account channels are untouched.
func TestBadInputChangesNothing(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		team string // "" is the fixture workspace
		user string
		text string
		code string
		want string // substring of the reply
	}{
		// Unknown sub-commands point at help.
		{"unknown command", "", ana, "frobnicate acme", kam.EINVALID, "type `/kam help` for the list"},
		{"typo command", "", ana, "lgo acme call hi", kam.EINVALID, "did you mean `/kam log`?"},
		{"key as command", "", ana, "tier=partner", kam.EINVALID, "/kam help"},
		{"help unknown", "", ana, "help frobnicate", kam.EINVALID, "No command “frobnicate”"},
		{"help two", "", ana, "help log show", kam.EINVALID, "one command at a time"},

		// Missing arguments.
		{"log no account", "", ana, "log", kam.EINVALID, "Which account?"},
		{"log no kind", "", ana, "log acme", kam.EINVALID, "what kind of touch"},
		{"log no summary", "", ana, "log acme call", kam.EINVALID, "Add what happened"},
		{"log empty quoted summary", "", ana, `log acme call ""`, kam.EINVALID, "Add what happened"},
		{"add no name", "", admin, "add", kam.EINVALID, "Name the account first"},
		{"add key first", "", admin, "add tier=partner", kam.EINVALID, "Name the account first"},
		{"set nothing", "", ana, "set acme", kam.EINVALID, "Say what to change"},
		{"show no account", "", ana, "show", kam.EINVALID, "Which account?"},
		{"team no verb", "", admin, "team acme", kam.EINVALID, "Say add or remove"},
		{"team bad verb", "", admin, "team acme invite <@UBEN001>", kam.EINVALID, "Unknown “invite”"},
		{"team add nobody", "", admin, "team acme add", kam.EINVALID, "Who?"},
		{"team remove nobody", "", admin, "team acme remove", kam.EINVALID, "Who?"},
		{"opp no verb", "", ana, "opp acme", kam.EINVALID, "Say add"},
		{"opp no name", "", ana, "opp acme add", kam.EINVALID, "Name the opportunity"},
		{"stage no opp", "", ana, "stage acme", kam.EINVALID, "Which opportunity?"},
		{"stage no stage", "", ana, `stage acme "Pilot"`, kam.EINVALID, "Which stage?"},
		{"accounts extra", "", ana, "accounts mine", kam.EINVALID, "Unexpected “mine”"},
		{"show extra words", "", ana, "show acme corp", kam.EINVALID, "quote names with spaces"},

		// Unknown enum values list the valid ones.
		{"unknown kind", "", ana, "log acme lunch Had lunch with Tom", kam.EINVALID, "Unknown kind “lunch” — use call, meeting, email, visit, qbr, exec, event or note."},
		{"unknown stage", "", ana, `stage acme "Pilot" won`, kam.EINVALID, "use identified, qualified, pursuing, closing, contracted, engaged, no-go or lost"},
		{"unknown stage unquoted name", "", ana, "stage acme Renewal plus", kam.EINVALID, "quote it"},
		{"unknown tier", "", ana, "set acme tier=gold", kam.EINVALID, "use vendor, preferred, consultant or partner"},
		{"empty tier", "", ana, "set acme tier=", kam.EINVALID, "The tier is missing"},
		{"unknown level", "", admin, `add "Zeta" level=friend`, kam.EINVALID, "commodity, product, value-add or partner"},
		{"unknown cadence", "", ana, "set acme cadence=daily", kam.EINVALID, "weekly, monthly or quarterly"},
		{"unknown role", "", admin, "team acme add <@UOUT001> role=boss", kam.EINVALID, "kam, member, sponsor or manager"},

		// Bad money, dates, percentages.
		{"bad money", "", ana, `opp acme add "Deal" value=lots`, kam.EINVALID, "250k"},
		{"negative money", "", ana, `opp acme add "Deal" value=-5k`, kam.EINVALID, "negative"},
		{"overflow money", "", ana, "set acme revenue=99999999999999999999", kam.EINVALID, "too large"},
		{"garbage money", "", admin, `add "Zeta" revenue=1.2.3m`, kam.EINVALID, "isn't an amount"},
		{"impossible date", "", ana, `opp acme add "Deal" close=2025-02-30`, kam.EINVALID, "isn't a real calendar date"},
		{"bad date format", "", ana, `opp acme add "Deal" close=30/06/2025`, kam.EINVALID, "YYYY-MM-DD"},
		{"bad percent", "", ana, "set acme wallet=120", kam.EINVALID, "between 0 and 100"},

		// Over-long text names the limit.
		{"long name", "", admin, `add "` + long(kam.MaxNameLen+1) + `"`, kam.EINVALID, "the limit is 80"},
		{"long summary", "", ana, "log acme call " + long(kam.MaxSummaryLen+1), kam.EINVALID, "the limit is 2000"},
		{"long segment", "", ana, "set acme segment=" + long(kam.MaxTextLen+1), kam.EINVALID, "the limit is 200"},
		{"long opp name", "", ana, `opp acme add "` + long(kam.MaxNameLen+5) + `"`, kam.EINVALID, "the limit is 80"},
		{"long note", "", ana, `stage acme "Pilot" qualified ` + long(kam.MaxSummaryLen+1), kam.EINVALID, "the limit is 2000"},
		{"long function", "", admin, "team acme add <@UOUT001> function=" + long(kam.MaxTextLen+1), kam.EINVALID, "the limit is 200"},
		{"name without letters", "", admin, `add "!!!"`, kam.EINVALID, "at least one letter or digit"},

		// Broken quoting.
		{"unclosed quote", "", admin, `add "Zeta Inc tier=partner`, kam.EINVALID, "never closed"},
		{"no space after quote", "", admin, `add "Zeta"Inc`, kam.EINVALID, "space after the closing quote"},
		{"stray quote", "", ana, `opp acme add Big"deal`, kam.EINVALID, "stray quote"},
		{"unquoted name", "", admin, "add Zeta Inc tier=partner", kam.EINVALID, `Put a name with spaces in quotes: ` + "`/kam add \"Zeta Inc\" …`"},
		{"unquoted opp name", "", ana, "opp acme add Big deal value=5k", kam.EINVALID, `"Big deal"`},

		// Keys.
		{"unknown key", "", ana, "set acme colour=red", kam.EINVALID, "Unknown key “colour=”"},
		{"typo key", "", ana, "set acme teir=partner", kam.EINVALID, "did you mean tier=?"},
		{"duplicate key", "", ana, "set acme tier=partner tier=vendor", kam.EINVALID, "tier= is given twice"},
		{"positional in options", "", ana, "set acme partner", kam.EINVALID, "values go with a key"},
		{"unknown opp key", "", ana, `opp acme add "Deal" stage=closing`, kam.EINVALID, "Keys: value, close, owner"},

		// People and channels.
		{"plain @name", "", ana, "set acme owner=@bob", kam.EINVALID, "mention the person with @ so Slack links them (e.g. owner=@ana)"},
		{"unescaped name", "", admin, "team acme add bob", kam.EINVALID, "mention the person with @ so Slack links them"},
		{"unknown user", "", admin, "team acme add <@UGHOST1|ghost>", kam.EINVALID, "can't find that person"},
		{"unknown owner", "", ana, "set acme owner=<@UGHOST1>", kam.EINVALID, "can't find that person"},
		{"unknown opp owner", "", ana, `opp acme add "Deal" owner=<@UGHOST1>`, kam.EINVALID, "can't find that person"},
		{"plain channel", "", ana, "set acme channel=#acme", kam.EINVALID, "pick the channel with #"},
		{"remove non-member", "", admin, "team acme remove <@UOUT001>", kam.ENOTFOUND, "isn't on Acme Corp's team"},

		// Account and opportunity lookup.
		{"ambiguous account", "", ana, "show ac", kam.EINVALID, "“ac” matches Acme Corp, Acorn Ltd — type more of the name"},
		{"unknown account suggests", "", ana, "show acmee", kam.ENOTFOUND, "No account “acmee” — did you mean Acme Corp?"},
		{"unknown account", "", ana, "log zzzzzz call hi", kam.ENOTFOUND, "No account “zzzzzz”"},
		{"ambiguous opportunity", "", ana, "stage acme renewal closing", kam.EINVALID, "matches Renewal 2025, Renewal plus"},
		{"unknown opportunity suggests", "", ana, "stage acme pilto qualified", kam.ENOTFOUND, "did you mean Pilot?"},
		{"unknown opportunity", "", ana, `stage acme "zzz" qualified`, kam.ENOTFOUND, "`/kam pipeline acme-corp` lists them"},
		{"same stage", "", ana, "stage acme pilot identified", kam.EINVALID, "already identified"},
		{"closed stage", "", ana, `stage acme "Old deal" pursuing`, kam.EINVALID, "re-open it first"},
		{"duplicate account", "", admin, `add "acme corp"`, kam.ECONFLICT, "Acme Corp already exists"},
		{"duplicate slug", "", admin, `add "ACME-corp!"`, kam.ECONFLICT, "already exists"},
		{"duplicate opportunity", "", ana, `opp acme add "pilot"`, kam.ECONFLICT, "already has an opportunity named"},
		{"rename onto another", "", ana, `set acme name="Globex"`, kam.ECONFLICT, "already called Globex"},

		// Permissions: outsiders, non-admins, admins off the team.
		{"outsider log", "", outsider, "log acme call hi", kam.EUNAUTHORIZED, "Only Acme Corp's team can log interactions. Ask <@UANA001> (the KAM) or an admin"},
		{"outsider set", "", outsider, "set acme tier=vendor", kam.EUNAUTHORIZED, "Only Acme Corp's team and admins can change the account"},
		{"outsider show", "", outsider, "show acme", kam.EUNAUTHORIZED, "Only Acme Corp's team and admins can see the account card"},
		{"outsider opp", "", outsider, `opp acme add "Deal"`, kam.EUNAUTHORIZED, "can add opportunities"},
		{"outsider stage", "", outsider, "stage acme pilot qualified", kam.EUNAUTHORIZED, "can move opportunities"},
		{"outsider pipeline", "", outsider, "pipeline acme", kam.EUNAUTHORIZED, "team and admins can see its pipeline"},
		{"member adds account", "", ana, `add "Zeta"`, kam.EUNAUTHORIZED, "Only kambot admins can create accounts — ask <@UADMIN1>"},
		{"member manages team", "", ana, "team acme add <@UOUT001>", kam.EUNAUTHORIZED, "Only kambot admins can manage account teams"},
		{"member lists all", "", ben, "accounts all", kam.EUNAUTHORIZED, "Only kambot admins can list every account"},
		{"admin off team logs", "", admin, "log acme call hi", kam.EUNAUTHORIZED, "As an admin, add yourself first: `/kam team acme-corp add @you`"},
		{"admin off team stages", "", admin, "stage acme pilot qualified", kam.EUNAUTHORIZED, "Only Acme Corp's team"},
		{"member of other account", "", ben, "log globex call hi", kam.EUNAUTHORIZED, "Only Globex's team"},

		// Other workspaces see nothing of this one.
		{"other workspace show", otherTeam, outsider, "show globex", kam.ENOTFOUND, "No account “globex”"},
		{"other workspace log", otherTeam, ana, "log globex call hi", kam.ENOTFOUND, "No account"},
		{"this workspace sees not the other", "", ana, "show initech", kam.ENOTFOUND, "No account “initech”"},
		{"other workspace user not on its team", otherTeam, ana, "log acme call hi", kam.EUNAUTHORIZED, "Only Acme Corp's team"},
	}
	e := newEnv(t)
	before := snapshot(t, e.path)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			teamID := tt.team
			if teamID == "" {
				teamID = team
			}
			rep, err := e.runIn(teamID, tt.user, tt.text)
			if err == nil {
				t.Fatalf("/kam %s: no error; reply %q", tt.text, rep.Text)
			}
			if got := kam.ErrorCode(err); got != tt.code {
				t.Errorf("code = %s, want %s (%v)", got, tt.code, err)
			}
			msg := commands.ErrorText(err)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q\nwant it to contain %q", msg, tt.want)
			}
			if rep.InChannel || rep.Text == "" || len(rep.Blocks) != 1 {
				t.Errorf("error reply in channel=%v text=%q blocks=%d", rep.InChannel, rep.Text, len(rep.Blocks))
			}
			if bad := format.CheckMessage(rep.Text, rep.Blocks); len(bad) > 0 {
				t.Errorf("unsafe reply: %v", bad)
			}
			if after := snapshot(t, e.path); after != before {
				t.Fatalf("/kam %s changed the database", tt.text)
			}
			if posts := e.notes.all(); len(posts) != 0 {
				t.Fatalf("/kam %s posted %v", tt.text, posts)
			}
		})
	}
}

// TestRequestWithoutIdentity is an internal error: logged, not explained.
func TestRequestWithoutIdentity(t *testing.T) {
	e := newEnv(t)
	rep, err := e.runIn("", ana, "show acme")
	if err == nil || rep.Text != "Internal error." {
		t.Fatalf("reply %q, err %v", rep.Text, err)
	}
	if !strings.Contains(e.logs.String(), "command failed") {
		t.Fatalf("not logged: %s", e.logs.String())
	}
}
