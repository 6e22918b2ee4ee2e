package kam

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The text rules below are the only ones: the command layer checks what a
// user typed with them and the store checks what it is asked to keep with
// them, so the two cannot disagree about tabs, line breaks, control
// characters or lengths.

// CheckLine trims s and checks that it is one line of valid UTF-8 with no
// control characters and at most max characters. "\r\n" and a bare "\n" or
// "\r" are line breaks and refused (ReasonMultiline / ReasonControl); tabs
// become spaces. Errors name entity and field.
func CheckLine(entity, field, s string, max int) (string, error) {
	return checkText(entity, field, s, max, false)
}

// CheckText is CheckLine for text that may span lines: "\r\n" becomes "\n"
// and "\n" is kept; a bare "\r" is a control character.
func CheckText(entity, field, s string, max int) (string, error) {
	return checkText(entity, field, s, max, true)
}

func checkText(entity, field, s string, max int, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return s, ErrInvalid(entity, field, ReasonNotText)
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' && multiline:
		case r == '\n':
			return s, ErrInvalid(entity, field, ReasonMultiline)
		case unicode.IsControl(r):
			return s, ErrInvalid(entity, field, ReasonControl)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		e := ErrInvalid(entity, field, ReasonTooLong)
		e.Limit, e.Got = max, n
		return s, e
	}
	return strings.ReplaceAll(s, "\t", " "), nil
}

// CheckName is CheckLine for a name of at most MaxNameLen characters that
// must also hold a letter or digit, so that it has a slug and can be typed,
// and no character that reorders text for display (ReasonBidi).
// An empty name is ReasonMissing.
func CheckName(entity, field, s string) (string, error) {
	s, err := CheckLine(entity, field, s, MaxNameLen)
	switch {
	case err != nil:
		return s, err
	case s == "":
		return s, ErrInvalid(entity, field, ReasonMissing)
	case !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }):
		return s, ErrInvalid(entity, field, ReasonNoLetter)
	case strings.ContainsFunc(s, isBidiControl):
		return s, ErrInvalid(entity, field, ReasonBidi)
	}
	return s, nil
}

// CheckSlackID trims id and checks that it is a Slack user or channel ID (or
// the console's stand-in): letters, digits, '.', '_' and '-', at most 64 of
// them. Empty is allowed.
func CheckSlackID(entity, field, id string) (string, error) {
	id = strings.TrimSpace(id)
	if len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-')
	}) {
		e := ErrInvalid(entity, field, ReasonNotSlackID)
		e.Value = id
		return id, e
	}
	return id, nil
}

// checkEnum returns v in canonical form, def when v is blank, or a
// ReasonUnknown error carrying v.
func checkEnum[T ~string](entity, field string, v T, allowed []T, def T) (T, error) {
	if strings.TrimSpace(string(v)) == "" {
		return def, nil
	}
	p, ok := ParseEnum(string(v), allowed)
	if !ok {
		e := ErrInvalid(entity, field, ReasonUnknown)
		e.Value = string(v)
		return v, e
	}
	return p, nil
}

// checkAccountOf refuses a record without a workspace or an account.
func checkAccountOf(entity, teamID string, accountID int64) error {
	if teamID == "" {
		return ErrMissingTeam(entity)
	}
	if accountID <= 0 {
		return ErrNotFound(EntityAccount)
	}
	return nil
}

// Validate trims the account's text, fills the defaults of empty tier,
// level and cadence (vendor, commodity, monthly) and checks every field.
func (a *Account) Validate() error {
	const ent = EntityAccount
	if a.TeamID == "" {
		return ErrMissingTeam(ent)
	}
	var err error
	if a.Name, err = CheckName(ent, "name", a.Name); err != nil {
		return err
	}
	if a.Tier, err = checkEnum(ent, "tier", a.Tier, Tiers, TierVendor); err != nil {
		return err
	}
	if a.Level, err = checkEnum(ent, "level", a.Level, Levels, LevelCommodity); err != nil {
		return err
	}
	if a.Cadence, err = checkEnum(ent, "cadence", a.Cadence, Cadences, CadenceMonthly); err != nil {
		return err
	}
	if a.OwnerID, err = CheckSlackID(ent, "owner", a.OwnerID); err != nil {
		return err
	}
	if a.SponsorID, err = CheckSlackID(ent, "sponsor", a.SponsorID); err != nil {
		return err
	}
	if a.ChannelID, err = CheckSlackID(ent, "channel", a.ChannelID); err != nil {
		return err
	}
	if a.Revenue < 0 {
		return ErrInvalid(ent, "revenue", ReasonNegative)
	}
	if a.WalletPct != a.WalletPct || a.WalletPct < 0 || a.WalletPct > 100 { // NaN fails the first test
		return ErrInvalid(ent, "wallet", ReasonRange)
	}
	if a.Segment, err = CheckLine(ent, "segment", a.Segment, MaxTextLen); err != nil {
		return err
	}
	if a.Region, err = CheckLine(ent, "region", a.Region, MaxTextLen); err != nil {
		return err
	}
	return nil
}

