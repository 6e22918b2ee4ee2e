//go:build !linux

package cputime

import "time"

// Thread is not read on this system: it reports 0 and false.
func Thread() (time.Duration, bool) { return 0, false }
