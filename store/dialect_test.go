package store

import (
	"strings"
	"testing"
)

func TestNumberParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"a = ?1 AND b = ?1 AND c = ?2", "a = $1 AND b = $1 AND c = $2"},
		// A bare ? takes the number after the largest so far, as in SQLite.
		{"a = ?3 AND b = ?", "a = $3 AND b = $4"},
		{"a = '?' AND b = ?", "a = '?' AND b = $1"},
		{`a = "x?" AND b = ?`, `a = "x?" AND b = $1`},
		{"a = ? -- what?\nAND b = ?", "a = $1 -- what?\nAND b = $2"},
		{"a = 'unterminated ?", "a = 'unterminated ?"},
	}
	for _, tt := range tests {
		if got := numberParams(tt.in); got != tt.want {
			t.Errorf("numberParams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestToPostgres(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"planner hints", `SELECT x FROM t INDEXED BY t_idx WHERE +team_id = +?1 AND a >= +?2`,
			`SELECT x FROM t WHERE team_id = $1 AND a >= $2`},
		{"binary plus stays", `SELECT coalesce(max(n), 0) + 1 FROM t`, `SELECT coalesce(max(n), 0) + 1 FROM t`},
		{"no limit", `SELECT x FROM t LIMIT +?3`, `SELECT x FROM t LIMIT nullif($3, -1)`},
		{"nocase comparison", `SELECT 1 FROM a WHERE team_id = ? AND name = ? COLLATE NOCASE`,
			`SELECT 1 FROM a WHERE team_id = $1 AND kam_nocase(name) = kam_nocase($2)`},
		{"nocase order", `SELECT 1 FROM a ORDER BY name COLLATE NOCASE, id`, `SELECT 1 FROM a ORDER BY kam_nocase(name), id`},
		{"id list", `SELECT 1 FROM t WHERE account_id IN (SELECT value FROM json_each(?2))`,
			`SELECT 1 FROM t WHERE account_id IN (SELECT value FROM kam_ids($2))`},
		{"string list", `SELECT key FROM n WHERE key IN (SELECT value FROM json_each(?))`,
			`SELECT key FROM n WHERE key IN (SELECT value FROM kam_strs($1))`},
		{"joined list", `SELECT a.value FROM json_each(?2) a CROSS JOIN m ON m.account_id = a.value`,
			`SELECT a.value FROM kam_ids($2) a JOIN m ON m.account_id = a.value`},
		{"group_concat", `SELECT group_concat(c.id) FROM c`, `SELECT string_agg(c.id::text, ',') FROM c`},
		{"scalar max", `DELETE FROM m WHERE max(a, b, c) < ?`, `DELETE FROM m WHERE greatest(a, b, c) < $1`},
		{"aggregate max stays", `SELECT max(at) FROM i`, `SELECT max(at) FROM i`},
		{"insert or ignore", `INSERT OR IGNORE INTO l (a, b) VALUES (?, ?)`, `INSERT INTO l (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING`},
		{"upsert qualifies the old row", `INSERT INTO m (a, role) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET role = excluded.role WHERE role <> excluded.role`,
			`INSERT INTO m (a, role) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET role = excluded.role WHERE m.role <> excluded.role`},
		{"upsert greatest", `INSERT INTO j (job, c) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET c = max(c, excluded.c)`,
			`INSERT INTO j (job, c) VALUES ($1, $2) ON CONFLICT (job) DO UPDATE SET c = greatest(j.c, excluded.c)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := toPostgres(tt.in).text; got != tt.want {
				t.Errorf("toPostgres:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	if q := toPostgres(`INSERT INTO accounts (name) VALUES (?)`); q.insertInto != "accounts" {
		t.Errorf("insert target %q, want accounts", q.insertInto)
	}
	if q := toPostgres(`INSERT INTO outbox (k) VALUES (?) RETURNING id`); q.insertInto != "" {
		t.Errorf("insert with RETURNING gets another: %q", q.insertInto)
	}
}

// FuzzNumberParams: no parameter outside quotes is left in SQLite's form,
// and text without parameters comes back unchanged.
func FuzzNumberParams(f *testing.F) {
	for _, s := range []string{"a = ?", "?1 ?2 ?", "'?' ?", "-- ?\n?", `"?"`, "??", "?99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := numberParams(s)
		if !strings.Contains(s, "?") && got != s {
			t.Fatalf("changed text without parameters: %q -> %q", s, got)
		}
		if !strings.ContainsAny(s, `'"-`) && strings.Contains(got, "?") {
			t.Fatalf("parameter left in %q -> %q", s, got)
		}
	})
}
