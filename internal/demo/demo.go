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
	LogInteraction(ctx context.Context, in *kam.Interaction, actor string) error
	AddOpportunity(ctx context.Context, o *kam.Opportunity, actor string) error
	MoveStage(ctx context.Context, teamID string, oppID int64, to kam.Stage, actor, note string, at time.Time) (kam.StageChange, error)
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
	a       kam.Account
	team    []member
	touches []touch
	opps    []opp
}

func portfolio(teamID string) []account {
	return []account{
		{
			a: kam.Account{TeamID: teamID, Name: "Acme Logistics", Tier: kam.TierPartner, Level: kam.LevelValueAdd,
				OwnerID: You, SponsorID: Chen, Cadence: kam.CadenceMonthly, Revenue: 2_400_000, WalletPct: 35,
				Segment: "Transport", Region: "EMEA"},
			team: []member{{Ana, kam.RoleMember, "service"}, {Ben, kam.RoleMember, "finance"}, {Dana, kam.RoleManager, "sales director"}},
			touches: []touch{
				{2, You, kam.KindMeeting, "Quarterly business review prep with the COO; renewal scope agreed in principle"},
				{9, Ana, kam.KindVisit, "Site visit at the Rotterdam hub: onboarding of the new scanners went well"},
				{16, Ben, kam.KindCall, "Call with procurement on payment terms; they ask for 60 days"},
				{40, Chen, kam.KindExec, "Dinner with the CEO; interest in a joint sustainability programme"},
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
				{24, You, kam.KindEmail, "Sent the revised proposal for the grid analytics module"},
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
				{30, Ana, kam.KindCall, "Intro call with the new head of procurement"},
				{75, Ana, kam.KindEvent, "Met the IT director at the health-tech fair"},
			},
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
			touches: []touch{
				{5, Ben, kam.KindQBR, "QBR: on-time delivery 98.7%, two escalations closed"},
				{12, Ana, kam.KindMeeting, "Workshop with their planners on the forecast integration"},
			},
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
		for _, t := range p.touches {
			in := kam.Interaction{TeamID: teamID, AccountID: a.ID, UserID: t.user, Kind: t.kind, Summary: t.summary, At: now.Add(-time.Duration(t.daysAgo) * day)}
			if err := s.LogInteraction(ctx, &in, t.user); err != nil {
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
				if _, err := s.MoveStage(ctx, teamID, op.ID, st, o.owner, "", at); err != nil {
					return 0, fmt.Errorf("seed stage of %s: %w", o.name, err)
				}
			}
		}
	}
	return len(accts), nil
}
