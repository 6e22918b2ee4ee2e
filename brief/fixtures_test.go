package brief

import (
	"fmt"
	"time"

	"github.com/kambot/kambot/kam"
)

// now is the fixed clock of every test.
var now = time.Date(2025, 3, 3, 9, 30, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

// acme is a fully populated account: every part of a brief has something to say.
func acme() Facts {
	return Facts{
		Account: kam.Account{
			ID: 7, TeamID: "T0001", Name: "Acme Corp", Slug: "acme-corp",
			Tier: kam.TierPartner, Level: kam.LevelValueAdd, Cadence: kam.CadenceMonthly,
			OwnerID: "U0KAMOWNER", SponsorID: "U0SPONSOR1",
			Revenue: 1_250_000, WalletPct: 35, Segment: "Retail", Region: "EMEA",
		},
		Health: Health{Score: 58, Scored: true, Alerts: []string{
			"No logged interaction with a decision-maker in 45 days",
			"Opportunity \"Checkout revamp\" stalled in pursuing for 75 days",
		}},
		Quadrant:     "strategic",
		Relationship: Relationship{Model: "bow-tie", Reason: "only <@U0KAMOWNER> talks to the customer"},
		Stakeholders: []Stakeholder{
			{ID: 11, Name: "Dana Whitfield", Title: "CEO", Role: kam.ContactDecisionMaker, Influence: 5, Stance: 1, MirrorID: "U0SPONSOR1", LastContact: daysAgo(50)},
			{ID: 12, Name: "Raj Patel", Title: "Head of Procurement", Role: kam.ContactGatekeeper, Influence: 4, Stance: -1, LastContact: daysAgo(6)},
			{ID: 13, Name: "Mia Chen", Title: "VP Digital", Role: kam.ContactChampion, Influence: 4, Stance: 2, MirrorID: "U0KAMOWNER", LastContact: daysAgo(3)},
			{ID: 14, Name: "Tom Okafor", Title: "CFO", Role: kam.ContactDecisionMaker, Influence: 5, Stance: 0, LastContact: daysAgo(120)},
			{ID: 15, Name: "Lena Vogt", Title: "Store Ops Lead", Role: kam.ContactUser, Influence: 2, Stance: 1, MirrorID: "U0MEMBER01"},
		},
		Interactions: []kam.Interaction{
			{ID: 101, TeamID: "T0001", AccountID: 7, UserID: "U0KAMOWNER", Kind: kam.KindMeeting, Summary: "Walked Mia through the Q2 rollout; she wants a pilot in 20 stores.", Contacts: []int64{13}, At: daysAgo(3)},
			{ID: 102, TeamID: "T0001", AccountID: 7, UserID: "U0KAMOWNER", Kind: kam.KindCall, Summary: "Raj pushed back on price & asked for a 12% discount.", Contacts: []int64{12}, At: daysAgo(6)},
			{ID: 103, TeamID: "T0001", AccountID: 7, UserID: "U0MEMBER01", Kind: kam.KindNote, Summary: "Internal: pricing committee meets on Friday.", At: daysAgo(8)},
			{ID: 104, TeamID: "T0001", AccountID: 7, UserID: "U0SPONSOR1", Kind: kam.KindExec, Summary: "Dinner with Dana: she wants fewer, more strategic suppliers.", Contacts: []int64{11}, At: daysAgo(50)},
			{ID: 105, TeamID: "T0001", AccountID: 7, UserID: "U0KAMOWNER", Kind: kam.KindQBR, Summary: "QBR: service levels green, checkout project behind.", Contacts: []int64{11, 13}, At: daysAgo(80)},
		},
		Opportunities: []kam.Opportunity{
			{ID: 201, TeamID: "T0001", AccountID: 7, Name: "Platform renewal", Value: 480_000, Stage: kam.StageClosing, CloseDate: now.AddDate(0, 0, 28), StageSince: daysAgo(12), OwnerID: "U0KAMOWNER"},
			{ID: 202, TeamID: "T0001", AccountID: 7, Name: "Checkout revamp", Value: 250_000, Stage: kam.StagePursuing, CloseDate: daysAgo(5), StageSince: daysAgo(75)},
			{ID: 203, TeamID: "T0001", AccountID: 7, Name: "Loyalty analytics", Value: 90_000, Stage: kam.StageQualified, StageSince: daysAgo(20)},
			{ID: 204, TeamID: "T0001", AccountID: 7, Name: "Legacy support", Value: 999_000, Stage: kam.StageContracted, StageSince: daysAgo(300)},
		},
		Objectives: []string{"Grow share of wallet to 45% by 2026", "Be the customer's partner for in-store digital"},
		Tactics: []Tactic{
			{Text: "Run the 20-store pilot", Quarter: "Q2", OwnerID: "U0KAMOWNER", Due: now.AddDate(0, 0, 40)},
			{Text: "Exec sponsor meets the CFO", Quarter: "Q1", OwnerID: "U0SPONSOR1", Due: daysAgo(10)},
			{Text: "Send the service review", Quarter: "Q1", OwnerID: "U0MEMBER01", Due: daysAgo(30), Done: true},
		},
		NPS: NPS{Score: 20, Responses: 8, Trend: -10, Comments: []NPSComment{
			{Score: 9, Text: "Great account team.", Contact: "Mia Chen", At: daysAgo(40)},
			{Score: 4, Text: "Invoices are wrong too often.", Contact: "Raj Patel", At: daysAgo(35)},
		}},
		Requester: "U0SPONSOR1",
		Now:       now,
	}
}

// globex is another account whose text must never appear in Acme's brief.
func globex() Facts {
	return Facts{
		Account:      kam.Account{ID: 8, TeamID: "T0001", Name: "Globex Industries", Slug: "globex", Tier: kam.TierConsultant, Level: kam.LevelProduct, OwnerID: "U0GLOBEXKM"},
		Health:       Health{Score: 81, Scored: true, Alerts: []string{"Globex survey overdue"}},
		Stakeholders: []Stakeholder{{ID: 31, Name: "Hank Scorpio", Title: "Chief Executive", Role: kam.ContactDecisionMaker, Influence: 5, Stance: 2}},
		Interactions: []kam.Interaction{
			{ID: 301, TeamID: "T0001", AccountID: 8, UserID: "U0GLOBEXKM", Kind: kam.KindVisit, Summary: "Toured the Cypress Creek plant with Hank.", Contacts: []int64{31}, At: daysAgo(2)},
		},
		Opportunities: []kam.Opportunity{{ID: 401, TeamID: "T0001", AccountID: 8, Name: "Doomsday device maintenance", Value: 2_000_000, Stage: kam.StageQualified}},
		Objectives:    []string{"Win the volcano lair contract"},
		Requester:     "U0GLOBEXKM",
		Now:           now,
	}
}

// globexTexts are strings only Globex's facts hold.
var globexTexts = []string{"Globex", "Hank Scorpio", "Cypress Creek", "Doomsday device", "volcano lair", "U0GLOBEXKM"}

// big is Acme with n interactions, one an hour back in time, of every kind,
// some with long summaries and some with decision-makers.
func big(n int) Facts {
	f := acme()
	kinds := kam.InteractionKinds
	f.Interactions = make([]kam.Interaction, n)
	for i := range f.Interactions {
		summary := fmt.Sprintf("Interaction %d: reviewed delivery, pricing and the rollout plan with the customer team; agreed follow-ups on invoices.", i)
		if i%17 == 0 {
			for len(summary) < kam.MaxSummaryLen-150 {
				summary += " Long minutes with details of every point discussed, who said what, and the actions agreed."
			}
		}
		var contacts []int64
		if i%5 == 0 {
			contacts = []int64{11 + int64(i%5), 13}
		}
		f.Interactions[i] = kam.Interaction{
			ID: int64(i + 1), TeamID: "T0001", AccountID: 7, UserID: "U0KAMOWNER",
			Kind: kinds[i%len(kinds)], Summary: summary, Contacts: contacts,
			At: now.Add(-time.Duration(i) * time.Hour),
		}
	}
	return f
}
