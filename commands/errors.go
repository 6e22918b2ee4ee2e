package commands

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kambot/kambot/kam"
)

// ErrorText is the sentence a user reads for err, and the one place an
// error becomes one. Errors the command layer raised itself carry their sentence; the domain's
// and the store's carry a code, an entity, a field and a reason, worded
// here together with what to type instead. Anything else is "Internal
// error.".
func ErrorText(err error) string {
	e := kam.AsError(err)
	if e == nil || e.Entity == "" && e.Field == "" && e.Reason == "" {
		return kam.ErrorMessage(err)
	}
	var s string
	switch e.Code {
	case kam.ENOTFOUND:
		s = wordNotFound(e)
	case kam.ECONFLICT, kam.EUNAUTHORIZED:
		s = wordConflict(e)
	case kam.EINVALID:
		s = wordInvalid(e)
	}
	if s == "" {
		return e.Message
	}
	return s
}

func wordNotFound(e *kam.Error) string {
	switch e.Entity {
	case kam.EntityAccount:
		return "I can't find that account in this workspace. Type `/kam accounts all` to list every account."
	case kam.EntityContact:
		return "I can't find that stakeholder on this account. `/kam contact` with the account's name lists them."
	case kam.EntityOpportunity:
		return "I can't find that opportunity. Type `/kam pipeline <account>` to list an account's opportunities."
	case kam.EntityTactic:
		return fmt.Sprintf("There is no tactic %d on this account's plan. `/kam plan` with the account's name shows the numbers.", e.ID)
	case kam.EntitySurvey:
		return "I can't find that survey; it may have been removed with its account. Ask the account team to send a new one."
	case kam.EntitySurveyAnswer:
		return "You haven't answered this survey yet: pick a number from 0 to 10 first."
	case kam.EntityNudge:
		return "I have no record of sending this reminder, so I can't act on it. Open the account with `/kam show <account>`."
	case kam.EntityMember:
		return fmt.Sprintf("%s is not on this account's team. Type `/kam show <account>` to see who is.", mention(e.Value))
	case kam.EntityOutboxMessage:
		return fmt.Sprintf("No message with key %q in this workspace.", e.Value)
	case kam.EntityFailedMessage:
		return fmt.Sprintf("There is no failed message %d in this workspace. Type `/kam outbox` to list failed messages.", e.ID)
	}
	return ""
}

func wordConflict(e *kam.Error) string {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	switch e.Entity + "/" + e.Reason {
	case kam.EntityAccount + "/" + kam.ReasonTaken:
		return fmt.Sprintf("There is already an account named %q. Pick another name, or change that one with `/kam set`.", e.Value)
	case kam.EntityAccount + "/" + kam.ReasonLookAlike:
		return fmt.Sprintf("The name %q reads the same as the account %q (some letters look alike but are other characters: another alphabet, or full-width). Use that account, or pick a name that reads differently.",
			e.Value, e.Other)
	case kam.EntityAccount + "/" + kam.ReasonSlugClash:
		return fmt.Sprintf("The name %q would share the short name %q with the account %q. Pick a name that differs in more than punctuation.",
			e.Value, kam.Slugify(e.Value), e.Other)
	case kam.EntityContact + "/" + kam.ReasonTaken:
		return fmt.Sprintf("This account already has a stakeholder named %q. Change them with `/kam contact` … `set \"%s\"`.", e.Value, e.Value)
	case kam.EntityOpportunity + "/" + kam.ReasonTaken:
		return fmt.Sprintf("%s already has an opportunity named %q. Pick another name, or move that one with `/kam stage`.", e.Other, e.Value)
	case kam.EntityTactic + "/" + kam.ReasonDone:
		return fmt.Sprintf("Tactic %d (“%s”) was already done on %s.", e.ID, e.Value, day(e.Since))
	case kam.EntitySurvey + "/" + kam.ReasonRecent:
		who := mention(e.Other)
		if e.Field == "channel" {
			who = "<#" + e.Other + ">"
		}
		return fmt.Sprintf("%s was already asked about this account on %s; that survey takes answers until %s. Ask again from %s, or pick another recipient.",
			who, day(e.Since), day(e.Until), day(e.Since.Add(kam.SurveyResendAfter)))
	case kam.EntitySurvey + "/" + kam.ReasonClosed:
		return fmt.Sprintf("This survey closed on %s, so it takes no more answers. Thank you all the same.", day(e.Until))
	case kam.EntitySurvey + "/" + kam.ReasonNotRecipient:
		return fmt.Sprintf("This survey was sent to %s alone, so only they can answer it.", mention(e.Other))
	case kam.EntityNudge + "/" + kam.ReasonHandled:
		return "This reminder was already handled — nothing changed."
	case kam.EntityNudge + "/" + kam.ReasonSnoozed:
		return "This reminder is already snoozed — nothing changed."
	}
	return ""
}

