package commands

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

func accountsNamed(names ...string) []kam.Account {
	out := make([]kam.Account, len(names))
	for i, n := range names {
		out[i] = kam.Account{ID: int64(i + 1), Name: n, Slug: kam.Slugify(n)}
	}
	slices.SortFunc(out, func(a, b kam.Account) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

func names(accts []kam.Account) []string {
	out := make([]string, len(accts))
	for i, a := range accts {
		out[i] = a.Name
	}
	return out
}

func TestRankAccounts(t *testing.T) {
	accts := accountsNamed("Acme Corp", "Acme", "Acorn Ltd", "Big Acme Holdings", "Globex", "Soylent", "Café Royal", "Initech", "Асmе Fake")
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", []string{"Acme", "Acme Corp", "Acorn Ltd", "Big Acme Holdings", "Café Royal", "Globex", "Initech", "Soylent", "Асmе Fake"}},
		{"acme", []string{"Acme", "Acme Corp", "Big Acme Holdings", "Асmе Fake"}}, // exact, prefix, word, look-alike
		{"ACME CORP", []string{"Acme Corp"}},                                                 // exact, any case
		{"acme-corp", []string{"Acme Corp"}},                                                 // the slug
		{"ac", []string{"Acme", "Acme Corp", "Acorn Ltd", "Big Acme Holdings", "Асmе Fake"}}, // too short for typos
		{"cafe", []string{"Café Royal"}},                                                     // through the slug
		{"holdings", []string{"Big Acme Holdings"}},                                          // a later word
		{"ylen", []string{"Soylent"}},                                                        // inside the name
		{"globx", []string{"Globex"}},                                                        // a typo
		{"initeck", []string{"Initech"}},                                                     // a typo
		{"zzzz", []string{}},                                                                 // nothing close
		{strings.Repeat("a", kam.MaxNameLen+40), []string{}},                                 // too long to be a name
	} {
		got := names(rankAccounts(accts, c.q, maxOptions))
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("rank %q = %q, want %q", c.q, got, c.want)
		}
	}
	if got := rankAccounts(accts, "", 3); len(got) != 3 {
		t.Errorf("limit 3 gave %d", len(got))
	}
}

func TestOptionsOfStaysUnderSocketModeLimit(t *testing.T) {
	var accts []kam.Account
	for i := range 300 {
		accts = append(accts, kam.Account{ID: int64(i + 1), Name: fmt.Sprintf("%s %03d", strings.Repeat("語", 70), i)})
	}
	ack := optionsOf(func() (out []*slackOption) {
		for _, a := range accts {
			out = append(out, accountOption(a))
		}
		return out
	}())
	if len(ack.Options) == 0 || len(ack.Options) > maxOptions {
		t.Fatalf("%d options", len(ack.Options))
	}
	b := mustMarshal(t, ack)
	if len(b) >= 20<<10-100 {
		t.Fatalf("options answer is %d bytes: Socket Mode refuses 20 KB", len(b))
	}
	for _, o := range ack.Options {
		if n := runeLen(o.Text.Text); n > 75 {
			t.Fatalf("option label of %d characters", n)
		}
	}
}

// FuzzRankAccounts: whatever is typed, the ranking returns only given
// accounts, each once, at most the limit, and never panics.
func FuzzRankAccounts(f *testing.F) {
	for _, s := range []string{"", "acme", "ac", "Асме", "café", "a\x00b", "\xff", "globx"} {
		f.Add(s)
	}
	accts := accountsNamed("Acme Corp", "Acme", "Acorn Ltd", "Big Acme Holdings", "Globex", "Café Royal", "Асmе Fake")
	f.Fuzz(func(t *testing.T, q string) {
		got := rankAccounts(accts, q, 5)
		if len(got) > 5 {
			t.Fatalf("%d results over the limit", len(got))
		}
		seen := map[int64]bool{}
		for _, a := range got {
			if seen[a.ID] || a.ID < 1 || a.ID > int64(len(accts)) {
				t.Fatalf("result %+v twice or not given", a)
			}
			seen[a.ID] = true
		}
	})
}

type slackOption = slack.OptionBlockObject

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
