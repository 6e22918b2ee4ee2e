package digest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

// leanUser manages most accounts of leanWeek's weeks.
const leanUser = "UVP"

// leanWeek builds a week of n drawn accounts, the same for the same seed:
// attention accounts (share in 100) with alerts of every kind and
// severity, facts and names of different lengths with characters mrkdwn
// escapes, some summaries; nine in ten managed by leanUser. With lean set,
// each account goes through a leaner keeping limit accounts' words, as
// load does.
func leanWeek(seed uint64, n, attention, limit int, lean bool, keepWords ...int64) *week {
	rng := rand.New(rand.NewPCG(seed, 7))
	now := time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC)
	w := &week{team: "T0TEAM", now: now, from: now.AddDate(0, 0, -7), to: now, loc: time.UTC, week: "2025-W12", prevWeek: "2025-W11"}
	var l *leaner
	if lean {
		l = newLeaner(leanUser, limit)
		if len(keepWords) > 0 {
			l.words = map[int64]bool{}
			for _, id := range keepWords {
				l.words[id] = true
			}
		}
	}
	words := []string{"renewal", "<b>deal</b>", "R&D", "Zürich", "straße", "*bold*", "plan", "tactic"}
	phrase := func(k int) string {
		var b strings.Builder
		for i := range k {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	for i := range n {
		acct := &kam.Account{ID: int64(i + 1), Name: fmt.Sprintf("Acme %s %04d", phrase(1+rng.IntN(3)), i), Slug: fmt.Sprintf("acme-%04d", i)}
		if rng.IntN(3) > 0 {
			acct.OwnerID = fmt.Sprintf("UKAM%03d", i%40)
		}
		a := &account{acct: acct, lname: strings.ToLower(acct.Name), managers: []string{"UMGR"}}
		if rng.IntN(10) > 0 {
			a.managers = append(a.managers, leanUser)
		}
		a.health.Score = rng.IntN(101)
		a.health.Band = kam.BandOf(a.health.Score)
		a.hasPrev, a.prevScore = true, a.health.Score+rng.IntN(5)
		needs := rng.IntN(100) < attention
		if needs {
			a.health.Score = rng.IntN(39) // at risk
			a.health.Band = kam.BandOf(a.health.Score)
		} else if a.health.Score < 40 {
			a.health.Score += 40
			a.health.Band = kam.BandOf(a.health.Score)
		}
		for range rng.IntN(7) {
			sev := kam.SeverityInfo
			if needs {
				sev += kam.Severity(rng.IntN(3))
			}
			al := alert{kind: uint8(rng.IntN(len(kam.AlertKinds))), Severity: int8(sev), words: &alertWords{fact: phrase(2 + rng.IntN(40))}}
			al.fresh = rng.IntN(4) > 0
			if al.fresh {
				a.freshN++
			}
			a.health.Alerts = append(a.health.Alerts, al)
		}
		a.critical = a.health.Critical()
		a.touches = rng.IntN(5)
		a.needs = len(attentionReasons(a)) > 0
		if a.needs && rng.IntN(5) == 0 {
			a.summary = "Summary: " + phrase(5+rng.IntN(60))
		}
		l.add(w, a, len(w.accts))
		w.accts = append(w.accts, a)
	}
	return w
}

// partsJSON renders parts as Slack would get them.
func partsJSON(t *testing.T, parts [][]slack.Block) string {
	t.Helper()
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// layout is each part's block count and characters.
func layout(parts [][]slack.Block) [][2]int {
	out := make([][2]int, len(parts))
	for i, p := range parts {
		out[i][0] = len(p)
		for _, b := range p {
			out[i][1] += blockChars(b)
		}
	}
	return out
}

// TestLeanHead: a digest laid out from a lean week keeps the first parts
// word for word and counts the same parts as one from a full week; every
// part of it, sections laid out by size included, has the blocks and
// characters of the full digest's. When few accounts need attention the
// head reaches lean sections, and digestHead says so.
func TestLeanHead(t *testing.T) {
	const keep = 2
	for _, tc := range []struct {
		name      string
		n         int
		attention int  // in 100
		whole     bool // the head is all words
	}{
		{"many need attention", 1500, 40, true},
		{"most need attention", 800, 95, true},
		{"few need attention", 150, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := keep * maxBlocks
			full := leanWeek(11, tc.n, tc.attention, limit, false)
			lean := leanWeek(11, tc.n, tc.attention, limit, true)
			title, p := full.userPortfolio(leanUser)
			want, wantN, _ := full.digestHead(leanUser, title, p, -1)
			if wantN <= keep {
				t.Fatalf("the digest has %d parts: too few to test", wantN)
			}
			leanTitle, leanP := lean.userPortfolio(leanUser)
			got, n, whole := lean.digestHead(leanUser, leanTitle, leanP, keep)
			if whole != tc.whole {
				t.Fatalf("whole = %v, want %v", whole, tc.whole)
			}
			if n != wantN {
				t.Errorf("%d parts counted, want %d", n, wantN)
			}
			if tc.whole && partsJSON(t, got.Parts) != partsJSON(t, cutAt(want.Parts, keep, wantN)) {
				t.Errorf("the head differs from the full digest's first %d parts", keep)
			}
			if tc.whole && fmt.Sprint(got.Texts) != fmt.Sprint(want.Texts[:keep]) {
				t.Errorf("texts %q, want %q", got.Texts, want.Texts[:keep])
			}
			all, _, _ := lean.digestHead(leanUser, leanTitle, leanP, -1)
			if g, w := layout(all.Parts), layout(want.Parts); fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("lean layout (blocks, characters by part)\n%v\nwant\n%v", g, w)
			}
			lean.makeLean(lean.accts[0]) // a second time changes nothing
		})
	}
}

