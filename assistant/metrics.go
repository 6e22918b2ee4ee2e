package assistant

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
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
		m.questions = register(reg, m.questions)
		m.tokens = register(reg, m.tokens)
		m.tools = register(reg, m.tools)
	}
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}
