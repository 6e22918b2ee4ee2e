package assistant_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the suite on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, the whole suite again on PostgreSQL, each test that opens a store
// on its own database cloned from one migrated template.
func TestMain(m *testing.M) {
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.Main(m))
}
