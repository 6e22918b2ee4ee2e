package kam

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. A user sees the Message of an *Error whose code is not
// EINTERNAL; any other error is shown as "Internal error." and logged once.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
)

// Entities an *Error can be about. The command layer words an error from
// its code, entity, field and reason, so the adapters that raise them need
// no user-facing text.
const (
	EntityAccount       = "account"
	EntityContact       = "contact"
	EntityInteraction   = "interaction"
	EntityMember        = "member"
	EntityOpportunity   = "opportunity"
	EntityStageChange   = "stage change"
	EntityObjective     = "objective"
	EntityTactic        = "tactic"
	EntityPlanReview    = "plan review"
	EntityScoring       = "scoring"
	EntityWeights       = "weights"
	EntityCriteria      = "criteria"
	EntitySurvey        = "survey"
	EntitySurveyAnswer  = "survey answer"
	EntityNudge         = "nudge"
	EntitySettings      = "settings"
	EntityOutboxMessage = "outbox message"
	EntityFailedMessage = "failed outbox message"
)

// Fields every record has; the others are named by their `/kam` key
// ("name", "tier", "revenue", …).
const (
	FieldTeam  = "team"  // the Slack workspace a record belongs to
	FieldActor = "actor" // the user making a change
)

// Reasons an input or a change is refused.
const (
	ReasonMissing      = "missing"       // a required input is empty
	ReasonMalformed    = "malformed"     // not in the form required (JSON of the wrong shape, a key with spaces)
	ReasonTooLong      = "too_long"      // more than Limit characters (Got of them)
	ReasonNotText      = "not_text"      // not valid UTF-8
	ReasonMultiline    = "multiline"     // a line break in a one-line field
	ReasonControl      = "control"       // a control character
	ReasonNoLetter     = "no_letter"     // a name without a letter or digit
	ReasonBidi         = "bidi"          // a character that reorders text for display
	ReasonLookAlike    = "look_alike"    // the name reads the same as Other's
	ReasonNotSlackID   = "not_slack_id"  // Value is not a Slack user or channel ID
	ReasonUnknown      = "unknown"       // Value is not one of the allowed values
	ReasonNegative     = "negative"      // a number below zero
	ReasonRange        = "range"         // a number (Got) outside its bounds
	ReasonFuture       = "future"        // dated after Until, the present
	ReasonBeforeLast   = "before_last"   // dated before Since, the last change
	ReasonOneOf        = "one_of"        // exactly one of several inputs must be set
	ReasonTaken        = "taken"         // Value, a name, is already used
	ReasonSlugClash    = "slug_clash"    // the name's slug is Other's
	ReasonSameStage    = "same_stage"    // the opportunity Value is already at stage Other
	ReasonStageClosed  = "stage_closed"  // the opportunity Value sits in closed stage Other
	ReasonDone         = "done"          // the tactic was done already, at Since
	ReasonRecent       = "recent"        // the recipient Other was asked at Since; open until Until
	ReasonClosed       = "closed"        // the survey closed at Until
	ReasonNotRecipient = "not_recipient" // the survey was sent to Other alone
	ReasonHandled      = "handled"       // the nudge was handled already
	ReasonSnoozed      = "snoozed"       // the nudge is snoozed already
	ReasonStale        = "stale"         // changed by someone else since it was read (at Since)
)

// Error is an application error. Message is the text a user sees when the
// error carries no Reason; an error with a Reason is worded by the command
// layer from Code, Entity, Field, Reason and the details, and its Message is
// a short technical text for logs.
type Error struct {
	Code    string
	Message string

	Entity string // what the error is about: one of the Entity constants
	Field  string // the input at fault, by its `/kam` key; "" for the record as a whole
	Reason string // why: one of the Reason constants
	Value  string // the input at fault as given, or the name of the record concerned
	Other  string // the other party: a clashing account, a stage, a survey's recipient
	ID     int64  // the number the user gave: a tactic's, a failed message's
	Limit  int    // the bound broken: a maximum length
	Got    int    // what was given: a length, a score, a number of days
	Since  time.Time
	Until  time.Time
}

func (e *Error) Error() string {
	if e.Value != "" {
		// Structured errors keep their input in Value; logs and the admin
		// commands need it to point at the bad row.
		return fmt.Sprintf("kambot error: code=%s message=%s value=%q", e.Code, e.Message, e.Value)
	}
	return fmt.Sprintf("kambot error: code=%s message=%s", e.Code, e.Message)
}

// Is matches errors by code, entity, field and reason, so that a caller can
// test errors.Is(err, ErrNudgeHandled) whatever the details.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Reason == "" {
		return false
	}
	return e.Code == t.Code && e.Entity == t.Entity && e.Field == t.Field && e.Reason == t.Reason
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the ENOTFOUND error of a missing record of the entity.
func ErrNotFound(entity string) *Error {
	return &Error{Code: ENOTFOUND, Entity: entity, Message: entity + " not found"}
}

// ErrInvalid is the EINVALID error of the entity's field for the reason.
func ErrInvalid(entity, field, reason string) *Error {
	return &Error{Code: EINVALID, Entity: entity, Field: field, Reason: reason, Message: message(entity, field, reason)}
}

// ErrConflict is the ECONFLICT error of a change to the entity refused for
// the reason.
func ErrConflict(entity, reason string) *Error {
	return &Error{Code: ECONFLICT, Entity: entity, Reason: reason, Message: message(entity, "", reason)}
}

// ErrMissingTeam is the error of a record or request without a workspace.
func ErrMissingTeam(entity string) *Error { return ErrInvalid(entity, FieldTeam, ReasonMissing) }

// ErrMissingActor is the error of a change nobody is named as making.
var ErrMissingActor = ErrInvalid("", FieldActor, ReasonMissing)

// The conflicts of handling a nudge twice.
var (
	ErrNudgeHandled = ErrConflict(EntityNudge, ReasonHandled)
	ErrNudgeSnoozed = ErrConflict(EntityNudge, ReasonSnoozed)
)

// message is the technical text of a structured error, for logs.
func message(entity, field, reason string) string {
	s := reason
	if field != "" {
		s = field + " " + s
	}
	if entity != "" {
		s = entity + " " + s
	}
	return s
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrorCode unwraps err to its application code; EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage unwraps err to its message: the user's text for an error
// without a Reason, a technical text otherwise (the command layer words
// those), and "Internal error." for anything but an *Error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
