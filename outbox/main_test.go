package outbox

import (
	"context"
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the sender's tests on SQLite and, when
// KAMBOT_TEST_POSTGRES_URL is set, again on PostgreSQL: claims, leases,
// settlement and recovery are SQL behaviour.
func TestMain(m *testing.M) {
	storetest.Prepare = migrate
	os.Exit(storetest.Main(m))
}

// migrate prepares the template database the PostgreSQL run clones.
func migrate(ctx context.Context, dsn string) error {
	db, err := store.OpenMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	return db.Close()
}
