// Package brief drafts one-screen account briefs, digest summaries and plan
// review notes for executive sponsors and account teams.
//
// It takes a plain Facts value about one account (the caller gathers it from
// the store) and never reaches for any other data, so a brief can only speak
// of the account it was asked about. When an OpenAI-compatible model is
// configured the text is drafted by the model from a prompt that fits an
// input budget and fences user-typed text as quoted data; when no model is
// configured, or the model fails, is slow or answers badly, the same facts
// fill a deterministic template that is clearly marked as such. Every call
// returns a usable Result: never an empty answer, never an error for the user.
package brief

import (
	"time"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Kind says which text a Result holds.
type Kind string

// Kinds of drafted text.
const (
	KindBrief   Kind = "brief"   // /kam brief: the sponsor's one-screen brief
	KindSummary Kind = "summary" // two sentences for the weekly digest
	KindReview  Kind = "review"  // drafted note for /kam plan <account> review
)

// Section titles of a brief, in the order they are shown. A model's answer
// must contain every one of them.
const (
	SectionStanding = "Where we stand"
	SectionWho      = "Who matters"
	SectionInFlight = "In flight"
	SectionRisks    = "Risks"
	SectionSay      = "Three things to say"
)

// Section titles of a plan review note, in the order they are shown.
const (
	SectionProgress      = "Progress"
	SectionBehind        = "Behind plan"
	SectionRelationships = "Relationships"
	SectionNextSteps     = "Proposed next steps"
)

// SectionSummary is the single section of a digest summary.
const SectionSummary = "Summary"

// sectionTitles lists the fixed sections of each kind, in display order.
func sectionTitles(k Kind) []string {
	switch k {
	case KindSummary:
		return []string{SectionSummary}
	case KindReview:
		return []string{SectionProgress, SectionBehind, SectionRelationships, SectionNextSteps}
	default:
		return []string{SectionStanding, SectionWho, SectionInFlight, SectionRisks, SectionSay}
	}
}

// Facts is everything a brief may draw on, about one account only. Records
// that name another account or workspace (by AccountID or TeamID) are
// ignored, so a caller's mistake cannot leak them into a brief.
type Facts struct {
	Account      kam.Account
	Health       Health
	Quadrant     string // directional-policy quadrant: strategic, develop, maintain, opportunistic; "" when unscored
	Relationship Relationship
	Stakeholders []Stakeholder
	Interactions []kam.Interaction // any order; newest and most relevant are chosen
	// InteractionsLogged is how many interactions the account has in all,
	// when the caller loaded only the latest of a longer history; 0 means
	// Interactions is the whole history. The brief's coverage line counts
	// against it.
	InteractionsLogged int
	Opportunities      []kam.Opportunity // closed ones (contracted, engaged, no-go, lost) are ignored
	Objectives         []string          // the account plan's objectives
	// Charter is the plan's strategy charter: the situation analysis, SWOT,
	// barriers, enablers and strategies, in the plan's order.
	Charter []CharterLine
	// Target is this year's revenue target (TargetYear); 0 when none.
	Target     int64
	TargetYear int
	Tactics    []Tactic
	NPS        NPS
	Requester  string          // Slack user ID of the person who asked
	Now        time.Time       // "as of"; zero means the drafter's clock. Dates are shown in its location.
	Currency   format.Currency // what amounts are in (KAMBOT_CURRENCY; zero: USD)
}

// Health is the account's health score and the early-warning alerts behind it.
type Health struct {
	Score  int      // 0–100, higher is healthier
	Scored bool     // false while the account has no health score
	Alerts []string // worded for people, e.g. "No logged interaction in 45 days"
}

// Relationship is the relationship model derived from the data.
type Relationship struct {
	Model  string // bow-tie, one-on-many or diamond
	Reason string // why the data says so
}

// Stakeholder is one person at the customer.
type Stakeholder struct {
	ID          int64 // matches kam.Interaction.Contacts
	Name        string
	Title       string
	Role        kam.ContactRole
	Influence   int    // 1–5; 0 when unknown
	Stance      int    // −2 hostile … +2 advocate
	MirrorID    string // Slack user ID of the supplier person who mirrors them
	LastContact time.Time
	// Their agendas: business, personal, and how they are measured.
	Agenda, Personal, MeasuredBy string
}

// CharterLine is one line of the plan's strategy charter.
type CharterLine struct {
	Kind string // situation, challenge, strength, weakness, opportunity, threat, barrier, enabler or strategy
	Text string
}

// Tactic is one quarterly tactic of the account plan.
type Tactic struct {
	Text    string
	Quarter string // 2027-Q1 (Q1–Q4 in older plans)
	OwnerID string // Slack user ID
	Due     time.Time
	Done    bool
}

// NPS is the account's net promoter score from its satisfaction surveys.
type NPS struct {
	Score     int // −100 … 100
	Responses int // 0 when the account has no survey answers
	Trend     int // change in points since the previous period; 0 when flat or unknown
	Comments  []NPSComment
}

// NPSComment is one survey answer with a comment.
type NPSComment struct {
	Score   int // 0–10
	Text    string
	Contact string // who answered, when known
	At      time.Time
}

// Section is one titled part of a drafted text. Body is Slack mrkdwn.
type Section struct {
	Title string
	Body  string
}

// Period is the span of account history a text covers.
type Period struct {
	From, To time.Time
}

// Result is a drafted brief, summary or review note. It is always usable:
// when the model was not used, ByModel is false, FallbackReason says why and
// Text says plainly that it was not drafted by a model.
type Result struct {
	Kind     Kind
	Title    string    // e.g. "Brief: Acme Corp"
	Text     string    // the whole text in Slack mrkdwn, with title and source line
	Sections []Section // the fixed sections, in display order
	ByModel  bool
	Model    string // model name when ByModel
	Period   Period
	Note     string // the source line shown under the title (period, what was drafted how)

	// Token use: the server's figures, or estimates when it reports none.
	PromptTokens     int
	CompletionTokens int
	Latency          time.Duration // from the call to the Result, retries and fallback included
	Attempts         int           // requests sent to the model
	FallbackReason   string        // one of the Reason constants; "" when ByModel
}

// DMThreshold is the length of Text above which a brief is better delivered
// by direct message than ephemerally: ephemeral messages vanish when Slack
// reloads, and a long brief is worth keeping.
const DMThreshold = 3500

// PreferDM reports whether the text is long enough to deliver by direct message.
func (r Result) PreferDM() bool { return len(r.Text) > DMThreshold }

// Reasons for a fallback, used in Result.FallbackReason, logs and metrics.
const (
	ReasonDisabled        = "disabled"         // no model configured
	ReasonTimeout         = "timeout"          // the deadline passed
	ReasonCanceled        = "canceled"         // the caller gave up
	ReasonRateLimited     = "rate_limited"     // 429 until no time was left
	ReasonServerError     = "server_error"     // 5xx until retries or time ran out
	ReasonHTTPError       = "http_error"       // another 4xx: bad key, unknown model…
	ReasonUnreachable     = "unreachable"      // connection refused, DNS, TLS…
	ReasonBadResponse     = "bad_response"     // the answer was not chat-completion JSON
	ReasonEmptyResponse   = "empty_response"   // no choices, or empty content
	ReasonTruncated       = "truncated"        // the model ran out of output tokens
	ReasonMissingSections = "missing_sections" // the answer lacks a fixed section
	ReasonInternal        = "internal"         // a bug; logged
	ReasonBusy            = "busy"             // the records loaded slowly: the model was skipped to answer in time
)

// reasonText explains a fallback reason to the reader of the brief.
func reasonText(reason string) string {
	switch reason {
	case ReasonDisabled:
		return "no language model is configured"
	case ReasonTimeout:
		return "the language model did not answer in time"
	case ReasonCanceled:
		return "the request was cancelled"
	case ReasonRateLimited:
		return "the language model is rate-limited"
	case ReasonServerError, ReasonUnreachable:
		return "the language model is unavailable"
	case ReasonHTTPError:
		return "the language model refused the request"
	case ReasonBadResponse, ReasonEmptyResponse, ReasonTruncated, ReasonMissingSections:
		return "the language model's answer was unusable"
	case ReasonBusy:
		return "kambot is busy, so the language model was skipped to answer in time"
	default:
		return "the language model could not be used"
	}
}
