package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kambot/kambot/kam"
)

func BenchmarkCoreExp(b *testing.B) {
	ctx := context.Background()
	db, err := OpenMigrated(ctx, filepath.Join(b.TempDir(), "p.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.Exec(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i < 999)
INSERT INTO accounts (team_id, name, slug, created_at, updated_at) SELECT 'T1', 'Acme Globex ' || printf('%03d', i), 'acme-globex-' || printf('%03d', i), 0, 0 FROM c`); err != nil {
		b.Fatal(err)
	}
	_ = kam.Account{}
	_ = fmt.Sprint()
	variants := map[string]string{
		"union": findAccountsSQL,
		"name":  `SELECT ` + accountCols + ` FROM accounts WHERE team_id = ?1 AND name COLLATE NOCASE >= ?2 AND name COLLATE NOCASE < ?3 ORDER BY name COLLATE NOCASE, id LIMIT ?6 + 0`,
		"or":    `SELECT ` + accountCols + ` FROM accounts WHERE team_id = ?1 AND ((name COLLATE NOCASE >= ?2 AND name COLLATE NOCASE < ?3) OR (slug >= ?4 AND slug < ?5)) ORDER BY name COLLATE NOCASE, id LIMIT ?6 + 0`,
		"byid":  `SELECT ` + accountCols + ` FROM accounts WHERE id IN (SELECT id FROM accounts WHERE team_id = ?1 AND name COLLATE NOCASE >= ?2 AND name COLLATE NOCASE < ?3 UNION SELECT id FROM accounts WHERE team_id = ?1 AND slug >= ?4 AND slug < ?5) ORDER BY name COLLATE NOCASE, id LIMIT ?6 + 0`,
	}
	rw, err := sql.Open("sqlite3", "file:"+escapePath(db.path)+"?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=1&_synchronous=NORMAL")
	if err != nil {
		b.Fatal(err)
	}
	pools := map[string]*sql.DB{"read": db.read, "write": db.write, "rw": rw}
	for pn, pool := range pools {
		for name, q := range variants {
			b.Run(pn+"/"+name, func(b *testing.B) {
				st, err := pool.Prepare(q)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					rows, err := st.Query("T1", "Acme Globex 00", "Acme Globex 00\xff", "acme-globex-00", "acme-globex-00\xff", 5)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						n++
					}
					rows.Close()
					if n != 5 {
						b.Fatal(n)
					}
				}
			})
		}
	}
	b.Run("explain", func(b *testing.B) {
		for name, q := range variants {
			rows, _ := db.read.Query("EXPLAIN QUERY PLAN "+q, "T1", "a", "b", "c", "d", 5)
			for rows.Next() {
				var id, p, n int
				var d string
				rows.Scan(&id, &p, &n, &d)
				b.Log(name, d)
			}
			rows.Close()
		}
	})
}