func wordInvalid(e *kam.Error) string {
	switch {
	case e.Entity == kam.EntityOutboxMessage:
		return wordOutboxInvalid(e)
	case e.Field == kam.FieldActor:
		return "I don't know who is making this change, so I can't record it. Run the command again as a Slack user."
	case e.Field == kam.FieldTeam && (e.Entity == kam.EntityWeights || e.Entity == kam.EntitySettings):
		return "This request carries no Slack workspace."
	case e.Field == kam.FieldTeam:
		return "This request carries no Slack workspace, so I can't tell whose account it is."
	}
	if s := wordText(fieldName(e.Entity, e.Field), e); s != "" {
		return s
	}
	switch e.Reason {
	case kam.ReasonMissing:
		return missingText[e.Entity+"."+e.Field]
	case kam.ReasonNotSlackID:
		return fmt.Sprintf("%s %q is not a Slack ID; mention it as %s.", fieldName(e.Entity, e.Field), e.Value, slackIDHint(e.Entity, e.Field))
	case kam.ReasonUnknown:
		return wordUnknown(e)
	}
	switch e.Entity + "." + e.Field + "/" + e.Reason {
	case "account.revenue/" + kam.ReasonNegative:
		return "Revenue can't be negative; type an amount like `revenue=250k`."
	case "account.wallet/" + kam.ReasonRange:
		return "Share of wallet is a percentage from 0 to 100, e.g. `wallet=35`."
	case "opportunity.value/" + kam.ReasonNegative:
		return "An opportunity's value can't be negative; type an amount like `value=250k`."
	case "contact.influence/" + kam.ReasonRange:
		return fmt.Sprintf("Influence must be a whole number from %d (little) to %d (decisive), e.g. influence=4 (got %q).",
			kam.MinInfluence, kam.MaxInfluence, strconv.Itoa(e.Got))
	case "contact.stance/" + kam.ReasonRange:
		return fmt.Sprintf("Stance must be a whole number from %d (hostile) to +%d (advocate), e.g. stance=1 (got %q).",
			kam.MinStance, kam.MaxStance, strconv.Itoa(e.Got))
	case "survey answer.score/" + kam.ReasonRange:
		return fmt.Sprintf("A score is a whole number from 0 (not at all likely) to 10 (extremely likely); %d is not.", e.Got)
	case "settings.survey/" + kam.ReasonRange:
		return fmt.Sprintf("A survey cadence must be %d to %d days, e.g. survey=180 (got %d).", kam.MinSurveyEveryDays, kam.MaxSurveyEveryDays, e.Got)
	case "survey.closes/" + kam.ReasonRange:
		return "A survey must stay open for some time after it is sent."
	case "survey.recipient/" + kam.ReasonOneOf:
		return "Send a survey either to a channel or to one person, e.g. `/kam survey acme send #acme-shared` or `/kam survey acme send @jane`."
	case "stage change.at/" + kam.ReasonFuture:
		return "A stage change can't be dated in the future; record it when it happens."
	case "stage change.at/" + kam.ReasonBeforeLast:
		return fmt.Sprintf("%q has been %s since %s; a later change can't be dated before that.", e.Value, e.Other, e.Since.UTC().Format("2006-01-02 15:04 UTC"))
	case "stage change.stage/" + kam.ReasonSameStage:
		return fmt.Sprintf("%q is already %s. Pick another stage: %s.", e.Value, e.Other, kam.Names(kam.Stages))
	case "stage change.stage/" + kam.ReasonStageClosed:
		return fmt.Sprintf("%q is %s, a closed stage; re-open it first by moving it to identified or qualified.", e.Value, e.Other)
	case "survey answer.date/" + kam.ReasonFuture:
		return fmt.Sprintf("An answer can't be dated in the future; give the day it was given, e.g. date=%s.", e.Until.Format(time.DateOnly))
	}
	return ""
}

