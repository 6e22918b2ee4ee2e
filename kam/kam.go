// Package kam holds kambot's domain: the key-account vocabulary (tiers,
// relationship levels, pipeline stages, roles), the records the product keeps,
// and the application error type. It imports nothing of Slack or SQL, so every
// other package can depend on it and none of them on each other.
package kam

import (
	"strconv"
	"strings"
	"time"
)

// Tier is how much the supplier invests in an account.
type Tier string

// Tiers, from least to most invested.
const (
	TierVendor     Tier = "vendor"     // Account Manager
	TierPreferred  Tier = "preferred"  // Account Manager Plus
	TierConsultant Tier = "consultant" // Key Account Manager
	TierPartner    Tier = "partner"    // Strategic Account Manager
)

// Tiers lists every tier in ascending order of investment.
var Tiers = []Tier{TierVendor, TierPreferred, TierConsultant, TierPartner}

// Rank orders tiers: vendor 0 … partner 3; -1 for an unknown tier.
func (t Tier) Rank() int { return index(Tiers, t) }

// High reports whether the tier is one where single-threaded coverage is a risk.
func (t Tier) High() bool { return t.Rank() >= TierConsultant.Rank() }

// Level is how the customer sees the supplier.
type Level string

// Relationship levels, from commodity supplier to partner.
const (
	LevelCommodity Level = "commodity"
	LevelProduct   Level = "product"
	LevelValueAdd  Level = "value-add"
	LevelPartner   Level = "partner"
)

// Levels lists every relationship level in ascending order.
var Levels = []Level{LevelCommodity, LevelProduct, LevelValueAdd, LevelPartner}

// Cadence is how often the account's internal review happens; it also sets
// how long the account may go without a logged interaction.
type Cadence string

// Review cadences.
const (
	CadenceWeekly    Cadence = "weekly"
	CadenceMonthly   Cadence = "monthly"
	CadenceQuarterly Cadence = "quarterly"
)

// Cadences lists every review cadence.
var Cadences = []Cadence{CadenceWeekly, CadenceMonthly, CadenceQuarterly}

// Period is the length of one cadence interval.
func (c Cadence) Period() time.Duration {
	switch c {
	case CadenceWeekly:
		return 7 * 24 * time.Hour
	case CadenceQuarterly:
		return 91 * 24 * time.Hour
	default:
		return 30 * 24 * time.Hour
	}
}

// Role is a person's role on an account's team.
type Role string

// Team roles.
const (
	RoleKAM     Role = "kam"     // owns the account
	RoleMember  Role = "member"  // diamond-team member
	RoleSponsor Role = "sponsor" // executive sponsor
	RoleManager Role = "manager" // gets the account in the weekly digest
)

// Roles lists every team role.
var Roles = []Role{RoleKAM, RoleMember, RoleSponsor, RoleManager}

// InteractionKind is the kind of a logged interaction.
type InteractionKind string

// Interaction kinds.
const (
	KindCall    InteractionKind = "call"
	KindMeeting InteractionKind = "meeting"
	KindEmail   InteractionKind = "email"
	KindVisit   InteractionKind = "visit"
	KindQBR     InteractionKind = "qbr"
	KindExec    InteractionKind = "exec"
	KindEvent   InteractionKind = "event"
	KindNote    InteractionKind = "note"
)

// InteractionKinds lists every interaction kind.
var InteractionKinds = []InteractionKind{KindCall, KindMeeting, KindEmail, KindVisit, KindQBR, KindExec, KindEvent, KindNote}

// Touches reports whether the kind is real contact with the customer; a note
// is internal and does not reset the "no interaction" clock.
func (k InteractionKind) Touches() bool { return k != KindNote }

// Stage is an opportunity's place in the pipeline.
type Stage string

// Pipeline stages: identified → qualified → (go/no-go) → pursuing → closing →
// contracted → engaged; no-go and lost are terminal.
const (
	StageIdentified Stage = "identified"
	StageQualified  Stage = "qualified"
	StagePursuing   Stage = "pursuing"
	StageClosing    Stage = "closing"
	StageContracted Stage = "contracted"
	StageEngaged    Stage = "engaged"
	StageNoGo       Stage = "no-go"
	StageLost       Stage = "lost"
)

// Stages lists every stage in pipeline order, terminal ones last.
var Stages = []Stage{StageIdentified, StageQualified, StagePursuing, StageClosing, StageContracted, StageEngaged, StageNoGo, StageLost}

// Open reports whether an opportunity in this stage is still being worked.
func (s Stage) Open() bool {
	switch s {
	case StageContracted, StageEngaged, StageNoGo, StageLost:
		return false
	}
	return true
}

