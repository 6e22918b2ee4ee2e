package kam

import (
	"errors"
	"strings"
	"testing"
)

// wantErr checks that err is an *Error with the code, entity, field and
// reason; a zero code means no error.
func wantErr(t *testing.T, err error, code, entity, field, reason string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	e := AsError(err)
	if e == nil || e.Code != code || e.Entity != entity || e.Field != field || e.Reason != reason {
		t.Fatalf("err = %+v, want %s %s.%s %s", e, code, entity, field, reason)
	}
}

func TestCheckLineAndText(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		multiline bool
		want      string
		reason    string
	}{
		{"OK", "  Acme Corp ", false, "Acme Corp", ""},
		{"OKAccents", "Café Müller", false, "Café Müller", ""},
		{"OKTabBecomesSpace", "a\tb", false, "a b", ""},
		{"OKMultiline", "one\r\ntwo\nthree", true, "one\ntwo\nthree", ""},
		{"OKExactlyMax", strings.Repeat("é", 13), false, strings.Repeat("é", 13), ""},
		{"ErrNewline", "one\ntwo", false, "", ReasonMultiline},
		{"ErrCRLF", "one\r\ntwo", false, "", ReasonMultiline},
		{"ErrBareCR", "one\rtwo", false, "", ReasonControl},
		{"ErrBareCRMultiline", "one\rtwo", true, "", ReasonControl},
		{"ErrControl", "bell\x07", false, "", ReasonControl},
		{"ErrControlMultiline", "bell\x07", true, "", ReasonControl},
		{"ErrTooLong", strings.Repeat("é", 14), false, "", ReasonTooLong},
		{"ErrNotText", "caf\xe9", false, "", ReasonNotText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := CheckLine
			if tt.multiline {
				check = CheckText
			}
			got, err := check(EntityAccount, "segment", tt.in, 13)
			if tt.reason == "" {
				wantErr(t, err, "", "", "", "")
				if got != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
				return
			}
			wantErr(t, err, EINVALID, EntityAccount, "segment", tt.reason)
			if e := AsError(err); tt.reason == ReasonTooLong && (e.Limit != 13 || e.Got != 14) {
				t.Fatalf("limit %d got %d, want 13 and 14", e.Limit, e.Got)
			}
		})
	}
}

func TestAccountValidate(t *testing.T) {
	ok := func() Account {
		return Account{TeamID: "T1", Name: " Acme ", OwnerID: "U1", ChannelID: "C1", WalletPct: 35}
	}
	tests := []struct {
		name                string
		edit                func(a *Account)
		code, field, reason string
	}{
		{"OK", func(a *Account) {}, "", "", ""},
		{"OKAccents", func(a *Account) { a.Name = "Café Müller" }, "", "", ""},
		{"ErrNoTeam", func(a *Account) { a.TeamID = "" }, EINVALID, FieldTeam, ReasonMissing},
		{"ErrNoName", func(a *Account) { a.Name = "  " }, EINVALID, "name", ReasonMissing},
		{"ErrNameNoLetter", func(a *Account) { a.Name = "!!!" }, EINVALID, "name", ReasonNoLetter},
		{"ErrNameTooLong", func(a *Account) { a.Name = strings.Repeat("a", MaxNameLen+1) }, EINVALID, "name", ReasonTooLong},
		{"ErrNameTwoLines", func(a *Account) { a.Name = "Acme\nCorp" }, EINVALID, "name", ReasonMultiline},
		{"ErrTier", func(a *Account) { a.Tier = "gold" }, EINVALID, "tier", ReasonUnknown},
		{"ErrLevel", func(a *Account) { a.Level = "friend" }, EINVALID, "level", ReasonUnknown},
		{"ErrCadence", func(a *Account) { a.Cadence = "daily" }, EINVALID, "cadence", ReasonUnknown},
		{"ErrOwner", func(a *Account) { a.OwnerID = "<@U1>" }, EINVALID, "owner", ReasonNotSlackID},
		{"ErrSponsor", func(a *Account) { a.SponsorID = "U 1" }, EINVALID, "sponsor", ReasonNotSlackID},
		{"ErrChannel", func(a *Account) { a.ChannelID = "#acme" }, EINVALID, "channel", ReasonNotSlackID},
		{"ErrRevenue", func(a *Account) { a.Revenue = -1 }, EINVALID, "revenue", ReasonNegative},
		{"ErrWallet", func(a *Account) { a.WalletPct = 101 }, EINVALID, "wallet", ReasonRange},
		{"ErrSegment", func(a *Account) { a.Segment = "x\x00" }, EINVALID, "segment", ReasonControl},
		{"ErrRegion", func(a *Account) { a.Region = strings.Repeat("r", MaxTextLen+1) }, EINVALID, "region", ReasonTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok()
			tt.edit(&a)
			wantErr(t, a.Validate(), tt.code, EntityAccount, tt.field, tt.reason)
		})
	}
	a := ok()
	if err := a.Validate(); err != nil || a.Name != "Acme" || a.Tier != TierVendor || a.Level != LevelCommodity || a.Cadence != CadenceMonthly {
		t.Fatalf("normalized %+v (%v)", a, err)
	}
}

