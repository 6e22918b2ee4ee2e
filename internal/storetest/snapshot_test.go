package storetest_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// TestMain runs the tests on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, again on PostgreSQL, where Snapshot has a form of its own.
func TestMain(m *testing.M) {
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.Main(m))
}

// TestSnapshotSeesEveryChange: a snapshot differs after any insert, update
// or delete, and is the same again once the row is as it was.
func TestSnapshotSeesEveryChange(t *testing.T) {
	dsn := storetest.DSN(t, "kambot.db")
	storetest.Exec(t, dsn, `CREATE TABLE snap (id INTEGER PRIMARY KEY, v TEXT)`, `CREATE TABLE snap (id bigint PRIMARY KEY, v text)`)
	storetest.Exec(t, dsn, `CREATE TABLE snap2 (n INTEGER)`, `CREATE TABLE snap2 (n bigint)`)
	storetest.Exec(t, dsn, `INSERT INTO snap VALUES (1, 'a')`, `INSERT INTO snap VALUES (1, 'a')`)
	orig := storetest.Snapshot(t, dsn)
	if again := storetest.Snapshot(t, dsn); again != orig {
		t.Fatalf("two snapshots of an unchanged database differ:\n%s\n%s", orig, again)
	}
	for _, tc := range []struct{ name, change, undo string }{
		{"Insert", `INSERT INTO snap VALUES (2, 'b')`, `DELETE FROM snap WHERE id = 2`},
		{"Update", `UPDATE snap SET v = 'A' WHERE id = 1`, `UPDATE snap SET v = 'a' WHERE id = 1`},
		{"UpdateToNull", `UPDATE snap SET v = NULL WHERE id = 1`, `UPDATE snap SET v = 'a' WHERE id = 1`},
		{"Delete", `DELETE FROM snap`, `INSERT INTO snap VALUES (1, 'a')`},
		{"OtherTable", `INSERT INTO snap2 VALUES (7)`, `DELETE FROM snap2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Exec(t, dsn, tc.change, tc.change)
			if storetest.Snapshot(t, dsn) == orig {
				t.Errorf("%s: the snapshot did not change", tc.change)
			}
			storetest.Exec(t, dsn, tc.undo, tc.undo)
			if got := storetest.Snapshot(t, dsn); got != orig {
				t.Errorf("after %s: the snapshot differs:\n%s\nwant\n%s", tc.undo, got, orig)
			}
		})
	}
}
