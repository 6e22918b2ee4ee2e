package assistant

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kambot/kambot/internal/promreg"
)

type metrics struct {
	questions *prometheus.CounterVec // mode, outcome
	tokens    *prometheus.CounterVec // type
	tools     *prometheus.CounterVec // tool, outcome
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_assistant_questions_total",
			Help: "Questions the assistant answered, by mode (model or deterministic) and outcome.",
		}, []string{"mode", "outcome"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_assistant_tokens_total",
			Help: "Language-model tokens the assistant used, by type (prompt or completion).",
		}, []string{"type"}),
		tools: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kambot_assistant_tool_calls_total",
			Help: "Tool calls the model made, by tool (unknown for names not offered) and outcome.",
		}, []string{"tool", "outcome"}),
	}
	if reg != nil {
		m.questions = promreg.Register(reg, m.questions)
		m.tokens = promreg.Register(reg, m.tokens)
		m.tools = promreg.Register(reg, m.tools)
	}
	return m
}