// Won reports whether the stage is a win.
func (s Stage) Won() bool { return s == StageContracted || s == StageEngaged }

// Probability is the default chance that an opportunity in this stage
// closes, used for the weighted forecast. Documented in the README.
func (s Stage) Probability() float64 {
	switch s {
	case StageIdentified:
		return 0.10
	case StageQualified:
		return 0.25
	case StagePursuing:
		return 0.50
	case StageClosing:
		return 0.80
	case StageContracted, StageEngaged:
		return 1
	}
	return 0
}

// ContactRole is a customer stakeholder's role in the buying decision.
type ContactRole string

// Stakeholder roles.
const (
	ContactDecisionMaker ContactRole = "decision-maker"
	ContactInfluencer    ContactRole = "influencer"
	ContactChampion      ContactRole = "champion"
	ContactUser          ContactRole = "user"
	ContactGatekeeper    ContactRole = "gatekeeper"
	ContactBlocker       ContactRole = "blocker"
)

// ContactRoles lists every stakeholder role.
var ContactRoles = []ContactRole{ContactDecisionMaker, ContactInfluencer, ContactChampion, ContactUser, ContactGatekeeper, ContactBlocker}

// ParseEnum matches s, case-insensitively, against the allowed values.
func ParseEnum[T ~string](s string, allowed []T) (T, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, v := range allowed {
		if string(v) == s {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// Names joins the allowed values for an error message: "a, b or c".
func Names[T ~string](allowed []T) string {
	var b strings.Builder
	for i, v := range allowed {
		switch {
		case i == 0:
		case i == len(allowed)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}

func index[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// Account is one key account in one Slack workspace.
type Account struct {
	ID        int64
	TeamID    string // Slack workspace; every row carries it
	Name      string
	Slug      string // lower-case, hyphenated name; unique per workspace
	Tier      Tier
	Level     Level
	OwnerID   string // Slack user ID of the KAM
	SponsorID string // Slack user ID of the executive sponsor
	Cadence   Cadence
	ChannelID string // optional account channel
	Revenue   int64  // annual revenue with us, whole currency units
	WalletPct float64
	Segment   string
	Region    string
	CreatedAt time.Time
	UpdatedAt time.Time
	// ArchivedAt is when the account was de-selected (hidden from lists,
	// its history kept); zero while active. ArchiveReason says why.
	ArchivedAt    time.Time
	ArchiveReason string
}

// Archived reports whether the account was de-selected.
func (a Account) Archived() bool { return !a.ArchivedAt.IsZero() }

// Member is a person on an account's team.
type Member struct {
	TeamID    string
	AccountID int64
	UserID    string
	Role      Role
	Function  string // e.g. "finance", "service"
	AddedAt   time.Time
}

// Interaction is one logged touch with the customer (or an internal note).
type Interaction struct {
	ID        int64
	TeamID    string
	AccountID int64
	UserID    string
	Kind      InteractionKind
	Summary   string
	Contacts  []int64 // stakeholders met, by Contact.ID
	At        time.Time
	// Permalink is the Slack message the interaction was logged from
	// ("Log to account"); empty for one typed with /kam log.
	Permalink string
	// EditedAt is when it was last edited; zero if never.
	EditedAt time.Time
	// RequestID is the Slack request it was logged from (its trigger_id),
	// empty when there is none (the console). A workspace's request logs
	// one interaction however often it is handled: a retry, a redelivery
	// or the same request reaching another replica gets the first one back.
	RequestID string
}

// Opportunity is one deal in an account's pipeline.
type Opportunity struct {
	ID         int64
	TeamID     string
	AccountID  int64
	Name       string
	Value      int64
	CloseDate  time.Time // zero when not set
	OwnerID    string
	Stage      Stage
	StageSince time.Time
	CreatedAt  time.Time
}

// StageChange is one entry of an opportunity's stage history.
type StageChange struct {
	ID            int64
	TeamID        string
	OpportunityID int64
	From          Stage // empty for the creation entry
	To            Stage
	UserID        string
	Note          string
	At            time.Time
}

// Limits on free text, enforced by the command layer with a message that
// names the limit.
const (
	MaxNameLen    = 80
	MaxSummaryLen = 2000
	MaxTextLen    = 200
)

// PostKey is the outbox key of the account-channel post that reports the
// interaction: one post per interaction, however often it is retried.
func (in Interaction) PostKey() string { return "interaction:" + strconv.FormatInt(in.ID, 10) }

// PostKey is the outbox key of the account-channel post that reports the
// stage change.
func (sc StageChange) PostKey() string { return "stage:" + strconv.FormatInt(sc.ID, 10) }
