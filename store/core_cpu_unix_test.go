//go:build unix

package store_test

import (
	"syscall"
	"testing"
	"time"
)

// coreCPUTime is the CPU time (user and system) the process has used.
func coreCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// coreReportCPU reports the process's CPU time per operation since start,
// as "cpu-ns/op": on a shared machine it is steadier than wall time, and on
// N cores the store can serve at most N seconds / (cpu-ns/op) requests a
// second.
func coreReportCPU(b *testing.B, start time.Duration) {
	if n := b.N; n > 0 {
		b.ReportMetric(float64(coreCPUTime()-start)/float64(n), "cpu-ns/op")
	}
}
