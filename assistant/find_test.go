package assistant

import (
	"testing"

	"github.com/kambot/kambot/kam"
)

func TestFindAccount(t *testing.T) {
	accts := []kam.Account{
		{ID: 1, Name: "Acme Logistics", Slug: "acme-logistics"},
		{ID: 2, Name: "Borealis Energy", Slug: "borealis-energy"},
		{ID: 3, Name: "Nordic Bank", Slug: "nordic-bank"},
		{ID: 4, Name: "Nordic Rail", Slug: "nordic-rail"},
	}
	for _, tc := range []struct {
		q    string
		want int64 // 0: no account
	}{
		{"How is Acme doing?", 1},
		{"what's new on acme?", 1},
		{"how is acme logistics doing", 1},
		{"brief borealis-energy", 2},
		{"how is nordic doing", 0}, // two accounts start so
		{"how is nordic rail doing", 4},
		{"how are my accounts", 0},
		{"acmeish news", 0},
	} {
		got := findAccount(kam.Fold(tc.q), accts)
		var id int64
		if got != nil {
			id = got.ID
		}
		if id != tc.want {
			t.Errorf("findAccount(%q) = account %d, want %d", tc.q, id, tc.want)
		}
	}
}
