//go:build !unix

package matrix

import (
	"testing"
	"time"
)

// cpuTime is not read on this system: cpu-ms/op reads 0.
func cpuTime(*testing.B) time.Duration { return 0 }
