package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kambot/kambot/kam"
)

// TestOneSlug pins that the command layer resolves names with the store's
// slug: "Café Müller" is cafe-muller in both, so a name differing only in
// accents and punctuation is the same account to both.
func TestOneSlug(t *testing.T) {
	e := newEnv(t)
	e.ok(admin, `add "Café Müller"`)
	accts, err := e.db.FindAccounts(context.Background(), team, "Café Müller", 0)
	if err != nil || len(accts) != 1 {
		t.Fatalf("find: %v %v", accts, err)
	}
	if got, want := accts[0].Slug, kam.Slugify("Café Müller"); got != want || got != "cafe-muller" {
		t.Fatalf("store slug %q, kam.Slugify %q, want cafe-muller", got, want)
	}
	tests := []struct {
		name, text, want string
	}{
		// The command layer finds the clash itself (its own words), rather
		// than leaving the store to refuse the slug.
		{"add accented twin", `add "CAFÉ MÜLLER!"`, "Café Müller already exists — change it with `/kam set cafe-muller key=value`."},
		{"add unaccented twin", `add "Cafe-Muller"`, "Café Müller already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := e.run(admin, tt.text)
			if kam.ErrorCode(err) != kam.ECONFLICT || !strings.Contains(rep.Text, tt.want) {
				t.Fatalf("/kam %s: %v\nreply %q\nwant  %q", tt.text, err, rep.Text, tt.want)
			}
		})
	}
	for _, q := range []string{"café-müller", `"CAFE MULLER"`, `"Café Müller"`} {
		if rep := e.ok(admin, "show "+q); !strings.Contains(rep.Text, "Café Müller") {
			t.Errorf("/kam show %s: %q", q, rep.Text)
		}
	}
}
