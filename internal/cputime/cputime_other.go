//go:build !unix

// Package cputime reads the CPU time the process has used, the figure
// benchmarks report beside wall time: a machine shared with other work
// disturbs it far less.
package cputime

import "time"

// Process is not read on this system: it reports 0 and false.
func Process() (time.Duration, bool) { return 0, false }
