package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// The SQLite store is what the command layer runs on.
var _ commands.Store = (*store.DB)(nil)

const (
	coreTeam  = "T0001"
	coreOther = "T0002"
)

// coreClock is a settable clock for store.DB.Now.
type coreClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *coreClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *coreClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var coreEpoch = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// openCoreDB opens a migrated database in a fresh file with a fixed clock.
func openCoreDB(t testing.TB) (*store.DB, *coreClock) {
	t.Helper()
	db, err := store.OpenMigrated(context.Background(), storetest.DSN(t, "kambot.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &coreClock{t: coreEpoch}
	db.Now = clock.Now
	return db, clock
}

// coreCreate creates an account or fails the test.
func coreCreate(t testing.TB, db *store.DB, a kam.Account) kam.Account {
	t.Helper()
	if a.TeamID == "" {
		a.TeamID = coreTeam
	}
	if err := db.CreateAccount(context.Background(), &a, "UADMIN"); err != nil {
		t.Fatalf("create account %q: %v", a.Name, err)
	}
	return a
}

// coreWantCode fails unless err carries the application error code.
func coreWantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := kam.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %s), want code %s", err, got, code)
	}
	if code != kam.EINTERNAL && kam.ErrorMessage(err) == "" {
		t.Fatalf("error %v has no message for the user", err)
	}
	coreWantStructured(t, err)
}

// coreAudit returns the workspace's whole audit log, newest first.
func coreAudit(t testing.TB, db *store.DB, team string) []store.AuditEntry {
	t.Helper()
	entries, err := db.Audit(context.Background(), team, 0)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return entries
}

// coreDetail decodes an audit entry's detail.
func coreDetail(t testing.TB, e store.AuditEntry) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(e.Detail, &m); err != nil {
		t.Fatalf("audit detail %s of %s is not a JSON object: %v", e.Detail, e.Action, err)
	}
	return m
}

// coreSnapshot captures everything a workspace holds, to prove that a
// failed call changed nothing.
func coreSnapshot(t testing.TB, db *store.DB, team string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	accounts, err := db.Accounts(ctx, team)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	for _, a := range accounts {
		fmt.Fprintf(&b, "%+v\n", a)
		ms, err := db.Members(ctx, team, a.ID)
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		fmt.Fprintf(&b, "%+v\n", ms)
		ins, err := db.Interactions(ctx, team, a.ID, 0)
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		fmt.Fprintf(&b, "%+v\n", ins)
	}
	opps, err := db.Opportunities(ctx, team, 0, false)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	for _, o := range opps {
		h, err := db.StageHistory(ctx, team, o.ID)
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		fmt.Fprintf(&b, "%+v\n%+v\n", o, h)
	}
	fmt.Fprintf(&b, "audit %d\n", len(coreAudit(t, db, team)))
	return b.String()
}

func TestCoreMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.DSN(t, "fresh.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.SchemaCurrent(ctx); err != nil || ok {
		t.Fatalf("fresh file: SchemaCurrent = %v, %v; want false", ok, err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate fresh file: %v", err)
	}
	if !slices.Contains(applied, 1) {
		t.Fatalf("migrate fresh file applied %v; want version 1 among them", applied)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate = %v, %v; want nothing applied", again, err)
	}
	a := coreCreate(t, db, kam.Account{Name: "Acme Corp", OwnerID: "UKAM"})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatalf("re-open: %v", err)
	}
	defer db.Close()
	if ok, err := db.SchemaCurrent(ctx); err != nil || !ok {
		t.Fatalf("re-opened: SchemaCurrent = %v, %v; want true", ok, err)
	}
	got, err := db.Account(ctx, coreTeam, a.ID)
	if err != nil || got != a {
		t.Fatalf("after re-open got %+v, %v; want %+v", got, err, a)
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Acme Corp.", "acme-corp"},
		{"  Acme   Corp  ", "acme-corp"},
		{"ACME", "acme"},
		{"AT&T", "at-t"},
		{"3M", "3m"},
		{"--Foo__Bar--", "foo-bar"},
		{"Café Müller", "cafe-muller"},
		{"Straße 9", "strasse-9"},
		{"Œuvre Ærø", "oeuvre-aero"},
		{"Łódź Ltd", "lodz-ltd"},
		{"株式会社", ""},
		{"Toyota 株式会社", "toyota"},
		{"", ""},
		{"!!!", ""},
		{"a/b\\c", "a-b-c"},
	}
	for _, tt := range tests {
		if got := kam.Slugify(tt.in); got != tt.want {
			t.Errorf("kam.Slugify(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Acme Corp.", "Café", "-a-", "ß", "İstanbul", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := kam.Slugify(s)
		for i := 0; i < len(got); i++ {
			c := got[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				t.Fatalf("kam.Slugify(%q) = %q has byte %q", s, got, c)
			}
		}
		if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Fatalf("kam.Slugify(%q) = %q has stray hyphens", s, got)
		}
		if again := kam.Slugify(got); again != got {
			t.Fatalf("kam.Slugify is not idempotent: %q → %q → %q", s, got, again)
		}
	})
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, clock := openCoreDB(t)
		a := kam.Account{TeamID: coreTeam, Name: "  Acme Corp. ", Tier: "Partner", OwnerID: "UKAM", SponsorID: "UEXEC",
			ChannelID: "CACME", Revenue: 250000, WalletPct: 35, Segment: "Retail", Region: "EMEA"}
		if err := db.CreateAccount(ctx, &a, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		want := kam.Account{ID: a.ID, TeamID: coreTeam, Name: "Acme Corp.", Slug: "acme-corp", Tier: kam.TierPartner,
			Level: kam.LevelCommodity, OwnerID: "UKAM", SponsorID: "UEXEC", Cadence: kam.CadenceMonthly, ChannelID: "CACME",
			Revenue: 250000, WalletPct: 35, Segment: "Retail", Region: "EMEA", CreatedAt: clock.Now(), UpdatedAt: clock.Now()}
		if a.ID == 0 || a != want {
			t.Fatalf("filled account = %+v\nwant %+v", a, want)
		}
		got, err := db.Account(ctx, coreTeam, a.ID)
		if err != nil || got != want {
			t.Fatalf("read back %+v, %v\nwant %+v", got, err, want)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt in %v; want UTC", got.CreatedAt.Location())
		}
		members, err := db.Members(ctx, coreTeam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMembers := []kam.Member{
			{TeamID: coreTeam, AccountID: a.ID, UserID: "UKAM", Role: kam.RoleKAM, AddedAt: clock.Now()},
			{TeamID: coreTeam, AccountID: a.ID, UserID: "UEXEC", Role: kam.RoleSponsor, AddedAt: clock.Now()},
		}
		if !slices.Equal(members, wantMembers) {
			t.Fatalf("members = %+v\nwant %+v", members, wantMembers)
		}
		entries := coreAudit(t, db, coreTeam)
		if len(entries) != 1 {
			t.Fatalf("audit has %d entries; want 1", len(entries))
		}
		e := entries[0]
		if e.Action != "account.create" || e.Entity != fmt.Sprintf("account:%d", a.ID) || e.Actor != "UADMIN" || !e.At.Equal(clock.Now()) {
			t.Fatalf("audit entry = %+v", e)
		}
		if d := coreDetail(t, e); d["name"] != "Acme Corp." || d["tier"] != "partner" || d["owner"] != "UKAM" {
			t.Fatalf("audit detail = %v", d)
		}
	})
	t.Run("OwnerIsSponsor", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Solo", OwnerID: "UBOTH", SponsorID: "UBOTH"})
		members, err := db.Members(ctx, coreTeam, a.ID)
		if err != nil || len(members) != 1 || members[0].Role != kam.RoleKAM {
			t.Fatalf("members = %+v, %v; want one row with role kam", members, err)
		}
	})
	t.Run("NameWithoutLatinLetters", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "株式会社ヤマト"})
		b := coreCreate(t, db, kam.Account{Name: "株式会社サクラ"})
		if !strings.HasPrefix(a.Slug, "acct-") || a.Slug == b.Slug {
			t.Fatalf("slugs %q, %q; want distinct acct- slugs", a.Slug, b.Slug)
		}
		found, err := db.FindAccounts(ctx, coreTeam, "株式会社ヤ", 5)
		if err != nil || len(found) != 1 || found[0].ID != a.ID {
			t.Fatalf("find by prefix = %+v, %v", found, err)
		}
	})
	t.Run("SameNameInAnotherWorkspace", func(t *testing.T) {
		db, _ := openCoreDB(t)
		coreCreate(t, db, kam.Account{Name: "Acme"})
		coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Acme"})
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db, _ := openCoreDB(t)
		coreCreate(t, db, kam.Account{Name: "Acme Corp", OwnerID: "UKAM"})
		before := coreSnapshot(t, db, coreTeam)
		for _, name := range []string{"Acme Corp", "ACME CORP", "acme-corp", "Acme, Corp!"} {
			a := kam.Account{TeamID: coreTeam, Name: name, OwnerID: "UNEW"}
			err := db.CreateAccount(ctx, &a, "UADMIN")
			coreWantCode(t, err, kam.ECONFLICT)
			if a.ID != 0 {
				t.Errorf("%q: failed create filled ID %d", name, a.ID)
			}
		}
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed creates changed the workspace:\n%s\nwas\n%s", after, before)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openCoreDB(t)
		tests := []struct {
			name  string
			a     kam.Account
			actor string
		}{
			{"EmptyName", kam.Account{TeamID: coreTeam, Name: "   "}, "UADMIN"},
			{"LongName", kam.Account{TeamID: coreTeam, Name: strings.Repeat("x", kam.MaxNameLen+1)}, "UADMIN"},
			{"NameWithNewline", kam.Account{TeamID: coreTeam, Name: "Acme\nCorp"}, "UADMIN"},
			{"NameNotUTF8", kam.Account{TeamID: coreTeam, Name: "Acme \xff"}, "UADMIN"},
			{"Tier", kam.Account{TeamID: coreTeam, Name: "A", Tier: "gold"}, "UADMIN"},
			{"Level", kam.Account{TeamID: coreTeam, Name: "A", Level: "friend"}, "UADMIN"},
			{"Cadence", kam.Account{TeamID: coreTeam, Name: "A", Cadence: "daily"}, "UADMIN"},
			{"Owner", kam.Account{TeamID: coreTeam, Name: "A", OwnerID: "<@U1|bob>"}, "UADMIN"},
			{"Channel", kam.Account{TeamID: coreTeam, Name: "A", ChannelID: "#general"}, "UADMIN"},
			{"Revenue", kam.Account{TeamID: coreTeam, Name: "A", Revenue: -1}, "UADMIN"},
			{"WalletHigh", kam.Account{TeamID: coreTeam, Name: "A", WalletPct: 100.5}, "UADMIN"},
			{"WalletNaN", kam.Account{TeamID: coreTeam, Name: "A", WalletPct: math.NaN()}, "UADMIN"},
			{"LongSegment", kam.Account{TeamID: coreTeam, Name: "A", Segment: strings.Repeat("s", kam.MaxTextLen+1)}, "UADMIN"},
			{"NoWorkspace", kam.Account{Name: "A"}, "UADMIN"},
			{"NoActor", kam.Account{TeamID: coreTeam, Name: "A"}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := tt.a
				coreWantCode(t, db.CreateAccount(ctx, &a, tt.actor), kam.EINVALID)
			})
		}
		if accounts, _ := db.Accounts(ctx, coreTeam); len(accounts) != 0 {
			t.Fatalf("bad input stored %+v", accounts)
		}
		if n := len(coreAudit(t, db, coreTeam)); n != 0 {
			t.Fatalf("bad input wrote %d audit entries", n)
		}
	})
}

func TestUpdateAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM", SponsorID: "UEXEC"})
		clock.Add(time.Hour)
		if err := db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "UNEW", Function: "finance"}, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		u := a
		u.Name, u.Tier, u.OwnerID, u.SponsorID, u.Revenue = "Acme Group", kam.TierConsultant, "UNEW", "UKAM", 1_200_000
		if err := db.UpdateAccount(ctx, &u, "UADMIN", []string{"name", "tier", "owner", "sponsor", "revenue"}, nil); err != nil {
			t.Fatal(err)
		}
		if u.Slug != "acme-group" || !u.UpdatedAt.Equal(clock.Now()) || !u.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("filled %+v", u)
		}
		got, err := db.Account(ctx, coreTeam, a.ID)
		if err != nil || got != u {
			t.Fatalf("read back %+v, %v\nwant %+v", got, err, u)
		}
		members, err := db.Members(ctx, coreTeam, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The new owner keeps their function and join time; the old owner
		// is now the sponsor; the old sponsor has left.
		want := []kam.Member{
			{TeamID: coreTeam, AccountID: a.ID, UserID: "UNEW", Role: kam.RoleKAM, Function: "finance", AddedAt: coreEpoch.Add(time.Hour)},
			{TeamID: coreTeam, AccountID: a.ID, UserID: "UKAM", Role: kam.RoleSponsor, AddedAt: coreEpoch},
		}
		if !slices.Equal(members, want) {
			t.Fatalf("members = %+v\nwant %+v", members, want)
		}
		e := coreAudit(t, db, coreTeam)[0]
		if e.Action != "account.update" || e.Entity != fmt.Sprintf("account:%d", a.ID) {
			t.Fatalf("audit entry = %+v", e)
		}
		changes, _ := coreDetail(t, e)["changes"].(map[string]any)
		if len(changes) != 5 || fmt.Sprint(changes["owner"]) != "map[from:UKAM to:UNEW]" || fmt.Sprint(changes["tier"]) != "map[from:vendor to:consultant]" {
			t.Fatalf("audit changes = %v", changes)
		}
		if found, _ := db.FindAccounts(ctx, coreTeam, "acme-g", 5); len(found) != 1 {
			t.Fatalf("renamed account not found by its new slug: %+v", found)
		}
	})
	t.Run("RenameCaseOnly", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "acme"})
		a.Name = "ACME"
		if err := db.UpdateAccount(ctx, &a, "UADMIN", []string{"name"}, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Unchanged", func(t *testing.T) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
		clock.Add(time.Hour)
		u := a
		u.Tier = "VENDOR"
		if err := db.UpdateAccount(ctx, &u, "UADMIN", []string{"tier"}, nil); err != nil {
			t.Fatal(err)
		}
		if u != a {
			t.Fatalf("unchanged update gave %+v; want %+v", u, a)
		}
		if n := len(coreAudit(t, db, coreTeam)); n != 1 {
			t.Fatalf("unchanged update wrote an audit entry (%d in all)", n)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		before := coreSnapshot(t, db, coreTeam)
		missing := a
		missing.ID = a.ID + 100
		coreWantCode(t, db.UpdateAccount(ctx, &missing, "UADMIN", []string{"name"}, nil), kam.ENOTFOUND)
		foreign := a
		foreign.TeamID, foreign.Name = coreOther, "Stolen"
		coreWantCode(t, db.UpdateAccount(ctx, &foreign, "UINTRUDER", []string{"name"}, nil), kam.ENOTFOUND)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed update changed the workspace:\n%s\nwas\n%s", after, before)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db, _ := openCoreDB(t)
		coreCreate(t, db, kam.Account{Name: "Acme Corp"})
		b := coreCreate(t, db, kam.Account{Name: "Beta"})
		before := coreSnapshot(t, db, coreTeam)
		for _, name := range []string{"acme corp", "Acme-Corp"} {
			u := b
			u.Name = name
			coreWantCode(t, db.UpdateAccount(ctx, &u, "UADMIN", []string{"name"}, nil), kam.ECONFLICT)
		}
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed update changed the workspace")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		before := coreSnapshot(t, db, coreTeam)
		for _, mod := range []func(*kam.Account){
			func(a *kam.Account) { a.Name = "" },
			func(a *kam.Account) { a.Tier = "platinum" },
			func(a *kam.Account) { a.WalletPct = -3 },
			func(a *kam.Account) { a.SponsorID = "U 1" },
		} {
			u := a
			mod(&u)
			coreWantCode(t, db.UpdateAccount(ctx, &u, "UADMIN", nil, nil), kam.EINVALID)
		}
		coreWantCode(t, db.UpdateAccount(ctx, &a, "", nil, nil), kam.EINVALID)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed update changed the workspace")
		}
	})
}

func TestUpsertAccountByName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := kam.Account{TeamID: coreTeam, Name: "Acme", Tier: kam.TierPreferred, OwnerID: "UKAM"}
		created, err := db.UpsertAccountByName(ctx, &a, "UIMPORT")
		if err != nil || !created || a.ID == 0 || a.Slug != "acme" {
			t.Fatalf("first upsert: created=%v err=%v account=%+v", created, err, a)
		}
		b := kam.Account{TeamID: coreTeam, Name: "ACME", Tier: kam.TierPartner, OwnerID: "UKAM2", Region: "APAC"}
		created, err = db.UpsertAccountByName(ctx, &b, "UIMPORT")
		if err != nil || created || b.ID != a.ID {
			t.Fatalf("second upsert: created=%v err=%v account=%+v", created, err, b)
		}
		got, err := db.Account(ctx, coreTeam, a.ID)
		if err != nil || got.Name != "ACME" || got.Tier != kam.TierPartner || got.OwnerID != "UKAM2" || got.Region != "APAC" {
			t.Fatalf("after upsert %+v, %v", got, err)
		}
		if role, _ := db.MemberRole(ctx, coreTeam, a.ID, "UKAM2"); role != kam.RoleKAM {
			t.Fatalf("new owner's role = %q", role)
		}
		entries := coreAudit(t, db, coreTeam)
		if len(entries) != 2 || entries[0].Action != "account.update" || entries[1].Action != "account.create" || entries[0].Actor != "UIMPORT" {
			t.Fatalf("audit = %+v", entries)
		}
		// Same values again: nothing to write.
		c := b
		if created, err := db.UpsertAccountByName(ctx, &c, "UIMPORT"); err != nil || created {
			t.Fatalf("idempotent upsert: %v, %v", created, err)
		}
		if n := len(coreAudit(t, db, coreTeam)); n != 2 {
			t.Fatalf("idempotent upsert wrote audit (%d entries)", n)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		db, _ := openCoreDB(t)
		coreCreate(t, db, kam.Account{Name: "Acme Corp"})
		a := kam.Account{TeamID: coreTeam, Name: "Acme-Corp"}
		_, err := db.UpsertAccountByName(ctx, &a, "UIMPORT")
		coreWantCode(t, err, kam.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := kam.Account{TeamID: coreTeam, Name: "Acme", Cadence: "yearly"}
		_, err := db.UpsertAccountByName(ctx, &a, "UIMPORT")
		coreWantCode(t, err, kam.EINVALID)
		if got := coreSnapshot(t, db, coreTeam); got != "audit 0\n" {
			t.Fatalf("bad upsert changed the workspace: %s", got)
		}
	})
}

func TestAccountReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openCoreDB(t)
	beta := coreCreate(t, db, kam.Account{Name: "beta", OwnerID: "UDANA"})
	acme := coreCreate(t, db, kam.Account{Name: "Acme", SponsorID: "UDANA"})
	gamma := coreCreate(t, db, kam.Account{Name: "Gamma"})
	delta := coreCreate(t, db, kam.Account{Name: "Delta"})
	coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Other", OwnerID: "UDANA"})
	if err := db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: gamma.ID, UserID: "UDANA", Role: kam.RoleManager}, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	names := func(as []kam.Account) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}

	t.Run("Account", func(t *testing.T) {
		got, err := db.Account(ctx, coreTeam, delta.ID)
		if err != nil || got != delta {
			t.Fatalf("Account = %+v, %v", got, err)
		}
	})
	t.Run("AccountErrNotFound", func(t *testing.T) {
		_, err := db.Account(ctx, coreTeam, 9999)
		coreWantCode(t, err, kam.ENOTFOUND)
		_, err = db.Account(ctx, coreOther, acme.ID)
		coreWantCode(t, err, kam.ENOTFOUND)
	})
	t.Run("Accounts", func(t *testing.T) {
		got, err := db.Accounts(ctx, coreTeam)
		if err != nil || !slices.Equal(names(got), []string{"Acme", "beta", "Delta", "Gamma"}) {
			t.Fatalf("Accounts = %v, %v", names(got), err)
		}
		if got, err := db.Accounts(ctx, "TNOBODY"); err != nil || len(got) != 0 {
			t.Fatalf("empty workspace: %v, %v", got, err)
		}
	})
	t.Run("AccountsForUser", func(t *testing.T) {
		got, err := db.AccountsForUser(ctx, coreTeam, "UDANA")
		if err != nil || !slices.Equal(names(got), []string{"Acme", "beta", "Gamma"}) {
			t.Fatalf("AccountsForUser = %v, %v", names(got), err)
		}
		if got[1] != beta {
			t.Fatalf("got %+v; want %+v", got[1], beta)
		}
		if got, err := db.AccountsForUser(ctx, coreTeam, "UNOBODY"); err != nil || len(got) != 0 {
			t.Fatalf("stranger: %v, %v", got, err)
		}
	})
}

func TestFindAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openCoreDB(t)
	for _, n := range []string{"Acme Corp", "Acme", "Acme Logistics", "ACM", "Beta_Works", "Café Royal", "100% Pure", "Zeta"} {
		coreCreate(t, db, kam.Account{Name: n})
	}
	coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Acme Other"})
	tests := []struct {
		query string
		limit int
		want  []string
	}{
		{"Acme", 10, []string{"Acme", "Acme Corp", "Acme Logistics"}},
		{"acme", 2, []string{"Acme", "Acme Corp"}},
		{"  ACME CO ", 10, []string{"Acme Corp"}},
		{"acme-l", 10, []string{"Acme Logistics"}},
		{"acme_corp", 10, []string{"Acme Corp"}},
		{"acm", 0, []string{"ACM", "Acme", "Acme Corp", "Acme Logistics"}},
		{"beta-w", 10, []string{"Beta_Works"}},
		{"beta_", 10, []string{"Beta_Works"}},
		{"cafe", 10, []string{"Café Royal"}},
		{"Café R", 10, []string{"Café Royal"}},
		{"100%", 10, []string{"100% Pure"}},
		{"%", 10, nil},
		{"_", 10, nil},
		{"acme other", 10, nil},
		{"zz", 10, nil},
		{"Zeta", 1, []string{"Zeta"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := db.FindAccounts(ctx, coreTeam, tt.query, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range got {
				names = append(names, a.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Fatalf("FindAccounts(%q, %d) = %q; want %q", tt.query, tt.limit, names, tt.want)
			}
		})
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := db.FindAccounts(ctx, coreTeam, "   ", 5)
		coreWantCode(t, err, kam.EINVALID)
	})
}

func TestMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (*store.DB, *coreClock, kam.Account) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM", SponsorID: "UEXEC"})
		clock.Add(time.Minute)
		return db, clock, a
	}
	roles := func(t *testing.T, db *store.DB, id int64) string {
		t.Helper()
		ms, err := db.Members(ctx, coreTeam, id)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, m := range ms {
			parts = append(parts, m.UserID+"="+string(m.Role)+"/"+m.Function)
		}
		a, err := db.Account(ctx, coreTeam, id)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(parts, " ") + " owner=" + a.OwnerID + " sponsor=" + a.SponsorID
	}

	t.Run("PutOK", func(t *testing.T) {
		db, clock, a := setup(t)
		steps := []struct {
			m    kam.Member
			want string
		}{
			{kam.Member{UserID: "UFIN", Function: "finance"}, "UKAM=kam/ UFIN=member/finance UEXEC=sponsor/ owner=UKAM sponsor=UEXEC"},
			{kam.Member{UserID: "UBOSS", Role: "MANAGER"}, "UKAM=kam/ UFIN=member/finance UEXEC=sponsor/ UBOSS=manager/ owner=UKAM sponsor=UEXEC"},
			// An empty function keeps the current one.
			{kam.Member{UserID: "UFIN", Role: kam.RoleManager}, "UKAM=kam/ UEXEC=sponsor/ UFIN=manager/finance UBOSS=manager/ owner=UKAM sponsor=UEXEC"},
			// Role kam hands the account over; the previous owner leaves.
			{kam.Member{UserID: "UFIN", Role: kam.RoleKAM}, "UFIN=kam/finance UEXEC=sponsor/ UBOSS=manager/ owner=UFIN sponsor=UEXEC"},
			// A new sponsor replaces the old one.
			{kam.Member{UserID: "UBOSS", Role: kam.RoleSponsor}, "UFIN=kam/finance UBOSS=sponsor/ owner=UFIN sponsor=UBOSS"},
			// The owner given another role leaves the post empty.
			{kam.Member{UserID: "UFIN", Role: kam.RoleMember, Function: "sales"}, "UFIN=member/sales UBOSS=sponsor/ owner= sponsor=UBOSS"},
		}
		for i, s := range steps {
			s.m.TeamID, s.m.AccountID = coreTeam, a.ID
			if err := db.PutMember(ctx, s.m, "UADMIN"); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if got := roles(t, db, a.ID); got != s.want {
				t.Fatalf("step %d: team %s\nwant %s", i, got, s.want)
			}
			clock.Add(time.Minute)
		}
		entries := coreAudit(t, db, coreTeam)
		if len(entries) != 1+len(steps) {
			t.Fatalf("audit has %d entries; want %d", len(entries), 1+len(steps))
		}
		sponsorPut := entries[1] // newest first: the last step, then the sponsor change
		d := coreDetail(t, sponsorPut)
		if sponsorPut.Action != "member.put" || d["user"] != "UBOSS" || d["role"] != "sponsor" || d["previous_role"] != "manager" ||
			fmt.Sprint(d["sponsor"]) != "map[from:UEXEC to:UBOSS]" {
			t.Fatalf("audit entry %+v detail %s", sponsorPut, sponsorPut.Detail)
		}
		// Unchanged: nothing written.
		if err := db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "UBOSS", Role: kam.RoleSponsor}, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		if n := len(coreAudit(t, db, coreTeam)); n != len(entries) {
			t.Fatalf("unchanged put wrote audit")
		}
	})
	t.Run("AddedAtKept", func(t *testing.T) {
		db, clock, a := setup(t)
		m := kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "UFIN"}
		if err := db.PutMember(ctx, m, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		joined := clock.Now()
		clock.Add(time.Hour)
		m.Function = "finance"
		if err := db.PutMember(ctx, m, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		ms, _ := db.Members(ctx, coreTeam, a.ID)
		i := slices.IndexFunc(ms, func(m kam.Member) bool { return m.UserID == "UFIN" })
		if i < 0 || !ms[i].AddedAt.Equal(joined) {
			t.Fatalf("members %+v; want UFIN added at %v", ms, joined)
		}
	})
	t.Run("PutErrNotFound", func(t *testing.T) {
		db, _, a := setup(t)
		before := coreSnapshot(t, db, coreTeam)
		coreWantCode(t, db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID + 1, UserID: "U1"}, "UADMIN"), kam.ENOTFOUND)
		coreWantCode(t, db.PutMember(ctx, kam.Member{TeamID: coreOther, AccountID: a.ID, UserID: "U1", Role: kam.RoleKAM}, "UADMIN"), kam.ENOTFOUND)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed put changed the workspace")
		}
	})
	t.Run("PutErrInvalid", func(t *testing.T) {
		db, _, a := setup(t)
		before := coreSnapshot(t, db, coreTeam)
		for _, m := range []kam.Member{
			{TeamID: coreTeam, AccountID: a.ID, UserID: ""},
			{TeamID: coreTeam, AccountID: a.ID, UserID: "<@U1>"},
			{TeamID: coreTeam, AccountID: a.ID, UserID: "U1", Role: "boss"},
			{TeamID: coreTeam, AccountID: a.ID, UserID: "U1", Function: strings.Repeat("f", kam.MaxTextLen+1)},
			{AccountID: a.ID, UserID: "U1"},
		} {
			coreWantCode(t, db.PutMember(ctx, m, "UADMIN"), kam.EINVALID)
		}
		coreWantCode(t, db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "U1"}, ""), kam.EINVALID)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed put changed the workspace")
		}
	})
	t.Run("RemoveOK", func(t *testing.T) {
		db, _, a := setup(t)
		if err := db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "UFIN", Function: "finance"}, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveMember(ctx, coreTeam, a.ID, "UFIN", "UADMIN"); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveMember(ctx, coreTeam, a.ID, "UKAM", "UADMIN"); err != nil {
			t.Fatal(err)
		}
		if got, want := roles(t, db, a.ID), "UEXEC=sponsor/ owner= sponsor=UEXEC"; got != want {
			t.Fatalf("team %s; want %s", got, want)
		}
		e := coreAudit(t, db, coreTeam)[0]
		if d := coreDetail(t, e); e.Action != "member.remove" || d["user"] != "UKAM" || d["role"] != "kam" || fmt.Sprint(d["owner"]) != "map[from:UKAM to:]" {
			t.Fatalf("audit %+v detail %v", e, d)
		}
	})
	t.Run("RemoveErrNotFound", func(t *testing.T) {
		db, _, a := setup(t)
		before := coreSnapshot(t, db, coreTeam)
		coreWantCode(t, db.RemoveMember(ctx, coreTeam, a.ID, "USTRANGER", "UADMIN"), kam.ENOTFOUND)
		coreWantCode(t, db.RemoveMember(ctx, coreTeam, a.ID+1, "UKAM", "UADMIN"), kam.ENOTFOUND)
		coreWantCode(t, db.RemoveMember(ctx, coreOther, a.ID, "UKAM", "UADMIN"), kam.ENOTFOUND)
		coreWantCode(t, db.RemoveMember(ctx, coreTeam, a.ID, "", "UADMIN"), kam.EINVALID)
		coreWantCode(t, db.RemoveMember(ctx, coreTeam, a.ID, "UKAM", ""), kam.EINVALID)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed remove changed the workspace")
		}
	})
	t.Run("MembersErrNotFound", func(t *testing.T) {
		db, _, a := setup(t)
		_, err := db.Members(ctx, coreOther, a.ID)
		coreWantCode(t, err, kam.ENOTFOUND)
		empty := coreCreate(t, db, kam.Account{Name: "Empty"})
		if ms, err := db.Members(ctx, coreTeam, empty.ID); err != nil || len(ms) != 0 {
			t.Fatalf("empty team: %v, %v", ms, err)
		}
	})
	t.Run("MemberRole", func(t *testing.T) {
		db, _, a := setup(t)
		both := coreCreate(t, db, kam.Account{Name: "Both", OwnerID: "UBOTH", SponsorID: "UBOTH"})
		if err := db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "UBOSS", Role: kam.RoleManager}, "UADMIN"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			team    string
			account int64
			user    string
			want    kam.Role
		}{
			{coreTeam, a.ID, "UKAM", kam.RoleKAM},
			{coreTeam, a.ID, "UEXEC", kam.RoleSponsor},
			{coreTeam, a.ID, "UBOSS", kam.RoleManager},
			{coreTeam, a.ID, "USTRANGER", ""},
			{coreTeam, both.ID, "UBOTH", kam.RoleKAM},
			{coreTeam, a.ID + 100, "UKAM", ""},
			{coreOther, a.ID, "UKAM", ""},
		}
		for _, tt := range tests {
			got, err := db.MemberRole(ctx, tt.team, tt.account, tt.user)
			if err != nil || got != tt.want {
				t.Errorf("MemberRole(%s, %d, %s) = %q, %v; want %q", tt.team, tt.account, tt.user, got, err, tt.want)
			}
		}
	})
}

