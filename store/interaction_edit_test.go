package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// editPost is the channel post of an interaction, as commands builds it.
func editPost(op, suffix string) kam.Post[kam.Interaction] {
	return func(in kam.Interaction) ([]kam.OutboxMessage, error) {
		m := kam.OutboxMessage{TeamID: in.TeamID, Key: in.PostKey() + suffix, Channel: "CACME", Text: in.Summary, Op: op}
		if op != kam.OutboxPost {
			m.Target = in.PostKey()
		}
		return []kam.OutboxMessage{m}, nil
	}
}

func outboxRow(t *testing.T, db *store.DB, key string) (kam.OutboxMessage, bool) {
	t.Helper()
	m, err := db.OutboxMessageByKey(context.Background(), coreTeam, key)
	if kam.ErrorCode(err) == kam.ENOTFOUND {
		return m, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return m, true
}

func TestEditInteraction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	link := "https://acme.slack.com/archives/C0123ABCD/p1741944600000100?thread_ts=1741944500.000100&cid=C0123ABCD"
	setup := func(t *testing.T) (*store.DB, *coreClock, kam.Interaction) {
		db, clock := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme", ChannelID: "CACME"})
		in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "Renewal call", Permalink: link, Contacts: []int64{4}}
		if err := db.LogInteraction(ctx, &in, "UDANA", editPost(kam.OutboxPost, "")); err != nil {
			t.Fatal(err)
		}
		return db, clock, in
	}
	t.Run("OK unsent post rewritten in place", func(t *testing.T) {
		db, clock, in := setup(t)
		got, err := db.Interaction(ctx, coreTeam, in.ID)
		if err != nil || got.Permalink != link || !got.EditedAt.IsZero() {
			t.Fatalf("Interaction = %+v, %v", got, err)
		}
		clock.Add(time.Minute)
		ed := got
		ed.Kind, ed.Summary, ed.Contacts = kam.KindMeeting, "Renewal meeting", []int64{5, 6}
		if err := db.UpdateInteraction(ctx, &ed, "UKAM", got.EditedAt, editPost(kam.OutboxUpdate, ":edit")); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Interaction(ctx, coreTeam, in.ID)
		if again.Kind != kam.KindMeeting || again.Summary != "Renewal meeting" || again.UserID != "UDANA" || again.Permalink != link ||
			!again.EditedAt.Equal(clock.Now()) || len(again.Contacts) != 2 {
			t.Fatalf("after edit %+v", again)
		}
		post, _ := outboxRow(t, db, in.PostKey())
		if post.Text != "Renewal meeting" {
			t.Fatalf("unsent post text %q, want the edited one", post.Text)
		}
		if _, ok := outboxRow(t, db, in.PostKey()+":edit"); ok {
			t.Fatal("an update was queued for a post Slack never had")
		}
		e := coreAudit(t, db, coreTeam)[0]
		d := coreDetail(t, e)
		if e.Action != store.ActionInteractionEdit || e.Actor != "UKAM" || d["kind"] != "call" || d["new_kind"] != "meeting" || d["summary_changed"] != true {
			t.Fatalf("audit %+v %v", e, d)
		}
		if _, has := d["summary"]; has {
			t.Fatal("the audit log holds the summary")
		}
	})
	t.Run("OK sent post gets an update, then a delete", func(t *testing.T) {
		db, clock, in := setup(t)
		claimed, err := db.ClaimOutboxFair(ctx, clock.Now(), kam.OutboxClaim{Limit: 10})
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim %v %v", claimed, err)
		}
		if err := db.MarkOutboxSent(ctx, claimed[0].ID, claimed[0].Attempts, "1741944600.000100", "CACME"); err != nil {
			t.Fatal(err)
		}
		ed := in
		ed.Summary = "Renewal call, edited"
		if err := db.UpdateInteraction(ctx, &ed, "UDANA", time.Time{}, editPost(kam.OutboxUpdate, ":edit")); err != nil {
			t.Fatal(err)
		}
		up, ok := outboxRow(t, db, in.PostKey()+":edit")
		if !ok || up.Op != kam.OutboxUpdate || up.Target != in.PostKey() || up.Channel != "CACME" || up.Status != kam.OutboxPending {
			t.Fatalf("update row %+v (found %v)", up, ok)
		}
		del, err := db.DeleteInteraction(ctx, coreTeam, in.ID, "UADMIN", ed.EditedAt, editPost(kam.OutboxDelete, ":delete"))
		if err != nil || del.ID != in.ID {
			t.Fatalf("delete %+v %v", del, err)
		}
		if _, err := db.Interaction(ctx, coreTeam, in.ID); kam.ErrorCode(err) != kam.ENOTFOUND {
			t.Fatalf("deleted interaction still read: %v", err)
		}
		dr, ok := outboxRow(t, db, in.PostKey()+":delete")
		if !ok || dr.Op != kam.OutboxDelete || dr.Channel != "CACME" {
			t.Fatalf("delete row %+v", dr)
		}
		e := coreAudit(t, db, coreTeam)[0]
		if e.Action != store.ActionInteractionDelete || e.Actor != "UADMIN" {
			t.Fatalf("audit %+v", e)
		}
	})
	t.Run("ErrStale", func(t *testing.T) {
		db, clock, in := setup(t)
		ed := in
		ed.Summary = "first edit"
		if err := db.UpdateInteraction(ctx, &ed, "UDANA", time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Second)
		before := coreSnapshot(t, db, coreTeam)
		stale := in
		stale.Summary = "edit from an old form"
		coreWantCode(t, db.UpdateInteraction(ctx, &stale, "UKAM", time.Time{}, editPost(kam.OutboxUpdate, ":edit2")), kam.ECONFLICT)
		_, err := db.DeleteInteraction(ctx, coreTeam, in.ID, "UKAM", time.Time{}, nil)
		coreWantCode(t, err, kam.ECONFLICT)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatalf("a stale edit changed the store:\n%s\nwant\n%s", after, before)
		}
	})
	t.Run("ErrNotFound other workspace", func(t *testing.T) {
		db, _, in := setup(t)
		before := coreSnapshot(t, db, coreTeam)
		other := in
		other.TeamID, other.Summary = coreOther, "hijack"
		coreWantCode(t, db.UpdateInteraction(ctx, &other, "UX", time.Time{}, nil), kam.ENOTFOUND)
		_, err := db.DeleteInteraction(ctx, coreOther, in.ID, "UX", time.Time{}, nil)
		coreWantCode(t, err, kam.ENOTFOUND)
		_, err = db.Interaction(ctx, coreOther, in.ID)
		coreWantCode(t, err, kam.ENOTFOUND)
		if after := coreSnapshot(t, db, coreTeam); after != before {
			t.Fatal("a call from another workspace changed this one")
		}
	})
	t.Run("ErrInvalid permalink", func(t *testing.T) {
		db, _ := openCoreDB(t)
		a := coreCreate(t, db, kam.Account{Name: "Acme"})
		for _, bad := range []string{
			"http://acme.slack.com/archives/C0123ABCD/p1741944600000100",
			"https://evil.example.com/archives/C0123ABCD/p1741944600000100",
			"https://acme.slack.com.evil.io/archives/C0123ABCD/p1741944600000100",
			"https://acme.slack.com/archives/C0123ABCD/p1741944600000100?next=https://evil.io",
			"https://user@acme.slack.com/archives/C0123ABCD/p1741944600000100",
			"https://acme.slack.com/files/U1/F1/x.pdf",
			"javascript:alert(1)",
		} {
			in := kam.Interaction{TeamID: coreTeam, AccountID: a.ID, Kind: kam.KindCall, Summary: "x", Permalink: bad}
			coreWantCode(t, db.LogInteraction(ctx, &in, "UDANA", nil), kam.EINVALID)
		}
		if n := len(coreAudit(t, db, coreTeam)); n != 1 {
			t.Fatalf("audit has %d entries, want only the account's creation", n)
		}
	})
}
