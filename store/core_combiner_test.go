package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/kam"
)

// coreWaitFor polls cond until it holds, failing the test after a generous
// deadline; it orders goroutines, it does not measure speed.
func coreWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCoreLogCombiner drives the group commit with a commit function that
// holds the first batch until released: calls that arrive meanwhile queue,
// then go in batches of at most maxLogBatch, each call exactly once, and
// every caller gets its own result.
func TestCoreLogCombiner(t *testing.T) {
	ctx := context.Background()
	var c logCombiner
	var mu sync.Mutex
	var batches [][]int64
	release := make(chan struct{})
	commit := func(_ context.Context, batch []*logReq) {
		mu.Lock()
		var ids []int64
		for _, x := range batch {
			ids = append(ids, x.in.AccountID)
		}
		batches = append(batches, ids)
		first := len(batches) == 1
		mu.Unlock()
		if first {
			<-release
		}
		for _, x := range batch {
			x.in.ID = x.in.AccountID * 10
		}
	}
	const followers = maxLogBatch + 6
	reqs := make([]*logReq, followers+1)
	for i := range reqs {
		reqs[i] = &logReq{ctx: ctx, in: kam.Interaction{AccountID: int64(i + 1)}}
	}
	var wg sync.WaitGroup
	wg.Go(func() { c.run(reqs[0], commit) })
	coreWaitFor(t, "the first commit", func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
	for _, r := range reqs[1:] {
		wg.Go(func() { c.run(r, commit) })
	}
	coreWaitFor(t, "the queue", func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.pending) == followers })
	close(release)
	wg.Wait()

	var sizes []int
	var all []int64
	for _, b := range batches {
		sizes = append(sizes, len(b))
		all = append(all, b...)
	}
	if !slices.Equal(sizes, []int{1, maxLogBatch, followers - maxLogBatch}) {
		t.Fatalf("batch sizes %v; want [1 %d %d]", sizes, maxLogBatch, followers-maxLogBatch)
	}
	slices.Sort(all)
	for i, id := range all {
		if id != int64(i+1) {
			t.Fatalf("calls committed %v; want each of 1..%d once", all, followers+1)
		}
	}
	for _, r := range reqs {
		if r.in.ID != r.in.AccountID*10 {
			t.Fatalf("call %d got result %d", r.in.AccountID, r.in.ID)
		}
	}
	if c.busy || len(c.pending) != 0 {
		t.Fatalf("combiner left busy=%v with %d queued", c.busy, len(c.pending))
	}
}

// TestCoreCommitLogs checks the results inside one shared transaction: a
// foreign account or a cancelled caller fails alone, and when the
// transaction fails as a whole each call is retried on its own.
func TestCoreCommitLogs(t *testing.T) {
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "batch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := kam.Account{TeamID: "TA", Name: "Acme"}
	if err := db.CreateAccount(ctx, &a, "U1"); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	req := func(ctx context.Context, team, summary string) *logReq {
		r := &logReq{ctx: ctx, actor: "U1", in: kam.Interaction{TeamID: team, AccountID: a.ID, Kind: kam.KindCall, Summary: summary}}
		if err := db.normalizeInteraction(&r.in, "U1"); err != nil {
			t.Fatal(err)
		}
		return r
	}
	count := func() int {
		var n int
		if err := db.read.QueryRow(`SELECT count(*) FROM interactions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("OK", func(t *testing.T) {
		before := count()
		batch := []*logReq{req(ctx, "TA", "one"), req(ctx, "TB", "foreign"), req(cancelled, "TA", "gone"), req(ctx, "TA", "two")}
		db.commitLogs(ctx, batch)
		if batch[0].err != nil || batch[3].err != nil || batch[0].in.ID == 0 || batch[3].in.ID == 0 {
			t.Fatalf("valid calls: %v, %v", batch[0].err, batch[3].err)
		}
		if kam.ErrorCode(batch[1].err) != kam.ENOTFOUND || batch[1].in.ID != 0 {
			t.Fatalf("foreign account: %v", batch[1].err)
		}
		if batch[2].err == nil {
			t.Fatal("cancelled call was stored")
		}
		if got := count() - before; got != 2 {
			t.Fatalf("stored %d interactions; want 2", got)
		}
	})
	t.Run("Fallback", func(t *testing.T) {
		// A trigger on the one write connection makes one insert fail, so
		// the shared transaction fails as a whole.
		boom := []string{`CREATE TEMP TRIGGER core_boom BEFORE INSERT ON interactions
			WHEN NEW.summary = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`}
		if storetest.OnPostgres() {
			boom = []string{`CREATE FUNCTION core_boom() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'boom'; END $$`,
				`CREATE TRIGGER core_boom BEFORE INSERT ON interactions FOR EACH ROW
				WHEN (NEW.summary = 'boom') EXECUTE FUNCTION core_boom()`}
		}
		for _, q := range boom {
			if _, err := db.write.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		before := count()
		batch := []*logReq{req(ctx, "TA", "fine"), req(ctx, "TA", "boom"), req(ctx, "TA", "also fine")}
		db.commitLogs(ctx, batch)
		if batch[0].err != nil || batch[2].err != nil {
			t.Fatalf("innocent calls failed: %v, %v", batch[0].err, batch[2].err)
		}
		if batch[1].err == nil || kam.ErrorCode(batch[1].err) != kam.EINTERNAL {
			t.Fatalf("failing call: %v; want an internal error", batch[1].err)
		}
		if got := count() - before; got != 2 {
			t.Fatalf("stored %d interactions; want 2", got)
		}
		var audits int
		if err := db.read.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'interaction.log'`).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != count() {
			t.Fatalf("%d audit entries for %d interactions", audits, count())
		}
	})
}

