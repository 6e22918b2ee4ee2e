package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// Words of the randomized records and queries: case, accents written
// precomposed and combining, prefixes of one another, digits, hyphens and
// letters outside Latin.
var scanWords = strings.Fields(`pricing Pricing PRICING price priced pric renewal renewals Renewal
	Müller muller MÜLLER Mu\u0308ller garcía García GARCIA zoë Zoe quiñones e-mail email mail follow-up
	v2.1 4711 sow SOW straße STRASSE İstanbul istanbul ﬁnance finance Ωmega ωmega σς ΣΣ
	too high a the on of cfo CFO procurement quote quotes discount`)

// scanPunct separates words in the records and queries.
var scanPunct = []string{" ", " ", " ", ", ", ". ", ": ", "! ", " — ", "'", `"`, "(", ") ", "-", "/", "\t", "…"}

func scanText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(scanPunct[rng.IntN(len(scanPunct))])
		}
		b.WriteString(scanWords[rng.IntN(len(scanWords))])
	}
	return b.String()
}

// scanQuery is a search as a user types it: words, prefixes, phrases,
// quotes left open, punctuation.
func scanQuery(rng *rand.Rand) string {
	var parts []string
	for range 1 + rng.IntN(3) {
		w := scanWords[rng.IntN(len(scanWords))]
		switch rng.IntN(6) {
		case 0:
			w = w[:max(1, min(len(w), 3+rng.IntN(3)))] + "*"
		case 1:
			w = `"` + w + " " + scanWords[rng.IntN(len(scanWords))] + `"`
		case 2:
			w = `"` + scanText(rng, 2+rng.IntN(2)) + `*"`
		case 3:
			w += scanPunct[rng.IntN(len(scanPunct))]
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// TestSearchScanSameAsIndex: ranking a few accounts' records by reading
// them finds the hits the index finds, in the same order with the same
// scores, over randomized records and searches (accents, prefixes,
// phrases, punctuation, since=, other workspaces' and unknown accounts in
// the list, a candidate limit that cuts).
func TestSearchScanSameAsIndex(t *testing.T) {
	// Not parallel: it changes the candidate limit for its own searches.
	if storetest.OnPostgres() {
		t.Skip("SQLite's search index")
	}
	ctx := context.Background()
	db, clock := openCoreDB(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var team []int64
	for i := range 5 {
		team = append(team, coreCreate(t, db, kam.Account{Name: fmt.Sprintf("Acct %d", i), OwnerID: "UKAM"}).ID)
	}
	other := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Other", OwnerID: "UKAM"}).ID
	day := func(n int) time.Time { return coreEpoch.AddDate(0, 0, -n) }
	for range 600 {
		acct := team[rng.IntN(len(team))]
		tm := coreTeam
		if rng.IntN(8) == 0 {
			acct, tm = other, coreOther
		}
		logAt(t, db, tm, acct, kam.KindCall, "UKAM", scanText(rng, 1+rng.IntN(14)), day(rng.IntN(400)))
	}
	for i := range 40 {
		clock.Add(-time.Duration(rng.IntN(20)) * 24 * time.Hour) // since= cuts these too
		acct := team[rng.IntN(len(team))]
		c := kam.Contact{TeamID: coreTeam, AccountID: acct, Name: scanText(rng, 2), Title: scanText(rng, 2), Influence: 3}
		if err := db.AddContact(ctx, &c, "UKAM"); err != nil {
			t.Fatal(err)
		}
		o := kam.Objective{TeamID: coreTeam, AccountID: acct, For: kam.ObjectiveFor("us"), Text: fmt.Sprintf("%s %d", scanText(rng, 5), i), AuthorID: "UKAM"}
		if err := db.AddObjective(ctx, &o, "UKAM"); err != nil {
			t.Fatal(err)
		}
	}
	defer store.SetSearchCandidates(2000)
	scanned, hits := 0, 0
	for i := range 1500 {
		limit := 2000
		if i%3 == 0 {
			limit = 1 + rng.IntN(8) // the newest few only
		}
		store.SetSearchCandidates(limit)
		var accts []int64
		for _, id := range append(team, other, 999999) {
			if rng.IntN(3) == 0 {
				accts = append(accts, id)
			}
		}
		if len(accts) == 0 {
			accts = team[:1]
		}
		q := kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch(scanQuery(rng)), Accounts: accts, Limit: 1 + rng.IntN(20)}
		if rng.IntN(3) == 0 {
			q.Since = day(rng.IntN(400))
		}
		want, _, err := db.SearchBy(ctx, q, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, used, err := db.SearchBy(ctx, q, 1)
		if err != nil {
			t.Fatal(err)
		}
		mine := slices.ContainsFunc(accts, func(id int64) bool { return slices.Contains(team, id) })
		if used != mine {
			t.Fatalf("search %v in %v: scanned %v; want %v (every word here is one token of the index)", q.Terms, q.Accounts, used, mine)
		}
		if used {
			scanned++
		}
		hits += len(want)
		if g, w := hitsText(got), hitsText(want); g != w {
			t.Fatalf("search %v in %v since %v (candidates %d):\nscan  %s\nindex %s", q.Terms, q.Accounts, q.Since, limit, g, w)
		}
	}
	if scanned < 1000 || hits < 1500 {
		t.Fatalf("%d searches scanned, %d hits; the test no longer covers the scan", scanned, hits)
	}
}

// TestSearchScanChosen: a search kept to accounts with few records, of
// words many other records hold, reads the records; one of a rare word,
// or of the whole workspace, asks the index.
func TestSearchScanChosen(t *testing.T) {
	t.Parallel()
	if storetest.OnPostgres() {
		t.Skip("SQLite's search index")
	}
	ctx := context.Background()
	db, _ := openCoreDB(t)
	small := coreCreate(t, db, kam.Account{Name: "Small", OwnerID: "UKAM"})
	big := coreCreate(t, db, kam.Account{Name: "Big", OwnerID: "UKAM"})
	logAt(t, db, coreTeam, small.ID, kam.KindCall, "UKAM", "renewal pricing zebra", coreEpoch)
	for i := range 300 {
		logAt(t, db, coreTeam, big.ID, kam.KindCall, "UKAM", fmt.Sprintf("renewal pricing %d", i), coreEpoch)
	}
	for _, tc := range []struct {
		name     string
		words    string
		accounts []int64
		scan     bool
	}{
		{"common words, few records", "renewal pricing", []int64{small.ID}, true},
		{"a common word, few records", "renewal", []int64{small.ID}, true},
		{"a rare word", "zebra", []int64{small.ID}, false},
		{"many records", "renewal pricing", []int64{big.ID}, false},
		{"the workspace", "renewal pricing", nil, false},
	} {
		hits, scanned, err := db.SearchBy(ctx, kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch(tc.words), Accounts: tc.accounts}, 0)
		if err != nil || scanned != tc.scan || len(hits) == 0 {
			t.Errorf("%s: %d hits, scanned %v, %v; want scanned %v", tc.name, len(hits), scanned, err, tc.scan)
		}
	}
}

// hitsText lists hits with everything a caller sees, scores exactly.
func hitsText(hits []kam.SearchHit) string {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "\n  %d %s %d %s %q %d %v", h.SourceID, h.Kind, h.AccountID, h.Author, h.Text, h.At.UnixMilli(), h.Score)
	}
	return b.String()
}

// FuzzSearchScan: whatever a record says and whatever a user types, the
// scan of their accounts' records and the index find the same hits in the
// same order.
func FuzzSearchScan(f *testing.F) {
	for _, s := range [][2]string{
		{"CFO Müller pushed back on pricing", "muller pric*"},
		{"Mu\u0308ller e\u0301te\u0301", `"muller ete"`},
		{"a a a b", `"a a" a`},
		{"x\xc3(y \xed\xa0\x80z", "y z*"},
		{"İstanbul ﬁnance ΣΑΣ", "istanbul σας"},
		{"before\x00after", "after before"},
	} {
		f.Add(s[0], s[1])
	}
	if storetest.OnPostgres() {
		f.Skip("SQLite's search index")
	}
	ctx := context.Background()
	db, _ := openCoreDB(f)
	a := coreCreate(f, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	b := coreCreate(f, db, kam.Account{Name: "Beta", OwnerID: "UKAM"})
	rng := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		logAt(f, db, coreTeam, a.ID, kam.KindCall, "UKAM", scanText(rng, 6), coreEpoch)
	}
	f.Fuzz(func(t *testing.T, record, query string) {
		in := kam.Interaction{TeamID: coreTeam, AccountID: b.ID, UserID: "UKAM", Kind: kam.KindNote, Summary: record, At: coreEpoch}
		if err := db.LogInteraction(ctx, &in, "UKAM", nil); err != nil {
			t.Skip("not a record the store takes")
		}
		for _, text := range []string{query, record} {
			q := kam.SearchQuery{TeamID: coreTeam, Terms: kam.ParseSearch(text), Accounts: []int64{a.ID, b.ID}}
			want, _, err := db.SearchBy(ctx, q, -1)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := db.SearchBy(ctx, q, 1)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := hitsText(got), hitsText(want); g != w {
				t.Fatalf("search %q:\nscan  %s\nindex %s", text, g, w)
			}
		}
	})
}
