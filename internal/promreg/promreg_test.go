package promreg_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kambot/kambot/internal/promreg"
)

func newCounter(name string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: "test"}, []string{"kind"})
}

func TestRegister(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		first := promreg.Register(reg, newCounter("x_total"))
		second := promreg.Register(reg, newCounter("x_total"))
		if first != second {
			t.Fatal("a second registration did not return the collector already registered")
		}
		second.WithLabelValues("a").Inc()
		if n := testutil.ToFloat64(first.WithLabelValues("a")); n != 1 {
			t.Fatalf("count through the first collector %v; want 1", n)
		}
	})
	t.Run("ErrOtherCollector", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		promreg.Register(reg, newCounter("y_total"))
		defer func() {
			if recover() == nil {
				t.Fatal("a histogram under a counter's name was accepted")
			}
		}()
		promreg.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "y_total", Help: "test"}, []string{"kind"}))
	})
}
