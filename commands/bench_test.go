package commands_test

import (
	"context"
	"testing"

	"github.com/kambot/kambot/commands"
)

// BenchmarkHandleLog measures the busiest command end to end on a real
// database: parse, resolve the account by prefix, check the team role,
// write the interaction with its audit entry, queue the channel post and
// render the reply.
func BenchmarkHandleLog(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	req := commands.Request{TeamID: team, UserID: ben, Text: "log acme call Talked renewal timing with their CFO"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.eng.Do(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleShow measures the account card, the heaviest read.
func BenchmarkHandleShow(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	req := commands.Request{TeamID: team, UserID: ana, Text: "show acme"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.eng.Do(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
