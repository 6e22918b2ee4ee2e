package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// searchIDs runs a search and returns the hits as "kind:text", best first.
func searchTexts(t *testing.T, db *store.DB, q kam.SearchQuery) []string {
	t.Helper()
	hits, err := db.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %v: %v", q.Terms, err)
	}
	var out []string
	for _, h := range hits {
		if h.TeamID != q.TeamID {
			t.Fatalf("hit of workspace %s in a search of %s", h.TeamID, q.TeamID)
		}
		out = append(out, string(h.Kind)+":"+h.Text)
	}
	return out
}

func logAt(t testing.TB, db *store.DB, team string, acct int64, kind kam.InteractionKind, user, text string, at time.Time) kam.Interaction {
	t.Helper()
	in := kam.Interaction{TeamID: team, AccountID: acct, UserID: user, Kind: kind, Summary: text, At: at}
	if err := db.LogInteraction(context.Background(), &in, user, nil); err != nil {
		t.Fatalf("log %q: %v", text, err)
	}
	return in
}

func TestSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openCoreDB(t)
	acme := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	globex := coreCreate(t, db, kam.Account{Name: "Globex", OwnerID: "UKAM"})
	other := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Acme", OwnerID: "UKAM"})
	day := func(n int) time.Time { return coreEpoch.AddDate(0, 0, -n) }
	logAt(t, db, coreTeam, acme.ID, kam.KindCall, "UDANA", "CFO Müller pushed back on pricing for the renewal", day(10))
	logAt(t, db, coreTeam, acme.ID, kam.KindMeeting, "UKAM", "Pricing, pricing, pricing: the renewal hinges on price", day(5))
	logAt(t, db, coreTeam, globex.ID, kam.KindEmail, "UFIN", "Sent the renewal quote", day(3))
	logAt(t, db, coreTeam, acme.ID, kam.KindNote, "UKAM", "Too high a price, said procurement", day(2))
	logAt(t, db, coreOther, other.ID, kam.KindCall, "UOTHER", "Other workspace renewal pricing secret", day(1))
	logAt(t, db, coreTeam, globex.ID, kam.KindEmail, "UFIN", "Follow-up e-mail on v2.1 of the SOW, ticket 4711", day(20))
	c := kam.Contact{TeamID: coreTeam, AccountID: acme.ID, Name: "Zoë Quiñones", Title: "Chief Financial Officer", Influence: 5}
	if err := db.AddContact(ctx, &c, "UKAM"); err != nil {
		t.Fatal(err)
	}
	o := kam.Objective{TeamID: coreTeam, AccountID: globex.ID, For: kam.ObjectiveFor("us"), Text: "Expand into logistics", AuthorID: "UKAM"}
	if err := db.AddObjective(ctx, &o, "UKAM"); err != nil {
		t.Fatal(err)
	}
	q := func(text string, accounts []int64) kam.SearchQuery {
		return kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch(text), Accounts: accounts}
	}
	for _, tc := range []struct {
		name  string
		query kam.SearchQuery
		want  []string
	}{
		{"accent folded", q("muller", nil), []string{"call:CFO Müller pushed back on pricing for the renewal"}},
		{"accent in query", q("MÜLLER", nil), []string{"call:CFO Müller pushed back on pricing for the renewal"}},
		{"stakeholder", q("zoe quinones", nil), []string{"stakeholder:Zoë Quiñones Chief Financial Officer"}},
		{"bm25: more mentions first", q("pricing", nil), []string{
			"meeting:Pricing, pricing, pricing: the renewal hinges on price",
			"call:CFO Müller pushed back on pricing for the renewal"}},
		{"prefix", q("pric*", []int64{acme.ID}), []string{
			"meeting:Pricing, pricing, pricing: the renewal hinges on price",
			"note:Too high a price, said procurement",
			"call:CFO Müller pushed back on pricing for the renewal"}},
		{"phrase", q(`"too high"`, nil), []string{"note:Too high a price, said procurement"}},
		{"phrase in order only", q(`"high too"`, nil), nil},
		{"every term", q("renewal quote", nil), []string{"email:Sent the renewal quote"}},
		{"accounts limit", q("renewal", []int64{globex.ID}), []string{"email:Sent the renewal quote"}},
		{"no accounts", q("renewal", []int64{}), nil},
		{"objective", q("logistics", nil), []string{"objective:Expand into logistics"}},
		{"other workspace never", q("secret", nil), nil},
		{"other workspace account id", q("secret", []int64{other.ID}), nil},
		{"hyphen splits words", q("mail", nil), []string{"email:Follow-up e-mail on v2.1 of the SOW, ticket 4711"}},
		{"hyphenated phrase", q(`"follow up"`, nil), []string{"email:Follow-up e-mail on v2.1 of the SOW, ticket 4711"}},
		{"digits", q("4711 sow", []int64{globex.ID}), []string{"email:Follow-up e-mail on v2.1 of the SOW, ticket 4711"}},
		{"phrase with prefix", q(`"hinges on pri*"`, nil), []string{"meeting:Pricing, pricing, pricing: the renewal hinges on price"}},
		{"no such word", q("pricing zebra", nil), nil},
		{"syntax is text", q(`pricing OR secret NEAR "x" body:* -renewal (`, nil), nil},
		{"tsquery syntax is text", q(`pricing & !renewal | secret <-> x:* ' \`, nil), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := searchTexts(t, db, tc.query)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	t.Run("since", func(t *testing.T) {
		sq := q("renewal", nil)
		sq.Since = day(4)
		if got, want := searchTexts(t, db, sq), []string{"email:Sent the renewal quote"}; !slices.Equal(got, want) {
			t.Fatalf("since: %q", got)
		}
	})
	t.Run("many accounts filtered after the match", func(t *testing.T) {
		ids := []int64{globex.ID}
		for i := range 300 {
			ids = append(ids, int64(100000+i))
		}
		if got := searchTexts(t, db, q("renewal", ids)); !slices.Equal(got, []string{"email:Sent the renewal quote"}) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("in step with changes", func(t *testing.T) {
		c.Title = "Treasurer"
		if err := db.UpdateContact(ctx, &c, "UKAM", []string{"title"}); err != nil {
			t.Fatal(err)
		}
		if got := searchTexts(t, db, q("treasurer", nil)); len(got) != 1 {
			t.Fatalf("updated title not found: %q", got)
		}
		if got := searchTexts(t, db, q("financial", nil)); len(got) != 0 {
			t.Fatalf("old title still found: %q", got)
		}
		if err := db.RemoveContact(ctx, coreTeam, acme.ID, c.ID, "UKAM"); err != nil {
			t.Fatal(err)
		}
		if got := searchTexts(t, db, q("treasurer", nil)); len(got) != 0 {
			t.Fatalf("removed stakeholder still found: %q", got)
		}
	})
	t.Run("ErrMissingTeam", func(t *testing.T) {
		_, err := db.Search(ctx, kam.SearchQuery{Terms: kam.ParseSearch("renewal")})
		coreWantCode(t, err, kam.EINVALID)
	})
}

func TestSearchMatchFixedShape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"renewal", `body:renewal`},
		{"Renew* terms", `body:renew* body:terms`},
		{`"price increase" cfo`, `"price increase" body:cfo`},
		{`"price incr*" NEAR`, `"price incr*" body:near`},
		{`ab*`, `body:ab`},
		{`abc*`, `body:abc*`},
		{`"unclosed phrase`, `"unclosed phrase"`},
		{`body:x OR y`, `body:body body:x body:or body:y`},
	} {
		got := store.SearchMatch(kam.ParseSearch(tc.in))
		if got != tc.want {
			t.Errorf("SearchMatch(%q) = %s; want %s", tc.in, got, tc.want)
		}
	}
	if got := store.ScopeList([]int64{4, 7}); got != `(scope:a4 OR scope:a7)` {
		t.Errorf("scope list = %s", got)
	}
}

// FuzzSearch runs whatever a user may type as a search against a real
// index: the query never errors and never leaves the workspace.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"renewal", `"too high"`, "pric*", `"`, "*", `a" OR "b`, "NEAR/3", "body:", "scope:a1", "((", "\x00", "Müller*", "^x", `"a*" b`} {
		f.Add(s)
	}
	db, _ := openCoreDB(f)
	acme := coreCreate(f, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	other := coreCreate(f, db, kam.Account{TeamID: coreOther, Name: "Acme", OwnerID: "UKAM"})
	logAt(f, db, coreTeam, acme.ID, kam.KindCall, "UDANA", "renewal pricing too high scope body near", coreEpoch)
	logAt(f, db, coreOther, other.ID, kam.KindCall, "UDANA", "renewal pricing too high scope body near", coreEpoch)
	f.Fuzz(func(t *testing.T, s string) {
		for _, accts := range [][]int64{nil, {acme.ID}} {
			hits, err := db.Search(context.Background(), kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch(s), Accounts: accts})
			if err != nil {
				t.Fatalf("search %q: %v", s, err)
			}
			for _, h := range hits {
				if h.TeamID != coreTeam || h.AccountID != acme.ID {
					t.Fatalf("search %q left the workspace: %+v", s, h)
				}
			}
		}
	})
}

