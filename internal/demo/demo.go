// Package demo seeds a sample key-account portfolio so that a newcomer sees
// kambot working in one command (kambot console --demo), and so that tests
// and benchmarks have realistic data. Everything goes through the same store
// methods the commands use, audited as the demo actor.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// Store is what seeding needs.
type Store interface {
	CreateAccount(ctx context.Context, a *kam.Account, actor string) error
	PutMember(ctx context.Context, m kam.Member, actor string) error
	LogInteraction(ctx context.Context, in *kam.Interaction, actor string, post kam.Post[kam.Interaction]) error
	AddOpportunity(ctx context.Context, o *kam.Opportunity, actor string) error
	MoveStage(ctx context.Context, teamID string, oppID int64, to kam.Stage, actor, note string, at time.Time, post kam.Post[kam.StageChange]) (kam.StageChange, error)

	AddContact(ctx context.Context, c *kam.Contact, actor string) error
	SaveScoring(ctx context.Context, s *kam.Scoring, actor string) error
	AddObjective(ctx context.Context, o *kam.Objective, actor string) error
	AddTactic(ctx context.Context, t *kam.Tactic, actor string) error
	RecordPlanReview(ctx context.Context, r *kam.PlanReview, actor string) error
	RecordSurveyAnswer(ctx context.Context, a *kam.SurveyAnswer, actor string) error
}

// People of the demo workspace. The console user (You) owns two accounts.
const (
	You   = "UCONSOLE"
	Ana   = "UDEMOANA1"
	Ben   = "UDEMOBEN1"
	Chen  = "UDEMOCHEN"
	Dana  = "UDEMODANA"
	Actor = "UDEMOSEED"
)

type member struct {
	user     string
	role     kam.Role
	function string
}

type touch struct {
	daysAgo int
	user    string
	kind    kam.InteractionKind
	summary string
	with    []string // stakeholders met, by name
}

type contact struct {
	name, title string
	role        kam.ContactRole
	influence   int
	stance      int
	mirror      string
}

// tactic is a plan tactic; its quarter is its due date's, so that the
// demo never shows a quarter that contradicts the due date.
type tactic struct {
	text  string
	owner string
	dueIn int // days from now; negative = overdue
}

type answer struct {
	daysAgo int
	contact string
	score   int
	comment string
}

type opp struct {
	name    string
	value   int64
	closeIn int // days from now; negative = overdue
	owner   string
	path    []kam.Stage
	ageDays int // days since the last stage change
}

type account struct {
	a        kam.Account
	team     []member
	contacts []contact
	touches  []touch
	opps     []opp
	scores   kam.Scores
	customer []string // customer objectives
	ours     []string // our objectives
	tactics  []tactic
	reviewed bool
	answers  []answer
}

