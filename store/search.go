package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/kambot/kambot/kam"
)

// Full-text search over the search_fts index (migration 40; on PostgreSQL
// its tsvector column of migration 110). The index is kept in step by
// triggers in the writing transaction; rows older than the index are added
// by BuildSearchIndex.
//
// A search on SQLite runs in two steps. The first reads only the index: the
// newest candidates' docids and match counts, kept to the accounts the
// asker may see by the scope tokens in the MATCH expression itself, so that
// no stored row is read for ranking. The second reads the stored rows of the
// best few, and checks their workspace and account once more. A search
// kept to a few accounts whose records cost less to read than the index's
// doclists to walk ranks those records itself instead (search_scan.go),
// with the same result.

// searchCandidates bounds the hits ranked per search: the newest matches,
// so that a word found in a million records costs what a rarer one does.
// A search that needs older hits narrows itself with more words, account=
// or since=.
var searchCandidates = 2000

// maxScopeAccounts is how many accounts a MATCH expression names, to keep
// a search to them or away from them; past it the candidates' stored rows
// are read and filtered instead.
const maxScopeAccounts = 256

// Search returns the best hits of q by bm25, newest first among equals.
// Only q.TeamID's records are searched, and only q.Accounts' when set.
func (db *DB) Search(ctx context.Context, q kam.SearchQuery) ([]kam.SearchHit, error) {
	hits, _, err := db.searchBy(ctx, q, 0)
	return hits, err
}

