package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// waitLimit collects until the runtime's memory limit satisfies ok, or
// fails after a few seconds.
func waitLimit(t *testing.T, what string, ok func(int64) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		if l := debug.SetMemoryLimit(-1); ok(l) {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("memory limit %d MiB: want %s", l>>20, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGovernMemory(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	const floor = 16 << 20
	before := debug.SetMemoryLimit(-1)
	stop := governMemory(floor)
	if l := debug.SetMemoryLimit(-1); l != floor {
		stop()
		t.Fatalf("memory limit %d at start, want the floor %d", l, floor)
	}
	// A large live heap (a digest of the whole workspace) raises the
	// limit above the default collector's goal...
	big := make([][]byte, 64)
	for i := range big {
		big[i] = make([]byte, 1<<20)
	}
	waitLimit(t, "at least three times the 64 MiB live heap", func(l int64) bool { return l >= 3*64<<20 })
	runtime.KeepAlive(big)
	big = nil
	// ...and it comes back to the floor once that heap is garbage.
	waitLimit(t, "back at the floor", func(l int64) bool { return l == floor })
	stop()
	if l := debug.SetMemoryLimit(-1); l != before {
		t.Errorf("memory limit %d after stop, want %d as before", l, before)
	}
	// Stopped, it sets nothing more.
	debug.SetMemoryLimit(before)
	big = make([][]byte, 64)
	for i := range big {
		big[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if l := debug.SetMemoryLimit(-1); l != before {
		t.Errorf("memory limit %d after stop and a collection, want %d", l, before)
	}
	runtime.KeepAlive(big)
}

// TestGovernMemoryEnvironment: GOMEMLIMIT in the environment, even "off",
// leaves the runtime's limit alone.
func TestGovernMemoryEnvironment(t *testing.T) {
	for _, v := range []string{"off", "64MiB"} {
		t.Setenv("GOMEMLIMIT", v)
		before := debug.SetMemoryLimit(-1)
		stop := governMemory(16 << 20)
		runtime.GC()
		if l := debug.SetMemoryLimit(-1); l != before {
			t.Errorf("GOMEMLIMIT=%s: limit %d, want %d untouched", v, l, before)
		}
		stop()
	}
}
