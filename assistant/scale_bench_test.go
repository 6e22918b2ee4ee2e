package assistant_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/kambot/kambot/assistant"
	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/benchdb"
	"github.com/kambot/kambot/store"
)

var bench10k = flag.Bool("bench10k", false, "also run the seeded benchmarks on 10,000 accounts / 2M interactions")

// seededNow is where the seeded history ends (as in the commands' scale
// benchmarks, so both share the cached files).
var seededNow = time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)

// BenchmarkDeterministicSeeded answers the common questions without a
// model for a KAM of a seeded workspace (200 interactions an account over
// two years), through the real engine and store: the time a person waits
// for the answer after the status shows (target: under 200 ms each).
func BenchmarkDeterministicSeeded(b *testing.B) {
	specs := []benchdb.Spec{{Accounts: 1000, Interactions: 200_000, SpanDays: 730, Now: seededNow}}
	if *bench10k {
		specs = append(specs, benchdb.Spec{Accounts: 10_000, Interactions: 2_000_000, SpanDays: 730, Now: seededNow})
	}
	for _, s := range specs {
		ctx := context.Background()
		path, err := benchdb.Path(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		db, err := store.OpenMigrated(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		now := func() time.Time { return s.Now }
		db.Now = now
		eng := commands.New(commands.Config{Store: db, Intel: db, Admins: []string{benchdb.Admin}, Now: now,
			Logger: slog.New(slog.DiscardHandler)})
		eng.Register(commands.SearchExtension(db))
		eng.Register(commands.BriefExtension(brief.New(brief.Config{Now: now, MaxRetries: -1}), nil))
		a := assistant.New(assistant.Config{Tools: eng, Rate: 1 << 30, Now: now})
		slug := benchdb.Slug(1)
		for _, q := range []string{"How is " + slug + " doing?", "my accounts", "what's new on " + slug, "brief " + slug,
			"Which of my accounts need me this month?", "What did the CFO say about pricing?"} {
			b.Run(fmt.Sprintf("%dacc/%s", s.Accounts, q), func(b *testing.B) {
				start := cpuTime(b)
				for b.Loop() {
					ans := a.Answer(ctx, assistant.Question{TeamID: benchdb.Team, UserID: benchdb.Owner(1), Text: q}, nil)
					if ans.Outcome != assistant.OutcomeDeterministic || len(ans.Read) != 1 {
						b.Fatalf("%s: %q", ans.Outcome, ans.Text)
					}
				}
				reportCPU(b, start)
			})
		}
		db.Close()
	}
}