// searchBy is Search choosing how to rank by scan: 0 by cost, -1 from the
// index, 1 from the accounts' records whenever it can (for the test that
// both agree). It reports whether it ranked from the records.
func (db *DB) searchBy(ctx context.Context, q kam.SearchQuery, scan int) ([]kam.SearchHit, bool, error) {
	if q.TeamID == "" {
		return nil, false, kam.ErrMissingTeam("search")
	}
	if len(q.Terms) == 0 || (q.Accounts != nil && len(q.Accounts) == 0) {
		return nil, false, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	if db.pg != nil {
		hits, err := db.searchPostgres(ctx, q, limit)
		return hits, false, err
	}
	exprs := searchTermExprs(q.Terms)
	if len(exprs) == 0 {
		return nil, false, nil
	}
	sc, err := db.searchScope(ctx, q)
	if err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	if sc.none {
		return nil, false, nil
	}
	cands, scanned, err := db.searchCands(ctx, q, exprs, sc, scan)
	if err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	hits, err := db.searchFetch(ctx, q, cands, limit)
	if err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	return hits, scanned, nil
}

// The queries of a search besides the match itself, named for the test of
// their plans: each reads only the rows it names.
const (
	// searchScopeAccountsSQL keeps the asker's accounts that belong to
	// the workspace, one primary-key lookup each (CROSS JOIN keeps the
	// list outside, where the planner would rather scan the workspace).
	searchScopeAccountsSQL = `SELECT DISTINCT a.id FROM json_each(?) AS j CROSS JOIN accounts AS a ON a.id = j.value
		WHERE a.team_id = ? ORDER BY a.id`
	// otherTeamsAccountsSQL lists accounts of other workspaces: the two
	// ranges of the team index around this one.
	otherTeamsAccountsSQL = `SELECT id FROM (SELECT id FROM accounts WHERE team_id < ?1 UNION ALL SELECT id FROM accounts WHERE team_id > ?1) LIMIT ?2`
	// teamAccountIDsSQL lists the workspace's accounts as one text.
	teamAccountIDsSQL = `SELECT group_concat(id) FROM accounts WHERE team_id = ?`
	// searchFetchSQL reads the stored rows of the docids listed, one
	// lookup each (CROSS JOIN keeps the list outside).
	searchFetchSQL = `SELECT f.docid, f.team_id, f.account_id, f.kind, f.author, f.at, f.body
		FROM json_each(?) AS j CROSS JOIN search_fts AS f ON f.docid = j.value`
)

// searchScopeOf is how one search keeps to the records its asker may see.
type searchScopeOf struct {
	// match narrows the MATCH expression by account: " (scope:a1 OR …)"
	// to search only those, " NOT (scope:a1 OR …)" to leave those out.
	match string
	// filter reads every candidate's stored workspace (and account, when
	// allowed is set) instead: the asker sees too many accounts, and too
	// many are hidden from them, for either list.
	filter bool
	// allowed are the accounts the asker may see, when filter is set;
	// nil: all of the team's.
	allowed map[int64]bool
	none    bool // no account of the asker is in the workspace
	// ids are the accounts match lists, when it lists those to search.
	ids []int64
}

// searchScope decides how q keeps to q.TeamID and q.Accounts. The index
// holds every workspace's records, and an account's scope token is unique
// across them (account IDs are), so a list of the accounts to search, or
// of the accounts to leave out, is exact.
func (db *DB) searchScope(ctx context.Context, q kam.SearchQuery) (searchScopeOf, error) {
	var sc searchScopeOf
	if q.Accounts != nil && len(q.Accounts) <= maxScopeAccounts {
		// Only the asker's accounts that belong to the workspace.
		var ids []int64
		err := db.each(ctx, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		}, searchScopeAccountsSQL, idList(q.Accounts), q.TeamID)
		if err != nil {
			return sc, fmt.Errorf("accounts in scope: %w", err)
		}
		if len(ids) == 0 {
			sc.none = true
			return sc, nil
		}
		sc.match, sc.ids = " "+scopeList(ids), ids
		return sc, nil
	}
	// The whole workspace, or more accounts than a list holds: leave out
	// the other workspaces' accounts and the workspace's accounts the asker
	// may not see, when they are few.
	hidden, err := db.otherTeamsAccounts(ctx, q.TeamID, maxScopeAccounts+1)
	if err != nil {
		return sc, err
	}
	if q.Accounts != nil && len(hidden) <= maxScopeAccounts {
		team, err := db.teamAccounts(ctx, q.TeamID)
		if err != nil {
			return sc, err
		}
		// Mark the asker's accounts in the sorted list, rather than
		// hash thousands of IDs per search.
		seen := make([]bool, len(team))
		for _, id := range q.Accounts {
			if i, ok := slices.BinarySearch(team, id); ok {
				seen[i] = true
			}
		}
		for i, id := range team {
			if !seen[i] {
				hidden = append(hidden, id)
			}
		}
	}
	switch {
	case len(hidden) == 0:
	case len(hidden) <= maxScopeAccounts:
		sc.match = " NOT " + scopeList(hidden)
	default:
		sc.filter = true
		if q.Accounts != nil {
			sc.allowed = make(map[int64]bool, len(q.Accounts))
			for _, id := range q.Accounts {
				sc.allowed[id] = true
			}
		}
	}
	return sc, nil
}

// teamIDsCache holds each workspace's account IDs, sorted, as of its
// names counter (directory_revs, 00170), which every account added,
// removed or moved between workspaces advances.
type teamIDsCache struct {
	mu sync.Mutex
	m  map[string]teamIDs
}

type teamIDs struct {
	rev int64
	ids []int64
}

// teamAccounts returns the IDs of team's accounts, sorted: the list held
// while the workspace's names counter has not moved, else read again.
// The list is shared: callers must not change it.
func (db *DB) teamAccounts(ctx context.Context, team string) ([]int64, error) {
	revs, err := db.directoryRevs(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("workspace accounts: %w", err)
	}
	db.teamIDs.mu.Lock()
	e, ok := db.teamIDs.m[team]
	db.teamIDs.mu.Unlock()
	if ok && e.rev == revs.names {
		return e.ids, nil
	}
	// Read after the counter: a change between the two is in the list
	// and also makes the next search read it again.
	ids, err := db.teamAccountIDs(ctx, team)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	db.teamIDs.mu.Lock()
	if db.teamIDs.m == nil {
		db.teamIDs.m = make(map[string]teamIDs)
	}
	db.teamIDs.m[team] = teamIDs{revs.names, ids}
	db.teamIDs.mu.Unlock()
	return ids, nil
}