func TestLogInteraction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: "Call", Summary: "  Discussed renewal\nNext: QBR  ", Contacts: []int64{7, 3, 7}}
		if err := db.LogInteraction(ctx, &in, "UDANA", nil); err != nil {
			t.Fatal(err)
		}
		want := kam.Interaction{ID: in.ID, TeamID: coreTeam, AccountID: a.ID, UserID: "UDANA", Kind: kam.KindCall,
			Summary: "Discussed renewal\nNext: QBR", Contacts: []int64{3, 7}, At: clock.Now()}
		if in.ID == 0 || fmt.Sprint(in) != fmt.Sprint(want) {
			t.Fatalf("filled %+v\nwant %+v", in, want)
		}
		earlier := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, UserID: "UFIN", Kind: kam.KindEmail, Summary: "Sent the quote",
			At: coreEpoch.Add(-48 * time.Hour)}
		if err := db.LogInteraction(ctx, &earlier, "UDANA", nil); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
		latest := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindNote, Summary: "Internal note"}
		if err := db.LogInteraction(ctx, &latest, "UKAM", nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.Interactions(ctx, coreTeam, a.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint([]kam.Interaction{latest, want, earlier}) {
			t.Fatalf("Interactions =\n%+v\nwant\n%+v", got, []kam.Interaction{latest, want, earlier})
		}
		if got, _ := db.Interactions(ctx, coreTeam, a.ID, 2); len(got) != 2 || got[1].ID != in.ID {
			t.Fatalf("limited Interactions = %+v", got)
		}
		e := coreAudit(t, db, coreTeam)[0]
		if d := coreDetail(t, e); e.Action != "interaction.log" || e.Entity != fmt.Sprintf("interaction:%d", latest.ID) ||
			e.Actor != "UKAM" || d["kind"] != "note" || d["account"] != float64(a.ID) {
			t.Fatalf("audit %+v detail %v", e, d)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		before := coreSnapshot(t, db, coreTeam)
		for _, in := range []kam.Interaction{
			{TeamID: coreTeam, AccountID: a.ID + 1, Kind: kam.KindCall, Summary: "x"},
			{TeamID: coreOther, AccountID: a.ID, Kind: kam.KindCall, Summary: "x"},
			{TeamID: coreTeam, AccountID: 0, Kind: kam.KindCall, Summary: "x"},
		} {
			err := db.LogInteraction(ctx, &in, "UDANA", nil)
			coreWantCode(t, err, kam.ENOTFOUND)
			if in.ID != 0 {
				t.Fatalf("failed log filled ID %d", in.ID)
			}
		}
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed log changed the workspace")
		}
		if n := len(coreAudit(t, db, coreOther)); n != 0 {
			t.Fatalf("failed log wrote %d audit entries for the other workspace", n)
		}
		_, err := db.Interactions(ctx, coreOther, a.ID, 10)
		coreWantCode(t, err, kam.ENOTFOUND)
		if got, err := db.Interactions(ctx, coreTeam, a.ID, 10); err != nil || len(got) != 0 {
			t.Fatalf("no interactions yet: %v, %v", got, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		before := coreSnapshot(t, db, coreTeam)
		tests := []struct {
			name  string
			in    kam.Interaction
			actor string
		}{
			{"Kind", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: "lunch", Summary: "x"}, "U1"},
			{"NoKind", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Summary: "x"}, "U1"},
			{"NoSummary", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: " \n "}, "U1"},
			{"LongSummary", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: strings.Repeat("é", kam.MaxSummaryLen+1)}, "U1"},
			{"ControlChars", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "a\x00b"}, "U1"},
			{"Contact", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "x", Contacts: []int64{4, -1}}, "U1"},
			{"User", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "x", UserID: "not an id"}, "U1"},
			{"NoActor", kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "x"}, ""},
			{"NoWorkspace", kam.Interaction{AccountID: a.ID, Kind: kam.KindCall, Summary: "x"}, "U1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := tt.in
				coreWantCode(t, db.LogInteraction(ctx, &in, tt.actor, nil), kam.EINVALID)
			})
		}
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("bad input changed the workspace")
		}
	})
}

