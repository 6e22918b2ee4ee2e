package store_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
)

// TestMain runs the store's tests on SQLite and, when
// KAMBOT_TEST_POSTGRES_URL is set, again on PostgreSQL: one contract for
// both backends.
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
