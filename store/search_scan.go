package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kambot/kambot/kam"
)

// A search kept to a few accounts (a KAM's) can rank their records itself
// instead of asking the index. The index cannot skip within a word's
// doclist: a common word costs a walk of every record that holds it, in
// every workspace, though the accounts hold a few thousand records. Read
// along the accounts' covering index of interactions (00031), the records
// cost a contiguous range each; their text is cut and folded as the index
// does (search_tokenize.go), every term matched as a MATCH expression
// matches it, and ranked by the same bm25 over the same document counts,
// so the hits are those of the index, in the same order. Interactions
// are read from their table: the triggers of 00040 keep the index's rows
// in step with its summary, date and account, so once the index holds
// every record (searchIndexComplete) both say the same. The other kinds
// of records (objectives, stakeholders, …) are few and are read from the
// index's own rows, found by their scope tokens: a stakeholder's indexed
// date, for one, is not its row's latest.

// scanRecordCost is what reading, matching and ranking one record costs,
// counted in doclist entries the index walks, with one search term and
// with more (measured at 2 million records: a record about 1 µs of CPU,
// an entry 0.02 µs for one term and 0.045 µs for two, whose doclists the
// index walks in step). A search kept to a KAM's accounts finds few
// matches, never its candidate limit, so the index walks every doclist of
// the search to its end.
const scanRecordCost, scanRecordCostTerms = 50, 22

// The reads of a scan, named for the test of their plans.
const (
	// scanInteractionsSQL reads the accounts' interactions along the
	// covering index (account_id, at, id, …, summary): CROSS JOIN keeps
	// the list outside. scanFilter adds what a summary must contain.
	scanInteractionsSQL = `SELECT i.id*8+1, i.summary, i.at FROM json_each(?) AS j CROSS JOIN interactions AS i
		ON i.account_id = j.value WHERE i.at >= ?`
	// scanOthersSQL reads the accounts' other records from the index:
	// their scope tokens' doclists, and the stored row of those that are
	// not interactions (docid & 7 = 1) only.
	scanOthersSQL = `SELECT docid, body, at FROM search_fts WHERE search_fts MATCH ? AND (docid & 7) <> 1`
	// accountInteractionsSQL counts each account's interactions on the
	// covering index.
	accountInteractionsSQL = `SELECT j.value, (SELECT count(*) FROM interactions AS i WHERE i.account_id = j.value) FROM json_each(?) AS j`
)

// scanTerm is a search term as the index's tokens: a word or a phrase,
// the last token a prefix when prefix is set.
type scanTerm struct {
	toks   [][]byte
	prefix bool
}

// scanFilter narrows scanInteractionsSQL to the summaries that may hold
// every term, so that most records are passed over inside SQLite rather
// than read, cut and matched here: a summary of ASCII text holds a token
// only if, in lower case, it contains it (LIKE is case-blind for ASCII).
// Text with other characters may fold into a token (é to e), so it always
// passes; length counts characters, octet_length bytes, and every
// character that folds into ASCII letters takes two bytes or more. Each
// term's longest token of ASCII letters and digits stands for it; a term
// without one is not filtered.
func scanFilter(terms []scanTerm) (string, []any) {
	var likes []string
	var args []any
	for _, t := range terms {
		var best []byte
		for _, tok := range t.toks {
			if len(tok) > len(best) && isASCIIWord(tok) {
				best = tok
			}
		}
		if best != nil {
			likes = append(likes, "i.summary LIKE ?")
			args = append(args, "%"+string(best)+"%")
		}
	}
	if len(likes) == 0 {
		return "", nil
	}
	return " AND ((" + strings.Join(likes, " AND ") + ") OR length(i.summary) < octet_length(i.summary))", args
}

