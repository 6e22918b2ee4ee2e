package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestErrorText pins the sentence of every kind of error the domain and the
// store return: they carry codes and details only, and these are the words
// users read.
func TestErrorText(t *testing.T) {
	day := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	with := func(e *kam.Error, f func(e *kam.Error)) *kam.Error { f(e); return e }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"Internal", errors.New("disk full"), "Internal error."},
		{"CommandOwn", kam.Errorf(kam.EINVALID, "Say what to change."), "Say what to change."},
		{"Wrapped", fmt.Errorf("create: %w", kam.ErrNotFound(kam.EntityAccount)),
			"I can't find that account in this workspace. Type `/kam accounts all` to list every account."},
		{"NotFoundContact", kam.ErrNotFound(kam.EntityContact),
			"I can't find that stakeholder on this account. `/kam contact` with the account's name lists them."},
		{"NotFoundOpportunity", kam.ErrNotFound(kam.EntityOpportunity),
			"I can't find that opportunity. Type `/kam pipeline <account>` to list an account's opportunities."},
		{"NotFoundTactic", with(kam.ErrNotFound(kam.EntityTactic), func(e *kam.Error) { e.ID = 4 }),
			"There is no tactic 4 on this account's plan. `/kam plan` with the account's name shows the numbers."},
		{"NotFoundSurvey", kam.ErrNotFound(kam.EntitySurvey),
			"I can't find that survey; it may have been removed with its account. Ask the account team to send a new one."},
		{"NotFoundAnswer", kam.ErrNotFound(kam.EntitySurveyAnswer),
			"You haven't answered this survey yet: pick a number from 0 to 10 first."},
		{"NotFoundNudge", kam.ErrNotFound(kam.EntityNudge),
			"I have no record of sending this reminder, so I can't act on it. Open the account with `/kam show <account>`."},
		{"NotFoundMember", with(kam.ErrNotFound(kam.EntityMember), func(e *kam.Error) { e.Value = "UBEN" }),
			"<@UBEN> is not on this account's team. Type `/kam show <account>` to see who is."},
		{"NotFoundFailedMessage", with(kam.ErrNotFound(kam.EntityFailedMessage), func(e *kam.Error) { e.ID = 7 }),
			"There is no failed message 7 in this workspace. Type `/kam outbox` to list failed messages."},
		{"AccountTaken", with(kam.ErrConflict(kam.EntityAccount, kam.ReasonTaken), func(e *kam.Error) { e.Value = "Acme" }),
			"There is already an account named \"Acme\". Pick another name, or change that one with `/kam set`."},
		{"AccountSlugClash", with(kam.ErrConflict(kam.EntityAccount, kam.ReasonSlugClash), func(e *kam.Error) { e.Value, e.Other = "Café-Müller!", "Café Müller" }),
			"The name \"Café-Müller!\" would share the short name \"cafe-muller\" with the account \"Café Müller\". Pick a name that differs in more than punctuation."},
		{"ContactTaken", with(kam.ErrConflict(kam.EntityContact, kam.ReasonTaken), func(e *kam.Error) { e.Value = "Jane" }),
			"This account already has a stakeholder named \"Jane\". Change them with `/kam contact` … `set \"Jane\"`."},
		{"OpportunityTaken", with(kam.ErrConflict(kam.EntityOpportunity, kam.ReasonTaken), func(e *kam.Error) { e.Value, e.Other = "Pilot", "Acme" }),
			"Acme already has an opportunity named \"Pilot\". Pick another name, or move that one with `/kam stage`."},
		{"TacticDone", with(kam.ErrConflict(kam.EntityTactic, kam.ReasonDone), func(e *kam.Error) { e.ID, e.Value, e.Since = 2, "Workshop", day }),
			"Tactic 2 (“Workshop”) was already done on 2025-03-01."},
		{"SurveyRecentChannel", with(kam.ErrConflict(kam.EntitySurvey, kam.ReasonRecent), func(e *kam.Error) {
			e.Field, e.Other, e.Since, e.Until = "channel", "C1", day, day.Add(kam.SurveyOpenFor)
		}), "<#C1> was already asked about this account on 2025-03-01; that survey takes answers until 2025-03-31. Ask again from 2025-03-08, or pick another recipient."},
		{"SurveyRecentUser", with(kam.ErrConflict(kam.EntitySurvey, kam.ReasonRecent), func(e *kam.Error) {
			e.Field, e.Other, e.Since, e.Until = "user", "UJANE", day, day.Add(kam.SurveyOpenFor)
		}), "<@UJANE> was already asked"},
		{"SurveyClosed", with(kam.ErrConflict(kam.EntitySurvey, kam.ReasonClosed), func(e *kam.Error) { e.Until = day }),
			"This survey closed on 2025-03-01, so it takes no more answers. Thank you all the same."},
		{"SurveyNotRecipient", &kam.Error{Code: kam.EUNAUTHORIZED, Entity: kam.EntitySurvey, Reason: kam.ReasonNotRecipient, Other: "UJANE"},
			"This survey was sent to <@UJANE> alone, so only they can answer it."},
		{"NudgeHandled", kam.ErrNudgeHandled, "This reminder was already handled — nothing changed."},
		{"NudgeSnoozed", kam.ErrNudgeSnoozed, "This reminder is already snoozed — nothing changed."},
		{"NoTeam", kam.ErrMissingTeam(kam.EntityAccount), "This request carries no Slack workspace, so I can't tell whose account it is."},
		{"NoTeamWeights", kam.ErrMissingTeam(kam.EntityWeights), "This request carries no Slack workspace."},
		{"NoActor", kam.ErrMissingActor, "I don't know who is making this change, so I can't record it. Run the command again as a Slack user."},
		{"NameMissing", kam.ErrInvalid(kam.EntityAccount, "name", kam.ReasonMissing), "An account needs a name, e.g. `/kam add \"Acme Corp\"`."},
		{"QueryMissing", kam.ErrInvalid(kam.EntityAccount, "query", kam.ReasonMissing), "Which account? Type its name or the start of it, e.g. `acme`."},
		{"LeaverMissing", kam.ErrInvalid(kam.EntityMember, "leaver", kam.ReasonMissing), "Who should leave the team? Mention them, e.g. `/kam team acme remove @dana`."},
		{"WeightsMissing", kam.ErrInvalid(kam.EntityWeights, "", kam.ReasonMissing), "Give at least one factor=weight, e.g. `/kam weights size=2 trust=3`."},
		{"SegmentTooLong", with(kam.ErrInvalid(kam.EntityAccount, "segment", kam.ReasonTooLong), func(e *kam.Error) { e.Limit, e.Got = 200, 201 }),
			"The segment is 201 characters; the limit is 200 — shorten it."},
		{"NameTwoLines", kam.ErrInvalid(kam.EntityOpportunity, "name", kam.ReasonMultiline), "The opportunity name must fit on one line."},
		{"NotSlackID", with(kam.ErrInvalid(kam.EntityAccount, "channel", kam.ReasonNotSlackID), func(e *kam.Error) { e.Value = "#acme" }),
			"The channel \"#acme\" is not a Slack ID; mention it as #channel."},
		{"UnknownTier", with(kam.ErrInvalid(kam.EntityAccount, "tier", kam.ReasonUnknown), func(e *kam.Error) { e.Value = "gold" }),
			"\"gold\" is not a tier; type tier=vendor, preferred, consultant or partner."},
		{"UnknownContact", kam.ErrInvalid(kam.EntityInteraction, "contacts", kam.ReasonUnknown),
			"One of the people met is not on the stakeholder map. Add them with `/kam contact <account> add \"<name>\"` first."},
		{"Stance", with(kam.ErrInvalid(kam.EntityContact, "stance", kam.ReasonRange), func(e *kam.Error) { e.Got = 3 }),
			"Stance must be a whole number from -2 (hostile) to +2 (advocate), e.g. stance=1 (got \"3\")."},
		{"Quarter", with(kam.ErrInvalid(kam.EntityTactic, "quarter", kam.ReasonUnknown), func(e *kam.Error) { e.Value = "Q5" }),
			"Quarter must be a year and Q1…Q4 that agrees with the due date, e.g. quarter=2027-Q1 (got \"Q5\")."},
		{"Wallet", kam.ErrInvalid(kam.EntityAccount, "wallet", kam.ReasonRange), "Share of wallet is a percentage from 0 to 100, e.g. `wallet=35`."},
		{"Score", kam.CheckScore(11), "A score is a whole number from 0 (not at all likely) to 10 (extremely likely); 11 is not."},
		{"Cadence", with(kam.ErrInvalid(kam.EntitySettings, "survey", kam.ReasonRange), func(e *kam.Error) { e.Got = 5 }),
			"A survey cadence must be 30 to 730 days, e.g. survey=180 (got 5)."},
		{"SameStage", kam.CheckMove("Pilot", kam.StagePursuing, kam.StagePursuing),
			"\"Pilot\" is already pursuing. Pick another stage: identified, qualified, pursuing, closing, contracted, engaged, no-go or lost."},
		{"ClosedStage", kam.CheckMove("Pilot", kam.StageLost, kam.StageClosing),
			"\"Pilot\" is lost, a closed stage; re-open it first by moving it to identified or qualified."},
		{"BeforeLast", with(kam.ErrInvalid(kam.EntityStageChange, "at", kam.ReasonBeforeLast), func(e *kam.Error) { e.Value, e.Other, e.Since = "Pilot", "qualified", day }),
			"\"Pilot\" has been qualified since 2025-03-01 09:30 UTC; a later change can't be dated before that."},
		{"AnswerFuture", with(kam.ErrInvalid(kam.EntitySurveyAnswer, "date", kam.ReasonFuture), func(e *kam.Error) { e.Until = day }),
			"An answer can't be dated in the future; give the day it was given, e.g. date=2025-03-01."},
		{"OutboxChannel", with(kam.ErrInvalid(kam.EntityOutboxMessage, "channel", kam.ReasonNotSlackID), func(e *kam.Error) { e.Value = "<#C1>" }),
			"\"<#C1>\" is not a channel or user ID; pick the channel as #channel or the person as @person."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorText(tt.err); !strings.HasPrefix(got, tt.want) {
				t.Fatalf("ErrorText = %q\nwant      %q", got, tt.want)
			}
		})
	}
}

