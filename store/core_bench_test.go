package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// coreBenchWords make account names that share prefixes, as real
// portfolios do ("Acme Corp", "Acme Logistics").
var coreBenchWords = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent"}

// openCoreBenchDB builds a workspace of 1,000 accounts, each with an owner,
// a sponsor and three members, next to a smaller workspace.
func openCoreBenchDB(b *testing.B) (*store.DB, []kam.Account) {
	b.Helper()
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, storetest.DSN(b, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var accounts []kam.Account
	for _, team := range []string{coreOther, coreTeam} {
		accounts = accounts[:0]
		n := 1000
		if team == coreOther {
			n = 200
		}
		for i := range n {
			a := kam.Account{TeamID: team, Name: fmt.Sprintf("%s %s %03d", coreBenchWords[i%10], coreBenchWords[(i/10)%10], i),
				OwnerID: fmt.Sprintf("UK%03d", i%50), SponsorID: fmt.Sprintf("US%03d", i%20)}
			if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
				b.Fatal(err)
			}
			for j := range 3 {
				m := kam.Member{TeamID: team, AccountID: a.ID, UserID: fmt.Sprintf("UM%03d", (i+j*7)%200)}
				if err := db.PutMember(ctx, m, "UADMIN"); err != nil {
					b.Fatal(err)
				}
			}
			accounts = append(accounts, a)
		}
	}
	return db, accounts
}

func BenchmarkFindAccounts(b *testing.B) {
	db, _ := openCoreBenchDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	for i := 0; b.Loop(); i++ {
		// A unique prefix, as a user types it.
		q := fmt.Sprintf("%s %s %03d", coreBenchWords[i%10], coreBenchWords[(i/10)%10], i%1000)
		got, err := db.FindAccounts(ctx, coreTeam, q[:len(q)-1], 5)
		if err != nil || len(got) == 0 {
			b.Fatalf("FindAccounts(%q) = %v, %v", q, got, err)
		}
	}
}

func BenchmarkMemberRole(b *testing.B) {
	db, accounts := openCoreBenchDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	for i := 0; b.Loop(); i++ {
		a := accounts[i%len(accounts)]
		role, err := db.MemberRole(ctx, coreTeam, a.ID, a.OwnerID)
		if err != nil || role != kam.RoleKAM {
			b.Fatalf("MemberRole = %q, %v", role, err)
		}
	}
}

func BenchmarkLogInteraction(b *testing.B) {
	db, accounts := openCoreBenchDB(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	for i := 0; b.Loop(); i++ {
		a := accounts[i%len(accounts)]
		in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "Discussed the renewal and next quarter's volumes"}
		if err := db.LogInteraction(ctx, &in, a.OwnerID, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogPath is the store's share of one `/kam log` request:
// resolve the account, check the caller's role, store the interaction. The
// context is cancellable, as a request's is.
func BenchmarkLogPath(b *testing.B) {
	db, accounts := openCoreBenchDB(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	for i := 0; b.Loop(); i++ {
		coreLogPath(b, ctx, db, accounts[i%len(accounts)])
	}
}

// BenchmarkLogPathParallel runs the log path from 16 goroutines per core,
// as a busy server has many requests in flight; ns/op is the inverse of the
// store's throughput.
func BenchmarkLogPathParallel(b *testing.B) {
	db, accounts := openCoreBenchDB(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			coreLogPath(b, ctx, db, accounts[i%len(accounts)])
			i += 7
		}
	})
}

func coreLogPath(b *testing.B, ctx context.Context, db *store.DB, a kam.Account) {
	found, err := db.FindAccounts(ctx, coreTeam, a.Slug, 2)
	if err != nil || len(found) == 0 {
		b.Fatalf("FindAccounts(%q) = %v, %v", a.Slug, found, err)
	}
	role, err := db.MemberRole(ctx, coreTeam, found[0].ID, a.OwnerID)
	if err != nil || role != kam.RoleKAM {
		b.Fatalf("MemberRole = %q, %v", role, err)
	}
	in := kam.Interaction{TeamID: coreTeam, AccountID: found[0].ID, Kind: kam.KindCall, Summary: "Discussed the renewal and next quarter's volumes"}
	if err := db.LogInteraction(ctx, &in, a.OwnerID, nil); err != nil {
		b.Fatal(err)
	}
}
