package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
)

// TestAccountNamesFollowChanges: every change that alters what the
// type-ahead offers — a new account, a rename, an archiving and a
// reactivation, an import, a team change — shows at the very next call,
// whether this handle or another one on the same database (another
// process, another replica) made it; a change in one workspace never shows
// in another, and the names held are brought up to date by reading only
// the accounts changed.
func TestAccountNamesFollowChanges(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "names.db")
	open := func() *DB {
		db, err := OpenMigrated(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	reader, other := open(), open()
	ids := map[string]int64{}
	create := func(db *DB, team, name, owner string) error {
		a := kam.Account{TeamID: team, Name: name, OwnerID: owner, SponsorID: "USPON"}
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			return err
		}
		ids[team+"/"+name] = a.ID
		return nil
	}
	rename := func(db *DB, team, from, to string) error {
		a, err := db.Account(ctx, team, ids[team+"/"+from])
		if err != nil {
			return err
		}
		a.Name = to
		ids[team+"/"+to] = a.ID
		return db.UpdateAccount(ctx, &a, "UADMIN", []string{"name"}, nil)
	}
	for _, team := range []string{"T", "T2"} {
		for _, n := range []string{"Acme", "Globex", "Initech"} {
			if err := create(reader, team, n, "UKAM"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Users UKAM and USPON exist in both workspaces; UANA in T only.
	if err := reader.PutMember(ctx, kam.Member{TeamID: "T", AccountID: ids["T/Globex"], UserID: "UANA", Role: kam.RoleMember}, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	names := func(team, user string) string {
		t.Helper()
		got, err := reader.AccountNamesForUser(ctx, team, user)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range got {
			if a.TeamID != team || ids[team+"/"+a.Name] != a.ID {
				t.Fatalf("%s/%s: account %+v is not the workspace's", team, user, a)
			}
			out = append(out, a.Name)
		}
		return strings.Join(out, ",")
	}
	// Warm the names held for every workspace and user.
	for _, c := range []struct{ team, user, want string }{
		{"T", "UKAM", "Acme,Globex,Initech"}, {"T", "UANA", "Globex"}, {"T2", "UKAM", "Acme,Globex,Initech"}, {"T2", "UANA", ""},
	} {
		if got := names(c.team, c.user); got != c.want {
			t.Fatalf("%s/%s: %q, want %q", c.team, c.user, got, c.want)
		}
	}
	for _, c := range []struct {
		name   string
		change func(db *DB) error
		team   string
		want   map[string]string // user → names in team after the change
		t2     string            // UKAM's names in T2 after the change
	}{
		{"new account", func(db *DB) error { return create(db, "T", "Aardvark", "UKAM") },
			"T", map[string]string{"UKAM": "Aardvark,Acme,Globex,Initech", "UANA": "Globex"}, "Acme,Globex,Initech"},
		{"rename moves it", func(db *DB) error { return rename(db, "T", "Acme", "Zenith") },
			"T", map[string]string{"UKAM": "Aardvark,Globex,Initech,Zenith", "USPON": "Aardvark,Globex,Initech,Zenith"}, "Acme,Globex,Initech"},
		{"rename in case only", func(db *DB) error { return rename(db, "T", "Globex", "globex") },
			"T", map[string]string{"UKAM": "Aardvark,globex,Initech,Zenith", "UANA": "globex"}, "Acme,Globex,Initech"},
		{"archived", func(db *DB) error {
			_, err := db.ArchiveAccount(ctx, "T", ids["T/globex"], "no longer key", "UADMIN")
			return err
		}, "T", map[string]string{"UKAM": "Aardvark,Initech,Zenith", "UANA": ""}, "Acme,Globex,Initech"},
		{"reactivated", func(db *DB) error {
			_, err := db.ReactivateAccount(ctx, "T", ids["T/globex"], "UADMIN")
			return err
		}, "T", map[string]string{"UKAM": "Aardvark,globex,Initech,Zenith", "UANA": "globex"}, "Acme,Globex,Initech"},
		{"joins a team", func(db *DB) error {
			return db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: ids["T/Zenith"], UserID: "UANA", Role: kam.RoleMember}, "UADMIN")
		}, "T", map[string]string{"UANA": "globex,Zenith", "UKAM": "Aardvark,globex,Initech,Zenith"}, "Acme,Globex,Initech"},
		{"leaves a team", func(db *DB) error { return db.RemoveMember(ctx, "T", ids["T/globex"], "UANA", "UADMIN") },
			"T", map[string]string{"UANA": "Zenith"}, "Acme,Globex,Initech"},
		{"the owner changes", func(db *DB) error {
			return db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: ids["T/Initech"], UserID: "UANA", Role: kam.RoleKAM}, "UADMIN")
		}, "T", map[string]string{"UANA": "Initech,Zenith", "UKAM": "Aardvark,globex,Zenith"}, "Acme,Globex,Initech"},
		{"import adds and renames nothing else", func(db *DB) error {
			_, _, err := db.ImportAccounts(ctx, "T", []kam.Account{{Name: "Betamax", OwnerID: "UANA"}}, "UADMIN")
			if err == nil {
				a, ferr := db.FindAccounts(ctx, "T", "Betamax", 1)
				if ferr != nil || len(a) != 1 {
					return fmt.Errorf("imported account not found: %v", ferr)
				}
				ids["T/Betamax"] = a[0].ID
			}
			return err
		}, "T", map[string]string{"UANA": "Betamax,Initech,Zenith", "UKAM": "Aardvark,globex,Zenith"}, "Acme,Globex,Initech"},
		{"the same names in another workspace", func(db *DB) error {
			if err := rename(db, "T2", "Initech", "Aardvark"); err != nil {
				return err
			}
			return create(db, "T2", "Zenith", "UANA")
		}, "T", map[string]string{"UANA": "Betamax,Initech,Zenith", "UKAM": "Aardvark,globex,Zenith"}, "Aardvark,Acme,Globex"},
	} {
		for _, by := range []struct {
			name string
			db   *DB
		}{{"this handle", reader}, {"another handle", other}} {
			t.Run(c.name+"/"+by.name, func(t *testing.T) {
				// The first pass changes through this handle; the second
				// undoes nothing but repeats the check after a change of
				// the other handle's own (a no-op rename back and forth).
				if by.db == reader {
					if err := c.change(reader); err != nil {
						t.Fatal(err)
					}
				} else {
					a, err := other.Account(ctx, "T", ids["T/Aardvark"])
					if err != nil {
						t.Fatal(err)
					}
					for _, n := range []string{"Aardvark Tmp", "Aardvark"} {
						a.Name = n
						if err := other.UpdateAccount(ctx, &a, "UADMIN", []string{"name"}, nil); err != nil {
							t.Fatal(err)
						}
					}
				}
				for user, want := range c.want {
					if got := names(c.team, user); got != want {
						t.Errorf("%s in %s: %q, want %q", user, c.team, got, want)
					}
				}
				if got := names("T2", "UKAM"); got != c.t2 {
					t.Errorf("UKAM in T2: %q, want %q", got, c.t2)
				}
			})
		}
	}
	// A change made by another handle alone, seen by the reader at once.
	if err := rename(other, "T", "Zenith", "Omega"); err != nil {
		t.Fatal(err)
	}
	if got := names("T", "UANA"); got != "Betamax,Initech,Omega" {
		t.Errorf("after another handle's rename: %q", got)
	}
	if err := other.RemoveMember(ctx, "T", ids["T/Betamax"], "UANA", "UADMIN"); err != nil {
		t.Fatal(err)
	}
	if got := names("T", "UANA"); got != "Initech,Omega" {
		t.Errorf("after another handle's team change: %q", got)
	}
	// The names held equal a fresh read: the changes were applied, in order.
	idx, err := reader.workspaceNames(ctx, "T", dirRevs{})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := reader.readWorkspaceNames(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idx.entries, fresh.entries) || idx.rev != fresh.rev {
		t.Errorf("names held (rev %d) %v\\nfresh read (rev %d) %v", idx.rev, idx.entries, fresh.rev, fresh.entries)
	}
}