func TestContactValidate(t *testing.T) {
	tests := []struct {
		name                        string
		c                           Contact
		code, entity, field, reason string
	}{
		{"OK", Contact{TeamID: "T1", AccountID: 1, Name: "Jane Doe", Role: "Champion"}, "", "", "", ""},
		{"ErrNoTeam", Contact{AccountID: 1, Name: "Jane"}, EINVALID, EntityContact, FieldTeam, ReasonMissing},
		{"ErrNoAccount", Contact{TeamID: "T1", Name: "Jane"}, ENOTFOUND, EntityAccount, "", ""},
		{"ErrNoName", Contact{TeamID: "T1", AccountID: 1}, EINVALID, EntityContact, "name", ReasonMissing},
		{"ErrTitle", Contact{TeamID: "T1", AccountID: 1, Name: "Jane", Title: "CFO\tand\nCEO"}, EINVALID, EntityContact, "title", ReasonMultiline},
		{"ErrRole", Contact{TeamID: "T1", AccountID: 1, Name: "Jane", Role: "boss"}, EINVALID, EntityContact, "role", ReasonUnknown},
		{"ErrMirror", Contact{TeamID: "T1", AccountID: 1, Name: "Jane", MirrorID: "@ana"}, EINVALID, EntityContact, "mirror", ReasonNotSlackID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			wantErr(t, c.Validate(), tt.code, tt.entity, tt.field, tt.reason)
			if tt.code == "" && (c.Role != ContactChampion || c.Influence != DefaultInfluence) {
				t.Fatalf("normalized %+v", c)
			}
		})
	}
	bad := Contact{TeamID: "T1", AccountID: 1, Name: "Jane", Influence: 9}
	wantErr(t, bad.Validate(), EINVALID, EntityContact, "influence", ReasonRange)
	bad = Contact{TeamID: "T1", AccountID: 1, Name: "Jane", Stance: -3}
	wantErr(t, bad.Validate(), EINVALID, EntityContact, "stance", ReasonRange)
}

func TestInteractionValidate(t *testing.T) {
	ok := func() Interaction {
		return Interaction{TeamID: "T1", AccountID: 1, UserID: "U1", Kind: "CALL", Summary: " Talked\r\nrenewal ", Contacts: []int64{3, 1, 3}}
	}
	tests := []struct {
		name                string
		edit                func(in *Interaction)
		code, field, reason string
	}{
		{"OK", func(in *Interaction) {}, "", "", ""},
		{"ErrNoTeam", func(in *Interaction) { in.TeamID = "" }, EINVALID, FieldTeam, ReasonMissing},
		{"ErrUser", func(in *Interaction) { in.UserID = "<@U1>" }, EINVALID, "user", ReasonNotSlackID},
		{"ErrKind", func(in *Interaction) { in.Kind = "lunch" }, EINVALID, "kind", ReasonUnknown},
		{"ErrNoSummary", func(in *Interaction) { in.Summary = " \n " }, EINVALID, "summary", ReasonMissing},
		{"ErrSummaryControl", func(in *Interaction) { in.Summary = "a\rb" }, EINVALID, "summary", ReasonControl},
		{"ErrSummaryTooLong", func(in *Interaction) { in.Summary = strings.Repeat("s", MaxSummaryLen+1) }, EINVALID, "summary", ReasonTooLong},
		{"ErrContact", func(in *Interaction) { in.Contacts = []int64{2, 0} }, EINVALID, "contacts", ReasonUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok()
			tt.edit(&in)
			wantErr(t, in.Validate(), tt.code, EntityInteraction, tt.field, tt.reason)
		})
	}
	in := ok()
	if err := in.Validate(); err != nil || in.Kind != KindCall || in.Summary != "Talked\nrenewal" || len(in.Contacts) != 2 {
		t.Fatalf("normalized %+v (%v)", in, err)
	}
}