// otherTeamsAccounts returns up to n IDs of accounts of workspaces other
// than team (two ranges of the team index).
func (db *DB) otherTeamsAccounts(ctx context.Context, team string, n int) ([]int64, error) {
	var ids []int64
	err := db.each(ctx, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, otherTeamsAccountsSQL, team, n)
	if err != nil {
		return nil, fmt.Errorf("other workspaces' accounts: %w", err)
	}
	return ids, nil
}

// teamAccountIDs returns the IDs of team's accounts, read as one text: a
// row each costs more than the search it serves at 10,000 accounts.
func (db *DB) teamAccountIDs(ctx context.Context, team string) ([]int64, error) {
	var list sql.NullString
	if err := db.read.QueryRowContext(ctx, teamAccountIDsSQL, team).Scan(&list); err != nil {
		return nil, fmt.Errorf("workspace accounts: %w", err)
	}
	if list.String == "" {
		return nil, nil
	}
	parts := strings.Split(list.String, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("workspace accounts: %w", err)
		}
		ids[i] = id
	}
	return ids, nil
}

// scopeList is the FTS expression that matches the records of any of ids.
func scopeList(ids []int64) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("scope:a")
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(')')
	return b.String()
}

// searchCands ranks the candidates of the search: from the index, or for
// a list of accounts whose records cost less to read than the index's
// walk, from those records (search_scan.go); both give the same.
func (db *DB) searchCands(ctx context.Context, q kam.SearchQuery, exprs []string, sc searchScopeOf, scan int) ([]searchCand, bool, error) {
	index := func() ([]searchCand, bool, error) {
		cands, err := db.searchRank(ctx, q, exprs, sc)
		return cands, false, err
	}
	if sc.ids == nil || scan < 0 {
		return index()
	}
	terms, ok := scanTerms(q.Terms)
	if !ok || len(terms) != len(exprs) {
		return index()
	}
	if ok, err := db.searchIndexComplete(ctx); err != nil || !ok {
		if err != nil {
			return nil, false, err
		}
		return index()
	}
	df, err := db.searchDFs(ctx, exprs)
	if err != nil {
		return nil, false, err
	}
	if scan == 0 {
		worth, err := db.searchScanWorth(ctx, sc.ids, df)
		if err != nil {
			return nil, false, err
		}
		if !worth {
			return index()
		}
	}
	cands, err := db.searchScan(ctx, q, terms, sc.ids, df)
	return cands, true, err
}

// searchDFs returns the document count of each of exprs.
func (db *DB) searchDFs(ctx context.Context, exprs []string) ([]float64, error) {
	df := make([]float64, len(exprs))
	for i, e := range exprs {
		var err error
		if df[i], err = db.searchDF(ctx, e); err != nil {
			return nil, err
		}
	}
	return df, nil
}

// searchCand is a ranked candidate: its docid and bm25 score.
type searchCand struct {
	docid int64
	score float64
}

