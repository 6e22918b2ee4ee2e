package commands

import (
	"context"
	"fmt"
	"math"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/kam"
)

// briefInteractions bounds the interactions a brief is built from. The
// prompt builder picks the most recent and most telling within its token
// budget, so a longer history only costs loading time: 500 cover years of
// a busy account while a 50,000-interaction account loads as fast as any.
const briefInteractions = 500

// briefSurveyAnswers bounds the survey answers read for their comments; the
// prompt quotes the latest few.
const briefSurveyAnswers = 50

// briefFacts gathers what a brief may say about acct, from this workspace's
// records of that account only: the card, its health with the alerts and
// relationship model exactly as /kam health assesses them, its quadrant,
// stakeholders, latest interactions, open opportunities, plan and NPS. The
// requester is the actor and "now" the actor's clock. Without account
// intelligence the brief is built from the core records alone.
func (a *Actor) briefFacts(ctx context.Context, acct kam.Account) (brief.Facts, error) {
	if acct.TeamID != "" && acct.TeamID != a.TeamID {
		// Every loader below is scoped to a.TeamID; an account of another
		// workspace here is a wiring bug, never something to brief on.
		return brief.Facts{}, fmt.Errorf("brief facts: account %d is of workspace %s, not %s", acct.ID, acct.TeamID, a.TeamID)
	}
	// The brief's dates are in its reader's zone and its amounts in the
	// workspace currency, as on the card.
	f := brief.Facts{Account: acct, Requester: a.UserID, Now: a.Now.In(a.Loc), Currency: a.Currency()}

	var err error
	if f.Interactions, err = a.Store().Interactions(ctx, a.TeamID, acct.ID, briefInteractions); err != nil {
		return brief.Facts{}, userErr(err, "brief facts: interactions of account %d", acct.ID)
	}
	if len(f.Interactions) == briefInteractions {
		// Only the latest were loaded: say how long the history really is.
		if f.InteractionsLogged, err = a.Store().CountAccountInteractions(ctx, a.TeamID, acct.ID); err != nil {
			return brief.Facts{}, userErr(err, "brief facts: count interactions of account %d", acct.ID)
		}
	}
	if f.Opportunities, err = a.Store().Opportunities(ctx, a.TeamID, acct.ID, true); err != nil {
		return brief.Facts{}, userErr(err, "brief facts: opportunities of account %d", acct.ID)
	}
	if f.NPS, err = a.briefNPS(ctx, acct); err != nil {
		return brief.Facts{}, err
	}
	if a.intel() == nil {
		return f, nil
	}

	hs, err := a.healthOf(ctx, []kam.Account{acct})
	if err != nil {
		return brief.Facts{}, fmt.Errorf("brief facts: %w", err)
	}
	h := hs[0]
	// A new account without data has no score to brief on.
	f.Health = brief.Health{Score: h.Score, Scored: !h.New, Alerts: alertTexts(h.Alerts)}
	f.Relationship = brief.Relationship{Model: string(h.Relationship.Model), Reason: h.Relationship.Reason}
	f.Stakeholders = make([]brief.Stakeholder, len(h.Contacts))
	for i, c := range h.Contacts {
		f.Stakeholders[i] = brief.Stakeholder{
			ID: c.ID, Name: c.Name, Title: c.Title, Role: c.Role,
			Influence: c.Influence, Stance: c.Stance, MirrorID: c.MirrorID, LastContact: c.LastContact,
			Agenda: c.BusinessAgenda, Personal: c.PersonalAgenda, MeasuredBy: c.MeasuredBy,
		}
	}

	pos, _, err := a.positions(ctx, acct)
	if err != nil {
		return brief.Facts{}, fmt.Errorf("brief facts: %w", err)
	}
	if pos.Rated {
		f.Quadrant = string(pos.Quadrant)
	}

	p, err := a.intel().Plan(ctx, a.TeamID, acct.ID)
	if err != nil {
		return brief.Facts{}, userErr(err, "brief facts: plan of account %d", acct.ID)
	}
	for _, o := range p.Objectives {
		text := o.Text
		if o.For == kam.ForCustomer {
			text += " (the customer's objective)"
		}
		f.Objectives = append(f.Objectives, text)
	}
	f.Charter, f.Target, f.TargetYear = charterFacts(p, a.Now.In(a.Loc).Year())
	f.Tactics = make([]brief.Tactic, len(p.Tactics))
	for i, t := range p.Tactics {
		f.Tactics[i] = brief.Tactic{Text: t.Text, Quarter: t.Quarter, OwnerID: t.OwnerID, Due: t.Due, Done: t.Done}
	}
	return f, nil
}

// alertTexts words health's alerts as /kam health lists them, most severe
// first: "Stalled: “Checkout revamp” in pursuing for 75 days".
func alertTexts(alerts []kam.Alert) []string {
	out := make([]string, len(alerts))
	for i, al := range alerts {
		label := alertLabels[al.Kind]
		if label == "" {
			label = string(al.Kind)
		}
		out[i] = capitalize(label) + ": " + al.Fact()
	}
	return out
}

// briefNPS reads the account's NPS as health does, with the comments of
// its recent answers.
func (a *Actor) briefNPS(ctx context.Context, acct kam.Account) (brief.NPS, error) {
	sums, err := a.Store().NPSSummaries(ctx, a.TeamID, []int64{acct.ID}, a.Now)
	if err != nil {
		return brief.NPS{}, fmt.Errorf("brief facts: survey results of account %d: %w", acct.ID, err)
	}
	n := npsFacts(sums[acct.ID])
	if n.Responses == 0 {
		return n, nil
	}
	// Every recent comment, not only the latest answer's.
	answers, err := a.Store().AccountSurveyAnswers(ctx, a.TeamID, acct.ID, briefSurveyAnswers)
	if err != nil {
		return brief.NPS{}, fmt.Errorf("brief facts: survey answers of account %d: %w", acct.ID, err)
	}
	n.Comments = n.Comments[:0]
	for _, x := range answers {
		if x.Comment != "" && x.AccountID == acct.ID {
			ans := x.NPSAnswer()
			n.Comments = append(n.Comments, brief.NPSComment{Score: ans.Score, Text: ans.Comment, Contact: npsWho(ans), At: ans.At})
		}
	}
	return n, nil
}

// npsFacts converts the surveys' summary; nil (no answers) is no NPS.
func npsFacts(s *kam.NPSSummary) brief.NPS {
	if s == nil || s.Responses == 0 {
		return brief.NPS{}
	}
	n := brief.NPS{Score: int(math.Round(s.NPS)), Responses: s.Responses}
	if s.PreviousNPS != nil {
		n.Trend = int(math.Round(s.NPS - *s.PreviousNPS))
	}
	if l := s.Latest; l != nil && l.Comment != "" {
		n.Comments = []brief.NPSComment{{Score: l.Score, Text: l.Comment, Contact: npsWho(*l), At: l.At}}
	}
	return n
}

// npsWho names who gave an answer: the stakeholder's name, else a mention
// of the Slack user who clicked, else "".
func npsWho(a kam.NPSAnswer) string {
	if a.Contact == "" && a.UserID != "" {
		return mention(a.UserID)
	}
	return a.Contact
}