// TestAccountNamesSameList: while nothing changes the same list comes back
// (callers keep what they derive from it); a change anywhere in the
// workspace gives a new one, and a change in another workspace does not.
func TestAccountNamesSameList(t *testing.T) {
	db, _ := openOutboxDB(t)
	ctx := context.Background()
	var acme kam.Account
	for _, a := range []kam.Account{{TeamID: "T", Name: "Acme", OwnerID: "U1"}, {TeamID: "T2", Name: "Other", OwnerID: "U1"}} {
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		if a.TeamID == "T" {
			acme = a
		}
	}
	list := func() []kam.Account {
		t.Helper()
		got, err := db.AccountNamesForUser(ctx, "T", "U1")
		if err != nil || len(got) == 0 {
			t.Fatalf("%v %v", got, err)
		}
		return got
	}
	first := list()
	for _, c := range []struct {
		name   string
		change func() error
		same   bool
	}{
		{"nothing", func() error { return nil }, true},
		{"a change to a field the menu does not show", func() error {
			acme.Segment = "retail"
			return db.UpdateAccount(ctx, &acme, "UADMIN", []string{"segment"}, nil)
		}, true},
		{"another workspace's new account", func() error {
			return db.CreateAccount(ctx, &kam.Account{TeamID: "T2", Name: "Second", OwnerID: "U1"}, "UADMIN")
		}, true},
		{"a rename", func() error {
			acme.Name = "Acme Corp"
			return db.UpdateAccount(ctx, &acme, "UADMIN", []string{"name"}, nil)
		}, false},
		{"a team change", func() error {
			return db.PutMember(ctx, kam.Member{TeamID: "T", AccountID: acme.ID, UserID: "U9", Role: kam.RoleMember}, "UADMIN")
		}, false},
	} {
		if err := c.change(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		next := list()
		if same := &next[0] == &first[0]; same != c.same {
			t.Errorf("%s: same list %v, want %v", c.name, same, c.same)
		}
		first = next
	}
}

// TestNameIndexWith: applying changes gives what sorting the result anew
// gives, for additions, removals and moves at every place.
func TestNameIndexWith(t *testing.T) {
	entry := func(id int64, name string) nameEntry {
		return nameEntry{id: id, name: name, slug: strings.ToLower(name), key: foldASCII(name)}
	}
	base := []nameEntry{entry(1, "alpha"), entry(2, "Beta"), entry(3, "beta"), entry(4, "Gamma"), entry(5, "Ωmega")}
	for _, c := range []struct {
		name    string
		changed map[int64]*nameEntry
	}{
		{"none", nil},
		{"remove first and last", map[int64]*nameEntry{1: nil, 5: nil}},
		{"move to the front", map[int64]*nameEntry{4: ptr(entry(4, "AAA"))}},
		{"move to the end", map[int64]*nameEntry{1: ptr(entry(1, "zzz"))}},
		{"same name, ID decides", map[int64]*nameEntry{9: ptr(entry(9, "BETA")), 0: ptr(entry(0, "beta"))}},
		{"add to an empty place", map[int64]*nameEntry{7: ptr(entry(7, "delta")), 8: ptr(entry(8, "Δ"))}},
		{"remove all", map[int64]*nameEntry{1: nil, 2: nil, 3: nil, 4: nil, 5: nil}},
		{"remove one never held", map[int64]*nameEntry{42: nil}},
	} {
		got := newNameIndex(1, slices.Clone(base)).with(2, c.changed)
		var want []nameEntry
		for _, e := range base {
			if _, ok := c.changed[e.id]; !ok {
				want = append(want, e)
			}
		}
		for _, e := range c.changed {
			if e != nil {
				want = append(want, *e)
			}
		}
		slices.SortFunc(want, compareNames)
		if !slices.Equal(got.entries, want) || got.rev != 2 {
			t.Errorf("%s: %v (rev %d), want %v", c.name, got.entries, got.rev, want)
		}
		for i, e := range got.entries {
			if got.pos[e.id] != int32(i) {
				t.Errorf("%s: position of %d is %d, want %d", c.name, e.id, got.pos[e.id], i)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
