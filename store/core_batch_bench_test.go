package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/kambot/kambot/internal/cputime"
	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
)

// BenchmarkCommitLogsBatch is the store's share of a /kam log at a fixed
// batch size: each op commits one batch of logs to an account with a
// channel, each log with its Slack request, audit entry, search entry and
// (in the "post" cases) its channel post, as commitLogs writes them under
// load. The combiner's batches depend on how many logs arrive during a
// commit; this fixes the size, so the CPU per log at 64 is the least the
// write can cost, however it is batched. Compare cpu-ns/log across sizes.
func BenchmarkCommitLogsBatch(b *testing.B) {
	for _, tc := range []struct {
		name string
		size int
		post bool
	}{
		{"post/1", 1, true}, {"post/8", 8, true}, {"post/16", 16, true}, {"post/64", 64, true},
		{"no-post/16", 16, false}, {"no-post/64", 64, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := OpenMigrated(ctx, storetest.DSN(b, "batch.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			a := kam.Account{TeamID: "T1", Name: "Acme Corp", OwnerID: "UK001", ChannelID: "CACCT00001"}
			if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
				b.Fatal(err)
			}
			post := BenchLogPost(a.TeamID, a.ChannelID)
			seq := 0
			start, ok := cputime.Process()
			if !ok {
				b.Skip("CPU time is not read on this system")
			}
			b.ReportAllocs()
			for b.Loop() {
				batch := make([]*logReq, tc.size)
				for i := range batch {
					seq++
					r := &logReq{ctx: ctx, actor: a.OwnerID, in: kam.Interaction{TeamID: a.TeamID, AccountID: a.ID, Kind: kam.KindCall,
						Summary: "Discussed the renewal and next quarter's volumes", RequestID: fmt.Sprintf("1764000000.42.%016x", seq)}}
					if tc.post {
						r.post = post
					}
					if err := db.normalizeInteraction(&r.in, a.OwnerID); err != nil {
						b.Fatal(err)
					}
					batch[i] = r
				}
				db.commitLogs(ctx, batch)
				for _, r := range batch {
					if r.err != nil || r.in.ID == 0 {
						b.Fatalf("log %d not stored: %v", r.in.ID, r.err)
					}
				}
			}
			end, _ := cputime.Process()
			b.ReportMetric(float64(end-start)/float64(seq), "cpu-ns/log")
		})
	}
}

// BenchLogPost is a channel post like the one /kam log queues, for the
// store's benchmarks and tests of logs with a post.
func BenchLogPost(team, channel string) kam.Post[kam.Interaction] {
	return func(in kam.Interaction) ([]kam.OutboxMessage, error) {
		return []kam.OutboxMessage{{TeamID: team, Channel: channel, Key: in.PostKey(),
			Text:   "<@UK001> logged a call with Acme Corp: Discussed the renewal and next quarter's volumes",
			Blocks: []byte(`[{"type":"section","text":{"type":"mrkdwn","text":"<@UK001> logged a call with *Acme Corp*: Discussed the renewal and next quarter's volumes"}}]`)}}, nil
	}
}
