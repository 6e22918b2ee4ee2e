package digest_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the tests on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, again on PostgreSQL.
func TestMain(m *testing.M) {
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.Main(m))
}
