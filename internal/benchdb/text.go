package benchdb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/kambot/kambot/store"
)

// Vocabulary is the words seeded summaries are drawn from, most frequent
// first; a summary picks them with a Zipf distribution, as prose does.
var Vocabulary = strings.Fields(`the and with about to of for on their our we they renewal pricing price
	call meeting team customer contract budget quote discount roadmap review project rollout plan
	procurement cfo cto ceo coo finance legal security compliance support service outage incident
	escalation invoice payment terms volume forecast pipeline deal expansion pilot proof concept
	workshop training onboarding integration migration cloud platform license seats usage adoption
	satisfaction survey feedback complaint praise competitor alternative benchmark tender rfp rfq
	negotiation approval signature deadline timeline delay risk issue blocker champion sponsor
	executive board strategy objective initiative priority quarter year europe emea americas apac
	germany france spain italy lyon munich madrid milan london paris berlin plant factory warehouse
	logistics supply chain inventory maintenance predictive analytics dashboard report data api
	mobile app upgrade release version patch bug fix performance latency capacity scale architecture
	design prototype demo trial evaluation requirements scope change order amendment addendum
	renewal-date notice termination churn retention loyalty upsell cross-sell bundle package
	tier premium standard enterprise partner reseller distributor channel marketing event
	conference webinar visit dinner lunch golf visit-plan agenda minutes follow-up action owner
	hiring reorganisation merger acquisition layoffs freeze cost saving efficiency sustainability
	carbon emissions energy regulation audit certification iso gdpr privacy breach phishing
	müller garcía lópez dubois rossi schmidt nakamura okafor kowalski johansson`)

// sentence is a summary of 8 to 20 words.
func sentence(rng *rand.Rand) string {
	z := rand.NewZipf(rng, 1.1, 3, uint64(len(Vocabulary)-1))
	n := 8 + rng.IntN(13)
	words := make([]string, n)
	for i := range words {
		words[i] = Vocabulary[z.Uint64()]
	}
	return strings.Join(words, " ")
}

// withoutSearchTriggers drops the search index's triggers for the seeding
// transaction; restore puts them back and marks every seeded row as still
// to index, as in a database older than the index.
func withoutSearchTriggers(ctx context.Context, tx *sql.Tx) (restore func() error, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search\_%' ESCAPE '\'`)
	if err != nil {
		return nil, fmt.Errorf("read search triggers: %w", err)
	}
	var names, defs []string
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, n), append(defs, d)
	}
	rows.Close()
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+n+`"`); err != nil {
			return nil, fmt.Errorf("drop %s: %w", n, err)
		}
	}
	return func() error {
		for _, d := range defs {
			if _, err := tx.ExecContext(ctx, d); err != nil {
				return fmt.Errorf("restore search trigger: %w", err)
			}
		}
		for src, table := range map[int]string{1: "interactions", 2: "plan_objectives", 3: "plan_tactics", 4: "plan_reviews",
			5: "contacts", 6: "survey_responses", 7: "stage_changes"} {
			if _, err := tx.ExecContext(ctx, `UPDATE search_backfill SET done = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM `+table+`) WHERE source = ?`, src); err != nil {
				return fmt.Errorf("mark %s to index: %w", table, err)
			}
		}
		return nil
	}, nil
}

// buildIndex indexes the seeded file as `kambot migrate` does.
func buildIndex(ctx context.Context, path string) error {
	db, err := store.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.BuildSearchIndex(ctx, nil); err != nil {
		return fmt.Errorf("bench db: %w", err)
	}
	if err := db.OptimizeSearchIndex(ctx); err != nil {
		return fmt.Errorf("bench db: %w", err)
	}
	return nil
}
