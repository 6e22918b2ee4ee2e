package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestProcessGrows checks that spinning the CPU shows up in the reading.
func TestProcessGrows(t *testing.T) {
	start, ok := Process()
	if !ok {
		t.Skipf("CPU time is not read on %s", runtime.GOOS)
	}
	deadline := time.Now().Add(50 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		n++
	}
	end, _ := Process()
	if end <= start {
		t.Fatalf("CPU time did not grow over %d spins: %v then %v", n, start, end)
	}
}
