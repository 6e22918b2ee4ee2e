//go:build !unix

package store_test

import (
	"testing"
	"time"
)

func coreCPUTime() time.Duration { return 0 }

func coreReportCPU(*testing.B, time.Duration) {}
