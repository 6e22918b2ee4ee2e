package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Account intelligence: the selection matrix (/kam score, /kam weights), the
// stakeholder map (/kam contact, log's with=), account plans (/kam plan) and
// health with its early-warning alerts (/kam health, the show card, the
// quadrant filter of /kam accounts). It is on when Config.Intel is set.

// ContactStore keeps the stakeholder map. Like Store, every method is scoped
// to one workspace; a missing record is kam.ENOTFOUND, a duplicate name
// kam.ECONFLICT, bad input kam.EINVALID with nothing changed.
type ContactStore interface {
	// AddContact puts a stakeholder on an account's map, filling ID and times.
	AddContact(ctx context.Context, c *kam.Contact, actor string) error
	// UpdateContact saves every field of c (matched by TeamID, AccountID
	// and ID); fields names the keys the user set, for the audit log.
	UpdateContact(ctx context.Context, c *kam.Contact, actor string, fields []string) error
	// RemoveContact takes a stakeholder off the map.
	RemoveContact(ctx context.Context, teamID string, accountID, contactID int64, actor string) error
	// Contacts returns an account's stakeholders by name, with their last contact.
	Contacts(ctx context.Context, teamID string, accountID int64) ([]kam.Contact, error)
}

// ScoreStore keeps selection scorings and the workspace's selection
// criteria (factors and weights), versioned.
type ScoreStore interface {
	// Criteria returns the workspace's current criteria (version 0, the
	// book's, until an admin changes them).
	Criteria(ctx context.Context, teamID string) (kam.Criteria, error)
	// CriteriaSets returns every version of the workspace's criteria.
	CriteriaSets(ctx context.Context, teamID string) (kam.CriteriaSets, error)
	// ChangeCriteria applies a change as the next version, audited, and
	// returns it; a change that cannot be made changes nothing.
	ChangeCriteria(ctx context.Context, teamID string, ch kam.CriteriaChange, actor string) (kam.Criteria, error)
	// SaveScoring lays s.Scores over the account's latest scores under the
	// current criteria and keeps the result with author, time and
	// criteria version, filling s.
	SaveScoring(ctx context.Context, s *kam.Scoring, actor string) error
	// Scorings returns an account's scorings, newest first (all when limit ≤ 0).
	Scorings(ctx context.Context, teamID string, accountID int64, limit int) ([]kam.Scoring, error)
	// LatestScores returns every scored account's latest scoring (scores
	// and criteria version) by account ID.
	LatestScores(ctx context.Context, teamID string) (map[int64]kam.Scoring, error)
}

// PlanStore keeps account plans.
type PlanStore interface {
	// AddObjective adds an objective (ours when For is empty), filling ID.
	AddObjective(ctx context.Context, o *kam.Objective, actor string) error
	// AddTactic adds a tactic numbered after the last one, filling ID and Number.
	AddTactic(ctx context.Context, t *kam.Tactic, actor string) error
	// CompleteTactic marks tactic number n done; ECONFLICT when it already is.
	CompleteTactic(ctx context.Context, teamID string, accountID int64, number int, actor string) (kam.Tactic, error)
	// RecordPlanReview records a review of the plan now, filling r.
	RecordPlanReview(ctx context.Context, r *kam.PlanReview, actor string) error
	// Plan returns an account's plan.
	Plan(ctx context.Context, teamID string, accountID int64) (kam.Plan, error)
}

// HealthStore loads what kam.AssessHealth needs for a whole portfolio in a
// few set-based queries, survey results (Satisfaction) included where
// there are any.
type HealthStore interface {
	// HealthInputsEach loads the inputs of the accounts a chunk at a time
	// and calls fn with each, in their order, so that a whole workspace's
	// window of interactions is never in memory at once.
	HealthInputsEach(ctx context.Context, teamID string, accts []kam.Account, now time.Time, fn func(kam.HealthInput) error) error
}

// IntelStore is what the account-intelligence commands need of persistence;
// *store.DB implements it.
type IntelStore interface {
	ContactStore
	ScoreStore
	PlanStore
	HealthStore
	PictureStore
}

// intelExtension is what account intelligence adds to the engine.
func intelExtension() Extension {
	return Extension{
		Commands:     []Command{scoreCommand(), weightsCommand(), criteriaCommand(), contactCommand(), planCommand(), healthCommand()},
		Views:        []ViewHandler{{CallbackID: scoreCallbackID, Run: submitScoreView}},
		CardSections: []CardSection{{Name: "intelligence", Render: renderIntelCard}},
	}
}

