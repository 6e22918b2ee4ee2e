package commands_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// bulkInteractions adds n interactions to the fixture's Acme Corp, one an
// hour back in time, every fifth naming a stakeholder, in one transaction
// through a connection of its own (logging 50,000 through the store one by
// one would take the benchmark's setup minutes).
func (e *bfEnv) bulkInteractions(n int) {
	e.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.path+"?_busy_timeout=10000&_foreign_keys=1")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	acme := e.ids[bfTeam+"/Acme Corp"]
	contacts, err := e.db.Contacts(ctx, bfTeam, acme)
	if err != nil || len(contacts) == 0 {
		e.t.Fatalf("contacts: %v", err)
	}
	tx, err := db.Begin()
	if err != nil {
		e.t.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		e.t.Fatal(err)
	}
	link, err := tx.Prepare(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at) VALUES (?, ?, ?, ?)`)
	if err != nil {
		e.t.Fatal(err)
	}
	users := []string{bfKAM, bfMember, bfSponsor}
	for i := range n {
		at := bfNow.Add(-time.Duration(i+1) * time.Hour).UnixMilli()
		summary := fmt.Sprintf("Interaction %d: reviewed delivery, pricing and the rollout plan; agreed follow-ups on invoices.", i)
		if i%17 == 0 {
			summary += strings.Repeat(" Long minutes of every point discussed and the actions agreed.", 25)
		}
		res, err := ins.Exec(bfTeam, acme, users[i%len(users)], kam.InteractionKinds[i%len(kam.InteractionKinds)], summary, at)
		if err != nil {
			e.t.Fatal(err)
		}
		if i%5 == 0 {
			id, _ := res.LastInsertId()
			if _, err := link.Exec(id, contacts[i%len(contacts)].ID, bfTeam, at); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		e.t.Fatal(err)
	}
}

// BenchmarkBrief50k measures /kam brief end to end on an account with
// 50,000 interactions, without a model: resolve and authorize, acknowledge,
// load the bounded facts (health, quadrant, stakeholders, the latest 500
// interactions, opportunities, plan, NPS) and render the template brief.
func BenchmarkBrief50k(b *testing.B) {
	e := newBFEnv(b, bfOptions{})
	e.bulkInteractions(50_000)
	ctx := context.Background()
	req := commands.Request{TeamID: bfTeam, UserID: bfSponsor, Text: "brief acme"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ack, err := e.eng.Do(ctx, req)
		if err != nil || ack.Later == nil {
			b.Fatalf("brief: %v", err)
		}
		if rep := ack.Later(ctx); !strings.Contains(rep.Text, "of 500 interactions") {
			b.Fatalf("brief:\n%s", rep.Text)
		}
	}
}

// BenchmarkBriefModel50k is BenchmarkBrief50k with a model on 127.0.0.1:
// the facts, the prompt within its budget and the HTTP round trip.
func BenchmarkBriefModel50k(b *testing.B) {
	llm := newBFLLM(b, modelBriefAnswer)
	e := newBFEnv(b, bfOptions{llm: llm})
	e.bulkInteractions(50_000)
	ctx := context.Background()
	req := commands.Request{TeamID: bfTeam, UserID: bfSponsor, Text: "brief acme"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ack, err := e.eng.Do(ctx, req)
		if err != nil || ack.Later == nil {
			b.Fatalf("brief: %v", err)
		}
		if rep := ack.Later(ctx); !strings.Contains(rep.Text, "drafted by "+bfModel) {
			b.Fatalf("brief:\n%s", rep.Text)
		}
	}
}