// Validate trims the contact's text, fills the default influence and checks
// every field.
func (c *Contact) Validate() error {
	const ent = EntityContact
	if err := checkAccountOf(ent, c.TeamID, c.AccountID); err != nil {
		return err
	}
	var err error
	if c.Name, err = CheckName(ent, "name", c.Name); err != nil {
		return err
	}
	if c.Title, err = CheckLine(ent, "title", c.Title, MaxTextLen); err != nil {
		return err
	}
	if c.Role, err = checkEnum(ent, "role", c.Role, ContactRoles, ""); err != nil {
		return err
	}
	if c.Influence == 0 {
		c.Influence = DefaultInfluence
	}
	if c.Influence < MinInfluence || c.Influence > MaxInfluence {
		e := ErrInvalid(ent, "influence", ReasonRange)
		e.Got = c.Influence
		return e
	}
	if c.Stance < MinStance || c.Stance > MaxStance {
		e := ErrInvalid(ent, "stance", ReasonRange)
		e.Got = c.Stance
		return e
	}
	if c.MirrorID, err = CheckSlackID(ent, "mirror", c.MirrorID); err != nil {
		return err
	}
	return c.validateAgendas()
}

// Validate checks the interaction and puts it in canonical form: the kind
// lower-case, the summary trimmed, the contacts sorted without repeats.
// UserID must be filled by the caller (the actor when nobody else is named).
func (in *Interaction) Validate() error {
	const ent = EntityInteraction
	if err := checkAccountOf(ent, in.TeamID, in.AccountID); err != nil {
		return err
	}
	var err error
	if in.UserID, err = CheckSlackID(ent, "user", in.UserID); err != nil {
		return err
	}
	k, ok := ParseEnum(string(in.Kind), InteractionKinds)
	if !ok {
		e := ErrInvalid(ent, "kind", ReasonUnknown)
		e.Value = string(in.Kind)
		return e
	}
	in.Kind = k
	if in.Summary, err = CheckText(ent, "summary", in.Summary, MaxSummaryLen); err != nil {
		return err
	}
	if in.Summary == "" {
		return ErrInvalid(ent, "summary", ReasonMissing)
	}
	if len(in.Contacts) > 0 {
		cs := slices.Clone(in.Contacts)
		slices.Sort(cs)
		in.Contacts = slices.Compact(cs)
		if in.Contacts[0] <= 0 {
			return ErrInvalid(ent, "contacts", ReasonUnknown)
		}
	}
	if in.Permalink, err = CheckPermalink(in.Permalink); err != nil {
		return err
	}
	return nil
}

// Validate fills the default role (member) and checks every field.
func (m *Member) Validate() error {
	const ent = EntityMember
	if err := checkAccountOf(ent, m.TeamID, m.AccountID); err != nil {
		return err
	}
	var err error
	if m.UserID, err = CheckSlackID(ent, "user", m.UserID); err != nil {
		return err
	}
	if m.UserID == "" {
		return ErrInvalid(ent, "user", ReasonMissing)
	}
	if m.Role, err = checkEnum(ent, "role", m.Role, Roles, RoleMember); err != nil {
		return err
	}
	if m.Function, err = CheckLine(ent, "function", m.Function, MaxTextLen); err != nil {
		return err
	}
	return nil
}

