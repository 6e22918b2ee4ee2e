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

// searchCandidates bounds the hits ranked per search: the newest matches,
// so that a word found in a million records costs what a rarer one does.
// A search that needs older hits narrows itself with more words, account=
// or since=.
var searchCandidates = 2000

// maxScopeAccounts is how many accounts a search names in its query; a
// user who may see more is filtered after the match instead.
const maxScopeAccounts = 256

// Search returns the best hits of q by bm25, newest first among equals.
// Only q.TeamID's records are searched, and only q.Accounts' when set.
func (db *DB) Search(ctx context.Context, q kam.SearchQuery) ([]kam.SearchHit, error) {
	if q.TeamID == "" {
		return nil, kam.ErrMissingTeam("search")
	}
	if len(q.Terms) == 0 || (q.Accounts != nil && len(q.Accounts) == 0) {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	if db.pg != nil {
		return db.searchPostgres(ctx, q, limit)
	}
	exprs := searchTermExprs(q.Terms)
	if len(exprs) == 0 {
		return nil, nil
	}
	match, post := SearchMatch(q.Terms, q.Accounts)
	// matchinfo 'pcnay': no 'x' (its document counts walk every doclist of
	// the query to the end, whatever the LIMIT) and no 'l' (a lookup per
	// row; the body's length is counted here). Document counts come from
	// searchDF's cache instead.
	query := `SELECT docid, matchinfo(search_fts, 'pcnay'), account_id, kind, author, at, body
		FROM search_fts WHERE search_fts MATCH ? AND team_id = ?`
	args := []any{match, q.TeamID}
	if !q.Since.IsZero() {
		query += ` AND at >= ?`
		args = append(args, ms(q.Since))
	}
	query += ` ORDER BY docid DESC LIMIT ` + strconv.Itoa(searchCandidates)
	var allowed map[int64]bool
	if post {
		allowed = make(map[int64]bool, len(q.Accounts))
		for _, id := range q.Accounts {
			allowed[id] = true
		}
	}
	type candidate struct {
		hit  kam.SearchHit
		info []byte
	}
	var cands []candidate
	err := db.each(ctx, func(rows *sql.Rows) error {
		var (
			docid int64
			c     candidate
			kind  string
			at    int64
		)
		if err := rows.Scan(&docid, &c.info, &c.hit.AccountID, &kind, &c.hit.Author, &at, &c.hit.Text); err != nil {
			return err
		}
		if allowed != nil && !allowed[c.hit.AccountID] {
			return nil
		}
		c.hit.TeamID, c.hit.Kind, c.hit.SourceID, c.hit.At = q.TeamID, kam.SearchKind(kind), docid/8, fromMS(at)
		cands = append(cands, c)
		return nil
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(cands) == 0 {
		return nil, nil
	}
	df := make([]float64, len(exprs))
	for i, e := range exprs {
		if df[i], err = db.searchDF(ctx, e); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	hits := make([]kam.SearchHit, len(cands))
	for i, c := range cands {
		hits[i] = c.hit
		hits[i].Score = bm25(c.info, df, searchWords(c.hit.Text))
	}
	// Candidates arrive newest first; a stable sort keeps that among equal scores.
	slices.SortStableFunc(hits, func(a, b kam.SearchHit) int { return cmp.Compare(b.Score, a.Score) })
	return hits[:min(limit, len(hits))], nil
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
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM search_fts WHERE search_fts MATCH ?`, e).Scan(&n); err != nil {
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

// searchWords counts the words of s as the index tokenizer does: runs of
// letters and digits.
func searchWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := keepWordRune(r) >= 0
		if w && !in {
			n++
		}
		in = w
	}
	return n
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

// SearchMatch builds the FTS MATCH expression of terms over the body
// column, limited to accounts when there are at most maxScopeAccounts of
// them; post reports that the caller must filter by account instead. Every
// word is made only of letters and digits and in lower case, so no input
// can add query syntax.
func SearchMatch(terms []kam.SearchTerm, accounts []int64) (match string, post bool) {
	var b strings.Builder
	b.WriteString(strings.Join(searchTermExprs(terms), " "))
	if accounts == nil {
		return b.String(), false
	}
	if len(accounts) > maxScopeAccounts {
		return b.String(), true
	}
	b.WriteString(" (")
	for i, id := range accounts {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("scope:a")
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(')')
	return b.String(), false
}

// searchTermExprs gives the FTS expression of each term over the body
// column, leaving out terms with nothing searchable. Every word is made
// only of letters and digits and in lower case (upper-case OR, AND, NOT and
// NEAR are operators), so no input can add query syntax.
func searchTermExprs(terms []kam.SearchTerm) []string {
	var exprs []string
	for _, t := range terms {
		var words []string
		for _, w := range t.Words {
			if w = strings.ToLower(strings.Map(keepWordRune, w)); w != "" {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			continue
		}
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

// bm25 scores one row from its matchinfo 'pcnay' blob over the body
// column (0), the first phrases being the search terms with document
// counts df, and the body's length in words, with the usual k1 = 1.2,
// b = 0.75.
func bm25(info []byte, df []float64, length int) float64 {
	const k1, b = 1.2, 0.75
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
	n, avg := v(2), v(3)
	if avg == 0 {
		avg = 1
	}
	score := 0.0
	for i := range min(p, len(df)) {
		tf, d := v(3+c+i*c), min(df[i], n)
		idf := math.Max(math.Log((n-d+0.5)/(d+0.5)), 1e-6)
		score += idf * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(length)/avg))
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
