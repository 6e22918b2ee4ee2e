package store_test

import (
	"testing"

	"github.com/kambot/kambot/store"
)

func BenchmarkZZDebug(b *testing.B) {
	b.Logf("batches %d items %d", store.DebugBatches.Load(), store.DebugItems.Load())
}
