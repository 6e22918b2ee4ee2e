package commands

import (
	"fmt"
	"strings"

	"github.com/kambot/kambot/kam"
)

// coreCommands are the sub-commands every kambot has, in help order.
func coreCommands() []Command {
	// Kept as one function: a table of definitions, read top to bottom.
	return []Command{
		{
			Name:     "help",
			Usage:    "help [command]",
			Summary:  "List the commands, or explain one.",
			Examples: []string{"help", "help log"},
			Run:      runHelp,
		},
		{
			Name:     "accounts",
			Usage:    "accounts [all] [quadrant=<quadrant>,…|unscored] [sort=name|quadrant|health|attractiveness|strength]",
			Summary:  "List your accounts; admins add `all` for every account.",
			Details:  "With account intelligence: filter by selection quadrant (strategic, develop, maintain, opportunistic) and sort, so the yearly selection review is one command.",
			Examples: []string{"accounts", "accounts all", "accounts all sort=quadrant", "accounts all quadrant=opportunistic"},
			Run:      runAccounts,
		},
		{
			Name: "add",
			Usage: `add "<name>" [tier=…] [level=…] [owner=@user] [sponsor=@user] [cadence=…] [channel=#chan] ` +
				`[revenue=<money>] [wallet=<percent>] [segment=<text>] [region=<text>]`,
			Summary: "Create an account.",
			Details: "*tier*: " + kam.Names(kam.Tiers) + " (default vendor)\n" +
				"*level*: " + kam.Names(kam.Levels) + " (default commodity)\n" +
				"*cadence*: " + kam.Names(kam.Cadences) + " (default monthly)\n" +
				"*revenue*: annual revenue with us — 250000, 250k, 1.2m or $1,200\n" +
				"*wallet*: share of the customer's spend we get, 0–100\n" +
				"The owner (KAM) and sponsor join the account's team.",
			Examples: []string{`add "Acme Corp" tier=partner level=value-add owner=@ana cadence=monthly revenue=1.2m`},
			Access:   AccessAdmin,
			Action:   "create accounts",
			Run:      runAdd,
		},
		{
			Name:    "set",
			Usage:   "set <account> key=value …",
			Summary: "Change an account: name and the keys of `add`.",
			Details: "Keys: " + strings.Join(setKeys, ", ") + ". An empty value (`sponsor=`) clears owner, sponsor, channel, revenue, wallet, segment or region. Only admins and the account's KAM may change owner, sponsor or channel; the KAM is told by DM.\n" +
				"Revenue, wallet, level and tier are kept as dated history: every change appends. " +
				"`target=<money>` sets this year's revenue target (`target=<money>@<year>` another year's); `revenue=<money>@<year>` records a past year's revenue — both for `/kam kpis`.",
			Examples: []string{"set acme tier=partner wallet=35", `set acme segment="Industrial automation" region=EMEA`, "set acme target=1.5m", "set acme revenue=1.1m@2024"},
			Access:   AccessTeamOrAdmin,
			Account:  true,
			Action:   "change the account",
			Run:      runSet,
		},
		{
			Name:     "show",
			Usage:    "show <account>",
			Summary:  "The account card: facts, team, latest interactions, open opportunities.",
			Examples: []string{"show acme", `show "Acme Corp"`},
			Access:   AccessTeamOrAdmin,
			Account:  true,
			Action:   "see the account card",
			Run:      runShow,
		},
		{
			Name:    "team",
			Usage:   "team <account> add @user [role=kam|member|sponsor|manager] [function=<text>]  ·  team <account> remove @user",
			Summary: "Add someone to an account's team, change their role, or remove them.",
			Details: "*role*: kam (owner), member (diamond team, the default), sponsor (executive sponsor), manager (gets the weekly digest).\n" +
				"Adding someone as kam or sponsor makes them the account's owner or sponsor.",
			Examples: []string{"team acme add @ben role=member function=finance", "team acme remove @ben"},
			Access:   AccessAdmin,
			Account:  true,
			Action:   "manage account teams",
			Run:      runTeam,
		},
		{
			Name:    "log",
			Usage:   `log <account> <kind> [with="<stakeholder>, …"] <summary…>`,
			Summary: "Log a touch with the customer.",
			Details: "*kind*: " + kam.Names(kam.InteractionKinds) + ". A note is internal and does not count as contact. `with=` names the stakeholders met (right after the kind or at the very end), so each one's last contact is known.\n" +
				"With no summary (`/kam log acme`, `/kam log acme call`) a form opens: kind, day, stakeholders from the map, summary. " +
				"From any message, *⋯ → Log to account* opens the same form with the message's text, day and link (the card links back to it); " +
				"the ⚡ shortcut *Log an interaction* opens it anywhere. On the card (`/kam show`), each interaction's ⋯ menu edits or deletes it " +
				"(its author, the KAM or an admin): the channel post follows, the audit log keeps the change.",
			Examples: []string{"log acme call Talked renewal timing with their CFO", `log acme meeting with="Jane Doe, Li Wei" Walked through the renewal`, "log acme qbr Q3 review: NPS up, asked for a roadmap workshop", "log acme"},
			Access:   AccessTeam,
			Account:  true,
			Action:   "log interactions",
			Run:      runLog,
		},
		{
			Name:     "opp",
			Usage:    `opp <account> add "<name>" [value=<money>] [close=<date>] [owner=@user]`,
			Summary:  "Add an opportunity to an account's pipeline.",
			Details:  "It starts as identified. *close* is YYYY-MM-DD; *value* takes 250000, 250k or 1.2m; the owner defaults to you. With no name (`/kam opp acme add`) a form opens.",
			Examples: []string{`opp acme add "Renewal 2026" value=250k close=2026-03-31`, "opp acme add"},
			Access:   AccessTeam,
			Account:  true,
			Action:   "add opportunities",
			Run:      runOpp,
		},
		{
			Name:    "stage",
			Usage:   `stage <account> "<opportunity>" <stage> [note…]`,
			Summary: "Move an opportunity to another stage.",
			Details: "*stage*: " + kam.Names(kam.Stages) + ". A unique start of the opportunity's name is enough. With no opportunity (`/kam stage acme`) a form opens to pick it and the stage." + gateDetails,
			Examples: []string{`stage acme "Renewal 2026" qualified Budget confirmed by procurement`, `stage acme renewal pursuing go="Budget confirmed; we lead on service"`,
				"stage acme renewal no-go Budget frozen until 2027", "stage acme"},
			Access:  AccessTeam,
			Account: true,
			Action:  "move opportunities",
			Run:     runStage,
		},
		{
			Name:     "pipeline",
			Usage:    "pipeline [<account> | all]",
			Summary:  "Open opportunities by stage with value and weighted forecast; won and lost totals.",
			Details:  fmt.Sprintf("Weights: %s. Without an account: your accounts; admins: `/kam pipeline all` for every account.", stageWeights()),
			Examples: []string{"pipeline", "pipeline acme", "pipeline all"},
			Run:      runPipeline,
		},
	}
}

// stageWeights describes the forecast weight of each open stage.
func stageWeights() string {
	var parts []string
	for _, s := range kam.Stages {
		if s.Open() {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", s, s.Probability()*100))
		}
	}
	return strings.Join(parts, ", ")
}
