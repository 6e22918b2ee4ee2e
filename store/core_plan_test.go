package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestCorePlanDebug(t *testing.T) {
	db, err := OpenMigrated(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+findAccountsSQL, "T", "a", "a\xff", "a", "a\xff", 5)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, parent, nu int
		var detail string
		rows.Scan(&id, &parent, &nu, &detail)
		t.Log(id, parent, detail)
	}
	rows.Close()
	var v string
	db.read.QueryRow("select sqlite_version()").Scan(&v)
	t.Log(v)
	for _, p := range []string{"journal_mode", "synchronous", "busy_timeout", "cache_size"} {
		var s string
		db.write.QueryRow("PRAGMA " + p).Scan(&s)
		t.Log(p, s)
	}
}
