package commands_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// BenchmarkMethodViews runs the method's portfolio views over 1,000
// accounts with 100,000 interactions and 20,000 opportunities: /kam kpis
// (health, history, targets and NPS of every account), /kam selection (the
// latest two scorings of every account) and /kam pipeline with velocity
// (every opportunity's stage history). CPU time per command is reported.
func BenchmarkMethodViews(b *testing.B) {
	ctx := context.Background()
	db, err := store.OpenMigrated(ctx, filepath.Join(b.TempDir(), "kambot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seedHealthPortfolio(b, db, 1000, 100_000, 20_000, 5_000)
	accts, err := db.Accounts(ctx, team)
	if err != nil {
		b.Fatal(err)
	}
	for i, a := range accts {
		t := kam.Target{TeamID: team, AccountID: a.ID, Year: fixedNow.Year(), Amount: int64(100_000 * (i%7 + 1))}
		if err := db.SetTarget(ctx, &t, ana); err != nil {
			b.Fatal(err)
		}
		s := kam.Scoring{TeamID: team, AccountID: a.ID, Scores: kam.Scores{"size": i%5 + 1}}
		if err := db.SaveScoring(ctx, &s, ana); err != nil {
			b.Fatal(err)
		}
	}
	eng := commands.New(commands.Config{Store: db, Intel: db, Method: db, Admins: []string{admin}, Now: func() time.Time { return fixedNow },
		Logger: slog.New(slog.DiscardHandler)})
	for _, tt := range []struct{ name, user, text string }{
		{"kpis", ana, "kpis"},
		{"selection", admin, "selection"},
		{"pipeline", ana, "pipeline"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			req := commands.Request{TeamID: team, UserID: tt.user, Text: tt.text}
			var start, end syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &start)
			for b.Loop() {
				if rep, err := eng.Do(ctx, req); err != nil || len(rep.Blocks) == 0 {
					b.Fatalf("%s: %v", tt.text, err)
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &end)
			cpu := end.Utime.Nano() + end.Stime.Nano() - start.Utime.Nano() - start.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
