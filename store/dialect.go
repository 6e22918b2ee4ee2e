package store

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The store's queries are written once, in SQLite's SQL. On PostgreSQL the
// driver (pgdriver.go) hands every query text to toPostgres before the
// server sees it, once per distinct text (the result is cached), so that
// one implementation serves both backends. The rewrite covers what the
// queries use:
//
//   - parameters: ?NNN and ? (numbered as SQLite numbers them) become $NNN;
//   - SQLite planner hints: "INDEXED BY name" and the unary plus that hides a
//     term or parameter from the planner ("+team_id = +?1") are dropped;
//   - "LIMIT $n" becomes "LIMIT nullif($n, -1)": SQLite's -1 means no limit,
//     PostgreSQL's NULL does;
//   - "x COLLATE NOCASE" becomes kam_nocase(x), a function of the PostgreSQL
//     schema that folds ASCII letters exactly as NOCASE does, and
//     "x = ?n COLLATE NOCASE" folds both sides;
//   - json_each(?n) (a JSON array bound as one parameter) becomes kam_ids or
//     kam_strs, set-returning functions of the schema whose value column is
//     bigint or text, chosen by what the list is compared with (a column
//     named id or *_id, or a join on a.value, takes IDs);
//   - "CROSS JOIN t ON" (SQLite's way to fix the join order) becomes "JOIN t
//     ON"; group_concat(x) becomes string_agg(x::text, ','); max and min of
//     several arguments become greatest and least; INSERT OR IGNORE becomes
//     INSERT … ON CONFLICT DO NOTHING; in an upsert a column of the
//     existing row compared with excluded.x is qualified with the table.
//
// A query the rules cannot carry gets its PostgreSQL text in pgOverrides,
// keyed by its SQLite text; the parameters of an override are rewritten
// like any other query. Adding a query to the store: write it in SQLite,
// run the store tests with KAMBOT_TEST_POSTGRES_URL set, and add a rule or
// an override only if they fail.

// pgOverrides maps a SQLite query to its PostgreSQL twin, for the few
// queries the rules do not carry.
var pgOverrides = map[string]string{
	// SQLite numbers interactions itself to never reuse an ID; a sequence does.
	insertInteractionSQL: insertInteractionPG,
	// string_agg takes its separator and order as group_concat does, but
	// concatenates only text.
	workspaceNamesSQL: workspaceNamesPG,
	// A UNION may only be ordered by its output columns in PostgreSQL.
	findAccountsSQL: `SELECT * FROM (SELECT ` + accountCols + ` FROM accounts
	WHERE team_id = ?1 AND kam_nocase(name) >= kam_nocase(?2) AND kam_nocase(name) < kam_nocase(?3)
UNION
SELECT ` + accountCols + ` FROM accounts
	WHERE team_id = ?1 AND slug >= ?4 AND slug < ?5) u
ORDER BY kam_nocase(u.name), u.id LIMIT ?6`,
	// PostgreSQL sums no booleans and names every subquery in FROM.
	npsCountsSQL: `SELECT account_id, period, sum((score >= 9)::int), sum((score BETWEEN 7 AND 8)::int), sum((score <= 6)::int) FROM (
		SELECT account_id, at > ?5 AS period, score,
			row_number() OVER (PARTITION BY account_id, at > ?5, respondent ORDER BY at DESC, id DESC) AS n
		FROM survey_responses
		WHERE account_id IN (SELECT value FROM kam_ids(?2)) AND team_id = ?1 AND at > ?3 AND at <= ?4) r
	WHERE n = 1 GROUP BY account_id, period`,
	// Quotas and held channels arrive as JSON arrays of arrays; PostgreSQL
	// reads them with jsonb operators and typed casts. The claimed rows are
	// locked and others' locks skipped, so a claim never waits on another
	// replica's.
	claimOutboxFairSQL: `WITH
	teams (team_id, quota, served) AS MATERIALIZED (
		SELECT v->>0, (v->>1)::bigint, (v->>2)::bigint FROM jsonb_array_elements(?2::jsonb) v),
	held (team_id, channel) AS MATERIALIZED (
		SELECT v->>0, v->>1 FROM jsonb_array_elements(?3::jsonb) v),
	heads AS (
		SELECT o.id, o.next_attempt_at, coalesce(t.served, 0) AS team_served, coalesce(t.quota, ?4) AS quota,
			row_number() OVER (PARTITION BY h.team_id ORDER BY coalesce(s.served_at, 0), o.next_attempt_at, o.id) AS turn
		FROM outbox_heads h JOIN outbox o ON o.id = h.head_id
		LEFT JOIN outbox_served s ON s.team_id = h.team_id AND s.channel = h.channel
		LEFT JOIN teams t ON t.team_id = h.team_id
		WHERE o.status = 'pending' AND o.next_attempt_at <= ?1
		  AND coalesce(t.quota, ?4) > 0
		  AND NOT EXISTS (SELECT 1 FROM held x WHERE x.team_id = h.team_id AND x.channel = h.channel))
UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?1
WHERE id IN (
	SELECT o.id FROM outbox o WHERE o.id IN (
		SELECT id FROM heads WHERE turn <= quota
		ORDER BY turn, team_served, next_attempt_at, id
		LIMIT ?5)
	FOR UPDATE SKIP LOCKED)
RETURNING ` + outboxCols,
}

