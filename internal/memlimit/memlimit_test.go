package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFor(t *testing.T) {
	for _, c := range []struct {
		kept uint64
		want int64
	}{
		{0, Floor},
		{10 << 20, Floor},    // 10,000 accounts keep about 17 MB
		{20 << 20, Floor},    // 4 × 20 MiB is the floor itself
		{21 << 20, 84 << 20}, // past it, the limit grows with the workspace
		{100 << 20, 400 << 20},
		{math.MaxUint64, 4 << 40}, // no overflow
	} {
		if got := For(c.kept); got != c.want {
			t.Errorf("For(%d) = %d, want %d", c.kept, got, c.want)
		}
	}
}

// keepLimit restores the process's limit after a test that sets it.
func keepLimit(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(was) })
}

func TestSetUnlessOperator(t *testing.T) {
	keepLimit(t)
	if got := Set(50<<20, false); got != 200<<20 || debug.SetMemoryLimit(-1) != 200<<20 {
		t.Fatalf("Set(50 MiB) = %d, limit %d; want 200 MiB both", got, debug.SetMemoryLimit(-1))
	}
	// The operator's limit (the runtime applies GOMEMLIMIT at start; set
	// here by hand) stays.
	debug.SetMemoryLimit(300 << 20)
	if got := Set(1<<20, true); got != 300<<20 || debug.SetMemoryLimit(-1) != 300<<20 {
		t.Fatalf("with GOMEMLIMIT set, Set = %d, limit %d; want the operator's 300 MiB", got, debug.SetMemoryLimit(-1))
	}
	if got := Scaled(true); got != 300<<20 {
		t.Fatalf("with GOMEMLIMIT set, Scaled = %d; want the operator's 300 MiB", got)
	}
}

// TestScaledFollowsLiveHeap keeps 40 MiB live: the limit is four times it.
func TestScaledFollowsLiveHeap(t *testing.T) {
	keepLimit(t)
	kept := make([][]byte, 40)
	for i := range kept {
		kept[i] = make([]byte, 1<<20)
		kept[i][0] = 1
	}
	got := Scaled(false)
	runtime.KeepAlive(kept)
	live := Live()
	if live < 40<<20 {
		t.Fatalf("live heap %d, want at least the 40 MiB kept", live)
	}
	if got != int64(live)*PerKept || got < 160<<20 {
		t.Fatalf("Scaled = %d with %d live, want %d", got, live, int64(live)*PerKept)
	}
	if debug.SetMemoryLimit(-1) != got {
		t.Fatalf("limit in effect %d, want %d", debug.SetMemoryLimit(-1), got)
	}
}
