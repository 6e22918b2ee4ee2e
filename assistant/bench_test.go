package assistant_test

import (
	"testing"

	"github.com/kambot/kambot/assistant"
)

// BenchmarkDeterministic answers the common questions without a model
// through the real engine and store (target: under 200 ms each).
func BenchmarkDeterministic(b *testing.B) {
	for _, q := range []string{"How is Acme doing?", "What did their CFO say about pricing?", "my accounts", "brief acme", "what's new on acme"} {
		b.Run(q, func(b *testing.B) {
			f := newFixture(b)
			a, _ := f.assistant(b, nil, func(c *assistant.Config) { c.Rate = 1 << 30 })
			start := cpuTime(b)
			for b.Loop() {
				if ans := ask(a, kamUser, q); ans.Outcome != assistant.OutcomeDeterministic {
					b.Fatal(ans.Outcome)
				}
			}
			reportCPU(b, start)
		})
	}
}
