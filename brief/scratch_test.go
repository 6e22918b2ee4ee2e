package brief

import (
	"fmt"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

func TestScratch(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	f := Facts{Account: kam.Account{ID: 1, TeamID: "T1", Name: "Acme Corp", Slug: "acme-corp", Tier: kam.TierPartner, Level: kam.LevelValueAdd, OwnerID: "U01OWNER", SponsorID: "U02SPONS", Revenue: 1200000, WalletPct: 35},
		Health: Health{Score: 62, Scored: true, Alerts: []string{"No logged interaction in 45 days"}},
		Now: now}
	for i := 0; i < 50000; i++ {
		f.Interactions = append(f.Interactions, kam.Interaction{ID: int64(i), AccountID: 1, TeamID: "T1", UserID: "U01OWNER", Kind: kam.KindCall, Summary: "Discussed the renewal and the rollout plan with procurement; they asked for a revised quote.", At: now.Add(-time.Duration(i) * time.Hour)})
	}
	p := BuildPrompt(f, 3000)
	fmt.Println(p.System)
	fmt.Println(p.User[:2000])
	fmt.Println(p.Tokens, len(p.System)+len(p.User), p.Interactions)
	fmt.Println(EstimateTokens(p.System))
	r := Fallback(f)
	fmt.Println(r.Text)
}
