package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/kam"
)

// prefsEnv is the fixture engine with /kam prefs, counting the changes it
// reports.
func prefsEnv(t testing.TB) (*env, *[]string) {
	e := newEnv(t)
	var changed []string
	e.eng.Register(commands.PrefsExtension(commands.PrefsConfig{
		Store: e.db, WorkspaceDigest: "Mondays 08:00 UTC",
		Changed: func(teamID, userID string) { changed = append(changed, teamID+"/"+userID) },
	}))
	return e, &changed
}

func TestPrefs(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		text string
		want kam.UserPrefs // TeamID and UserID filled below
		says string
	}{
		{"prefs digest=friday 16", kam.UserPrefs{DigestDay: time.Friday, DigestHour: 16, QuietFrom: kam.NoHour, QuietTo: kam.NoHour}, "digest Fridays at 16:00"},
		{`prefs digest="fri 4pm"`, kam.UserPrefs{DigestDay: time.Friday, DigestHour: 16, QuietFrom: kam.NoHour, QuietTo: kam.NoHour}, "Fridays at 16:00"},
		{"prefs digest=mon@08:00", kam.UserPrefs{DigestDay: time.Monday, DigestHour: 8, QuietFrom: kam.NoHour, QuietTo: kam.NoHour}, "Mondays at 08:00"},
		{"prefs digest=sun 12am", kam.UserPrefs{DigestDay: time.Sunday, DigestHour: 0, QuietFrom: kam.NoHour, QuietTo: kam.NoHour}, "Sundays at 00:00"},
		{"prefs quiet=22-07 bundle=on", kam.UserPrefs{DigestDay: time.Monday, DigestHour: kam.NoHour, QuietFrom: 22, QuietTo: 7, Bundle: true}, "quiet hours 22:00–07:00, reminders in one morning DM at 07:00"},
		{"prefs quiet=05-09 bundle=yes", kam.UserPrefs{DigestDay: time.Monday, DigestHour: kam.NoHour, QuietFrom: 5, QuietTo: 9, Bundle: true}, "one morning DM at 09:00"},
		{"PREFS Bundle=OFF digest=default", kam.UserPrefs{DigestDay: time.Monday, DigestHour: kam.NoHour, QuietFrom: kam.NoHour, QuietTo: kam.NoHour}, "on the workspace schedule"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, changed := prefsEnv(t)
			rep := e.ok(ana, tt.text)
			if !strings.Contains(rep.Text, tt.says) {
				t.Errorf("reply %q does not say %q", rep.Text, tt.says)
			}
			got, err := e.db.UserPrefs(ctx, team, ana)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.TeamID, tt.want.UserID = team, ana
			got.UpdatedAt = time.Time{}
			if got != tt.want {
				t.Errorf("stored %+v, want %+v", got, tt.want)
			}
			if len(*changed) != 1 || (*changed)[0] != team+"/"+ana {
				t.Errorf("changes reported: %v", *changed)
			}
			// Another person's and another workspace's settings are untouched.
			if p, _ := e.db.UserPrefs(ctx, team, ben); p != kam.DefaultPrefs(team, ben) {
				t.Errorf("ben's prefs changed: %+v", p)
			}
			if p, _ := e.db.UserPrefs(ctx, otherTeam, ana); p != kam.DefaultPrefs(otherTeam, ana) {
				t.Errorf("the other workspace's prefs changed: %+v", p)
			}
		})
	}
}

func TestPrefsShow(t *testing.T) {
	e, changed := prefsEnv(t)
	rep := e.ok(outsider, "prefs")
	for _, want := range []string{"Time zone: UTC", "one DM each, from 07:00", "workspace schedule (Mondays 08:00 UTC)", "Quiet hours: none"} {
		if !strings.Contains(rep.Text, want) {
			t.Errorf("prefs %q lacks %q", rep.Text, want)
		}
	}
	if len(*changed) != 0 {
		t.Errorf("showing reported a change: %v", *changed)
	}
}

func TestPrefsBadInputChangesNothing(t *testing.T) {
	tests := []struct{ text, want string }{
		{"prefs digest=friday", "Give the digest an hour after the day"},
		{"prefs digest=someday 8", "not a day of the week"},
		{"prefs digest=fr 8", "not a day of the week"},
		{"prefs digest=friday 25", "“25” is not an hour"},
		{"prefs digest=friday 13pm", "“13pm” is not an hour"},
		{"prefs digest=friday 8.5", "is not an hour"},
		{"prefs quiet=22", "a start and an end hour"},
		{"prefs quiet=22-22", "are empty"},
		{"prefs quiet=22-99", "“99” is not an hour"},
		{"prefs bundle=maybe", "bundle= takes on or off"},
		{"prefs bundel=on", "did you mean bundle=?"},
		{"prefs loud", "Unexpected “loud”"},
		{"prefs bundle=on bundle=off", "given twice"},
		{"prefs quiet=22-07 bundle=maybe", "bundle= takes on or off"}, // one bad value and nothing is saved
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, changed := prefsEnv(t)
			before := snapshot(t, e.path)
			rep, err := e.run(ana, tt.text)
			if kam.ErrorCode(err) != kam.EINVALID {
				t.Fatalf("error %v, want invalid", err)
			}
			if !strings.Contains(rep.Text, tt.want) || !strings.Contains(rep.Text, "/kam prefs") || rep.InChannel {
				t.Errorf("reply %q (in channel %v) should say %q and show what to type", rep.Text, rep.InChannel, tt.want)
			}
			if after := snapshot(t, e.path); after != before {
				t.Errorf("a refused /kam %s changed the database", tt.text)
			}
			if len(*changed) != 0 {
				t.Errorf("a refused change was reported: %v", *changed)
			}
		})
	}
}

// FuzzPrefs feeds /kam prefs arbitrary settings: it answers without
// panicking, and whatever it accepts is valid.
func FuzzPrefs(f *testing.F) {
	for _, s := range []string{"digest=friday 16", "quiet=22-07 bundle=on", `digest="mon 8am"`, "digest=default quiet=off", "quiet=–", "digest=@"} {
		f.Add(s)
	}
	e, _ := prefsEnv(f)
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := e.eng.Do(context.Background(), commands.Request{TeamID: team, UserID: ana, Text: "prefs " + s})
		if rep.Text == "" {
			t.Fatalf("prefs %q: empty reply", s)
		}
		if err != nil && kam.ErrorCode(err) != kam.EINVALID {
			t.Fatalf("prefs %q: %v", s, err)
		}
		p, err := e.db.UserPrefs(context.Background(), team, ana)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("prefs %q stored invalid settings %+v: %v", s, p, err)
		}
	})
}