// Validate trims the opportunity's name, fills the default stage
// (identified), cuts the close date to its day and checks every field.
func (o *Opportunity) Validate() error {
	const ent = EntityOpportunity
	if err := checkAccountOf(ent, o.TeamID, o.AccountID); err != nil {
		return err
	}
	var err error
	if o.Name, err = CheckName(ent, "name", o.Name); err != nil {
		return err
	}
	if o.Value < 0 {
		return ErrInvalid(ent, "value", ReasonNegative)
	}
	if o.OwnerID, err = CheckSlackID(ent, "owner", o.OwnerID); err != nil {
		return err
	}
	if o.Stage, err = checkEnum(ent, "stage", o.Stage, Stages, StageIdentified); err != nil {
		return err
	}
	if !o.CloseDate.IsZero() {
		o.CloseDate = dayOf(o.CloseDate)
	}
	return nil
}

// CheckMove applies the pipeline rules to a move of the opportunity named
// name from one stage to another: it must change the stage, and a closed
// stage (no-go, lost) only re-opens to identified or qualified.
func CheckMove(name string, from, to Stage) error {
	var e *Error
	switch {
	case from == to:
		e = ErrInvalid(EntityStageChange, "stage", ReasonSameStage)
		e.Other = string(to)
	case (from == StageNoGo || from == StageLost) && to != StageIdentified && to != StageQualified:
		e = ErrInvalid(EntityStageChange, "stage", ReasonStageClosed)
		e.Other = string(from)
	default:
		return nil
	}
	e.Value = name
	return e
}

// Validate fills the default side (ours) and checks the objective.
func (o *Objective) Validate() error {
	const ent = EntityObjective
	if o.AccountID <= 0 || o.TeamID == "" {
		return ErrNotFound(EntityAccount)
	}
	var err error
	if o.For, err = checkEnum(ent, "for", o.For, ObjectiveFors, ForUs); err != nil {
		return err
	}
	if o.Text, err = CheckLine(ent, "text", o.Text, MaxTextLen); err != nil {
		return err
	}
	if o.Text == "" {
		return ErrInvalid(ent, "text", ReasonMissing)
	}
	return nil
}

// Validate checks the tactic, putting its quarter in canonical form and
// cutting its due date to the day.
func (t *Tactic) Validate() error {
	const ent = EntityTactic
	if t.AccountID <= 0 || t.TeamID == "" {
		return ErrNotFound(EntityAccount)
	}
	var err error
	if t.Text, err = CheckLine(ent, "text", t.Text, MaxTextLen); err != nil {
		return err
	}
	if t.Text == "" {
		return ErrInvalid(ent, "text", ReasonMissing)
	}
	if t.Quarter != "" {
		q, err := ParseQuarter(t.Quarter)
		if err != nil {
			e := ErrInvalid(ent, "quarter", ReasonUnknown)
			e.Value = t.Quarter
			return e
		}
		t.Quarter = q
	}
	if t.OwnerID, err = CheckSlackID(ent, "owner", t.OwnerID); err != nil {
		return err
	}
	if !t.Due.IsZero() {
		t.Due = dayOf(t.Due)
	}
	if !CheckQuarter(t.Quarter, t.Due) {
		e := ErrInvalid(ent, "quarter", ReasonUnknown)
		e.Value = t.Quarter
		return e
	}
	return nil
}

// dayOf is t's calendar day at midnight UTC.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Validate checks a survey about to be sent: it goes either to a channel
// or to one person.
func (s *Survey) Validate() error {
	const ent = EntitySurvey
	if err := checkAccountOf(ent, s.TeamID, s.AccountID); err != nil {
		return err
	}
	var err error
	if s.ChannelID, err = CheckSlackID(ent, "channel", s.ChannelID); err != nil {
		return err
	}
	if s.UserID, err = CheckSlackID(ent, "user", s.UserID); err != nil {
		return err
	}
	if (s.ChannelID == "") == (s.UserID == "") {
		return ErrInvalid(ent, "recipient", ReasonOneOf)
	}
	return nil
}

// CheckScore refuses a likelihood-to-recommend score outside 0–10.
func CheckScore(score int) error {
	if score < 0 || score > 10 {
		e := ErrInvalid(EntitySurveyAnswer, "score", ReasonRange)
		e.Got = score
		return e
	}
	return nil
}

// Validate checks an answer's score and trims its comment and contact.
func (a *SurveyAnswer) Validate() error {
	const ent = EntitySurveyAnswer
	if err := CheckScore(a.Score); err != nil {
		return err
	}
	var err error
	if a.Comment, err = CheckText(ent, "comment", a.Comment, MaxSurveyComment); err != nil {
		return err
	}
	if a.Contact, err = CheckLine(ent, "contact", a.Contact, MaxNameLen); err != nil {
		return err
	}
	return nil
}