func portfolio(teamID string) []account {
	// Kept as one function: sample data, a table read top to bottom.
	return []account{
		{
			a: kam.Account{TeamID: teamID, Name: "Acme Logistics", Tier: kam.TierPartner, Level: kam.LevelValueAdd,
				OwnerID: You, SponsorID: Chen, Cadence: kam.CadenceMonthly, Revenue: 2_400_000, WalletPct: 35,
				Segment: "Transport", Region: "EMEA"},
			team: []member{{Ana, kam.RoleMember, "service"}, {Ben, kam.RoleMember, "finance"}, {Dana, kam.RoleManager, "sales director"}},
			contacts: []contact{
				{"Jane Doe", "COO", kam.ContactDecisionMaker, 5, 1, You},
				{"Li Wei", "Head of Procurement", kam.ContactGatekeeper, 4, 0, Ben},
				{"Marta Ruiz", "Director of Operations", kam.ContactChampion, 3, 2, Ana},
				{"Tom Berg", "CFO", kam.ContactDecisionMaker, 5, -1, ""},
			},
			touches: []touch{
				{2, You, kam.KindMeeting, "Quarterly business review prep with the COO; renewal scope agreed in principle", []string{"Jane Doe"}},
				{9, Ana, kam.KindVisit, "Site visit at the Rotterdam hub: onboarding of the new scanners went well", []string{"Marta Ruiz"}},
				{16, Ben, kam.KindCall, "Call with procurement on payment terms; they ask for 60 days", []string{"Li Wei"}},
				{40, Chen, kam.KindExec, "Dinner with the CEO; interest in a joint sustainability programme", nil},
			},
			scores: kam.Scores{"size": 5, "growth": 4, "stability": 4, "access": 3, "closeness": 4, "fit": 5, "adopter": 3, "value": 4, "competition": 2, "standing": 4,
				"price": 3, "service": 4, "people": 4, "response": 3, "attitude": 4, "innovation": 3, "value-in-use": 4, "sustainability": 3, "trust": 4},
			customer: []string{"Cut cost per shipment 10% by 2028", "Carbon-neutral last mile in the Benelux by 2027"},
			ours:     []string{"Become the preferred telematics partner across all hubs", "Grow share of wallet from 35% to 45%"},
			tactics: []tactic{
				{"Joint sustainability workshop with the COO's team", Chen, 20},
				{"Propose 45-day payment terms with an early-renewal discount", Ben, -5},
				{"Pilot report for the cold-chain sensors", Ana, 45},
			},
			reviewed: true,
			answers: []answer{
				{200, "Jane Doe", 9, "Reliable team, quick on escalations"},
				{190, "Li Wei", 6, "Pricing is hard to compare with competitors"},
				{30, "Marta Ruiz", 10, "The scanner roll-out was smooth"},
			},
			opps: []opp{
				{"Fleet telematics renewal", 850_000, 45, You, []kam.Stage{kam.StageQualified, kam.StagePursuing, kam.StageClosing}, 12},
				{"Cold-chain pilot", 240_000, 90, Ana, []kam.Stage{kam.StageQualified}, 20},
				{"Warehouse robotics", 1_200_000, -10, You, []kam.Stage{kam.StageQualified, kam.StagePursuing}, 70},
			},
		},
		{
			a: kam.Account{TeamID: teamID, Name: "Borealis Energy", Tier: kam.TierConsultant, Level: kam.LevelProduct,
				OwnerID: You, SponsorID: Chen, Cadence: kam.CadenceWeekly, Revenue: 900_000, WalletPct: 15,
				Segment: "Utilities", Region: "Nordics"},
			team: []member{{Dana, kam.RoleManager, "sales director"}},
			touches: []touch{
				{24, You, kam.KindEmail, "Sent the revised proposal for the grid analytics module", nil},
			},
			opps: []opp{
				{"Grid analytics module", 400_000, 30, You, []kam.Stage{kam.StageQualified, kam.StagePursuing}, 50},
			},
		},
		{
			a: kam.Account{TeamID: teamID, Name: "Cobalt Health", Tier: kam.TierPreferred, Level: kam.LevelCommodity,
				OwnerID: Ana, Cadence: kam.CadenceQuarterly, Revenue: 300_000, WalletPct: 5,
				Segment: "Healthcare", Region: "DACH"},
			team: []member{{You, kam.RoleMember, "solutions"}, {Dana, kam.RoleManager, "sales director"}},
			touches: []touch{
				{30, Ana, kam.KindCall, "Intro call with the new head of procurement", nil},
				{75, Ana, kam.KindEvent, "Met the IT director at the health-tech fair", nil},
			},
			scores: kam.Scores{"size": 2, "growth": 3, "stability": 3, "access": 2, "closeness": 2, "fit": 2, "adopter": 2, "value": 2, "competition": 2, "standing": 3,
				"price": 2, "service": 3, "people": 3, "response": 2, "attitude": 2, "innovation": 3, "value-in-use": 2, "sustainability": 2, "trust": 3},
			opps: []opp{
				{"Lab supplies framework", 120_000, 60, Ana, nil, 5},
				{"Imaging service contract", 310_000, -30, Ana, []kam.Stage{kam.StageQualified, kam.StageLost}, 25},
			},
		},
		{
			a: kam.Account{TeamID: teamID, Name: "Delta Foods", Tier: kam.TierPartner, Level: kam.LevelPartner,
				OwnerID: Ben, SponsorID: Chen, Cadence: kam.CadenceMonthly, Revenue: 3_100_000, WalletPct: 55,
				Segment: "Consumer goods", Region: "Americas"},
			team: []member{{Ana, kam.RoleMember, "service"}, {Dana, kam.RoleManager, "sales director"}},
			contacts: []contact{
				{"Priya Nair", "VP Supply Chain", kam.ContactDecisionMaker, 5, 2, Ben},
				{"Sam Okafor", "Planning Lead", kam.ContactUser, 3, 1, Ana},
			},
			touches: []touch{
				{5, Ben, kam.KindQBR, "QBR: on-time delivery 98.7%, two escalations closed", []string{"Priya Nair"}},
				{12, Ana, kam.KindMeeting, "Workshop with their planners on the forecast integration", []string{"Sam Okafor"}},
			},
			scores: kam.Scores{"size": 4, "growth": 3, "stability": 5, "access": 4, "closeness": 5, "fit": 4, "adopter": 3, "value": 5, "competition": 3, "standing": 4,
				"price": 4, "service": 5, "people": 4, "response": 4, "attitude": 5, "innovation": 3, "value-in-use": 4, "sustainability": 4, "trust": 5},
			ours:     []string{"Extend the forecast integration to all plants"},
			tactics:  []tactic{{"Plant roll-out plan signed off by the VP Supply Chain", Ben, 30}},
			reviewed: true,
			answers:  []answer{{60, "Priya Nair", 9, "A partner, not a vendor"}},
			opps: []opp{
				{"Forecast integration", 650_000, 20, Ben, []kam.Stage{kam.StageQualified, kam.StagePursuing, kam.StageClosing, kam.StageContracted}, 3},
			},
		},
	}
}

