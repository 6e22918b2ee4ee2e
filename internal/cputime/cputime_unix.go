//go:build unix

// Package cputime reads the CPU time the process has used, the figure
// benchmarks report beside wall time: a machine shared with other work
// disturbs it far less.
package cputime

import (
	"syscall"
	"time"
)

// Process is the user and system CPU time the process has used so far;
// ok is false where it cannot be read.
func Process() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
