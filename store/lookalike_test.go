package store_test

import (
	"context"
	"testing"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// An account stored before the look-alike key existed gets its key when the
// database is migrated, so the refusal covers old accounts too.
func TestMigrateFillsLookAlikeKeys(t *testing.T) {
	storetest.SQLiteOnly(t, "rewinds a SQLite file to an older schema")
	ctx := context.Background()
	path := storetest.DSN(t, "old.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := kam.Account{TeamID: "T1", Name: "Acme Corp"}
	if err := db.CreateAccount(ctx, &a, "U0ADMIN01"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	raw, err := store.OpenRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE accounts SET lookalike = ''`); err != nil {
		t.Fatal(err)
	}

	db, err = store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var key string
	if err := raw.QueryRow(`SELECT lookalike FROM accounts WHERE id = ?`, a.ID).Scan(&key); err != nil || key != kam.LookAlike("Acme Corp") {
		t.Fatalf("key %q, %v; want %q", key, err, kam.LookAlike("Acme Corp"))
	}
	fake := kam.Account{TeamID: "T1", Name: "\u0410cme Corp"}
	err = db.CreateAccount(ctx, &fake, "U0ADMIN01")
	if e := kam.AsError(err); e == nil || e.Reason != kam.ReasonLookAlike || e.Other != "Acme Corp" {
		t.Fatalf("look-alike of an old account: %v", err)
	}
	if other := (kam.Account{TeamID: "T2", Name: "\u0410cme Corp"}); db.CreateAccount(ctx, &other, "U0ADMIN01") != nil {
		t.Fatal("another workspace's account blocked the name")
	}
}
