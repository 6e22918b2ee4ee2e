package commands_test

import (
	"strings"
	"testing"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func TestBriefMine(t *testing.T) {
	t.Parallel()
	e := newBFEnv(t, bfOptions{})
	rep, err := e.do(bfTeam, bfSponsor, "brief mine")
	if err != nil {
		t.Fatal(err)
	}
	got := format.Fallback(rep.Blocks)
	// The sponsor sponsors Acme Corp here and another Acme Corp in another
	// workspace: only this workspace's shows.
	for _, want := range []string{"Your sponsored accounts (1), worst first", "Acme Corp", "/100", "Raj Patel"} {
		if !strings.Contains(got, want) {
			t.Errorf("brief mine lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Monty Burns") || strings.Contains(got, "Globex") {
		t.Errorf("brief mine shows an account the user does not sponsor:\n%s", got)
	}
	if !strings.Contains(got, "Needs you:") {
		t.Errorf("brief mine names nothing that needs the sponsor (Raj Patel, a gatekeeper without a mirror, is not a decision-maker; the sponsor-touch alert or an unmirrored decision-maker should be):\n%s", got)
	}
	rep, err = e.do(bfTeam, bfOutsider, "brief mine")
	if err != nil || !strings.Contains(format.Fallback(rep.Blocks), "You sponsor no account yet") {
		t.Fatalf("outsider: %v\n%s", err, format.Fallback(rep.Blocks))
	}
	// Bad inputs: a clear refusal, nothing changes.
	before := snapshot(t, e.path)
	for _, line := range []string{"brief", "brief mine now", "brief mine=yes", `brief "mine"`} {
		rep, err := e.do(bfTeam, bfSponsor, line)
		if err == nil || kam.ErrorCode(err) == kam.EINTERNAL || rep.Text == "" {
			t.Errorf("/kam %s: %v %q; want a refusal", line, err, rep.Text)
		}
	}
	if snapshot(t, e.path) != before {
		t.Fatal("a refused brief changed the database")
	}
}
