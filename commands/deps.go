package commands

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

// Request is one /kam invocation, whatever transport it came by (HTTP,
// Socket Mode or the console). Mentions in Text arrive escaped (<@U123|name>).
type Request struct {
	TeamID      string
	UserID      string
	ChannelID   string
	Text        string // everything after "/kam"
	TriggerID   string // for views.open; expires 3 s after the command
	ResponseURL string
}

// Reply is what the caller sees. Replies are ephemeral unless InChannel.
type Reply struct {
	Text      string // plain-text rendering: notification fallback and console output
	Blocks    []slack.Block
	InChannel bool

	// Later, when set, is slow work: the transport acknowledges at once with
	// this Reply and delivers Later's result through response_url (the
	// console prints both in turn).
	Later func(ctx context.Context) Reply

	// Sources are the records the reply shows, for the assistant to cite
	// (search hits, the card's latest interactions); not sent to Slack.
	Sources []Source
}

// Store is what the core commands need of persistence. Every method is
// scoped to one Slack workspace (teamID); a record of another workspace is
// never returned. Missing records give a *kam.Error with kam.ENOTFOUND;
// duplicates kam.ECONFLICT. actor is the Slack user ID recorded in the audit log.
type Store interface {
	// CreateAccount stores a new account, filling ID, Slug, CreatedAt and UpdatedAt.
	CreateAccount(ctx context.Context, a *kam.Account, actor string) error
	// UpdateAccount saves every field of a (matched by TeamID and ID); fields
	// names the keys that changed, for the audit log.
	UpdateAccount(ctx context.Context, a *kam.Account, actor string, fields []string, post kam.Post[kam.Account]) error
	// Account returns one account by ID.
	Account(ctx context.Context, teamID string, id int64) (kam.Account, error)
	// Accounts returns every account of the workspace, by name.
	Accounts(ctx context.Context, teamID string) ([]kam.Account, error)
	// AccountsForUser returns the accounts on whose team the user is, or
	// which the user owns or sponsors, by name.
	AccountsForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error)
	// AccountNamesForUser is AccountsForUser with only ID, TeamID, Name and
	// Slug filled, read cheaply: the log form's account menu. The list is
	// shared and must not be changed; while nothing it shows changed, the
	// same list (the same memory) is returned again.
	AccountNamesForUser(ctx context.Context, teamID, userID string) ([]kam.Account, error)
	// FindAccounts returns the accounts whose name or slug equals or starts
	// with query, case-insensitively, at most limit of them, by name.
	FindAccounts(ctx context.Context, teamID, query string, limit int) ([]kam.Account, error)
	// Changes grows whenever this process commits a change; an answer
	// read while it stays the same may be served again.
	Changes() uint64

	// Members returns an account's team (owner and sponsor included, as
	// rows with roles kam and sponsor).
	Members(ctx context.Context, teamID string, accountID int64) ([]kam.Member, error)
	// MemberRole returns the user's role on the account, or "" if none.
	MemberRole(ctx context.Context, teamID string, accountID int64, userID string) (kam.Role, error)
	// PutMember adds the member or updates their role and function.
	PutMember(ctx context.Context, m kam.Member, actor string) error
	// RemoveMember removes the user from the team; ENOTFOUND if absent.
	RemoveMember(ctx context.Context, teamID string, accountID int64, userID, actor string) error

	// LogInteraction stores an interaction, filling ID, and queues the post
	// that post builds from it in the same transaction.
	LogInteraction(ctx context.Context, in *kam.Interaction, actor string, post kam.Post[kam.Interaction]) error
	// Interaction returns one interaction; ENOTFOUND when it is not the
	// workspace's or no longer exists.
	Interaction(ctx context.Context, teamID string, id int64) (kam.Interaction, error)
	// UpdateInteraction saves an edit (kind, summary, day, stakeholders) if
	// the interaction's EditedAt is still seen (else ECONFLICT), with its
	// audit entry and the post that post builds, in one transaction.
	UpdateInteraction(ctx context.Context, in *kam.Interaction, actor string, seen time.Time, post kam.Post[kam.Interaction]) error
	// DeleteInteraction deletes an interaction under the same check, with
	// its audit entry and post, and returns what was deleted.
	DeleteInteraction(ctx context.Context, teamID string, id int64, actor string, seen time.Time, post kam.Post[kam.Interaction]) (kam.Interaction, error)
	// Interactions returns an account's latest interactions, newest first.
	Interactions(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Interaction, error)
	// CountAccountInteractions counts an account's whole history, for
	// briefs that load only the latest interactions.
	CountAccountInteractions(ctx context.Context, teamID string, accountID int64) (int, error)
	// NPSSummaries summarises the accounts' survey answers; accounts without
	// answers are absent from the map.
	NPSSummaries(ctx context.Context, teamID string, accountIDs []int64, now time.Time) (map[int64]*kam.NPSSummary, error)
	// AccountSurveyAnswers lists an account's answers, latest first.
	AccountSurveyAnswers(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.SurveyAnswer, error)

	// AddOpportunity stores an opportunity and its creation stage entry, filling ID.
	AddOpportunity(ctx context.Context, o *kam.Opportunity, actor string) error
	// Opportunities returns an account's opportunities (every account's when
	// accountID is 0), open ones only when openOnly, by stage then name.
	Opportunities(ctx context.Context, teamID string, accountID int64, openOnly bool) ([]kam.Opportunity, error)
	// AccountsOpportunities returns the opportunities of the accounts, by
	// stage then name.
	AccountsOpportunities(ctx context.Context, teamID string, accountIDs []int64) ([]kam.Opportunity, error)
	// MoveStage moves an opportunity and records the change with its author,
	// time and note, and queues the post that post builds from the change,
	// in one transaction.
	MoveStage(ctx context.Context, teamID string, oppID int64, to kam.Stage, actor, note string, at time.Time, post kam.Post[kam.StageChange]) (kam.StageChange, error)
	// StageHistory returns an opportunity's stage changes, oldest first.
	StageHistory(ctx context.Context, teamID string, oppID int64) ([]kam.StageChange, error)
}

