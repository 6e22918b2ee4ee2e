package commands_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/nudges/digest"
)

// TestOneAnswer pins answers that used to contradict each other or the
// facts: each case was reproduced on the earlier code.
func TestOneAnswer(t *testing.T) {
	alertsIn := regexp.MustCompile(`(\d+) alerts? \(`)
	tests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"digest and health count the same alerts", func(t *testing.T, e *env) {
			intelFixture(t, e)
			dg, err := digest.New(digest.Config{Store: e.db})
			if err != nil {
				t.Fatal(err)
			}
			e.eng.Register(commands.DigestExtension(commands.DigestConfig{Digests: dg}))
			health := e.ok(ana, "health").Text
			m := alertsIn.FindStringSubmatch(health)
			if m == nil {
				t.Fatalf("no alert count in /kam health:\n%s", health)
			}
			d := e.ok(ana, "digest").Text
			// The plan's overdue tactic is one of them.
			if !strings.Contains(d, "1 tactic") || !strings.Contains(d, "Alerts: "+m[1]+" open (") {
				t.Fatalf("/kam health counts %s alerts; the digest says:\n%s", m[1], d)
			}
		}},
		{"survey record counts the answer just recorded", func(t *testing.T, e *env) {
			// The store stamps a second after the command's clock reading.
			e.db.Now = func() time.Time { return fixedNow.Add(time.Second) }
			e.eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: e.db, Notifier: e.notes}))
			rep := e.ok(ana, `survey acme record 10 contact="Jane Doe"`)
			if !strings.Contains(rep.Text, "100 from 1 answer") {
				t.Fatalf("reply:\n%s", rep.Text)
			}
		}},
		{"a partial scoring is not placed nor ranked first", func(t *testing.T, e *env) {
			e.ok(ana, "score globex size=3 growth=3 stability=3 access=3 closeness=3 fit=3 adopter=3 value=3 competition=3 standing=3 "+
				"price=3 service=3 people=3 response=3 attitude=3 innovation=3 value-in-use=3 sustainability=3 trust=3")
			rep := e.ok(ana, "score acme size=5 trust=2")
			if !strings.Contains(rep.Text, "2 of 19 factors scored") || strings.Contains(rep.Text, "100 / 100") {
				t.Fatalf("partial scoring:\n%s", rep.Text)
			}
			list := e.ok(ana, "accounts sort=attractiveness").Text
			if strings.Index(list, "Globex") > strings.Index(list, "Acme Corp") {
				t.Fatalf("the partly scored account ranks first:\n%s", list)
			}
		}},
		{"a removed KAM and their mirrors leave health", func(t *testing.T, e *env) {
			intelFixture(t, e)
			e.ok(admin, "team acme remove <@UANA001>")
			h := e.ok(admin, "health acme").Text
			for _, want := range []string{"no KAM", "Jane Doe (CFO, decision-maker, influence 5) has no mirror on the team: @UANA001, their mirror, has left it"} {
				if !strings.Contains(h, want) {
					t.Errorf("health lacks %q:\n%s", want, h)
				}
			}
		}},
		{"a removal flags the mirrors it leaves", func(t *testing.T, e *env) {
			intelFixture(t, e)
			rep := e.ok(admin, "team acme remove <@UBEN001>")
			if !strings.Contains(rep.Text, "They mirrored Bo Chen") {
				t.Fatalf("reply:\n%s", rep.Text)
			}
		}},
		{"a new account has no grade and no stale date", func(t *testing.T, e *env) {
			rep := e.ok(admin, "add Newco owner=<@UANA001|ana>")
			_ = rep
			h := e.ok(ana, "health newco").Text
			if !strings.Contains(h, kam.NoDataYet) || strings.Contains(h, "/100") || strings.Contains(h, "since 14 Dec") {
				t.Fatalf("new account's health:\n%s", h)
			}
		}},
		{"never surveyed: health alerts as the nudge does", func(t *testing.T, e *env) {
			if h := e.ok(ana, "health globex").Text; !strings.Contains(h, "survey overdue") {
				t.Fatalf("no survey alert:\n%s", h)
			}
		}},
		{"an admin's accounts, health and pipeline share one scope", func(t *testing.T, e *env) {
			e.ok(admin, "team globex add <@UADMIN1>")
			for _, cmd := range []string{"accounts", "health", "pipeline"} {
				own := e.ok(admin, cmd).Text
				all := e.ok(admin, cmd+" all").Text
				if !strings.Contains(strings.ToLower(own), "your accounts") || strings.Contains(own, "Acme Corp") ||
					!strings.Contains(strings.ToLower(all), "all accounts") || !strings.Contains(all, "Acme Corp") {
					t.Errorf("/kam %s:\n%s\n/kam %s all:\n%s", cmd, own, cmd, all)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newIntelEnv(t, func(c *commands.Config) {})
			tt.run(t, e)
		})
	}
}

// TestLogBackdate: date= sets the interaction's day, within bounds, and is
// not kept in the summary.
func TestLogBackdate(t *testing.T) {
	e := newEnv(t)
	acme := e.ids[team+"/Acme Corp"]
	day := func(n int) string { return fixedNow.AddDate(0, 0, n).Format("2006-01-02") }
	for _, tt := range []struct {
		text, wantDay, wantSummary, err string
	}{
		{"log acme call date=" + day(-3) + " Talked renewal", day(-3), "Talked renewal", ""},
		{"log acme call Talked renewal date=" + day(-1), day(-1), "Talked renewal", ""},
		{"log acme call date=" + day(1) + " Talked renewal", "", "", "in the future"},
		{"log acme call date=" + day(-800) + " Talked renewal", "", "", "more than a year before"},
		{"log acme call Talked date=" + day(-1) + " renewal", "", "", "right after the kind"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			rep, err := e.run(ben, tt.text)
			if tt.err != "" {
				if kam.ErrorCode(err) != kam.EINVALID || !strings.Contains(rep.Text, tt.err) {
					t.Fatalf("%v %q, want %q", err, rep.Text, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := e.db.Interactions(context.Background(), team, acme, 20)
			found := false
			for _, in := range got {
				if in.Summary == tt.wantSummary && in.At.UTC().Format("2006-01-02") == tt.wantDay {
					found = true
				}
			}
			if !found {
				t.Fatalf("no interaction on %s with summary %q: %+v", tt.wantDay, tt.wantSummary, got)
			}
		})
	}
}

// TestAddWithoutOwner: the reply says plainly that nobody is on the team.
func TestAddWithoutOwner(t *testing.T) {
	e := newEnv(t)
	rep := e.ok(admin, "add Hooli")
	if !strings.Contains(rep.Text, "Nobody is on its team yet") || !strings.Contains(rep.Text, "/kam set hooli owner=@someone") {
		t.Fatalf("reply:\n%s", rep.Text)
	}
}