// searchRank returns the newest candidates of the search, best first by
// bm25, newest first among equals. Unless the scope filters stored rows
// (or since= asks for dates), it reads the index alone: matchinfo 'pcyl'
// gives each term's count in the row and the row's length in words from
// the index, and the document counts come from the %_stat row and
// searchDF's cache.
func (db *DB) searchRank(ctx context.Context, q kam.SearchQuery, exprs []string, sc searchScopeOf) ([]searchCand, error) {
	match := strings.Join(exprs, " ") + sc.match
	query := `SELECT docid, matchinfo(search_fts, 'pcyl'), 0 FROM search_fts WHERE search_fts MATCH ?`
	args := []any{match}
	if sc.filter || !q.Since.IsZero() {
		query = `SELECT docid, matchinfo(search_fts, 'pcyl'), account_id FROM search_fts WHERE search_fts MATCH ? AND team_id = ?`
		args = append(args, q.TeamID)
		if !q.Since.IsZero() {
			query += ` AND at >= ?`
			args = append(args, ms(q.Since))
		}
	}
	query += ` ORDER BY docid DESC LIMIT ` + strconv.Itoa(searchCandidates)
	post := sc.filter && sc.allowed != nil
	type row struct {
		docid int64
		info  []byte
	}
	var rows []row
	err := db.eachSearch(ctx, func(r *sql.Rows) error {
		var (
			x       row
			account int64
		)
		if err := r.Scan(&x.docid, &x.info, &account); err != nil {
			return err
		}
		if post && !sc.allowed[account] {
			return nil
		}
		rows = append(rows, x)
		return nil
	}, query, args...)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	n, avg, err := db.searchStats(ctx)
	if err != nil {
		return nil, err
	}
	df, err := db.searchDFs(ctx, exprs)
	if err != nil {
		return nil, err
	}
	cands := make([]searchCand, len(rows))
	tf := make([]float64, len(df))
	for i, r := range rows {
		cands[i] = searchCand{r.docid, bm25(r.info, df, tf, n, avg)}
	}
	// Candidates arrive newest first; a stable sort keeps that among equal scores.
	slices.SortStableFunc(cands, func(a, b searchCand) int { return cmp.Compare(b.score, a.score) })
	return cands, nil
}

// eachSearch is each on the search pool.
func (db *DB) eachSearch(ctx context.Context, fn func(*sql.Rows) error, query string, args ...any) error {
	return db.eachOn(ctx, db.search, fn, query, args...)
}

// searchStats returns how many records the index holds and their average
// length in words, from the %_stat row FTS4 keeps current: one small read
// per search instead of one per candidate (matchinfo's 'n' and 'a').
func (db *DB) searchStats(ctx context.Context) (n, avg float64, err error) {
	var blob []byte
	err = db.search.QueryRowContext(ctx, `SELECT value FROM search_fts_stat WHERE id = 0`).Scan(&blob)
	if err == sql.ErrNoRows {
		return 0, 1, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("index size: %w", err)
	}
	// Varints: the number of records, then the words of each column.
	docs, k := binary.Uvarint(blob)
	if k <= 0 {
		return 0, 1, nil
	}
	words, k2 := binary.Uvarint(blob[k:])
	if k2 <= 0 || docs == 0 {
		return float64(docs), 1, nil
	}
	return float64(docs), max(float64(words)/float64(docs), 1), nil
}

// searchFetch reads the stored rows of the best candidates until it has
// limit hits, checking each one's workspace, account and date again.
func (db *DB) searchFetch(ctx context.Context, q kam.SearchQuery, cands []searchCand, limit int) ([]kam.SearchHit, error) {
	var hits []kam.SearchHit
	for len(cands) > 0 && len(hits) < limit {
		batch := cands[:min(len(cands), limit-len(hits))]
		cands = cands[len(batch):]
		ids := make([]int64, len(batch))
		for i, c := range batch {
			ids[i] = c.docid
		}
		got := make(map[int64]kam.SearchHit, len(batch))
		err := db.eachSearch(ctx, func(rows *sql.Rows) error {
			var (
				docid, at  int64
				team, kind string
				h          kam.SearchHit
			)
			if err := rows.Scan(&docid, &team, &h.AccountID, &kind, &h.Author, &at, &h.Text); err != nil {
				return err
			}
			h.TeamID, h.Kind, h.SourceID, h.At = team, kam.SearchKind(kind), docid/8, fromMS(at)
			got[docid] = h
			return nil
		}, searchFetchSQL, idList(ids))
		if err != nil {
			return nil, fmt.Errorf("read hits: %w", err)
		}
		for _, c := range batch {
			h, ok := got[c.docid]
			if !ok || h.TeamID != q.TeamID || (q.Accounts != nil && !slices.Contains(q.Accounts, h.AccountID)) || h.At.Before(q.Since) {
				continue // removed meanwhile, or outside the asker's scope
			}
			h.Score = c.score
			hits = append(hits, h)
		}
	}
	return hits, nil
}

