package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/demo"
	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestCopyToPostgres: a SQLite database with a seeded portfolio, queued
// and sent posts and its audit arrives whole, ids included; a second copy
// into the now non-empty target is refused and changes nothing.
func TestCopyToPostgres(t *testing.T) {
	needPostgres(t)
	ctx := context.Background()
	src, err := store.OpenMigrated(ctx, filepath.Join(t.TempDir(), "kambot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	const team = "TCOPY"
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	src.Now = func() time.Time { return now }
	if _, err := demo.Seed(ctx, src, team, now); err != nil {
		t.Fatal(err)
	}
	for i, ch := range []string{"C1", "C1", "C2"} {
		key := "copy:" + string(rune('a'+i))
		if _, _, err := src.EnqueueOutbox(ctx, kam.OutboxMessage{TeamID: team, Key: key, Channel: ch, Text: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := src.ClaimOutbox(ctx, now, 1, nil)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if _, err := src.SettleOutbox(ctx, []kam.OutboxSettlement{{ID: claimed[0].ID, Attempt: claimed[0].Attempts,
		Status: kam.OutboxSent, TS: "1.1", Channel: claimed[0].Channel}}); err != nil {
		t.Fatal(err)
	}

	dst, err := store.OpenMigrated(ctx, storetest.DSN(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	dst.Now = func() time.Time { return now.Add(time.Minute) }
	counts, err := store.CopyToPostgres(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	byTable := map[string]int64{}
	for _, c := range counts {
		byTable[c.Table] = c.Target
		if c.Source != c.Target {
			t.Errorf("%s: %d rows, %d copied", c.Table, c.Source, c.Target)
		}
	}
	for _, table := range []string{"accounts", "members", "interactions", "opportunities", "audit_log", "outbox", "outbox_heads"} {
		if byTable[table] == 0 {
			t.Errorf("table %s: nothing copied (counts %v)", table, counts)
		}
	}

	// The same accounts under the same ids, and the same audit.
	want, err := src.Accounts(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.Accounts(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d accounts copied, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Name != want[i].Name || got[i].Revenue != want[i].Revenue {
			t.Errorf("account %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// New rows take ids past the copied ones.
	n := kam.Account{TeamID: team, Name: "After Copy Ltd", Tier: kam.TierPartner, Level: kam.LevelProduct, Cadence: kam.CadenceMonthly}
	if err := dst.CreateAccount(ctx, &n, "UADMIN"); err != nil {
		t.Fatal(err)
	}
	for _, a := range want {
		if n.ID <= a.ID {
			t.Errorf("new account id %d is not past copied id %d", n.ID, a.ID)
		}
	}
	// The queue carries on where it stopped: the second message of C1 and
	// the one of C2 are due, the sent one is not sent again.
	next, err := dst.ClaimOutbox(ctx, now.Add(time.Minute), 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range next {
		keys = append(keys, m.Key)
	}
	if strings.Join(keys, ",") != "copy:b,copy:c" {
		t.Errorf("claimed after copy: %v, want copy:b,copy:c", keys)
	}

	// A second copy is refused and the target keeps its rows.
	_, err = store.CopyToPostgres(ctx, src, dst)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second copy: %v, want a refusal", err)
	}
	again, err := dst.Accounts(ctx, team)
	if err != nil || len(again) != len(want)+1 {
		t.Fatalf("after the refused copy: %d accounts, %v", len(again), err)
	}
}
