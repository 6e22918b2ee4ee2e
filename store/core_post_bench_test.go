package store_test

import (
	"context"
	"testing"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// benchPost is a channel post like the one /kam log queues.
func benchPost(team, channel string) kam.Post[kam.Interaction] {
	return func(in kam.Interaction) ([]kam.OutboxMessage, error) {
		return []kam.OutboxMessage{{TeamID: team, Channel: channel, Key: in.PostKey(),
			Text:   "<@UK001> logged a call with Acme Corp: Discussed the renewal and next quarter's volumes",
			Blocks: []byte(`[{"type":"section","text":{"type":"mrkdwn","text":"<@UK001> logged a call with *Acme Corp*: Discussed the renewal and next quarter's volumes"}}]`)}}, nil
	}
}

// BenchmarkLogWithPost stores interactions of one account with a channel,
// each with its channel post queued in the same transaction, from 16
// goroutines per core; nothing delivers, so the channel's queue grows as it
// does while a burst of logs outpaces Slack's one post a second.
func BenchmarkLogWithPost(b *testing.B) {
	db, accounts := openCoreBenchDB(b)
	ctx := context.Background()
	a := accounts[0]
	post := benchPost(coreTeam, "CACCT00001")
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			logWithPost(b, ctx, db, a, post)
		}
	})
}

func logWithPost(b *testing.B, ctx context.Context, db *store.DB, a kam.Account, post kam.Post[kam.Interaction]) {
	in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "Discussed the renewal and next quarter's volumes"}
	if err := db.LogInteraction(ctx, &in, a.OwnerID, post); err != nil {
		b.Fatal(err)
	}
}