// TestCoreCommitLogsIndexOnce checks the search index of a batch of logs:
// every interaction the batch stores is indexed exactly once, a retried
// request's duplicate (deleted again in the batch) and a foreign account's
// call are not, and an interaction written by any other path is still
// indexed by the trigger. On SQLite the batch writes one FTS4 segment,
// not one per interaction (migration 00190), and leaves no deferral mark.
func TestCoreCommitLogsIndexOnce(t *testing.T) {
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := kam.Account{TeamID: "TA", Name: "Acme"}
	if err := db.CreateAccount(ctx, &a, "U1"); err != nil {
		t.Fatal(err)
	}
	segments := func() int {
		if storetest.OnPostgres() {
			return 0
		}
		var n int
		if err := db.read.QueryRow(`SELECT count(*) FROM search_fts_segdir`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := segments()
	var batch []*logReq
	for i := range maxLogBatch {
		r := &logReq{ctx: ctx, actor: "U1", in: kam.Interaction{TeamID: "TA", AccountID: a.ID, Kind: kam.KindCall,
			Summary: fmt.Sprintf("renewal call %d", i), RequestID: fmt.Sprintf("1764000000.42.%016x", i)}}
		switch i {
		case 7:
			r.in.RequestID = batch[3].in.RequestID // Slack's retry of request 3
		case 9:
			r.in.TeamID = "TB" // not the workspace's account
		}
		if err := db.normalizeInteraction(&r.in, "U1"); err != nil {
			t.Fatal(err)
		}
		batch = append(batch, r)
	}
	db.commitLogs(ctx, batch)
	for i, r := range batch {
		if (i == 9) != (r.err != nil) {
			t.Fatalf("call %d: %v", i, r.err)
		}
	}
	if batch[7].in.ID != batch[3].in.ID {
		t.Fatalf("retried request got interaction %d; want %d", batch[7].in.ID, batch[3].in.ID)
	}
	if got := segments() - before; got > 1 {
		t.Fatalf("the batch wrote %d index segments; want 1", got)
	}

	// Another path: an insert of its own, indexed by the trigger.
	if _, err := db.write.ExecContext(ctx, `INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES ('TA', ?, 'U1', 'call', 'imported call', 1)`, a.ID); err != nil {
		t.Fatal(err)
	}
	stored := map[int64]bool{}
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM interactions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id*8+1] = true
	}
	rows.Close()
	if len(stored) != maxLogBatch-1 { // less the duplicate and the foreign call, plus the import
		t.Fatalf("%d interactions stored; want %d", len(stored), maxLogBatch-1)
	}
	indexed := map[int64]int{}
	rows, err = db.read.QueryContext(ctx, `SELECT docid FROM search_fts WHERE docid % 8 = 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		indexed[d]++
	}
	rows.Close()
	for d := range stored {
		if indexed[d] != 1 {
			t.Errorf("interaction %d indexed %d times; want once", d/8, indexed[d])
		}
	}
	for d := range indexed {
		if !stored[d] {
			t.Errorf("docid %d indexed without its interaction", d)
		}
	}
	if !storetest.OnPostgres() {
		var marks int
		if err := db.read.QueryRow(`SELECT count(*) FROM search_deferred`).Scan(&marks); err != nil {
			t.Fatal(err)
		}
		if marks != 0 {
			t.Fatalf("%d deferral marks left after the commit", marks)
		}
	}
}