// Seed writes the demo portfolio into the workspace teamID, dated relative
// to now, and returns the number of accounts written.
func Seed(ctx context.Context, s Store, teamID string, now time.Time) (int, error) {
	day := 24 * time.Hour
	accts := portfolio(teamID)
	for _, p := range accts {
		a := p.a
		if err := s.CreateAccount(ctx, &a, Actor); err != nil {
			return 0, fmt.Errorf("seed account %s: %w", a.Name, err)
		}
		for _, m := range p.team {
			if err := s.PutMember(ctx, kam.Member{TeamID: teamID, AccountID: a.ID, UserID: m.user, Role: m.role, Function: m.function}, Actor); err != nil {
				return 0, fmt.Errorf("seed team of %s: %w", a.Name, err)
			}
		}
		ids := map[string]int64{}
		for _, c := range p.contacts {
			ct := kam.Contact{TeamID: teamID, AccountID: a.ID, Name: c.name, Title: c.title, Role: c.role, Influence: c.influence, Stance: c.stance, MirrorID: c.mirror}
			if err := s.AddContact(ctx, &ct, Actor); err != nil {
				return 0, fmt.Errorf("seed stakeholder %s of %s: %w", c.name, a.Name, err)
			}
			ids[c.name] = ct.ID
		}
		for _, t := range p.touches {
			in := kam.Interaction{TeamID: teamID, AccountID: a.ID, UserID: t.user, Kind: t.kind, Summary: t.summary, At: now.Add(-time.Duration(t.daysAgo) * day)}
			for _, name := range t.with {
				in.Contacts = append(in.Contacts, ids[name])
			}
			if err := s.LogInteraction(ctx, &in, t.user, nil); err != nil {
				return 0, fmt.Errorf("seed interaction of %s: %w", a.Name, err)
			}
		}
		for _, o := range p.opps {
			// Stage changes are spread evenly up to ageDays ago, so velocity
			// and stall alerts have a history to read.
			steps := len(o.path)
			created := now.Add(-time.Duration(o.ageDays+10*steps+5) * day)
			op := kam.Opportunity{TeamID: teamID, AccountID: a.ID, Name: o.name, Value: o.value, OwnerID: o.owner,
				Stage: kam.StageIdentified, StageSince: created, CreatedAt: created}
			if o.closeIn != 0 {
				op.CloseDate = now.Add(time.Duration(o.closeIn) * day).UTC().Truncate(day)
			}
			if err := s.AddOpportunity(ctx, &op, o.owner); err != nil {
				return 0, fmt.Errorf("seed opportunity %s: %w", o.name, err)
			}
			for i, st := range o.path {
				at := now.Add(-time.Duration(o.ageDays+10*(steps-1-i)) * day)
				if _, err := s.MoveStage(ctx, teamID, op.ID, st, o.owner, "", at, nil); err != nil {
					return 0, fmt.Errorf("seed stage of %s: %w", o.name, err)
				}
			}
		}
		if err := seedIntel(ctx, s, teamID, a, p, now); err != nil {
			return 0, err
		}
	}
	return len(accts), nil
}

// seedIntel writes an account's scoring, plan and survey answers.
func seedIntel(ctx context.Context, s Store, teamID string, a kam.Account, p account, now time.Time) error {
	day := 24 * time.Hour
	if len(p.scores) > 0 {
		if err := s.SaveScoring(ctx, &kam.Scoring{TeamID: teamID, AccountID: a.ID, Scores: p.scores}, a.OwnerID); err != nil {
			return fmt.Errorf("seed scoring of %s: %w", a.Name, err)
		}
	}
	for _, text := range p.customer {
		if err := s.AddObjective(ctx, &kam.Objective{TeamID: teamID, AccountID: a.ID, For: kam.ForCustomer, Text: text}, a.OwnerID); err != nil {
			return fmt.Errorf("seed objective of %s: %w", a.Name, err)
		}
	}
	for _, text := range p.ours {
		if err := s.AddObjective(ctx, &kam.Objective{TeamID: teamID, AccountID: a.ID, For: kam.ForUs, Text: text}, a.OwnerID); err != nil {
			return fmt.Errorf("seed objective of %s: %w", a.Name, err)
		}
	}
	for _, t := range p.tactics {
		due := now.Add(time.Duration(t.dueIn) * day).UTC().Truncate(day)
		if err := s.AddTactic(ctx, &kam.Tactic{TeamID: teamID, AccountID: a.ID, Text: t.text, Quarter: kam.QuarterPeriod(due), OwnerID: t.owner, Due: due}, a.OwnerID); err != nil {
			return fmt.Errorf("seed tactic of %s: %w", a.Name, err)
		}
	}
	if p.reviewed {
		if err := s.RecordPlanReview(ctx, &kam.PlanReview{TeamID: teamID, AccountID: a.ID, Note: "Plan agreed with the diamond team"}, a.OwnerID); err != nil {
			return fmt.Errorf("seed plan review of %s: %w", a.Name, err)
		}
	}
	for _, ans := range p.answers {
		sa := kam.SurveyAnswer{TeamID: teamID, AccountID: a.ID, Contact: ans.contact, Score: ans.score, Comment: ans.comment, At: now.Add(-time.Duration(ans.daysAgo) * day)}
		if err := s.RecordSurveyAnswer(ctx, &sa, a.OwnerID); err != nil {
			return fmt.Errorf("seed survey answer of %s: %w", a.Name, err)
		}
	}
	return nil
}
