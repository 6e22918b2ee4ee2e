//go:build !unix

package digest_test

import "time"

// dgCPUTime is not measured on this platform.
func dgCPUTime() (time.Duration, bool) { return 0, false }
