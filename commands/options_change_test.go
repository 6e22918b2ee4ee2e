package commands_test

import (
	"cmp"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestLogAccountMenuFollowsChanges: the log form's account type-ahead shows
// a renamed, added, archived or reactivated account and a team change at
// the very next keystroke, whether the change came through this process or
// another one on the same database (a second handle: another replica on
// PostgreSQL, another process on the SQLite file); and nothing another
// workspace owns ever appears, whatever the two workspaces share.
func TestLogAccountMenuFollowsChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, err := store.OpenMigrated(ctx, e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	// ana is also on a team of the other workspace, whose accounts share a
	// name with this one's.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	otherAcme, err := e.db.FindAccounts(ctx, otherTeam, "acme corp", 1)
	must(err)
	must(e.db.PutMember(ctx, kam.Member{TeamID: otherTeam, AccountID: otherAcme[0].ID, UserID: ana, Role: kam.RoleMember}, admin))
	menu := func(teamID, user, typed string) string {
		t.Helper()
		p := fakeslack.BlockSuggestion(user, "log_account", "log_account", typed, "", nil)
		p["team"] = map[string]any{"id": teamID}
		p["user"] = map[string]any{"id": user, "team_id": teamID}
		js, _ := json.Marshal(p)
		ir := e.eng.Interact(ctx, payload(t, string(js)))
		b, _ := json.Marshal(ir.Ack)
		var ack struct {
			Options []struct {
				Text  struct{ Text string } `json:"text"`
				Value string                `json:"value"`
			} `json:"options"`
		}
		must(json.Unmarshal(b, &ack))
		var out []string
		for _, o := range ack.Options {
			a, err := e.db.Account(ctx, teamID, atoi(t, o.Value))
			if err != nil {
				t.Fatalf("%s in %s was offered account %s (%s), not the workspace's: %v", user, teamID, o.Value, o.Text.Text, err)
			}
			if a.Name != o.Text.Text {
				t.Fatalf("option %s says %q, the account is %q", o.Value, o.Text.Text, a.Name)
			}
			out = append(out, o.Text.Text)
		}
		return strings.Join(out, ",")
	}
	rename := func(db *store.DB, slug, to string) func() error {
		return func() error {
			a, err := db.FindAccounts(ctx, team, slug, 1)
			if err != nil || len(a) != 1 {
				t.Fatalf("find %s: %v", slug, err)
			}
			a[0].Name = to
			return db.UpdateAccount(ctx, &a[0], admin, []string{"name"}, nil)
		}
	}
	archive := func(db *store.DB, slug string, archived bool) func() error {
		return func() error {
			a, err := db.FindAccounts(ctx, team, slug, 1)
			if err != nil || len(a) != 1 {
				t.Fatalf("find %s: %v", slug, err)
			}
			if archived {
				_, err = db.ArchiveAccount(ctx, team, a[0].ID, "served by the vendor desk", admin)
			} else {
				_, err = db.ReactivateAccount(ctx, team, a[0].ID, admin)
			}
			return err
		}
	}
	run := func(user, text string) func() error {
		return func() error { _, err := e.run(user, text); return err }
	}
	// Warm every cache: the keystrokes below must not be served stale.
	for _, u := range []string{ana, ben, outsider} {
		menu(team, u, "")
		menu(team, u, "a")
	}
	menu(otherTeam, ana, "")
	for _, c := range []struct {
		name   string
		change func() error
		team   string // default: team
		user   string
		typed  string
		want   string
	}{
		{"as seeded", nil, "", ana, "", "Acme Corp,Globex"},
		{"another workspace's accounts never", nil, "", outsider, "", ""},
		{"rename here", rename(e.db, "globex", "Globex Industries"), "", ana, "glob", "Globex Industries"},
		{"rename by another process", rename(other, "globex-industries", "Hooli"), "", ana, "", "Acme Corp,Hooli"},
		{"the old name is gone", nil, "", ana, "globex", ""},
		{"new account", run(admin, `add "Aardvark" owner=<@`+ana+`>`), "", ana, "", "Aardvark,Acme Corp,Hooli"},
		{"new account by another process", func() error {
			return other.CreateAccount(ctx, &kam.Account{TeamID: team, Name: "Zebra Ltd", OwnerID: ana}, admin)
		}, "", ana, "", "Aardvark,Acme Corp,Hooli,Zebra Ltd"},
		{"archived", archive(e.db, "hooli", true), "", ana, "", "Aardvark,Acme Corp,Zebra Ltd"},
		{"archived by another process", archive(other, "zebra", true), "", ana, "", "Aardvark,Acme Corp"},
		{"reactivated", archive(e.db, "hooli", false), "", ana, "ho", "Hooli"},
		{"joins a team", run(admin, "team hooli add <@"+ben+">"), "", ben, "", "Acme Corp,Acorn Ltd,Hooli"},
		{"leaves a team through another process", func() error {
			a, err := other.FindAccounts(ctx, team, "acme", 1)
			if err != nil {
				return err
			}
			return other.RemoveMember(ctx, team, a[0].ID, ben, admin)
		}, "", ben, "", "Acorn Ltd,Hooli"},
		{"a rename in the other workspace stays there", func() error {
			a := otherAcme[0]
			a.Name = "Aardvark"
			return other.UpdateAccount(ctx, &a, admin, []string{"name"}, nil)
		}, "", ana, "aard", "Aardvark"},
		{"and shows there", nil, otherTeam, ana, "", "Aardvark"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.change != nil {
				if err := c.change(); err != nil {
					t.Fatal(err)
				}
			}
			teamID := cmp.Or(c.team, team)
			if got := menu(teamID, c.user, c.typed); got != c.want {
				t.Errorf("%s typing %q: %q, want %q", c.user, c.typed, got, c.want)
			}
		})
	}
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("option value %q: %v", s, err)
	}
	return n
}