func TestMemberValidate(t *testing.T) {
	tests := []struct {
		name                string
		m                   Member
		code, field, reason string
	}{
		{"OK", Member{TeamID: "T1", AccountID: 1, UserID: "U1"}, "", "", ""},
		{"ErrNoTeam", Member{AccountID: 1, UserID: "U1"}, EINVALID, FieldTeam, ReasonMissing},
		{"ErrNoUser", Member{TeamID: "T1", AccountID: 1}, EINVALID, "user", ReasonMissing},
		{"ErrUser", Member{TeamID: "T1", AccountID: 1, UserID: "U1|ana"}, EINVALID, "user", ReasonNotSlackID},
		{"ErrRole", Member{TeamID: "T1", AccountID: 1, UserID: "U1", Role: "boss"}, EINVALID, "role", ReasonUnknown},
		{"ErrFunction", Member{TeamID: "T1", AccountID: 1, UserID: "U1", Function: strings.Repeat("f", MaxTextLen+1)}, EINVALID, "function", ReasonTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			wantErr(t, m.Validate(), tt.code, EntityMember, tt.field, tt.reason)
			if tt.code == "" && m.Role != RoleMember {
				t.Fatalf("role %q, want the default", m.Role)
			}
		})
	}
}

func TestOpportunityValidate(t *testing.T) {
	tests := []struct {
		name                string
		o                   Opportunity
		code, field, reason string
	}{
		{"OK", Opportunity{TeamID: "T1", AccountID: 1, Name: "Renewal 2026", Value: 250000}, "", "", ""},
		{"ErrNoTeam", Opportunity{AccountID: 1, Name: "R"}, EINVALID, FieldTeam, ReasonMissing},
		{"ErrNoName", Opportunity{TeamID: "T1", AccountID: 1}, EINVALID, "name", ReasonMissing},
		{"ErrNameNoLetter", Opportunity{TeamID: "T1", AccountID: 1, Name: "---"}, EINVALID, "name", ReasonNoLetter},
		{"ErrValue", Opportunity{TeamID: "T1", AccountID: 1, Name: "R", Value: -1}, EINVALID, "value", ReasonNegative},
		{"ErrOwner", Opportunity{TeamID: "T1", AccountID: 1, Name: "R", OwnerID: "ana" + "\x00"}, EINVALID, "owner", ReasonNotSlackID},
		{"ErrStage", Opportunity{TeamID: "T1", AccountID: 1, Name: "R", Stage: "won"}, EINVALID, "stage", ReasonUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			wantErr(t, o.Validate(), tt.code, EntityOpportunity, tt.field, tt.reason)
			if tt.code == "" && o.Stage != StageIdentified {
				t.Fatalf("stage %q, want the default", o.Stage)
			}
		})
	}
}

func TestCheckMove(t *testing.T) {
	tests := []struct {
		name     string
		from, to Stage
		reason   string
	}{
		{"OK", StageIdentified, StageQualified, ""},
		{"OKReopen", StageLost, StageQualified, ""},
		{"ErrSame", StagePursuing, StagePursuing, ReasonSameStage},
		{"ErrClosed", StageNoGo, StageClosing, ReasonStageClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckMove("Pilot", tt.from, tt.to)
			if tt.reason == "" {
				wantErr(t, err, "", "", "", "")
				return
			}
			wantErr(t, err, EINVALID, EntityStageChange, "stage", tt.reason)
			if e := AsError(err); e.Value != "Pilot" {
				t.Fatalf("value %q, want the opportunity's name", e.Value)
			}
		})
	}
}

