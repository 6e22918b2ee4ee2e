package kam

import "time"

// ---- The account strategy charter -------------------------------------------

// CharterKind is what a line of the strategy charter says.
type CharterKind string

// Charter kinds: the situation analysis (the customer's business and its
// challenges), the SWOT of the customer, and the barriers and enablers of
// our plan for it.
const (
	CharterSituation   CharterKind = "situation"
	CharterChallenge   CharterKind = "challenge"
	CharterStrength    CharterKind = "strength"
	CharterWeakness    CharterKind = "weakness"
	CharterOpportunity CharterKind = "opportunity"
	CharterThreat      CharterKind = "threat"
	CharterBarrier     CharterKind = "barrier"
	CharterEnabler     CharterKind = "enabler"
)

// CharterKinds lists every kind in the order the charter shows them.
var CharterKinds = []CharterKind{CharterSituation, CharterChallenge, CharterStrength, CharterWeakness,
	CharterOpportunity, CharterThreat, CharterBarrier, CharterEnabler}

// CharterEntry is one line of an account's strategy charter. Dropping a
// line retires it; the line is kept.
type CharterEntry struct {
	ID        int64
	TeamID    string
	AccountID int64
	Kind      CharterKind
	Number    int // 1, 2, … per account and kind, in the order added
	Text      string
	AuthorID  string
	CreatedAt time.Time
}

// Validate checks an entry before it is stored, trimming its text.
func (c *CharterEntry) Validate() error {
	if c.TeamID == "" || c.AccountID <= 0 {
		return ErrNotFound(EntityAccount)
	}
	if _, ok := ParseEnum(string(c.Kind), CharterKinds); !ok {
		e := ErrInvalid(EntityCharter, "kind", ReasonUnknown)
		e.Value = string(c.Kind)
		return e
	}
	t, err := CheckText(EntityCharter, "text", c.Text, MaxSummaryLen)
	if err != nil {
		return err
	}
	if t == "" {
		return ErrInvalid(EntityCharter, "text", ReasonMissing)
	}
	c.Text = t
	return nil
}

// Strategy links one of our objectives to the tactics that carry it out:
// objective → strategy → quarterly tactics.
type Strategy struct {
	ID          int64
	TeamID      string
	AccountID   int64
	Number      int   // 1, 2, … per account; what tactic's strategy= names
	ObjectiveID int64 // one of our objectives; 0 when not linked
	Text        string
	AuthorID    string
	CreatedAt   time.Time
}

// Validate checks a strategy before it is stored, trimming its text.
func (s *Strategy) Validate() error {
	if s.TeamID == "" || s.AccountID <= 0 {
		return ErrNotFound(EntityAccount)
	}
	t, err := CheckText(EntityStrategy, "text", s.Text, MaxSummaryLen)
	if err != nil {
		return err
	}
	if t == "" {
		return ErrInvalid(EntityStrategy, "text", ReasonMissing)
	}
	s.Text = t
	return nil
}

// Charter is the strategy charter of a plan: its lines by kind (in
// CharterKinds order, then by number) and its strategies by number.
type Charter struct {
	Entries    []CharterEntry
	Strategies []Strategy
}

// Of returns the entries of one kind.
func (c Charter) Of(k CharterKind) []CharterEntry {
	var out []CharterEntry
	for _, e := range c.Entries {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// Empty reports whether the charter has no line and no strategy.
func (c Charter) Empty() bool { return len(c.Entries) == 0 && len(c.Strategies) == 0 }

// MaxAgendaLen bounds each of a stakeholder's agendas.
const MaxAgendaLen = 300

// validateAgendas trims and checks a stakeholder's agendas.
func (c *Contact) validateAgendas() error {
	var err error
	if c.BusinessAgenda, err = CheckLine(EntityContact, "agenda", c.BusinessAgenda, MaxAgendaLen); err != nil {
		return err
	}
	if c.PersonalAgenda, err = CheckLine(EntityContact, "personal", c.PersonalAgenda, MaxAgendaLen); err != nil {
		return err
	}
	c.MeasuredBy, err = CheckLine(EntityContact, "measured", c.MeasuredBy, MaxAgendaLen)
	return err
}