// TestLogInteractionConcurrent logs from 64 goroutines at once on one file,
// with readers running alongside and a few callers of another workspace
// trying the same account: every write lands, none sees "database is
// locked", and the intruders' calls, though they share transactions with
// the others, fail alone.
func TestLogInteractionConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openCoreDB(t)
	db.Now = time.Now
	a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	const writers, each, intruders = 64, 20, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+8*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: fmt.Sprintf("call %d/%d", w, i)}
				if err := db.LogInteraction(ctx, &in, fmt.Sprintf("U%03d", w), nil); err != nil {
					errs <- err
				} else if in.ID == 0 {
					errs <- fmt.Errorf("call %d/%d stored without an ID", w, i)
				}
			}
		}()
	}
	for range intruders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				in := kam.Interaction{TeamID: coreOther, AccountID: a.ID, Kind: kam.KindCall, Summary: "intrusion"}
				if err := db.LogInteraction(ctx, &in, "UINTRUDER", nil); kam.ErrorCode(err) != kam.ENOTFOUND {
					errs <- fmt.Errorf("intruder got %v; want ENOTFOUND", err)
				}
			}
		}()
	}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := db.FindAccounts(ctx, coreTeam, "acm", 5); err != nil {
					errs <- err
				}
				if _, err := db.MemberRole(ctx, coreTeam, a.ID, "UKAM"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	got, err := db.Interactions(ctx, coreTeam, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, in := range got {
		seen[in.Summary] = true
	}
	if len(got) != writers*each || len(seen) != writers*each {
		t.Fatalf("stored %d interactions (%d distinct); want %d", len(got), len(seen), writers*each)
	}
	if n := len(coreAudit(t, db, coreTeam)); n != writers*each+1 {
		t.Fatalf("audit has %d entries; want %d", n, writers*each+1)
	}
}

func TestOpportunities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("AddOK", func(t *testing.T) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		closeAt := time.Date(2025, 6, 30, 23, 0, 0, 0, time.FixedZone("PDT", -7*3600))
		o := kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: " Renewal 2025 ", Value: 250000, CloseDate: closeAt, OwnerID: "UKAM"}
		if err := db.AddOpportunity(ctx, &o, "UDANA"); err != nil {
			t.Fatal(err)
		}
		want := kam.Opportunity{ID: o.ID, TeamID: coreTeam, AccountID: a.ID, Name: "Renewal 2025", Value: 250000,
			CloseDate: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), OwnerID: "UKAM", Stage: kam.StageIdentified,
			StageSince: clock.Now(), CreatedAt: clock.Now()}
		if o.ID == 0 || o != want {
			t.Fatalf("filled %+v\nwant %+v", o, want)
		}
		got, err := db.Opportunities(ctx, coreTeam, a.ID, false)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Fatalf("read back %+v, %v", got, err)
		}
		h, err := db.StageHistory(ctx, coreTeam, o.ID)
		wantH := []kam.StageChange{{ID: h[0].ID, TeamID: coreTeam, OpportunityID: o.ID, From: "", To: kam.StageIdentified, UserID: "UDANA", At: clock.Now()}}
		if err != nil || !slices.Equal(h, wantH) {
			t.Fatalf("history %+v, %v\nwant %+v", h, err, wantH)
		}
		e := coreAudit(t, db, coreTeam)[0]
		if d := coreDetail(t, e); e.Action != "opportunity.add" || e.Entity != fmt.Sprintf("opportunity:%d", o.ID) ||
			d["name"] != "Renewal 2025" || d["close"] != "2025-06-30" || d["stage"] != "identified" {
			t.Fatalf("audit %+v detail %v", e, d)
		}
	})
	t.Run("AddErrConflict", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		b := coreCreate(t, db, kam.Account{Name: "Beta"})
		o := kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: "Renewal"}
		if err := db.AddOpportunity(ctx, &o, "U1"); err != nil {
			t.Fatal(err)
		}
		before := coreSnapshot(t, db, coreTeam)
		dup := kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: "RENEWAL"}
		coreWantCode(t, db.AddOpportunity(ctx, &dup, "U1"), kam.ECONFLICT)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed add changed the workspace")
		}
		other := kam.Opportunity{TeamID: coreTeam, AccountID: b.ID, Name: "Renewal"}
		if err := db.AddOpportunity(ctx, &other, "U1"); err != nil {
			t.Fatalf("same name on another account: %v", err)
		}
	})
	t.Run("AddErrNotFound", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		for _, o := range []kam.Opportunity{
			{TeamID: coreTeam, AccountID: a.ID + 1, Name: "X"},
			{TeamID: coreOther, AccountID: a.ID, Name: "X"},
		} {
			coreWantCode(t, db.AddOpportunity(ctx, &o, "U1"), kam.ENOTFOUND)
		}
		if got, _ := db.Opportunities(ctx, coreTeam, 0, false); len(got) != 0 {
			t.Fatalf("failed add stored %+v", got)
		}
		if got, _ := db.Opportunities(ctx, coreOther, 0, false); len(got) != 0 {
			t.Fatalf("failed add stored %+v", got)
		}
	})
	t.Run("AddErrInvalid", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		before := coreSnapshot(t, db, coreTeam)
		for _, o := range []kam.Opportunity{
			{TeamID: coreTeam, AccountID: a.ID, Name: ""},
			{TeamID: coreTeam, AccountID: a.ID, Name: strings.Repeat("n", kam.MaxNameLen+1)},
			{TeamID: coreTeam, AccountID: a.ID, Name: "X", Value: -5},
			{TeamID: coreTeam, AccountID: a.ID, Name: "X", Stage: "won"},
			{TeamID: coreTeam, AccountID: a.ID, Name: "X", OwnerID: "@bob"},
		} {
			coreWantCode(t, db.AddOpportunity(ctx, &o, "U1"), kam.EINVALID)
		}
		o := kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: "X"}
		coreWantCode(t, db.AddOpportunity(ctx, &o, ""), kam.EINVALID)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("bad input changed the workspace")
		}
	})
	t.Run("List", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		b := coreCreate(t, db, kam.Account{Name: "Beta"})
		empty := coreCreate(t, db, kam.Account{Name: "Empty"})
		foreign := coreCreate(t, db, kam.Account{TeamID: coreOther, Name: "Foreign"})
		for _, o := range []kam.Opportunity{
			{AccountID: a.ID, Name: "zeta", Stage: kam.StageQualified},
			{AccountID: a.ID, Name: "Alpha", Stage: kam.StageQualified},
			{AccountID: a.ID, Name: "Lost one", Stage: kam.StageLost},
			{AccountID: a.ID, Name: "Won", Stage: kam.StageContracted},
			{AccountID: b.ID, Name: "Beta deal", Stage: kam.StageClosing},
			{AccountID: b.ID, Name: "New", Stage: kam.StageIdentified},
			{TeamID: coreOther, AccountID: foreign.ID, Name: "Foreign deal"},
		} {
			if o.TeamID == "" {
				o.TeamID = coreTeam
			}
			if err := db.AddOpportunity(ctx, &o, "U1"); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name     string
			account  int64
			openOnly bool
			want     string
		}{
			{"Account", a.ID, false, "Alpha zeta Won Lost one"},
			{"AccountOpen", a.ID, true, "Alpha zeta"},
			{"All", 0, false, "New Alpha zeta Beta deal Won Lost one"},
			{"AllOpen", 0, true, "New Alpha zeta Beta deal"},
			{"Empty", empty.ID, false, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Opportunities(ctx, coreTeam, tt.account, tt.openOnly)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, o := range got {
					names = append(names, o.Name)
				}
				if s := strings.Join(names, " "); s != tt.want {
					t.Fatalf("got %q; want %q", s, tt.want)
				}
			})
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.Opportunities(ctx, coreTeam, foreign.ID, false)
			coreWantCode(t, err, kam.ENOTFOUND)
			_, err = db.Opportunities(ctx, coreTeam, 9999, true)
			coreWantCode(t, err, kam.ENOTFOUND)
		})
	})
}

