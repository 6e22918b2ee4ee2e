package bot_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the tests on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, runs those that keep data in the store (Home, forms, the assistant)
// again on PostgreSQL; the transport tests hold no data and run once.
func TestMain(m *testing.M) {
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.MainSome(m, "^(TestHome|TestLogToAccountForms|TestAssistant)"))
}
