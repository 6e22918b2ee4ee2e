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

// TestThreadGrows checks that spinning on a locked thread shows up in the
// thread's reading, and that the thread's time is within the process's.
func TestThreadGrows(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := Thread()
	if !ok {
		t.Skipf("thread CPU time is not read on %s", runtime.GOOS)
	}
	p0, _ := Process()
	deadline := time.Now().Add(50 * time.Millisecond)
	n := 0
	for time.Now().Before(deadline) {
		n++
	}
	end, _ := Thread()
	p1, _ := Process()
	if end <= start {
		t.Fatalf("thread CPU time did not grow over %d spins: %v then %v", n, start, end)
	}
	// Readings tick at the scheduler's granularity; allow one tick.
	if end-start > p1-p0+10*time.Millisecond {
		t.Fatalf("thread used %v, more than the process's %v", end-start, p1-p0)
	}
}
