//go:build !unix

package accountcsv_test

import (
	"testing"
	"time"
)

// cpuTime is not measured here; the benchmark reports wall time only.
func cpuTime(*testing.B) time.Duration { return 0 }
