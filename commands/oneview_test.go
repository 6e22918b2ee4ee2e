package commands_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/internal/demo"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/store"
)

// TestOneVoice renders every view of the demo portfolio — the card, health
// (one account and the portfolio), the digest, the brief (fallback), the
// pipeline, the plan and the survey results — and checks that one fact
// reads the same wherever it is shown: an account's open pipeline, its
// health band and alert count, its NPS, a tactic's due date and quarter.
// The expected strings are built by the format functions from the store's
// data, so a view that formats on its own is caught.
func TestOneVoice(t *testing.T) {
	ctx := context.Background()
	const team = "T0VOICE01"
	now := time.Date(2026, 12, 10, 15, 0, 0, 0, time.UTC)
	db, err := store.OpenMigrated(ctx, storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return now }
	if n, err := demo.Seed(ctx, db, team, now); err != nil || n == 0 {
		t.Fatalf("seed: %d accounts, %v", n, err)
	}
	cur := format.CurrencyOf("EUR") // not the default: a hard-coded $ shows
	clock := func() time.Time { return now }
	eng := commands.New(commands.Config{Store: db, Intel: db, Now: clock, Currency: cur, Admins: []string{demo.Actor}})
	drafter := brief.New(brief.Config{Now: clock}) // no model: the fallback
	dg, err := digest.New(digest.Config{Store: db, Currency: cur, Summary: commands.DigestSummary(eng, drafter)})
	if err != nil {
		t.Fatal(err)
	}
	eng.Register(commands.BriefExtension(drafter, nil))
	eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: db, Notifier: &notifier{}}))
	eng.Register(commands.DigestExtension(commands.DigestConfig{Digests: dg}))

	view := func(user, text string) string {
		t.Helper()
		rep, err := eng.Do(ctx, commands.Request{TeamID: team, UserID: user, Text: text})
		if err != nil {
			t.Fatalf("/kam %s as %s: %v", text, user, err)
		}
		if rep.Later != nil { // the brief: drafted after the acknowledgement
			rep = rep.Later(ctx)
		}
		return rep.Text
	}
	accts, err := db.Accounts(ctx, team)
	if err != nil || len(accts) == 0 {
		t.Fatalf("accounts: %v %v", accts, err)
	}
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	nps, err := db.NPSSummaries(ctx, team, ids, now)
	if err != nil {
		t.Fatal(err)
	}
	portfolio := view(demo.Actor, "health all")
	healthRe := regexp.MustCompile(`(\d+)/100 (good|watch|at risk) · (no alerts|\d+ alerts?)`)
	checked := map[string]int{}
	for _, a := range accts {
		t.Run(a.Slug, func(t *testing.T) {
			user := a.OwnerID
			// The account's own health view is the reference for its score
			// and alerts; the others must say the same, formatted the same.
			health := view(user, "health "+a.Slug)
			m := healthRe.FindStringSubmatch(health)
			if m == nil {
				t.Fatalf("/kam health shows no score and alerts:\n%s", health)
			}
			score, _ := strconv.Atoi(m[1])
			alerts := 0
			if m[3] != "no alerts" {
				alerts, _ = strconv.Atoi(strings.Fields(m[3])[0])
			}
			healthFact := format.Health(score) + " · " + format.Alerts(alerts)
			if !strings.Contains(health, healthFact) {
				t.Errorf("/kam health lacks %q:\n%s", healthFact, health)
			}

			opps, err := db.Opportunities(ctx, team, a.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			var open int64
			for _, o := range opps {
				open += o.Value
			}
			openFact := cur.Money(open)
			var npsFact string
			if s := nps[a.ID]; s != nil && s.Responses > 0 {
				npsFact = format.NPS(s.NPS) + " " + format.Answers(s.Responses)
			}

			card := view(user, "show "+a.Slug)
			pipeline := view(user, "pipeline "+a.Slug)
			survey := view(user, "survey "+a.Slug)
			plan := view(user, "plan "+a.Slug)
			fallback := view(user, "brief "+a.Slug)
			review := view(user, "brief "+a.Slug+" review")
			dig := view(user, "digest")

			want := []struct {
				where, text, fact string
			}{
				{"card", card, "Health: " + healthFact},
				{"portfolio health", portfolio, a.Name + " — " + healthFact},
				{"brief", fallback, "Health " + healthFact},
				{"digest", lineOf(dig, "• "+a.Name+" "+format.Health(score)), " · " + format.Alerts(alerts)},
				{"pipeline", pipeline, "Open: " + strconv.Itoa(len(opps)) + " · " + openFact},
			}
			if len(opps) > 0 {
				want = append(want,
					struct{ where, text, fact string }{"card", card, "Open opportunities (" + strconv.Itoa(len(opps)) + ") · " + openFact},
					struct{ where, text, fact string }{"brief review", review, "worth " + openFact},
				)
			}
			if npsFact != "" {
				want = append(want,
					struct{ where, text, fact string }{"survey", survey, npsFact},
					struct{ where, text, fact string }{"brief", fallback, "NPS " + npsFact},
					struct{ where, text, fact string }{"digest", dig, a.Name + " " + npsFact},
				)
			}
			p, err := db.Plan(ctx, team, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range p.Tactics {
				if tc.Due.IsZero() {
					continue
				}
				want = append(want,
					struct{ where, text, fact string }{"plan", plan, tc.Quarter + " tactics"},
					struct{ where, text, fact string }{"plan", plan, "due " + format.Day(tc.Due)},
				)
				if tc.Quarter != kam.QuarterPeriod(tc.Due) {
					t.Errorf("tactic %d: quarter %s contradicts due %s", tc.Number, tc.Quarter, format.Day(tc.Due))
				}
			}
			for _, w := range want {
				checked[w.where]++
				if !strings.Contains(w.text, w.fact) {
					t.Errorf("%s lacks %q:\n%s", w.where, w.fact, w.text)
				}
			}
			// No view writes money any other way: no dollars, no "1.2m".
			for where, text := range map[string]string{"card": card, "pipeline": pipeline, "brief": fallback, "review": review, "digest": dig} {
				if strings.Contains(text, "$") || regexp.MustCompile(`\d(m|bn)\b`).MatchString(text) {
					t.Errorf("%s writes money outside the one format:\n%s", where, text)
				}
			}
		})
	}
	// Every view was looked at: a check that never ran proves nothing.
	for _, where := range []string{"card", "portfolio health", "brief", "digest", "pipeline", "brief review", "survey", "plan"} {
		if checked[where] == 0 {
			t.Errorf("no fact checked in the %s", where)
		}
	}
}

// lineOf is the line of text that starts with prefix, or "".
func lineOf(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
