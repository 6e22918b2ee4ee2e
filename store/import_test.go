package store_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestImportAccounts: one call creates and updates by name in one
// transaction, with the same audit entries and team rows as the single
// writes, and a refused account anywhere writes nothing at all.
func TestImportAccounts(t *testing.T) {
	ctx := context.Background()
	const actor = "U0ADMIN01"
	seed := func(t *testing.T, db *store.DB) kam.Account {
		a := kam.Account{TeamID: coreTeam, Name: "Acme Corp", OwnerID: "U0ANA0001", Revenue: 10}
		if err := db.CreateAccount(ctx, &a, actor); err != nil {
			t.Fatal(err)
		}
		return a
	}
	t.Run("OK", func(t *testing.T) {
		db, _ := openCoreDB(t)
		acme := seed(t, db)
		in := []kam.Account{
			{Name: "ACME Corp", OwnerID: "U0BEN0001", SponsorID: "U0CHEN001", Revenue: 20}, // updates Acme Corp
			{Name: "Borealis", Tier: kam.TierPartner, OwnerID: "U0BEN0001"},
			{Name: "東京エレクトロン"},
		}
		created, updated, err := db.ImportAccounts(ctx, coreTeam, in, actor)
		if err != nil || created != 2 || updated != 1 {
			t.Fatalf("ImportAccounts = %d created, %d updated, %v; want 2, 1, nil", created, updated, err)
		}
		if in[0].ID != acme.ID || in[1].ID == 0 || in[2].Slug == "" || in[1].Slug != "borealis" {
			t.Fatalf("IDs and slugs not filled: %+v", in)
		}
		got, err := db.Accounts(ctx, coreTeam)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Name != "ACME Corp" || got[0].Revenue != 20 || got[0].OwnerID != "U0BEN0001" || got[1].Tier != kam.TierPartner {
			t.Fatalf("accounts after import: %+v", got)
		}
		// The old owner left the team; the new owner and sponsor joined.
		for _, c := range []struct {
			user string
			want kam.Role
		}{{"U0ANA0001", ""}, {"U0BEN0001", kam.RoleKAM}, {"U0CHEN001", kam.RoleSponsor}} {
			if r, err := db.MemberRole(ctx, coreTeam, acme.ID, c.user); err != nil || r != c.want {
				t.Errorf("role of %s on Acme = %q, %v; want %q", c.user, r, err, c.want)
			}
		}
		audit, err := db.Audit(ctx, coreTeam, 0)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range audit {
			actions = append(actions, e.Action+" "+e.Entity)
		}
		// Newest first: the seed's create, then one entry per changed account.
		if len(actions) != 4 {
			t.Fatalf("audit entries %v; want 4", actions)
		}
		// Importing the same accounts again changes nothing and logs nothing.
		created, updated, err = db.ImportAccounts(ctx, coreTeam, in, actor)
		if err != nil || created != 0 || updated != 3 {
			t.Fatalf("re-import = %d, %d, %v", created, updated, err)
		}
		if again, _ := db.Audit(ctx, coreTeam, 0); len(again) != 4 {
			t.Fatalf("an unchanged re-import wrote %d audit entries", len(again)-4)
		}
		if again, _ := db.Accounts(ctx, coreTeam); !reflect.DeepEqual(again, got) {
			t.Fatalf("an unchanged re-import changed the accounts:\n%+v\nwant\n%+v", again, got)
		}
	})

	for _, tt := range []struct {
		name   string
		in     []kam.Account
		index  int
		reason string
	}{
		{"ErrInvalidLast", []kam.Account{{Name: "Borealis"}, {Name: "Cobalt"}, {Name: "!!!"}}, 2, kam.ReasonNoLetter},
		{"ErrWalletNaN", []kam.Account{{Name: "Borealis"}, {Name: "Cobalt", WalletPct: math.NaN()}}, 1, kam.ReasonRange},
		{"ErrSlugOfExisting", []kam.Account{{Name: "Borealis"}, {Name: "Acme-Corp"}}, 1, kam.ReasonSlugClash},
		{"ErrSlugWithinCall", []kam.Account{{Name: "Borealis"}, {Name: "Cobalt"}, {Name: "borealis!"}}, 2, kam.ReasonSlugClash},
		{"ErrLookAlikeOfExisting", []kam.Account{{Name: "Borealis"}, {Name: "\u0410cme Corp"}}, 1, kam.ReasonLookAlike},
		{"ErrLookAlikeWithinCall", []kam.Account{{Name: "Borealis"}, {Name: "B\u043erealis"}}, 1, kam.ReasonLookAlike},
		{"ErrOtherWorkspace", []kam.Account{{Name: "Borealis"}, {TeamID: coreOther, Name: "Cobalt"}}, 1, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openCoreDB(t)
			seed(t, db)
			before, _ := db.Accounts(ctx, coreTeam)
			audit, _ := db.Audit(ctx, coreTeam, 0)
			_, _, err := db.ImportAccounts(ctx, coreTeam, tt.in, actor)
			var ie *store.ImportError
			if !errors.As(err, &ie) || ie.Index != tt.index {
				t.Fatalf("ImportAccounts = %v; want an ImportError for index %d", err, tt.index)
			}
			if e := kam.AsError(err); tt.reason != "" && (e == nil || e.Reason != tt.reason) {
				t.Errorf("error %v; want reason %s", err, tt.reason)
			}
			after, _ := db.Accounts(ctx, coreTeam)
			audit2, _ := db.Audit(ctx, coreTeam, 0)
			if !reflect.DeepEqual(after, before) || len(audit2) != len(audit) {
				t.Fatalf("a refused import wrote: %d accounts (want %d), %d audit entries (want %d)", len(after), len(before), len(audit2), len(audit))
			}
		})
	}
	t.Run("ErrMissingActor", func(t *testing.T) {
		db, _ := openCoreDB(t)
		if _, _, err := db.ImportAccounts(ctx, coreTeam, []kam.Account{{Name: "X"}}, ""); !errors.Is(err, kam.ErrMissingActor) {
			t.Fatalf("err = %v", err)
		}
	})
}
