package assistant

import (
	"github.com/VictoriaMetrics/metrics"

	"github.com/kambot/kambot/internal/promtext"
)

// meters writes the assistant's series on its set:
// kambot_assistant_questions_total{mode,outcome},
// kambot_assistant_tokens_total{type} and
// kambot_assistant_tool_calls_total{outcome,tool}. Tool names are the
// offered ones or "unknown"; the other values are the package's constants.
// Series are got or created by name, so that assistants on one set share
// them; a question costs seconds of model time, so formatting a name per
// update costs nothing that matters.
type meters struct {
	set *metrics.Set // nil: nothing is counted
}

func newMetrics(set *metrics.Set) *meters { return &meters{set: set} }

func (m *meters) question(mode, outcome string) {
	if m.set != nil {
		m.set.GetOrCreateCounter(promtext.Series("kambot_assistant_questions_total", "mode", mode, "outcome", outcome)).Inc()
	}
}

func (m *meters) tokens(typ string, n int) {
	if m.set != nil {
		m.set.GetOrCreateCounter(promtext.Series("kambot_assistant_tokens_total", "type", typ)).Add(n)
	}
}

func (m *meters) tool(name, outcome string) {
	if m.set != nil {
		m.set.GetOrCreateCounter(promtext.Series("kambot_assistant_tool_calls_total", "outcome", outcome, "tool", name)).Inc()
	}
}