// wordText words the refusals of kam.CheckLine, kam.CheckText and
// kam.CheckName for the input called what ("The name"); "" for any other
// reason.
func wordText(what string, e *kam.Error) string {
	switch e.Reason {
	case kam.ReasonMultiline:
		return fmt.Sprintf("%s must fit on one line.", what)
	case kam.ReasonControl:
		return fmt.Sprintf("%s contains a control character — retype it as plain text.", what)
	case kam.ReasonNotText:
		return fmt.Sprintf("%s contains bytes that are not text. Type it again.", what)
	case kam.ReasonTooLong:
		return fmt.Sprintf("%s is %d characters; the limit is %d — shorten it.", what, e.Got, e.Limit)
	case kam.ReasonNoLetter:
		return fmt.Sprintf("%s needs at least one letter or digit, e.g. \"Acme Corp\".", what)
	case kam.ReasonBidi:
		return fmt.Sprintf("%s contains an invisible character that changes the direction of the text, so it could read as something else — retype it as plain text.", what)
	}
	return ""
}

// fieldNames name the inputs in sentences, by entity.field.
var fieldNames = map[string]string{
	"account.name":            "The account name",
	"account.owner":           "The owner",
	"account.sponsor":         "The sponsor",
	"account.channel":         "The channel",
	"contact.name":            "The stakeholder's name",
	"contact.mirror":          "The mirror",
	"interaction.user":        "The person",
	"interaction.summary":     "The summary",
	"member.user":             "The person",
	"opportunity.name":        "The opportunity name",
	"objective.text":          "The objective",
	"tactic.text":             "The tactic",
	"plan review.note":        "The review note",
	"scoring.user":            "The person",
	"survey.user":             "The person",
	"survey answer.user":      "The respondent",
	"survey answer.user_team": "The respondent's workspace",
	"survey answer.contact":   "The contact's name",
}

// fieldName names an entity's field in a sentence: "The segment".
func fieldName(entity, field string) string {
	if s, ok := fieldNames[entity+"."+field]; ok {
		return s
	}
	return "The " + field
}

// slackIDHint says how to give a Slack ID for the field.
func slackIDHint(entity, field string) string {
	switch {
	case field == "channel":
		return "#channel"
	case field == "user_team":
		return "a Slack team ID"
	case field == "mirror":
		return "mirror=@person"
	case entity == kam.EntityTactic && field == "owner":
		return "owner=@person"
	}
	return "@person"
}

// missingText says what to type when a required input is empty, by
// entity.field.
var missingText = map[string]string{
	"account.name":        "An account needs a name, e.g. `/kam add \"Acme Corp\"`.",
	"account.query":       "Which account? Type its name or the start of it, e.g. `acme`.",
	"contact.name":        "Give the stakeholder's name in quotes, e.g. `/kam contact acme add \"Jane Doe\" title=CFO`.",
	"opportunity.name":    "An opportunity needs a name, e.g. `/kam opp acme add \"Renewal 2026\" value=250k`.",
	"interaction.summary": "Say what happened after the kind, e.g. `/kam log acme call Discussed the renewal`.",
	"member.user":         "Who should join the team? Mention them, e.g. `/kam team acme add @dana`.",
	"member.leaver":       "Who should leave the team? Mention them, e.g. `/kam team acme remove @dana`.",
	"objective.text":      "Say the objective in quotes, e.g. `/kam plan acme objective \"Cut their logistics cost 10%\" for=customer`.",
	"tactic.text":         "Say the tactic in quotes, e.g. `/kam plan acme tactic \"Run a joint workshop\" quarter=Q3 owner=@ana due=2025-09-30`.",
	"weights.":            "Give at least one factor=weight, e.g. `/kam weights size=2 trust=3`.",
	"scoring.":            "Give at least one factor=score, e.g. `/kam score acme size=4 trust=3`.",
}

