package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// fullScore scores every factor of the book's set 3, except those given.
func fullScore(over map[string]int) string {
	var parts []string
	for _, f := range kam.DefaultCriteria().Factors {
		v := 3
		if o, ok := over[f.Key]; ok {
			v = o
		}
		parts = append(parts, f.Key+"="+string(rune('0'+v)))
	}
	return "score acme " + strings.Join(parts, " ")
}

func TestCriteriaCommand(t *testing.T) {
	e := newIntelEnv(t)
	rep := e.ok(ana, "criteria")
	for _, want := range []string{"version 0", "`size` Size — weight 1 · 10%", "`trust` Trust and confidence — weight 1 · 11.1%", "10 factors", "9 factors"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("list: %q missing from\n%s", want, rep.Text)
		}
	}
	// Attractiveness (1 + 9·0.5)/10 = 55 with size=5; strength 50.
	e.ok(ana, fullScore(map[string]int{"size": 5}))

	before := snapshot(t, e.path)
	for _, tt := range []struct{ user, text, code, says string }{
		{ana, `criteria add "Cultural fit" axis=attractiveness`, kam.EUNAUTHORIZED, "admins"},
		{outsider, "criteria retire adopter", kam.EUNAUTHORIZED, "admins"},
		{ana, "criteria weight size=2", kam.EUNAUTHORIZED, "admins"},
		{ana, "criteria reset", kam.EUNAUTHORIZED, "admins"},
		{admin, `criteria add "Cultural fit" axis=colour`, kam.EINVALID, "axis=attractiveness"},
		{admin, `criteria add "Cultural fit"`, kam.EINVALID, "axis=strength"},
		{admin, "criteria add axis=strength", kam.EINVALID, "Name the new factor"},
		{admin, `criteria add "Cultural fit" axis=strength weight=0`, kam.EINVALID, "above 0"},
		{admin, `criteria add "Cultural fit" axis=strength weight=-2`, kam.EINVALID, "above 0"},
		{admin, `criteria add "Cultural fit" axis=strength weight=11`, kam.EINVALID, "at most 10"},
		{admin, `criteria add "Cultural fit" axis=strength weight=lots`, kam.EINVALID, "weight=2"},
		{admin, `criteria add "Price" axis=strength`, kam.ECONFLICT, "already a factor price"},
		{admin, `criteria add "Pricing" axis=strength key=price`, kam.ECONFLICT, "already a factor price"},
		{admin, `criteria add "market STANDING" axis=strength key=standing2`, kam.ECONFLICT, "already a factor named"},
		{admin, `criteria add "Fit" axis=strength key=9lives`, kam.EINVALID, "starting with a letter"},
		{admin, `criteria add "!!!" axis=strength`, kam.EINVALID, "key="},
		{admin, `criteria add Cultural fit axis=strength`, kam.EINVALID, "quotes"},
		{admin, `criteria add "Cultural fit" name="Fit" axis=strength`, kam.EINVALID, "once"},
		{admin, `criteria add "Cultural fit" axis=strength colour=red`, kam.EINVALID, "colour"},
		{admin, `criteria rename size "Strategic fit"`, kam.ECONFLICT, "already a factor named"},
		{admin, `criteria rename size "Headcount" key=growth`, kam.ECONFLICT, "already a factor growth"},
		{admin, `criteria rename colour "Colour"`, kam.EINVALID, "no factor \"colour\""},
		{admin, "criteria rename size", kam.EINVALID, "new name"},
		{admin, `criteria rename size "Size"`, kam.EINVALID, "nothing to change"},
		{admin, "criteria retire colour", kam.EINVALID, "Strength factors: price"},
		{admin, "criteria retire", kam.EINVALID, "retire adopter"},
		{admin, "criteria retire size growth", kam.EINVALID, "retire adopter"},
		{admin, "criteria weight size=11", kam.EINVALID, "from 0 to 10"},
		{admin, "criteria weight size", kam.EINVALID, "factor=0..10"},
		{admin, "criteria weight", kam.EINVALID, "factor=0..10"},
		{admin, "criteria weight price=0 service=0 people=0 response=0 attitude=0 innovation=0 value-in-use=0 sustainability=0 trust=0", kam.EINVALID, "weight above 0"},
		{admin, "criteria reset now", kam.EINVALID, "nothing after it"},
		{admin, "criteria shuffle", kam.EINVALID, "add, rename, retire"},
		{admin, "criteria axis=strength", kam.EINVALID, "add, rename, retire"},
		{ana, "criteria history now", kam.EINVALID, "nothing after it"},
	} {
		rep, err := e.run(tt.user, tt.text)
		if kam.ErrorCode(err) != tt.code || !strings.Contains(rep.Text, tt.says) {
			t.Errorf("/kam %s as %s: %v (%s), want %s saying %q", tt.text, tt.user, err, rep.Text, tt.code, tt.says)
		}
	}
	if snapshot(t, e.path) != before {
		t.Error("a refused change to the criteria changed the database")
	}

	// Add a factor: the old scoring keeps its place under its own set.
	rep = e.ok(admin, `criteria add "Cultural fit" axis=attractiveness weight=2`)
	for _, want := range []string{"Added Cultural fit (`cultural-fit`) to customer attractiveness, weight 2 (criteria version 1).",
		"`cultural-fit` Cultural fit — weight 2 · 16.7%", "`size` Size — weight 1 · 8.3%"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("add: %q missing from\n%s", want, rep.Text)
		}
	}
	if rep := e.ok(ana, "score acme"); !strings.Contains(rep.Text, "strategic") || !strings.Contains(rep.Text, "55 / 100") ||
		!strings.Contains(rep.Text, "Scored under the book's criteria; today's criteria are version 1") {
		t.Errorf("card after the add:\n%s", rep.Text)
	}
	e.ok(admin, `criteria rename size "Revenue potential" key=revenue`)
	e.ok(admin, "criteria retire adopter")
	// The retired factor is refused with today's factors; the renamed one's old key too.
	for _, tt := range []struct{ text, says string }{
		{"score acme adopter=3", "adopter (Early adopter) is no longer a selection factor: it was in criteria version 2"},
		{"score acme size=3", "size (Size) is no longer a selection factor"},
		{"score acme colour=3", "Unknown factor \"colour\""},
	} {
		rep, err := e.run(ana, tt.text)
		if kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(rep.Text, tt.says) || !strings.Contains(rep.Text, "revenue, growth") ||
			!strings.Contains(rep.Text, "cultural-fit") {
			t.Errorf("/kam %s: %v\n%s\nwant EINVALID saying %q and today's factors", tt.text, err, rep.Text, tt.says)
		}
	}
	// A partial rescoring is not placed until the new factor is scored…
	if rep := e.ok(ana, "score acme trust=3"); !strings.Contains(rep.Text, "not placed yet — 18 of 19 factors scored") {
		t.Errorf("rescoring without the new factor:\n%s", rep.Text)
	}
	// …then it is, under version 3: (1 + 2·1 + 8·0.5)/11 = 63.6 (revenue kept size's 5).
	rep = e.ok(ana, "score acme cultural-fit=5")
	if !strings.Contains(rep.Text, "strategic") || !strings.Contains(rep.Text, "63.6 / 100") || !strings.Contains(rep.Text, "Revenue potential 5 ·") {
		t.Errorf("scoring under version 3:\n%s", rep.Text)
	}
	hist := e.ok(ana, "score acme history")
	if !strings.Contains(hist.Text, "the book's criteria") || !strings.Contains(hist.Text, "each position uses the criteria it was scored under") {
		t.Errorf("history:\n%s", hist.Text)
	}
	list := e.ok(ana, "criteria")
	checkLimits(t, list.Blocks)
	golden(t, "criteria.json", blocksIndent(t, list))
	golden(t, "criteria.txt", []byte(list.Text+"\n"))
	ch := e.ok(ana, "criteria history")
	checkLimits(t, ch.Blocks)
	golden(t, "criteria_history.txt", []byte(ch.Text+"\n"))
	for _, want := range []string{"Version 3", "retired `adopter`", "`size` renamed `revenue` Revenue potential", "added `cultural-fit` (customer attractiveness)", "Version 0"} {
		if !strings.Contains(ch.Text, want) {
			t.Errorf("criteria history: %q missing from\n%s", want, ch.Text)
		}
	}
	// Every change is audited.
	audit, err := e.db.Audit(context.Background(), team, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range audit {
		if a.Action == store.ActionCriteriaChange && a.Actor == admin {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d criteria changes audited, want 3", n)
	}
	// A name as typed never pings or links.
	rep = e.ok(admin, `criteria add "<!channel> and <https://x.example|y>" axis=strength`)
	if bad := format.CheckMessage(rep.Text, rep.Blocks); len(bad) > 0 {
		t.Errorf("a factor's name went out live: %v\n%s", bad, rep.Text)
	}
	if rep := e.ok(admin, "criteria reset"); !strings.Contains(rep.Text, "Back to the book's 19 factors") || !strings.Contains(rep.Text, "`adopter`") {
		t.Errorf("reset:\n%s", rep.Text)
	}
	// The retire guard: the last factor of an axis stays.
	for _, k := range kam.DefaultCriteria().Keys(kam.AxisStrength)[1:] {
		e.ok(admin, "criteria retire "+k)
	}
	if rep, err := e.run(admin, "criteria retire price"); kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(rep.Text, "price is the last strength factor") {
		t.Errorf("retiring the last strength factor: %v\n%s", err, rep.Text)
	}
	if help := e.ok(ana, "help criteria"); !strings.Contains(help.Text, `criteria add "Cultural fit" axis=attractiveness weight=2`) {
		t.Errorf("help:\n%s", help.Text)
	}
}
