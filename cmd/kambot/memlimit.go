package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// memoryLimitFloor is the Go runtime's soft memory limit while the live heap
// is small (see governMemory).
const memoryLimitFloor = 16 << 20

// governMemory keeps the Go runtime's soft memory limit at the larger of
// floor and three times the heap found live by the last collection, until
// the function it returns is called; it then restores the limit it found.
//
// A server under a stream of /kam log keeps only 3–4 MB live, but with the
// default settings the runtime holds twice its heap goal and more, about
// 17 MB of its own memory, a third of the process's peak. Under the floor
// it collects and returns memory sooner. The limit follows a larger live
// heap (a digest or health of the whole workspace holds 100–200 MB for a
// while) at three times its size, above the goal of the default GOGC=100,
// so such a command is collected as often as without it, never
// continuously, and the limit comes back to the floor once it is done.
//
// GOMEMLIMIT set in the environment, to a size or to "off", overrides all
// of this: the runtime then applies it and nothing is governed.
func governMemory(floor int64) (stop func()) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	g := &memoryGovernor{floor: floor, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	g.before = debug.SetMemoryLimit(-1)
	g.adjust()
	g.arm()
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.stopped = true
		debug.SetMemoryLimit(g.before)
	}
}

type memoryGovernor struct {
	floor, before int64
	mu            sync.Mutex
	sample        []metrics.Sample
	stopped       bool
}

// gcSentinel is garbage as soon as it is made: its finalizer runs after
// each collection. Large enough not to share a tiny-allocation block,
// whose finalizers may never run.
type gcSentinel struct{ _ [32]byte }

// arm sets the limit again after the next collection.
func (g *memoryGovernor) arm() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		if g.adjust() {
			g.arm()
		}
	})
}

// adjust sets the limit from the live heap of the last collection; false
// once stopped.
func (g *memoryGovernor) adjust() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	metrics.Read(g.sample)
	var live int64
	if g.sample[0].Value.Kind() == metrics.KindUint64 {
		live = int64(g.sample[0].Value.Uint64())
	}
	limit := max(g.floor, 3*live)
	if cur := debug.SetMemoryLimit(-1); cur != limit {
		debug.SetMemoryLimit(limit)
	}
	return true
}