// intel is the engine's IntelStore; handlers only run when it is set.
func (a *Actor) intel() IntelStore { return a.e.intel }

// userErr passes a *kam.Error through and wraps anything else with what
// was being done, for the log.
func userErr(err error, format string, args ...any) error {
	if err == nil || kam.ErrorCode(err) != kam.EINTERNAL {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// healthOf loads and assesses the accounts, in their order.
func (a *Actor) healthOf(ctx context.Context, accts []kam.Account) ([]kam.Health, error) {
	return a.assess(ctx, accts, kam.AssessHealth)
}

// healthSummaries is healthOf for portfolio views: each account's
// kam.Health.Summary, so that a workspace of thousands of accounts is held
// in a few megabytes, assessed without the words only one account's view
// shows.
func (a *Actor) healthSummaries(ctx context.Context, accts []kam.Account) ([]kam.Health, error) {
	return a.assess(ctx, accts, kam.AssessHealthSummary)
}

func (a *Actor) assess(ctx context.Context, accts []kam.Account, assess func(kam.HealthInput, time.Time) kam.Health) ([]kam.Health, error) {
	// Assessed as they stream in: only the results are kept.
	out := make([]kam.Health, 0, len(accts))
	err := a.intel().HealthInputsEach(ctx, a.TeamID, accts, a.Now, func(in kam.HealthInput) error {
		out = append(out, assess(in, a.Now))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load health inputs: %w", err)
	}
	return out, nil
}

// findContact resolves a stakeholder by name: exact (ignoring case), else a
// unique start of the name. The error lists candidates or suggests the
// closest name.
func findContact(acct kam.Account, contacts []kam.Contact, name string) (kam.Contact, error) {
	q := strings.ToLower(strings.Join(strings.Fields(name), " "))
	if q == "" {
		return kam.Contact{}, kam.Errorf(kam.EINVALID, "Name the stakeholder in quotes, e.g. \"Jane Doe\".")
	}
	var prefix []kam.Contact
	for _, c := range contacts {
		n := strings.ToLower(c.Name)
		if n == q {
			return c, nil
		}
		if strings.HasPrefix(n, q) {
			prefix = append(prefix, c)
		}
	}
	switch len(prefix) {
	case 1:
		return prefix[0], nil
	case 0:
		names := make([]string, len(contacts))
		for i, c := range contacts {
			names[i] = strings.ToLower(c.Name)
		}
		if s := closest(q, names); s != "" {
			for _, c := range contacts {
				if strings.ToLower(c.Name) == s {
					return kam.Contact{}, kam.Errorf(kam.ENOTFOUND, "No stakeholder “%s” on %s — did you mean %s? `/kam contact %s` lists them.",
						show(name, 40), format.Mrkdwn(acct.Name), format.Mrkdwn(c.Name), acct.Slug)
				}
			}
		}
		return kam.Contact{}, kam.Errorf(kam.ENOTFOUND, "No stakeholder “%s” on %s — add them with `/kam contact %s add \"%s\"`, or `/kam contact %s` lists them.",
			show(name, 40), format.Mrkdwn(acct.Name), acct.Slug, show(name, 40), acct.Slug)
	}
	names := make([]string, 0, len(prefix))
	for i, c := range prefix {
		if i == maxCandidates {
			names = append(names, "…")
			break
		}
		names = append(names, format.Mrkdwn(c.Name))
	}
	return kam.Contact{}, kam.Errorf(kam.EINVALID, "“%s” matches %s on %s — type more of the name.", show(name, 40), strings.Join(names, ", "), format.Mrkdwn(acct.Name))
}

// parseWith resolves log's with="Jane Doe, Li Wei" against the account's
// stakeholder map: every name must be on it, or nothing is logged.
func (c *Call) parseWith(ctx context.Context, value string) ([]kam.Contact, error) {
	if c.intel() == nil {
		return nil, kam.Errorf(kam.EINVALID, "Naming stakeholders with with= is not available on this kambot.")
	}
	contacts, err := c.intel().Contacts(ctx, c.TeamID, c.Account.ID)
	if err != nil {
		return nil, fmt.Errorf("stakeholders of account %d: %w", c.Account.ID, err)
	}
	var out []kam.Contact
	seen := map[int64]bool{}
	for _, part := range strings.Split(value, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		ct, err := findContact(c.Account, contacts, part)
		if err != nil {
			return nil, err
		}
		if !seen[ct.ID] {
			seen[ct.ID] = true
			out = append(out, ct)
		}
	}
	if len(out) == 0 {
		return nil, kam.Errorf(kam.EINVALID, "Say who you met, e.g. with=\"Jane Doe, Li Wei\".")
	}
	return out, nil
}

// logWith splits log's text after the kind into the with= value and the
// summary: with="…" may come first or last. The with token is found only
// there, so a summary may still contain "with" in any other form.
func logWith(rest string) (with string, summary string, found bool, err error) {
	return logOption(rest, "with", "Put with=\"…\" right after the kind or at the very end, e.g. `/kam log acme meeting with=\"Jane Doe\" Talked renewal`.")
}

// contactNames joins stakeholder names for a message.
func contactNames(cs []kam.Contact) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = format.Mrkdwn(c.Name)
	}
	return andList(names)
}

// andList joins "a", "a and b", "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// renderIntelCard is the show card's section: health, quadrant and
// relationship model.
func renderIntelCard(ctx context.Context, a *Actor, acct kam.Account) ([]slack.Block, error) {
	if a.intel() == nil {
		return nil, nil
	}
	hs, err := a.healthOf(ctx, []kam.Account{acct})
	if err != nil {
		return nil, err
	}
	h := hs[0]
	st, err := a.scoreState(ctx, acct)
	if err != nil {
		return nil, err
	}
	pos := st.cur
	quadrant := fmt.Sprintf("not scored — `/kam score %s`", acct.Slug)
	switch {
	case len(st.history) > 0 && !pos.Rated:
		quadrant = fmt.Sprintf("not placed — %d of %d factors scored: `/kam score %s`", pos.Scored, pos.Needed, acct.Slug)
	case pos.Rated:
		quadrant = fmt.Sprintf("%s (%s / %s)", pos.Quadrant, num1(pos.Attractiveness), num1(pos.Strength))
	}
	grade := format.Health(h.Score)
	if h.New {
		grade = kam.NoDataYet
	}
	blocks := []slack.Block{
		fields(
			"*Health*\n"+grade+" · "+format.Alerts(len(h.Alerts)),
			"*Selection*\n"+quadrant,
			"*Relationship model*\n"+modelText(h.Relationship.Model),
			fmt.Sprintf("*Stakeholders*\n%s", stakeholderSummary(h)),
		),
		contextBlock(format.Mrkdwn(capitalize(h.Relationship.Reason)) + fmt.Sprintf(" · `/kam health %s` for the details", acct.Slug)),
	}
	return blocks, nil
}

// stakeholderSummary says how many stakeholders there are and what is
// missing: "4 · 1 decision-maker without a mirror · 1 blocker".
func stakeholderSummary(h kam.Health) string {
	if len(h.Contacts) == 0 {
		return fmt.Sprintf("none yet — `/kam contact %s add \"…\"`", h.Account.Slug)
	}
	parts := []string{fmt.Sprint(len(h.Contacts))}
	if k := len(h.Relationship.Unmirrored); k > 0 {
		parts = append(parts, plural(k, "decision-maker", "decision-makers")+" without a mirror")
	}
	if k := len(h.Relationship.Blockers); k > 0 {
		parts = append(parts, plural(k, "blocker", "blockers"))
	}
	return strings.Join(parts, " · ")
}

// modelText names a relationship model for a card or list.
func modelText(m kam.RelationshipModel) string {
	if m == kam.ModelNone {
		return "none (no contact in 90 days)"
	}
	return string(m)
}

// severityMark marks an alert's severity.
func severityMark(s kam.Severity) string { return format.SeverityMark(s) }

// plural is n with the word in the right number: "1 alert", "3 alerts".
func plural(n int, one, many string) string { return format.Count(n, one, many) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// num1 renders a 0–100 axis value or a part's points: at most one
// decimal, rounded half away from zero.
func num1(v float64) string { return format.Points(v) }

// sortedFactors returns the keys of m in the order of the set's factors.
func sortedFactors[V any](c kam.Criteria, m map[string]V) []string {
	order := map[string]int{}
	for i, f := range c.Factors {
		order[f.Key] = i
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return order[keys[i]] < order[keys[j]] })
	return keys
}
