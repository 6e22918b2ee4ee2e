package brief

import (
	"testing"
)

// BenchmarkBuildPrompt50k builds the brief prompt for an account with
// 50,000 interactions at the default budget. Target: under 20 ms.
func BenchmarkBuildPrompt50k(b *testing.B) {
	f := big(50_000)
	b.ReportAllocs()
	for b.Loop() {
		p := BuildPrompt(f, DefaultInputBudget)
		if p.Interactions == 0 {
			b.Fatal("no interactions in the prompt")
		}
	}
}

// BenchmarkFallback50k renders the template brief for the same account.
// Target: under 50 ms.
func BenchmarkFallback50k(b *testing.B) {
	f := big(50_000)
	b.ReportAllocs()
	for b.Loop() {
		if r := Fallback(f); r.Text == "" {
			b.Fatal("empty fallback")
		}
	}
}
