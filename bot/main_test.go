package bot_test

import (
	"context"
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the tests on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, runs those that keep data in the store (Home, forms, the assistant)
// again on PostgreSQL; the transport tests hold no data and run once.
func TestMain(m *testing.M) {
	storetest.Prepare = migrate
	os.Exit(storetest.MainSome(m, "^(TestHome|TestLogToAccountForms|TestAssistant)"))
}

// migrate prepares the template database the PostgreSQL run clones.
func migrate(ctx context.Context, dsn string) error {
	db, err := store.OpenMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	return db.Close()
}
