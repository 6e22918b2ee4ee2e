// Package promreg registers Prometheus collectors that several parts of
// kambot may create more than once against one registry.
package promreg

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c with reg, or returns the collector already
// registered under its name and labels, so that several instances (two
// drafters, an assistant per test) can share one registry. A different
// collector under the same name is a programming error that must not pass
// silently: Register panics then.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
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
