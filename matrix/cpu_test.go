package matrix

import (
	"testing"
	"time"

	"github.com/kambot/kambot/internal/cputime"
)

// cpuTime is the process's CPU time so far (0 where it cannot be read).
func cpuTime(*testing.B) time.Duration {
	d, _ := cputime.Process()
	return d
}
