package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// benchPost is a channel post like the one /kam log queues.
var benchPost = store.BenchLogPost

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

// BenchmarkLogWithPostRequest is BenchmarkLogWithPost as Slack's requests
// arrive: each log carries the trigger_id of its request, remembered with
// it so that a retry logs nothing twice.
func BenchmarkLogWithPostRequest(b *testing.B) {
	db, accounts := openCoreBenchDB(b)
	ctx := context.Background()
	a := accounts[0]
	post := benchPost(coreTeam, "CACCT00001")
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			logWithPostAs(b, ctx, db, a, post, fmt.Sprintf("1764000000.42.%016x", seq.Add(1)))
		}
	})
}

func logWithPost(b *testing.B, ctx context.Context, db *store.DB, a kam.Account, post kam.Post[kam.Interaction]) {
	logWithPostAs(b, ctx, db, a, post, "")
}

// logWithPostAs logs one interaction with its post, from the Slack request
// requestID ("" for none).
func logWithPostAs(b *testing.B, ctx context.Context, db *store.DB, a kam.Account, post kam.Post[kam.Interaction], requestID string) {
	in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "Discussed the renewal and next quarter's volumes", RequestID: requestID}
	if err := db.LogInteraction(ctx, &in, a.OwnerID, post); err != nil {
		b.Fatal(err)
	}
}