func TestMoveStage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (*store.DB, *coreClock, kam.Opportunity) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		o := kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: "Renewal"}
		if err := db.AddOpportunity(ctx, &o, "UKAM"); err != nil {
			t.Fatal(err)
		}
		return db, clock, o
	}
	t.Run("OK", func(t *testing.T) {
		db, clock, o := setup(t)
		moves := []struct {
			to   kam.Stage
			note string
			at   time.Time // zero: now
		}{
			{kam.StageQualified, "budget confirmed", time.Time{}},
			{"PURSUING", "", time.Time{}},
			{kam.StageLost, "went with a competitor", time.Time{}},
			{kam.StageQualified, "re-opened after their pilot failed", time.Time{}},
			{kam.StageClosing, "", coreEpoch.Add(4*time.Hour + 30*time.Minute)}, // backdated, but after the last move
		}
		for i, m := range moves {
			clock.Add(time.Hour)
			sc, err := db.MoveStage(ctx, coreTeam, o.ID, m.to, "UDANA", m.note, m.at, nil)
			if err != nil {
				t.Fatalf("move %d to %s: %v", i, m.to, err)
			}
			wantAt := m.at
			if wantAt.IsZero() {
				wantAt = clock.Now()
			}
			if sc.ID == 0 || sc.OpportunityID != o.ID || sc.To != kam.Stage(strings.ToLower(string(m.to))) || sc.UserID != "UDANA" ||
				sc.Note != m.note || !sc.At.Equal(wantAt) || sc.TeamID != coreTeam {
				t.Fatalf("move %d: %+v", i, sc)
			}
		}
		h, err := db.StageHistory(ctx, coreTeam, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var path []string
		for _, sc := range h {
			path = append(path, fmt.Sprintf("%s>%s@%s", sc.From, sc.To, sc.At.Sub(coreEpoch)))
		}
		want := []string{">identified@0s", "identified>qualified@1h0m0s", "qualified>pursuing@2h0m0s", "pursuing>lost@3h0m0s",
			"lost>qualified@4h0m0s", "qualified>closing@4h30m0s"}
		if !slices.Equal(path, want) {
			t.Fatalf("history %v\nwant %v", path, want)
		}
		if h[3].Note != "went with a competitor" {
			t.Fatalf("note lost: %+v", h[3])
		}
		got, _ := db.Opportunities(ctx, coreTeam, o.AccountID, false)
		if got[0].Stage != kam.StageClosing || !got[0].StageSince.Equal(coreEpoch.Add(4*time.Hour+30*time.Minute)) {
			t.Fatalf("opportunity after moves %+v", got[0])
		}
		e := coreAudit(t, db, coreTeam)[0]
		if d := coreDetail(t, e); e.Action != "opportunity.stage" || e.Entity != fmt.Sprintf("opportunity:%d", o.ID) ||
			d["from"] != "qualified" || d["to"] != "closing" || e.Actor != "UDANA" {
			t.Fatalf("audit %+v detail %v", e, d)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db, clock, o := setup(t)
		clock.Add(time.Hour)
		if _, err := db.MoveStage(ctx, coreTeam, o.ID, kam.StageNoGo, "UDANA", "not for us", time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
		before := coreSnapshot(t, db, coreTeam)
		tests := []struct {
			name  string
			to    kam.Stage
			actor string
			note  string
			at    time.Time
		}{
			{"SameStage", kam.StageNoGo, "UDANA", "", time.Time{}},
			{"LeaveClosedForward", kam.StagePursuing, "UDANA", "", time.Time{}},
			{"LeaveClosedToLost", kam.StageLost, "UDANA", "", time.Time{}},
			{"UnknownStage", "won", "UDANA", "", time.Time{}},
			{"BeforeCurrentStage", kam.StageQualified, "UDANA", "", coreEpoch.Add(30 * time.Minute)},
			{"Future", kam.StageQualified, "UDANA", "", coreEpoch.Add(3 * time.Hour)},
			{"LongNote", kam.StageQualified, "UDANA", strings.Repeat("n", kam.MaxSummaryLen+1), time.Time{}},
			{"NoActor", kam.StageQualified, "", "", time.Time{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.MoveStage(ctx, coreTeam, o.ID, tt.to, tt.actor, tt.note, tt.at, nil)
				coreWantCode(t, err, kam.EINVALID)
			})
		}
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("refused moves changed the workspace:\n%s\nwas\n%s", after, before)
		}
		if _, err := db.MoveStage(ctx, coreTeam, o.ID, kam.StageIdentified, "UDANA", "reconsidered", time.Time{}, nil); err != nil {
			t.Fatalf("re-open from no-go: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		db, _, o := setup(t)
		before := coreSnapshot(t, db, coreTeam)
		_, err := db.MoveStage(ctx, coreOther, o.ID, kam.StageQualified, "UINTRUDER", "", time.Time{}, nil)
		coreWantCode(t, err, kam.ENOTFOUND)
		_, err = db.MoveStage(ctx, coreTeam, o.ID+1, kam.StageQualified, "UDANA", "", time.Time{}, nil)
		coreWantCode(t, err, kam.ENOTFOUND)
		_, err = db.StageHistory(ctx, coreOther, o.ID)
		coreWantCode(t, err, kam.ENOTFOUND)
		_, err = db.StageHistory(ctx, coreTeam, o.ID+1)
		coreWantCode(t, err, kam.ENOTFOUND)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("failed moves changed the workspace")
		}
	})
}

// TestWorkspaceIsolation has workspace B try every call on workspace A's
// records: B reads nothing of A's, and changes nothing.
func TestWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM", SponsorID: "UEXEC"})
	o := kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: "Renewal"}
	if err := db.AddOpportunity(ctx, &o, "UKAM"); err != nil {
		t.Fatal(err)
	}
	in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindMeeting, Summary: "Kick-off"}
	if err := db.LogInteraction(ctx, &in, "UKAM", nil); err != nil {
		t.Fatal(err)
	}
	before := coreSnapshot(t, db, coreTeam)

	const b = coreOther
	upd := a
	upd.TeamID, upd.Name = b, "Hijacked"
	mv := func() error {
		_, err := db.MoveStage(ctx, b, o.ID, kam.StageQualified, "UB", "", time.Time{}, nil)
		return err
	}
	notFound := map[string]func() error{
		"Account":       func() error { _, err := db.Account(ctx, b, a.ID); return err },
		"UpdateAccount": func() error { return db.UpdateAccount(ctx, &upd, "UB", []string{"name"}, nil) },
		"Members":       func() error { _, err := db.Members(ctx, b, a.ID); return err },
		"PutMember": func() error {
			return db.PutMember(ctx, kam.Member{TeamID: b, AccountID: a.ID, UserID: "UB", Role: kam.RoleKAM}, "UB")
		},
		"RemoveMember": func() error { return db.RemoveMember(ctx, b, a.ID, "UKAM", "UB") },
		"LogInteraction": func() error {
			return db.LogInteraction(ctx, &kam.Interaction{TeamID: b, AccountID: a.ID, Kind: kam.KindCall, Summary: "x"}, "UB", nil)
		},
		"Interactions": func() error { _, err := db.Interactions(ctx, b, a.ID, 0); return err },
		"AddOpportunity": func() error {
			return db.AddOpportunity(ctx, &kam.Opportunity{TeamID: b, AccountID: a.ID, Name: "Mine"}, "UB")
		},
		"Opportunities": func() error { _, err := db.Opportunities(ctx, b, a.ID, false); return err },
		"MoveStage":     mv,
		"StageHistory":  func() error { _, err := db.StageHistory(ctx, b, o.ID); return err },
	}
	for name, call := range notFound {
		t.Run(name, func(t *testing.T) { coreWantCode(t, call(), kam.ENOTFOUND) })
	}
	t.Run("Empty", func(t *testing.T) {
		if got, err := db.Accounts(ctx, b); err != nil || len(got) != 0 {
			t.Errorf("Accounts: %v, %v", got, err)
		}
		if got, err := db.AccountsForUser(ctx, b, "UKAM"); err != nil || len(got) != 0 {
			t.Errorf("AccountsForUser: %v, %v", got, err)
		}
		if got, err := db.FindAccounts(ctx, b, "acme", 5); err != nil || len(got) != 0 {
			t.Errorf("FindAccounts: %v, %v", got, err)
		}
		if got, err := db.MemberRole(ctx, b, a.ID, "UKAM"); err != nil || got != "" {
			t.Errorf("MemberRole: %q, %v", got, err)
		}
		if got, err := db.Opportunities(ctx, b, 0, false); err != nil || len(got) != 0 {
			t.Errorf("Opportunities: %v, %v", got, err)
		}
		if got := coreAudit(t, db, b); len(got) != 0 {
			t.Errorf("Audit: %+v", got)
		}
	})
	if after := coreSnapshot(t, db, coreTeam); after != before {
		t.Fatalf("workspace B changed workspace A:\n%s\nwas\n%s", after, before)
	}
}

func TestAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clock := openCoreDB(t)
	a := coreCreate(t, db, kam.Account{Name: "Acme", OwnerID: "UKAM"})
	clock.Add(time.Minute)
	steps := []struct {
		action string
		do     func() error
	}{
		{"account.update", func() error {
			u := a
			u.Region = "EMEA"
			return db.UpdateAccount(ctx, &u, "U1", []string{"region"}, nil)
		}},
		{"member.put", func() error {
			return db.PutMember(ctx, kam.Member{TeamID: coreTeam, AccountID: a.ID, UserID: "UFIN"}, "U1")
		}},
		{"member.remove", func() error { return db.RemoveMember(ctx, coreTeam, a.ID, "UFIN", "U1") }},
		{"interaction.log", func() error {
			return db.LogInteraction(ctx, &kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "x"}, "U1", nil)
		}},
		{"opportunity.add", func() error {
			return db.AddOpportunity(ctx, &kam.Opportunity{TeamID: coreTeam, AccountID: a.ID, Name: "Deal"}, "U1")
		}},
		{"opportunity.stage", func() error {
			opps, err := db.Opportunities(ctx, coreTeam, a.ID, false)
			if err != nil {
				return err
			}
			_, err = db.MoveStage(ctx, coreTeam, opps[0].ID, kam.StageQualified, "U1", "", time.Time{}, nil)
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		clock.Add(time.Minute)
	}
	entries := coreAudit(t, db, coreTeam)
	if len(entries) != len(steps)+1 {
		t.Fatalf("audit has %d entries; want %d", len(entries), len(steps)+1)
	}
	for i, s := range steps {
		e := entries[len(steps)-1-i] // newest first
		if e.Action != s.action || e.Actor != "U1" || e.TeamID != coreTeam || e.ID == 0 || e.At.Location() != time.UTC {
			t.Errorf("entry for %s = %+v", s.action, e)
		}
		coreDetail(t, e)
	}
	if got, err := db.Audit(ctx, coreTeam, 2); err != nil || len(got) != 2 || got[0].Action != "opportunity.stage" {
		t.Fatalf("limited audit = %+v, %v", got, err)
	}
}

func TestCoreClosedDB(t *testing.T) {
	t.Parallel()
	db, err := store.OpenMigrated(context.Background(), storetest.DSN(t, "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindAccounts(context.Background(), coreTeam, "acme", 5); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = db.FindAccounts(context.Background(), coreTeam, "acme", 5)
	if err == nil || kam.ErrorCode(err) != kam.EINTERNAL || !strings.Contains(err.Error(), "find accounts") {
		t.Fatalf("query on a closed database: %v; want an internal error", err)
	}
}

// coreWantStructured fails unless err, an application error of the store,
// carries what the command layer needs to word it (an entity or a field)
// and no user-facing text: no `/kam` hints and no Slack mentions.
func coreWantStructured(t testing.TB, err error) {
	t.Helper()
	e := kam.AsError(err)
	if e == nil {
		return
	}
	if e.Entity == "" && e.Field == "" {
		t.Fatalf("error %v names no entity or field for the command layer to word", err)
	}
	for _, s := range []string{"/kam", "<@", "<#"} {
		if strings.Contains(e.Message, s) {
			t.Fatalf("error %v holds user-facing text %q", err, s)
		}
	}
}
