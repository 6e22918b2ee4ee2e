package assistant_test

import (
	"testing"
	"time"

	"github.com/kambot/kambot/internal/cputime"
)

// cpuTime is the process's CPU time so far (0 where it cannot be read).
func cpuTime(*testing.B) time.Duration {
	d, _ := cputime.Process()
	return d
}

// reportCPU reports the CPU time per operation since start, which a
// machine shared with other builds disturbs far less than wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}