// prefixEnd is what a prefix is followed by to bound the range of strings
// that start with it: 0xff on SQLite (no byte of UTF-8), the last code
// point on PostgreSQL, which accepts only valid UTF-8 text (the range then
// misses only strings continuing with that noncharacter).
func (db *DB) prefixEnd() string {
	if db.pg != nil {
		return "\U0010FFFF"
	}
	return "\xff"
}

// pgQuery is a query rewritten for PostgreSQL.
type pgQuery struct {
	text string
	// insertInto is the table of an INSERT without RETURNING: when the
	// table has an identity id, the driver adds "RETURNING id" so that
	// sql.Result.LastInsertId works as on SQLite.
	insertInto string
}

// pgCache holds every query rewritten so far.
var pgCache sync.Map // string → pgQuery

// toPostgres returns the PostgreSQL form of a query written for SQLite.
func toPostgres(query string) pgQuery {
	if q, ok := pgCache.Load(query); ok {
		return q.(pgQuery)
	}
	text, ok := pgOverrides[query]
	if !ok {
		text = rewriteRules(query)
	}
	text = numberParams(text)
	text = reLimit.ReplaceAllString(text, "LIMIT nullif($1, -1)")
	q := pgQuery{text: text}
	if m := reInsertInto.FindStringSubmatch(text); m != nil && !reReturning.MatchString(text) {
		q.insertInto = m[1]
	}
	pgCache.Store(query, q)
	return q
}

var (
	reIndexedBy = regexp.MustCompile(`(?i)\s+INDEXED BY \w+`)
	// A unary plus: after an operator, a comma or a parenthesis, and
	// before a parameter or a name (never the binary "a + b").
	reUnaryPlus  = regexp.MustCompile(`([\s(,=<>])\+([?A-Za-z_])`)
	reNocaseEq   = regexp.MustCompile(`(?i)([\w.]+) = (\?\d*) COLLATE NOCASE`)
	reNocase     = regexp.MustCompile(`(?i)([\w.]+|\?\d*) COLLATE NOCASE`)
	reCrossJoin  = regexp.MustCompile(`(?i)CROSS JOIN (\w+(?:\s+\w+)?)(\s+)ON\b`)
	reGroupConc  = regexp.MustCompile(`(?i)group_concat\(([\w.]+)\)`)
	reMaxMany    = regexp.MustCompile(`(?i)\bmax\(([^(),]+),`)
	reMinMany    = regexp.MustCompile(`(?i)\bmin\(([^(),]+),`)
	reOrIgnore   = regexp.MustCompile(`(?i)INSERT OR IGNORE INTO`)
	reEachIDs    = regexp.MustCompile(`(?i)\b(id|\w+_id)( NOT)? IN \(SELECT value FROM json_each\(`)
	reEachJoined = regexp.MustCompile(`(?i)json_each\((\?\d*)\) a\b`)
	reEach       = regexp.MustCompile(`(?i)json_each\(`)
	reCastInt    = regexp.MustCompile(`(?i)AS INTEGER\)`)
	reLimit      = regexp.MustCompile(`LIMIT (\$\d+)`)
	// A column of the target row compared with excluded in an upsert:
	// PostgreSQL wants it qualified (never a SET target, which it refuses).
	reUpsertRef  = regexp.MustCompile(`(?i)((?:\(|\bWHERE |\bAND )\s*)([a-z_]+)(\s*(?:<>|,|=|<|>)\s*excluded\.)`)
	reInsertInto = regexp.MustCompile(`(?i)^\s*INSERT\s+INTO\s+(\w+)`)
	reReturning  = regexp.MustCompile(`(?i)\bRETURNING\b`)
)

// rewriteRules applies the rules above, except parameter numbering.
func rewriteRules(q string) string {
	q = reIndexedBy.ReplaceAllString(q, "")
	q = reUnaryPlus.ReplaceAllString(q, "$1$2")
	q = reNocaseEq.ReplaceAllString(q, "kam_nocase($1) = kam_nocase($2)")
	q = reNocase.ReplaceAllString(q, "kam_nocase($1)")
	q = reCrossJoin.ReplaceAllString(q, "JOIN $1${2}ON")
	q = reGroupConc.ReplaceAllString(q, "string_agg(${1}::text, ',')")
	q = reMaxMany.ReplaceAllString(q, "greatest($1,")
	q = reMinMany.ReplaceAllString(q, "least($1,")
	if m := reInsertInto.FindStringSubmatch(q); m != nil {
		q = reUpsertRef.ReplaceAllString(q, "${1}"+m[1]+".$2$3")
	}
	if reOrIgnore.MatchString(q) {
		q = reOrIgnore.ReplaceAllString(q, "INSERT INTO") + " ON CONFLICT DO NOTHING"
	}
	q = reEachIDs.ReplaceAllString(q, "$1$2 IN (SELECT value FROM kam_ids(")
	q = reEachJoined.ReplaceAllString(q, "kam_ids($1) a")
	q = reEach.ReplaceAllString(q, "kam_strs(")
	q = reCastInt.ReplaceAllString(q, "AS BIGINT)")
	return q
}

// numberParams turns SQLite parameters into PostgreSQL's: ?NNN is $NNN and
// a bare ? takes the number after the largest assigned so far, as SQLite
// numbers them. Text in quotes and comments is left alone.
func numberParams(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	largest := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(q[i+1:], c)
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+end])
			i += end - 1
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := largest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(q[i+1 : j])
			}
			largest = max(largest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