// Notifier delivers posts. Implementations queue the message durably and
// deliver it in the background, so the caller never waits for Slack and a
// failed post is retried. key makes the post idempotent.
//
// A post that reports a change is not sent through Notify: the store queues
// it in the change's own transaction (kam.Post), and the handler calls Wake
// once that transaction committed.
type Notifier interface {
	Notify(ctx context.Context, teamID, channelID, key, text string, blocks []slack.Block) error
	// Wake asks for queued posts to be delivered now; it never blocks.
	Wake()
}

// Views opens modals for a trigger_id: views.open, or views.push over a
// modal that is already open (Slack does not promise that views.open works
// from a click inside a modal; on mobile it does not).
type Views interface {
	OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error
	PushView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error
}

// InteractionReply answers a block_actions, view_submission or shortcut
// payload. The transport sends Ack (JSON) as the body of the 200
// acknowledgement — the only place a view_submission may answer with
// response_action — and, when Reply is set, delivers it through the
// payload's response_url afterwards.
type InteractionReply struct {
	Ack             any    // nil: empty 200
	Reply           *Reply // optional follow-up message
	ReplaceOriginal bool   // the follow-up replaces the message that holds the button
}

// Zones gives a user's own time zone (users.info tz behind a cache, say);
// nil with no error when the user has none, so the workspace zone applies.
type Zones interface {
	UserZone(ctx context.Context, teamID, userID string) (*time.Location, error)
}

// Directory tells whether a user belongs to a Slack workspace (users.info
// behind a cache, say). The engine uses it to refuse a mention of someone it
// cannot find; without one, mentions are taken as Slack escaped them.
type Directory interface {
	UserExists(ctx context.Context, teamID, userID string) (bool, error)
}