// TestBuildSearchIndex: rows written before the index existed are indexed
// by the backfill, batch by batch with progress, resumably, without
// doubling rows the triggers indexed meanwhile.
func TestBuildSearchIndex(t *testing.T) {
	t.Parallel()
	if storetest.OnPostgres() {
		t.Skip("writes rows past the triggers through SQLite itself; on PostgreSQL the triggers index every row")
	}
	ctx := context.Background()
	db, _ := openCoreDB(t)
	acme := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	const n = 12000
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := tx.Exec(`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, 'UDANA', 'call', ?, 0)`,
			coreTeam, acme.ID, fmt.Sprintf("renewal call number %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Make the file look older than the index: drop the indexed rows and
	// mark everything as still to index.
	for _, s := range []string{`DELETE FROM search_fts`, `UPDATE search_backfill SET done = 0, upto = (SELECT MAX(id) FROM interactions) WHERE source = 1`} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	if hits := searchTexts(t, db, kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch("renewal")}); len(hits) != 0 {
		t.Fatalf("before the backfill: %d hits", len(hits))
	}
	// A row updated before the backfill reaches it is indexed by its trigger.
	if _, err := raw.Exec(`UPDATE interactions SET summary = 'renewal call edited' WHERE id = (SELECT MAX(id) FROM interactions)`); err != nil {
		t.Fatal(err)
	}
	var steps [][2]int64
	if err := db.BuildSearchIndex(ctx, func(done, total int64) { steps = append(steps, [2]int64{done, total}) }); err != nil {
		t.Fatal(err)
	}
	if len(steps) != 3 || steps[2][0] != steps[2][1] || steps[0][0] >= steps[1][0] {
		t.Fatalf("progress %v; want 3 rising steps ending at the total", steps)
	}
	var rows int
	if err := raw.QueryRow(`SELECT count(*) FROM search_fts`).Scan(&rows); err != nil || rows != n {
		t.Fatalf("index rows = %d, %v; want %d", rows, err, n)
	}
	if hits := searchTexts(t, db, kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch("11998"), Limit: 5}); len(hits) != 1 {
		t.Fatalf("a backfilled row: %q", hits)
	}
	if hits := searchTexts(t, db, kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch("edited")}); len(hits) != 1 {
		t.Fatalf("the updated row: %q", hits)
	}
	steps = nil
	if err := db.BuildSearchIndex(ctx, func(done, total int64) { steps = append(steps, [2]int64{done, total}) }); err != nil || len(steps) != 0 {
		t.Fatalf("second run: %v, %v; want no work", steps, err)
	}
	if err := db.OptimizeSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSearchOnPostgres: on PostgreSQL the migration leaves nothing to
// backfill (the triggers index every row, the tsvector is computed on
// insert), and the index answers searches a backfill of SQLite would.
func TestSearchOnPostgres(t *testing.T) {
	if !storetest.OnPostgres() {
		t.Skip("PostgreSQL only (runs when " + storetest.EnvPostgres + " is set)")
	}
	ctx := context.Background()
	db, _ := openCoreDB(t)
	acme := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	logAt(t, db, coreTeam, acme.ID, kam.KindCall, "UDANA", "renewal pricing", coreEpoch)
	if done, total, err := db.SearchIndexProgress(ctx); err != nil || done != total {
		t.Fatalf("index progress %d/%d, %v; want complete", done, total, err)
	}
	if err := db.BuildSearchIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.OptimizeSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got := searchTexts(t, db, kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch("RENEWAL pric*")}); !slices.Equal(got, []string{"call:renewal pricing"}) {
		t.Fatalf("search on PostgreSQL: %q", got)
	}
}
