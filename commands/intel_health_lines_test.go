package commands

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// TestHealthLines: health all, keeping of each account its worst alert and
// counts, sorts and renders drawn portfolios exactly as sorting and
// rendering every account's whole summary did — ties in score, alerts
// and names included, and portfolios longer than one message.
func TestHealthLines(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	now := time.Date(2025, 11, 10, 12, 0, 0, 0, time.UTC)
	ago := func(maxDays int) time.Time { return now.Add(-time.Duration(r.IntN(maxDays*24)) * time.Hour) }
	names := []string{"Acme", "acme", "Globex", "Initech", "Umbrella", "Émile & Co", "<b>", "Zeta"}
	stages := []kam.Stage{kam.StageIdentified, kam.StageQualified, kam.StagePursuing, kam.StageClosing}
	models := map[kam.RelationshipModel]int{}
	for round := range 60 {
		n := 1 + r.IntN(400)
		if round%10 == 0 {
			n = 1000 + r.IntN(500)
		}
		var hs []kam.Health
		for i := range n {
			a := kam.Account{ID: int64(i + 1), TeamID: "T1", Name: names[r.IntN(len(names))] + fmt.Sprint(r.IntN(3)),
				Tier: kam.Tiers[r.IntN(len(kam.Tiers))], Cadence: kam.CadenceMonthly, CreatedAt: ago(400)}
			if r.IntN(3) > 0 {
				a.OwnerID = "UANA"
			}
			in := kam.HealthInput{Account: a, LastTouch: map[string]time.Time{}}
			if r.IntN(4) > 0 {
				in.LastContact = ago(120)
			}
			for j := range r.IntN(4) {
				o := kam.Opportunity{ID: int64(j + 1), AccountID: a.ID, Name: "Deal", Stage: stages[r.IntN(len(stages))], StageSince: ago(90)}
				if r.IntN(2) == 0 {
					o.CloseDate = ago(60).Truncate(24 * time.Hour)
				}
				in.Opportunities = append(in.Opportunities, o)
			}
			for j := range r.IntN(4) {
				in.Contacts = append(in.Contacts, kam.Contact{ID: int64(10 + j), AccountID: a.ID, Name: "C", Influence: 3})
			}
			for _, u := range []string{"UANA", "UBEN"} {
				if r.IntN(2) == 0 {
					in.Members = append(in.Members, kam.Member{AccountID: a.ID, UserID: u, Role: kam.RoleMember})
					w := kam.Touches{UserID: u, Count: 1 + r.IntN(3)}
					for range r.IntN(4) {
						w.Met = append(w.Met, int64(10+r.IntN(4)))
					}
					slices.Sort(w.Met)
					in.Window = append(in.Window, w)
				}
			}
			if r.IntN(2) == 0 {
				in.Plan = kam.Plan{AccountID: a.ID, Objectives: []kam.Objective{{ID: 1, For: kam.ForUs, Text: "grow", CreatedAt: ago(300)}}}
			}
			hs = append(hs, kam.AssessHealthSummary(in, now))
		}
		lines := make([]healthLine, len(hs))
		for i := range hs {
			lines[i] = lineOf(&hs[i])
		}
		sortLinesWorstFirst(lines)
		kam.SortWorstFirst(hs)
		for i := range hs {
			if lines[i].id != hs[i].Account.ID {
				t.Fatalf("round %d: position %d holds account %d, want %d", round, i, lines[i].id, hs[i].Account.ID)
			}
		}
		for _, h := range hs {
			models[h.Relationship.Model]++
		}
		title := fmt.Sprintf("All accounts (%d)", n)
		got, want := portfolioHealthBlocks(title, lines), basePortfolioHealthBlocks(title, hs)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: blocks differ:\n%s\nwant\n%s", round, blocksText(got), blocksText(want))
		}
	}
	if len(models) < 3 {
		t.Errorf("too few relationship models came up: %v", models)
	}
}

func blocksText(bs []slack.Block) string {
	var b strings.Builder
	for _, bl := range bs {
		fmt.Fprintf(&b, "%+v\n", bl)
	}
	return b.String()
}

// basePortfolioHealthBlocks is portfolioHealthBlocks as it was when it
// took every account's whole summary, kept to compare with.
func basePortfolioHealthBlocks(title string, hs []kam.Health) []slack.Block {
	var bands = map[kam.Band]int{}
	alerts, critical, fresh := 0, 0, 0
	for _, h := range hs {
		if h.New {
			fresh++
		} else {
			bands[h.Band]++
		}
		alerts += len(h.Alerts)
		critical += h.Critical()
	}
	summary := fmt.Sprintf("%s %d %s · %s %d %s · %s %d %s · %s (%d critical)",
		format.BandMark(kam.BandAtRisk), bands[kam.BandAtRisk], format.BandWord(kam.BandAtRisk),
		format.BandMark(kam.BandWatch), bands[kam.BandWatch], format.BandWord(kam.BandWatch),
		format.BandMark(kam.BandGood), bands[kam.BandGood], format.BandWord(kam.BandGood), format.Alerts(alerts), critical)
	if fresh > 0 {
		summary += fmt.Sprintf(" · %d new, no data yet", fresh)
	}
	// Only the lines that fit are worded: a workspace's thousands of
	// accounts end in "…and N healthier accounts".
	line := func(i int) string {
		h := hs[i]
		line := fmt.Sprintf("*%s* — %s · %s · %s", format.Mrkdwn(h.Account.Name), format.Health(h.Score), format.Alerts(len(h.Alerts)), modelText(h.Relationship.Model))
		if h.New {
			line = fmt.Sprintf("*%s* — _%s_", format.Mrkdwn(h.Account.Name), kam.NoDataYet)
		}
		if len(h.Alerts) > 0 {
			line += " · worst: " + alertLine(h.Alerts[0])
		}
		return line
	}
	blocks := []slack.Block{header(title), contextBlock(summary)}
	blocks = append(blocks, listBlocksOf("", len(hs), line, maxMessageBlocks-3, func(n int) string {
		return fmt.Sprintf("…and %d healthier accounts", n)
	})...)
	return append(blocks, contextBlock("Worst first · `/kam health &lt;account&gt;` for the parts and every alert"))
}