// searchDFTTL is how long a term's document count is reused. Counting
// walks the term's whole doclist, the cost the bounded candidates avoid;
// bm25 needs the count only roughly, and it drifts slowly.
const searchDFTTL = 10 * time.Minute

// maxSearchDF bounds the cached counts; past it the cache starts afresh.
const maxSearchDF = 20_000

// dfCache holds the document counts of search terms over the body column,
// by FTS expression, for every team's index alike (as bm25's idf is).
type dfCache struct {
	mu sync.Mutex
	m  map[string]dfEntry
}

type dfEntry struct {
	n  float64
	at time.Time
}

// searchDF returns how many records the FTS expression e (one term over
// the body) matches, from the cache while it is fresh.
func (db *DB) searchDF(ctx context.Context, e string) (float64, error) {
	now := time.Now()
	db.df.mu.Lock()
	ent, ok := db.df.m[e]
	db.df.mu.Unlock()
	if ok && now.Sub(ent.at) < searchDFTTL {
		return ent.n, nil
	}
	var n int64
	if err := db.search.QueryRowContext(ctx, `SELECT count(*) FROM search_fts WHERE search_fts MATCH ?`, e).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", e, err)
	}
	db.df.mu.Lock()
	if db.df.m == nil || len(db.df.m) >= maxSearchDF {
		db.df.m = make(map[string]dfEntry)
	}
	db.df.m[e] = dfEntry{float64(n), now}
	db.df.mu.Unlock()
	return float64(n), nil
}