// TestCommandAndStoreAgree feeds the same text to the command layer's
// checks and to the store: both must accept it or both refuse it, for the
// same reason, whatever tabs, line breaks, control characters, accents or
// lengths it holds.
func TestCommandAndStoreAgree(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acct := kam.Account{TeamID: "T1", Name: "Agreement"}
	if err := db.CreateAccount(ctx, &acct, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	inputs := []struct{ name, in string }{
		{"plain", "Acme Corp"},
		{"accents", "Café Müller"},
		{"tab", "Acme\tCorp"},
		{"bare CR", "Acme\rCorp"},
		{"CRLF", "Acme\r\nCorp"},
		{"LF", "Acme\nCorp"},
		{"bell", "Acme\x07Corp"},
		{"NUL", "Acme\x00Corp"},
		{"DEL", "Acme\x7fCorp"},
		{"not UTF-8", "Caf\xe9"},
		{"no letter", "!!!"},
		{"name at limit", strings.Repeat("é", kam.MaxNameLen)},
		{"name over limit", strings.Repeat("é", kam.MaxNameLen+1)},
		{"text over limit", strings.Repeat("x", kam.MaxTextLen+1)},
		{"summary over limit", strings.Repeat("s", kam.MaxSummaryLen+1)},
	}
	reason := func(err error) string {
		if err == nil {
			return "accepted"
		}
		if e := kam.AsError(err); e != nil && e.Reason != "" {
			return e.Reason
		}
		return "refused: " + ErrorText(err)
	}
	// The command layer's wording loses the reason; its sentence says it.
	cmdReason := func(err error) string {
		if err == nil {
			return "accepted"
		}
		for _, r := range []string{kam.ReasonMultiline, kam.ReasonControl, kam.ReasonNotText, kam.ReasonTooLong, kam.ReasonNoLetter} {
			if sameWording(err, r) {
				return r
			}
		}
		return "refused: " + ErrorText(err)
	}
	for i, tt := range inputs {
		t.Run(tt.name, func(t *testing.T) {
			// An account's name: checkName in `/kam add`, the store's
			// CreateAccount (in a workspace of its own, so no name is taken).
			_, cmdErr := checkName("The x", tt.in)
			a := kam.Account{TeamID: fmt.Sprintf("TNAME%d", i), Name: tt.in}
			storeErr := db.CreateAccount(ctx, &a, "UADMIN")
			if c, s := cmdReason(cmdErr), reason(storeErr); c != s {
				t.Errorf("name: command %s, store %s", c, s)
			}
			// A one-line text: the segment.
			_, cmdErr = CheckText("The x", tt.in, kam.MaxTextLen, false)
			a = kam.Account{TeamID: "T1", Name: fmt.Sprintf("Segment %d", i), Segment: tt.in}
			storeErr = db.CreateAccount(ctx, &a, "UADMIN")
			if c, s := cmdReason(cmdErr), reason(storeErr); c != s {
				t.Errorf("segment: command %s, store %s", c, s)
			}
			// Text that may span lines: an interaction's summary.
			cmdText, cmdErr := CheckText("The x", tt.in, kam.MaxSummaryLen, true)
			in := kam.Interaction{TeamID: "T1", AccountID: acct.ID, Kind: kam.KindNote, Summary: tt.in}
			storeErr = db.LogInteraction(ctx, &in, "UADMIN", nil)
			if c, s := cmdReason(cmdErr), reason(storeErr); c != s {
				t.Errorf("summary: command %s, store %s", c, s)
			}
			if cmdErr == nil && storeErr == nil && cmdText != in.Summary {
				t.Errorf("summary: command keeps %q, store %q", cmdText, in.Summary)
			}
		})
	}
}

// sameWording reports whether err's text is the command layer's sentence
// for reason, whatever the numbers in it.
func sameWording(err error, reason string) bool {
	want := wordText("The x", &kam.Error{Reason: reason})
	if reason == kam.ReasonTooLong {
		return strings.HasPrefix(ErrorText(err), "The x is ") && strings.HasSuffix(ErrorText(err), "— shorten it.")
	}
	return ErrorText(err) == want
}
