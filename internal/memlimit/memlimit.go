// Package memlimit sets the Go collector's soft memory limit for a kambot
// process, unless the operator set one with GOMEMLIMIT (which the runtime
// applies by itself).
//
// Go's collector lets the heap grow to twice what is live before it runs
// again. Work over a whole workspace holds a lot live for a moment: the
// weekly digest of 10,000 accounts holds about 40 MB (the health inputs
// kept between commands and the week's assessments), so its heap grew to
// 95 MB and the process peaked at 135–142 MB, of which Go's memory was
// over 100. With a soft limit the collector runs sooner as the process's
// Go memory nears it, and returns freed pages sooner; under the limit it
// changes nothing, so everyday commands, whose Go memory stays near 12 MB,
// pay nothing.
//
// A limit that is too low for what must stay live makes the collector run
// back to back (Go caps it at about half the CPU). The limit therefore
// grows with the workspace: Floor, or PerKept times the heap live once the
// health inputs of every account are kept (Scaled), whichever is larger.
package memlimit

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

const (
	// Floor is the least limit: at 10,000 accounts the weekly digest's
	// heap then stays near 60 MB, for a peak of about 110 MB.
	Floor = 80 << 20
	// PerKept is the headroom over the heap live with every account's
	// inputs kept: the weekly digest's assessments add about 1.4 times
	// that, and the rest is the collector's.
	PerKept = 4
)

// For is the limit for a process whose heap live with every account's
// inputs kept is kept bytes.
func For(kept uint64) int64 {
	return max(int64(Floor), int64(min(kept, 1<<40))*PerKept)
}

// Set sets the limit for kept bytes live and returns it; where the operator
// set one (operator: GOMEMLIMIT is set), it returns that one and changes
// nothing.
func Set(kept uint64, operator bool) int64 {
	if operator {
		return debug.SetMemoryLimit(-1)
	}
	limit := For(kept)
	debug.SetMemoryLimit(limit)
	return limit
}

// Scaled collects garbage, then sets the limit for the heap now live: call
// it once the health inputs of every account are loaded. It returns the
// limit in effect, the operator's where they set one.
func Scaled(operator bool) int64 {
	if operator {
		return debug.SetMemoryLimit(-1)
	}
	runtime.GC()
	return Set(Live(), false)
}

// Live is the heap live at the end of the last collection.
func Live() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