// searchPostgres is Search on PostgreSQL: the same candidates (the newest
// matches of the team, of q.Accounts when set, since q.Since) ranked by
// ts_rank over the tsvector of migration 110, length-normalized as bm25
// is, newest first among equals.
func (db *DB) searchPostgres(ctx context.Context, q kam.SearchQuery, limit int) ([]kam.SearchHit, error) {
	tsq := SearchTSQuery(q.Terms)
	if tsq == "" {
		return nil, nil
	}
	where := `tsv @@ to_tsquery('simple', kam_search_fold(?1)) AND team_id = ?2`
	args := []any{tsq, q.TeamID}
	if !q.Since.IsZero() {
		args = append(args, ms(q.Since))
		where += ` AND at >= ?` + strconv.Itoa(len(args))
	}
	if q.Accounts != nil {
		args = append(args, idList(q.Accounts))
		where += ` AND account_id IN (SELECT value FROM json_each(?` + strconv.Itoa(len(args)) + `))`
	}
	args = append(args, limit)
	query := `SELECT docid, account_id, kind, author, at, body, score FROM (
		SELECT docid, account_id, kind, author, at, body, ts_rank(tsv, to_tsquery('simple', kam_search_fold(?1)), 1) AS score
		FROM (SELECT docid, account_id, kind, author, at, body, tsv FROM search_fts
			WHERE ` + where + ` ORDER BY docid DESC LIMIT ` + strconv.Itoa(searchCandidates) + `) c) r
		ORDER BY score DESC, docid DESC LIMIT ?` + strconv.Itoa(len(args))
	var hits []kam.SearchHit
	err := db.each(ctx, func(rows *sql.Rows) error {
		var (
			docid, at int64
			kind      string
			h         kam.SearchHit
		)
		if err := rows.Scan(&docid, &h.AccountID, &kind, &h.Author, &at, &h.Text, &h.Score); err != nil {
			return err
		}
		h.TeamID, h.Kind, h.SourceID, h.At = q.TeamID, kam.SearchKind(kind), docid/8, fromMS(at)
		hits = append(hits, h)
		return nil
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// SearchTSQuery builds the PostgreSQL tsquery text of terms: every term
// must match (&), a phrase's words in order (<1>, which the accent folding
// leaves alone where it would split <->), a prefix ends in :*. Every word
// is quoted and made only of letters and digits, so no input can add query
// syntax.
func SearchTSQuery(terms []kam.SearchTerm) string {
	var parts []string
	for _, t := range terms {
		var words []string
		for _, w := range t.Words {
			if w = strings.ToLower(strings.Map(keepWordRune, w)); w != "" {
				words = append(words, "'"+w+"'")
			}
		}
		if len(words) == 0 {
			continue
		}
		if t.Prefix {
			words[len(words)-1] += ":*"
		}
		if len(words) == 1 {
			parts = append(parts, words[0])
		} else {
			parts = append(parts, "("+strings.Join(words, " <1> ")+")")
		}
	}
	return strings.Join(parts, " & ")
}

// SearchMatch is the FTS MATCH expression of terms over the body column,
// before any account scope. Every word is made only of letters and digits
// and in lower case, so no input can add query syntax.
func SearchMatch(terms []kam.SearchTerm) string {
	return strings.Join(searchTermExprs(terms), " ")
}

// searchTermExprs gives the FTS expression of each term over the body
// column, leaving out terms with nothing searchable. Every word is made
// only of letters and digits and in lower case (upper-case OR, AND, NOT and
// NEAR are operators), so no input can add query syntax.
func searchTermExprs(terms []kam.SearchTerm) []string {
	var exprs []string
	for _, t := range cleanSearchTerms(terms) {
		words := t.Words
		star := ""
		if t.Prefix {
			star = "*"
		}
		if len(words) == 1 {
			// FTS4 takes a column filter on a word, not on a phrase.
			exprs = append(exprs, "body:"+words[0]+star)
		} else {
			// A phrase of two words or more can only match the body: scope
			// holds one token.
			exprs = append(exprs, `"`+strings.Join(words, " ")+star+`"`)
		}
	}
	return exprs
}

// keepWordRune drops anything a word of kam.ParseSearch cannot hold, a
// second guard should a caller build terms by hand.
func keepWordRune(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Co, r) {
		return r
	}
	return -1
}

// bm25 scores one row from its matchinfo 'pcyl' blob over the body
// column (0), the first phrases being the search terms with document
// counts df; tf is room for the terms' counts in the row.
func bm25(info []byte, df, tf []float64, n, avg float64) float64 {
	v := func(i int) float64 {
		if (i+1)*4 > len(info) {
			return 0
		}
		return float64(binary.NativeEndian.Uint32(info[i*4:]))
	}
	p, c := int(v(0)), int(v(1))
	if c == 0 {
		return 0
	}
	for i := range tf {
		tf[i] = 0
		if i < p {
			tf[i] = v(2 + i*c)
		}
	}
	return bm25Terms(tf, v(2+p*c), df, n, avg) // 'l' of the body, after 'y'
}

// bm25Terms scores a record of length words in which the search terms,
// with document counts df, occur tf times, among n records of avg words
// on average, with the usual k1 = 1.2, b = 0.75.
func bm25Terms(tf []float64, length float64, df []float64, n, avg float64) float64 {
	const k1, b = 1.2, 0.75
	score := 0.0
	for i := range min(len(tf), len(df)) {
		d := min(df[i], n)
		idf := math.Max(math.Log((n-d+0.5)/(d+0.5)), 1e-6)
		score += idf * tf[i] * (k1 + 1) / (tf[i] + k1*(1-b+b*length/avg))
	}
	return score
}

// searchSources are the tables the index covers and how each fills it.
var searchSources = []struct {
	source int
	table  string
	rows   string // SELECT of docid and the indexed columns, ids in (?, ?]
}{
	{1, "interactions", `SELECT id*8+1 AS docid, summary, 'a'||account_id, team_id, account_id, kind, user_id, at FROM interactions WHERE id > ? AND id <= ?`},
	{2, "plan_objectives", `SELECT id*8+2 AS docid, text, 'a'||account_id, team_id, account_id, 'objective', author_id, created_at FROM plan_objectives WHERE id > ? AND id <= ?`},
	{3, "plan_tactics", `SELECT id*8+3 AS docid, text, 'a'||account_id, team_id, account_id, 'tactic', author_id, created_at FROM plan_tactics WHERE id > ? AND id <= ?`},
	{4, "plan_reviews", `SELECT id*8+4 AS docid, note, 'a'||account_id, team_id, account_id, 'review', user_id, at FROM plan_reviews WHERE id > ? AND id <= ? AND note <> ''`},
	{5, "contacts", `SELECT id*8+5 AS docid, trim(name || ' ' || title), 'a'||account_id, team_id, account_id, 'stakeholder', mirror_id, updated_at FROM contacts WHERE id > ? AND id <= ?`},
	{6, "survey_responses", `SELECT id*8+6 AS docid, comment, 'a'||account_id, team_id, account_id, 'survey', COALESCE(NULLIF(contact, ''), user_id), at FROM survey_responses WHERE id > ? AND id <= ? AND comment <> ''`},
	{7, "stage_changes", `SELECT s.id*8+7 AS docid, s.note, 'a'||o.account_id, s.team_id, o.account_id, 'stage', s.user_id, s.at FROM stage_changes s JOIN opportunities o ON o.id = s.opportunity_id WHERE s.id > ? AND s.id <= ? AND s.note <> ''`},
}

// searchBatch is how many source ids one backfill transaction covers: short
// enough that commands queue behind it for well under a second.
const searchBatch = 5000

// SearchIndexProgress reports how many source rows written before the
// index existed are indexed so far, of how many.
func (db *DB) SearchIndexProgress(ctx context.Context) (done, total int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(done), 0), COALESCE(SUM(upto), 0) FROM search_backfill`).Scan(&done, &total)
	return done, total, wrapErr(err, "search index progress")
}

// BuildSearchIndex indexes the rows written before the search index
// existed, a batch per transaction, calling progress (may be nil) after
// each. It resumes where an interrupted run stopped, and costs one read
// once every row is indexed.
func (db *DB) BuildSearchIndex(ctx context.Context, progress func(done, total int64)) error {
	for _, s := range searchSources {
		for {
			var done, upto int64
			err := db.write.QueryRowContext(ctx, `SELECT done, upto FROM search_backfill WHERE source = ?`, s.source).Scan(&done, &upto)
			if err == sql.ErrNoRows {
				break
			}
			if err != nil {
				return fmt.Errorf("build search index: %w", err)
			}
			if done >= upto {
				break
			}
			next := min(done+searchBatch, upto)
			err = db.withTx(ctx, func(tx *sql.Tx) error {
				// Skip docids a trigger added already (a row updated
				// before the backfill reached it).
				ins := `INSERT INTO search_fts (docid, body, scope, team_id, account_id, kind, author, at)
					SELECT * FROM (` + s.rows + `) AS r WHERE NOT EXISTS (SELECT 1 FROM search_fts f WHERE f.docid = r.docid)`
				if _, err := tx.ExecContext(ctx, ins, done, next); err != nil {
					return fmt.Errorf("index %s: %w", s.table, err)
				}
				_, err := tx.ExecContext(ctx, `UPDATE search_backfill SET done = ? WHERE source = ?`, next, s.source)
				return err
			})
			if err != nil {
				return fmt.Errorf("build search index: %w", err)
			}
			if progress != nil {
				d, t, err := db.SearchIndexProgress(ctx)
				if err != nil {
					return err
				}
				progress(d, t)
			}
		}
	}
	return nil
}

// OptimizeSearchIndex merges the index into one segment, the fastest shape
// to search; worth it after a large backfill or bulk load. It holds the
// writer while it runs (seconds at millions of rows).
func (db *DB) OptimizeSearchIndex(ctx context.Context) error {
	if db.pg != nil {
		return nil // a plain table: nothing to merge
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('optimize')`)
	return wrapErr(err, "optimize search index")
}
