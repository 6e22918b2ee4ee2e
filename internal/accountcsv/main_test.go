package accountcsv_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the suite on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, the whole suite again on PostgreSQL: the import's all-or-nothing
// writes and the export's order rest on the store's SQL.
func TestMain(m *testing.M) {
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.Main(m))
}