func TestPlanValidate(t *testing.T) {
	tests := []struct {
		name                        string
		validate                    func() error
		code, entity, field, reason string
	}{
		{"ObjectiveOK", (&Objective{TeamID: "T1", AccountID: 1, Text: "Cut cost"}).Validate, "", "", "", ""},
		{"ObjectiveErrNoAccount", (&Objective{TeamID: "T1", Text: "Cut cost"}).Validate, ENOTFOUND, EntityAccount, "", ""},
		{"ObjectiveErrFor", (&Objective{TeamID: "T1", AccountID: 1, For: "them", Text: "x"}).Validate, EINVALID, EntityObjective, "for", ReasonUnknown},
		{"ObjectiveErrNoText", (&Objective{TeamID: "T1", AccountID: 1}).Validate, EINVALID, EntityObjective, "text", ReasonMissing},
		{"TacticOK", (&Tactic{TeamID: "T1", AccountID: 1, Text: "Workshop", Quarter: "q3", OwnerID: "U1"}).Validate, "", "", "", ""},
		{"TacticErrNoText", (&Tactic{TeamID: "T1", AccountID: 1}).Validate, EINVALID, EntityTactic, "text", ReasonMissing},
		{"TacticErrText", (&Tactic{TeamID: "T1", AccountID: 1, Text: "a\nb"}).Validate, EINVALID, EntityTactic, "text", ReasonMultiline},
		{"TacticErrQuarter", (&Tactic{TeamID: "T1", AccountID: 1, Text: "x", Quarter: "Q5"}).Validate, EINVALID, EntityTactic, "quarter", ReasonUnknown},
		{"TacticErrOwner", (&Tactic{TeamID: "T1", AccountID: 1, Text: "x", OwnerID: "@ana"}).Validate, EINVALID, EntityTactic, "owner", ReasonNotSlackID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.validate(), tt.code, tt.entity, tt.field, tt.reason)
		})
	}
}

func TestSurveyValidate(t *testing.T) {
	tests := []struct {
		name                        string
		validate                    func() error
		code, entity, field, reason string
	}{
		{"SurveyOKChannel", (&Survey{TeamID: "T1", AccountID: 1, ChannelID: "C1"}).Validate, "", "", "", ""},
		{"SurveyOKUser", (&Survey{TeamID: "T1", AccountID: 1, UserID: "U1"}).Validate, "", "", "", ""},
		{"SurveyErrNeither", (&Survey{TeamID: "T1", AccountID: 1}).Validate, EINVALID, EntitySurvey, "recipient", ReasonOneOf},
		{"SurveyErrBoth", (&Survey{TeamID: "T1", AccountID: 1, ChannelID: "C1", UserID: "U1"}).Validate, EINVALID, EntitySurvey, "recipient", ReasonOneOf},
		{"SurveyErrChannel", (&Survey{TeamID: "T1", AccountID: 1, ChannelID: "<#C1>"}).Validate, EINVALID, EntitySurvey, "channel", ReasonNotSlackID},
		{"AnswerOK", (&SurveyAnswer{Score: 10, Comment: "great\nteam", Contact: "Jane"}).Validate, "", "", "", ""},
		{"AnswerErrLow", (&SurveyAnswer{Score: -1}).Validate, EINVALID, EntitySurveyAnswer, "score", ReasonRange},
		{"AnswerErrHigh", (&SurveyAnswer{Score: 11}).Validate, EINVALID, EntitySurveyAnswer, "score", ReasonRange},
		{"AnswerErrComment", (&SurveyAnswer{Score: 5, Comment: strings.Repeat("c", MaxSurveyComment+1)}).Validate, EINVALID, EntitySurveyAnswer, "comment", ReasonTooLong},
		{"AnswerErrContact", (&SurveyAnswer{Score: 5, Contact: "Jane\nDoe"}).Validate, EINVALID, EntitySurveyAnswer, "contact", ReasonMultiline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.validate(), tt.code, tt.entity, tt.field, tt.reason)
		})
	}
}

func TestErrorIs(t *testing.T) {
	e := ErrConflict(EntityNudge, ReasonHandled)
	e.Value = "some detail"
	if !errors.Is(e, ErrNudgeHandled) || errors.Is(e, ErrNudgeSnoozed) {
		t.Fatal("errors.Is must match on code, entity, field and reason")
	}
	if errors.Is(Errorf(ECONFLICT, "This reminder was already handled."), ErrNudgeHandled) {
		t.Fatal("an error without a reason matched a sentinel")
	}
}