// isASCIIWord reports whether tok is only ASCII lower-case letters and
// digits, which a LIKE pattern reads as themselves.
func isASCIIWord(tok []byte) bool {
	for _, c := range tok {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// scanTerms gives terms (as searchTermExprs cleans them) as the index's
// tokens, or false when a word is not exactly one token (a character the
// index reads as a separator): the MATCH expression reads such a word in
// ways the scan does not follow, so the index answers it.
func scanTerms(terms []kam.SearchTerm) ([]scanTerm, bool) {
	var out []scanTerm
	for _, t := range cleanSearchTerms(terms) {
		st := scanTerm{prefix: t.Prefix}
		for _, w := range t.Words {
			tok, ok := ftsSingleToken(w)
			if !ok {
				return nil, false
			}
			st.toks = append(st.toks, tok)
		}
		out = append(out, st)
	}
	return out, len(out) > 0
}

// ftsSingleToken returns w's one token when w is letters, digits and
// diacritics starting with a letter or digit, and folds to a token.
func ftsSingleToken(w string) ([]byte, bool) {
	for i := 0; i < len(w); {
		c, n := ftsDecode(w, i)
		if c == 0 || !(ftsIsAlnum(c) || i > 0 && ftsIsDiacritic(c)) {
			return nil, false
		}
		i += n
	}
	buf, ends := ftsTokens(w, nil, nil)
	if len(ends) != 1 || ends[0] == 0 {
		return nil, false
	}
	return buf, true
}

// scanCount sets tf[i] to how often term i occurs in the record cut into
// toks (the token ends in buf), as matchinfo's 'y' counts it, and reports
// whether every term occurs.
func scanCount(terms []scanTerm, buf []byte, ends []int32, tf []float64) bool {
	tok := func(i int) []byte {
		start := int32(0)
		if i > 0 {
			start = ends[i-1]
		}
		return buf[start:ends[i]]
	}
	for ti, t := range terms {
		n := 0
		last := len(t.toks) - 1
		for i := 0; i+last < len(ends); i++ {
			ok := true
			for k, want := range t.toks {
				got := tok(i + k)
				if k == last && t.prefix {
					ok = bytes.HasPrefix(got, want)
				} else {
					ok = bytes.Equal(got, want)
				}
				if !ok {
					break
				}
			}
			if ok {
				n++
			}
		}
		if n == 0 {
			return false
		}
		tf[ti] = float64(n)
	}
	return true
}

// searchScanWorth tells whether reading the records of the accounts ids
// costs less than the index's walk of the doclists of the search's terms,
// whose document counts are df.
func (db *DB) searchScanWorth(ctx context.Context, ids []int64, df []float64) (bool, error) {
	records, err := db.accountRecords(ctx, ids)
	if err != nil {
		return false, err
	}
	walk := 0.0
	for _, d := range df {
		walk += d
	}
	cost := float64(scanRecordCost)
	if len(df) > 1 {
		cost = scanRecordCostTerms
	}
	return float64(records)*cost < walk, nil
}

// searchScan ranks the records of the accounts ids that match terms, as
// searchRank would: the newest searchCandidates matches, best first by
// bm25, newest first among equals.
func (db *DB) searchScan(ctx context.Context, q kam.SearchQuery, terms []scanTerm, ids []int64, df []float64) ([]searchCand, error) {
	n, avg, err := db.searchStats(ctx)
	if err != nil {
		return nil, err
	}
	var (
		cands []searchCand
		buf   []byte
		ends  []int32
		tf    = make([]float64, len(terms))
	)
	match := func(docid int64, text []byte) {
		buf, ends = ftsTokens(text, buf[:0], ends[:0])
		if scanCount(terms, buf, ends, tf) {
			cands = append(cands, searchCand{docid, bm25Terms(tf, float64(len(ends)), df, n, avg)})
		}
	}
	since := ms(q.Since)
	if q.Since.IsZero() {
		since = minInt64
	}
	row := func(rows *sql.Rows) error {
		var (
			docid, at int64
			text      sql.RawBytes
		)
		if err := rows.Scan(&docid, &text, &at); err != nil {
			return err
		}
		if at >= since {
			match(docid, text)
		}
		return nil
	}
	filter, args := scanFilter(terms)
	if err := db.eachSearch(ctx, row, scanInteractionsSQL+filter, append([]any{idList(ids), since}, args...)...); err != nil {
		return nil, fmt.Errorf("scan interactions: %w", err)
	}
	if err := db.eachSearch(ctx, row, scanOthersSQL, scopeList(ids)); err != nil {
		return nil, fmt.Errorf("scan other records: %w", err)
	}
	// The newest candidates, as the index gives them, then best first.
	slices.SortFunc(cands, func(a, b searchCand) int { return cmp.Compare(b.docid, a.docid) })
	cands = cands[:min(len(cands), searchCandidates)]
	slices.SortStableFunc(cands, func(a, b searchCand) int { return cmp.Compare(b.score, a.score) })
	return cands, nil
}

const minInt64 = -1 << 63

// searchIndexComplete reports whether every record is in the index, so
// that records read from their tables are the index's. Once true it stays
// so (a backfill only moves on), and is not read again.
func (db *DB) searchIndexComplete(ctx context.Context) (bool, error) {
	if db.searchComplete.Load() {
		return true, nil
	}
	done, total, err := db.SearchIndexProgress(ctx)
	if err != nil {
		return false, err
	}
	if done < total {
		return false, nil
	}
	db.searchComplete.Store(true)
	return true, nil
}

// accountCountTTL is how long an account's count of interactions is
// reused: it only steers the choice of a search's path.
const accountCountTTL = 10 * time.Minute

// accountCounts caches accounts' counts of interactions.
type accountCounts struct {
	mu sync.Mutex
	m  map[int64]dfEntry
}

// accountRecords returns how many interactions the accounts ids hold,
// counting those not counted lately on the covering index.
func (db *DB) accountRecords(ctx context.Context, ids []int64) (int64, error) {
	now := time.Now()
	var total int64
	var stale []int64
	db.counts.mu.Lock()
	for _, id := range ids {
		if e, ok := db.counts.m[id]; ok && now.Sub(e.at) < accountCountTTL {
			total += int64(e.n)
		} else {
			stale = append(stale, id)
		}
	}
	db.counts.mu.Unlock()
	if len(stale) == 0 {
		return total, nil
	}
	got := make(map[int64]float64, len(stale))
	err := db.eachSearch(ctx, func(rows *sql.Rows) error {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		got[id] = float64(n)
		total += n
		return nil
	}, accountInteractionsSQL, idList(stale))
	if err != nil {
		return 0, fmt.Errorf("count interactions: %w", err)
	}
	db.counts.mu.Lock()
	if db.counts.m == nil || len(db.counts.m) >= maxSearchDF {
		db.counts.m = make(map[int64]dfEntry)
	}
	for id, n := range got {
		db.counts.m[id] = dfEntry{n, now}
	}
	db.counts.mu.Unlock()
	return total, nil
}

// cleanSearchTerms keeps of each word what a MATCH expression may hold,
// in lower case, and leaves out terms with nothing left.
func cleanSearchTerms(terms []kam.SearchTerm) []kam.SearchTerm {
	var out []kam.SearchTerm
	for _, t := range terms {
		var words []string
		for _, w := range t.Words {
			if w = strings.ToLower(strings.Map(keepWordRune, w)); w != "" {
				words = append(words, w)
			}
		}
		if len(words) > 0 {
			out = append(out, kam.SearchTerm{Words: words, Prefix: t.Prefix})
		}
	}
	return out
}