// TestLeanKeepsFirst: the accounts that keep their words are the first
// needing attention in the digest's order, of the user's portfolio.
func TestLeanKeepsFirst(t *testing.T) {
	const limit = 30
	lean := leanWeek(5, 600, 50, limit, true)
	_, p := lean.userPortfolio(leanUser)
	full := leanWeek(5, 600, 50, limit, false)
	_, fp := full.userPortfolio(leanUser)
	lp, fsorted := sortPortfolio(p), sortPortfolio(fp)
	for i := range lp {
		if lp[i].acct.ID != fsorted[i].acct.ID {
			t.Fatalf("orders differ at %d", i)
		}
		if wantWords := i < limit && fsorted[i].needs; lp[i].lean == wantWords {
			t.Errorf("account %d, %d-th in order (needs attention %v): lean %v", lp[i].acct.ID, i, lp[i].needs, lp[i].lean)
		}
	}
}

// cutAt is the first keep of a digest's n parts as a head shows them: the
// last one's closing line says what is not shown.
func cutAt(parts [][]slack.Block, keep, n int) [][]slack.Block {
	out := make([][]slack.Block, keep)
	for i := range keep {
		out[i] = slices.Clone(parts[i])
	}
	last := out[keep-1]
	last[len(last)-1] = note(partLine(keep, keep, n))
	return out
}

// The last part shown says how many are not, and where every account is;
// the others, and a digest shown whole, say only which part they are.
func TestPartLine(t *testing.T) {
	for _, tc := range []struct {
		i, kept, n int
		want       string
	}{
		{1, 2, 2, "Part 1 of 2 of this digest"},
		{2, 2, 2, "Part 2 of 2 of this digest"},
		{1, 2, 5, "Part 1 of 5 of this digest"},
		{2, 2, 5, "Part 2 of 5 of this digest; the other 3 are not shown here. `/kam health all` lists every account, worst first"},
		{10, 10, 2174, "Part 10 of 2174 of this digest; the other 2164 are not shown here. `/kam health all` lists every account, worst first"},
	} {
		if got := partLine(tc.i, tc.kept, tc.n); got != tc.want {
			t.Errorf("partLine(%d, %d, %d) = %q, want %q", tc.i, tc.kept, tc.n, got, tc.want)
		}
	}
}

// TestLeanSecondPass: when the head reaches lines laid out by their size,
// digestHead names their accounts, and a week loaded again keeping those
// accounts' words too gives the full digest's head word for word — without
// keeping the words of every account.
func TestLeanSecondPass(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, attention int
		keep         int
	}{
		{"few need attention, two parts", 150, 2, 2},
		{"few need attention, ten parts", 1500, 1, 10},
		{"none needs attention", 400, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limit := tc.keep * maxBlocks
			full := leanWeek(5, tc.n, tc.attention, limit, false)
			title, p := full.userPortfolio(leanUser)
			want, wantN, _ := full.digestHead(leanUser, title, p, -1)
			if wantN <= tc.keep {
				t.Fatalf("the digest has %d parts: too few to test", wantN)
			}
			first := leanWeek(5, tc.n, tc.attention, limit, true)
			title1, p1 := first.userPortfolio(leanUser)
			dg, _, whole := first.digestHead(leanUser, title1, p1, tc.keep)
			if whole || len(dg.missing) == 0 {
				t.Fatalf("the first pass is whole (%v) or names no account (%d): the case tests nothing", whole, len(dg.missing))
			}
			second := leanWeek(5, tc.n, tc.attention, limit, true, dg.missing...)
			title2, p2 := second.userPortfolio(leanUser)
			got, n, whole := second.digestHead(leanUser, title2, p2, tc.keep)
			if !whole || len(got.missing) > 0 {
				t.Fatalf("the second pass still lacks the words of %d accounts", len(got.missing))
			}
			if n != wantN {
				t.Errorf("%d parts counted, want %d", n, wantN)
			}
			if partsJSON(t, got.Parts) != partsJSON(t, cutAt(want.Parts, tc.keep, wantN)) {
				t.Errorf("the head differs from the full digest's first %d parts", tc.keep)
			}
			worded := 0
			for _, a := range second.accts {
				if !a.lean {
					worded++
				}
			}
			if worded >= tc.n {
				t.Errorf("the second pass kept the words of all %d accounts", worded)
			}
		})
	}
}
