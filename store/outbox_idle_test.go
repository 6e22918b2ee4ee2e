package store

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
)

// TestClaimOutboxFairNothingToTake checks that a claim which can take
// nothing (every due channel held, its workspace's quota spent, or nothing
// due yet) returns at once, without waiting for the write connection, and
// that it still claims once something may be taken.
func TestClaimOutboxFairNothingToTake(t *testing.T) {
	held := []kam.OutboxChannel{{TeamID: "TA", Channel: "C1"}, {TeamID: "TA", Channel: "C2"}}
	for _, tc := range []struct {
		name  string
		at    time.Duration // after the messages were queued
		claim kam.OutboxClaim
	}{
		{"EveryChannelHeld", 0, kam.OutboxClaim{Limit: 8, Held: held}},
		{"WorkspaceQuotaSpent", 0, kam.OutboxClaim{Limit: 8, Teams: []kam.OutboxTeamTurn{{TeamID: "TA", Max: 0}}}},
		{"NothingDueYet", -time.Second, kam.OutboxClaim{Limit: 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, clock := openOutboxDB(t)
			ctx := context.Background()
			mustEnqueue(t, db, msg("TA", "a1", "C1"))
			mustEnqueue(t, db, msg("TA", "a2", "C2"))
			mustEnqueue(t, db, msg("TA", "a3", "C1"))

			// A change holds the one write connection meanwhile.
			tx, err := db.write.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			got, err := db.ClaimOutboxFair(cctx, clock.Now().Add(tc.at), tc.claim)
			cancel()
			if rerr := tx.Rollback(); rerr != nil {
				t.Fatal(rerr)
			}
			if err != nil || len(got) != 0 {
				t.Fatalf("ClaimOutboxFair = %s, %v; want nothing, at once", keys(got), err)
			}

			// Nothing was stamped: the same heads are claimed once allowed.
			got, err = db.ClaimOutboxFair(ctx, clock.Now(), kam.OutboxClaim{Limit: 8})
			if err != nil || keys(got) != "a1,a2" {
				t.Fatalf("claim afterwards = %s, %v; want a1,a2", keys(got), err)
			}
		})
	}
}

// TestEnqueueOutboxInChange checks the ID a post queued inside a change
// gets, and that a post whose key is taken keeps the first message: the
// insert reports its row through last_insert_rowid, which the heads
// trigger's own insert must not disturb.
func TestEnqueueOutboxInChange(t *testing.T) {
	db, _ := openOutboxDB(t)
	ctx := context.Background()
	first := mustEnqueue(t, db, msg("TA", "k0", "C1")) // the channel has a head already
	q, err := db.outboxStmts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var created []bool
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		bound := q.in(ctx, tx)
		for _, m := range []kam.OutboxMessage{msg("TA", "k1", "C1"), msg("TA", "k2", "C2"), msg("TA", "k0", "C3")} {
			id, ok, err := enqueueOutbox(ctx, bound.ins, bound.sel, m, db.now())
			if err != nil {
				return err
			}
			ids, created = append(ids, id), append(created, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"k1", "k2"} {
		m, err := db.OutboxMessageByKey(ctx, "TA", key)
		if err != nil || m.ID != ids[i] || !created[i] {
			t.Errorf("%s: enqueued as %d (created %v), stored as %d, %v", key, ids[i], created[i], m.ID, err)
		}
	}
	if ids[2] != first || created[2] {
		t.Errorf("taken key k0: got %d (created %v), want %d (not created)", ids[2], created[2], first)
	}
	if m, _ := db.OutboxMessageByKey(ctx, "TA", "k0"); m.Channel != "C1" {
		t.Errorf("taken key k0 was overwritten: %+v", m)
	}
}