// wordUnknown words a value that is not one of the allowed ones.
func wordUnknown(e *kam.Error) string {
	switch e.Entity + "." + e.Field {
	case "account.tier":
		return enumText(e.Value, "tier", kam.Names(kam.Tiers))
	case "account.level":
		return enumText(e.Value, "level", kam.Names(kam.Levels))
	case "account.cadence":
		return enumText(e.Value, "cadence", kam.Names(kam.Cadences))
	case "member.role":
		return enumText(e.Value, "role", kam.Names(kam.Roles))
	case "opportunity.stage":
		return enumText(e.Value, "stage", kam.Names(kam.Stages))
	case "contact.role":
		return fmt.Sprintf("%q is not a role in the decision; type role=%s.", e.Value, kam.Names(kam.ContactRoles))
	case "interaction.kind":
		return fmt.Sprintf("%q is not a kind of interaction; type one of %s, e.g. `/kam log acme call Discussed the renewal`.",
			e.Value, kam.Names(kam.InteractionKinds))
	case "interaction.contacts":
		return "One of the people met is not on the stakeholder map. Add them with `/kam contact <account> add \"<name>\"` first."
	case "tactic.quarter":
		return fmt.Sprintf("Quarter must be a year and Q1…Q4 that agrees with the due date, e.g. quarter=2027-Q1 (got %q).", e.Value)
	case "objective.for":
		return fmt.Sprintf("%q is not whose objective it is; type for=customer or for=us.", e.Value)
	case "stage change.stage":
		return fmt.Sprintf("That is not a stage; type one of %s.", kam.Names(kam.Stages))
	}
	return ""
}

func enumText(v, key, allowed string) string {
	return fmt.Sprintf("%q is not a %s; type %s=%s.", v, key, key, allowed)
}

// wordOutboxInvalid words the store's refusal of a message to queue. The
// messages come from kambot's own code, so a user only sees these when
// kambot has a bug; they still say what is wrong.
func wordOutboxInvalid(e *kam.Error) string {
	switch e.Field + "/" + e.Reason {
	case kam.FieldTeam + "/" + kam.ReasonMissing:
		return "A message needs the workspace it belongs to."
	case "key/" + kam.ReasonMalformed:
		return fmt.Sprintf("A message key must be 1 to %d characters without surrounding spaces.", e.Limit)
	case "channel/" + kam.ReasonNotSlackID:
		return fmt.Sprintf("%q is not a channel or user ID; pick the channel as #channel or the person as @person.", e.Value)
	case "text/" + kam.ReasonMissing:
		return "A message needs text or blocks; write what it should say."
	case "text/" + kam.ReasonTooLong:
		return fmt.Sprintf("A message can hold at most %d characters of text; shorten it.", e.Limit)
	case "blocks/" + kam.ReasonMalformed:
		return "The message blocks are not a JSON array of Block Kit blocks."
	case "blocks/" + kam.ReasonTooLong:
		return fmt.Sprintf("A message can hold at most %d blocks; this one has %d. Split it.", e.Limit, e.Got)
	case "metadata/" + kam.ReasonMalformed:
		return "The message metadata is not a JSON object."
	case "metadata/" + kam.ReasonTooLong:
		return fmt.Sprintf("The message metadata can be at most %d bytes; keep only IDs in it.", e.Limit)
	}
	return ""
}
