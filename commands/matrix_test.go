package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
)

func matrixSetup(t *testing.T) (*env, *fakeslack.Server) {
	t.Helper()
	srv := fakeslack.New(t)
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *commands.Config) { c.Intel = c.Store.(commands.IntelStore) })
	e.eng.Register(commands.PicturesExtension(commands.PicturesConfig{Files: api}))
	return e, srv
}

// scoreAll scores every factor of an account at v.
func scoreAll(t *testing.T, e *env, user, acct string, v int) {
	t.Helper()
	var parts []string
	for _, f := range kam.DefaultCriteria().Factors {
		parts = append(parts, fmt.Sprintf("%s=%d", f.Key, v))
	}
	e.ok(user, "score "+acct+" "+strings.Join(parts, " "))
}

func later(t *testing.T, rep commands.Reply) commands.Reply {
	t.Helper()
	if rep.Later == nil {
		t.Fatalf("no picture on its way: %q", rep.Text)
	}
	return rep.Later(context.Background())
}

func TestMatrixPicture(t *testing.T) {
	e, srv := matrixSetup(t)
	scoreAll(t, e, ana, "acme", 2)
	scoreAll(t, e, ana, "acme", 4) // moved: an arrow from 25/25 to 75/75
	scoreAll(t, e, ana, "globex", 3)

	rep := e.ok(ana, "matrix")
	if !strings.Contains(rep.Text, "Drawing the matrix of 2 accounts") {
		t.Errorf("ack %q", rep.Text)
	}
	done := later(t, rep)
	if !strings.Contains(done.Text, "The matrix of 2 accounts is posted here") || !strings.Contains(done.Text, "strategic 2") {
		t.Errorf("reply %q", done.Text)
	}
	files := srv.Files()
	if len(files) != 1 || !files[0].Complete || files[0].Channel != "C0SOMEWHERE" {
		t.Fatalf("files %+v", files)
	}
	f := files[0]
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil || img.Bounds().Dx() < 800 {
		t.Fatalf("uploaded picture: %v", err)
	}
	for _, want := range []string{"Acme Corp at attractiveness 75, strength 75, from 25/25 (opportunistic)", "Globex at attractiveness 50, strength 50"} {
		if !strings.Contains(f.AltText, want) {
			t.Errorf("alt text lacks %q:\n%s", want, f.AltText)
		}
	}
	if strings.Contains(f.Comment, "<!") {
		t.Errorf("comment %q", f.Comment)
	}
}

func TestMatrixNothingScored(t *testing.T) {
	e, srv := matrixSetup(t)
	rep := e.ok(ana, "matrix")
	if rep.Later != nil || !strings.Contains(rep.Text, "No of your accounts is fully scored") && !strings.Contains(rep.Text, "fully scored yet") {
		t.Errorf("reply %q", rep.Text)
	}
	if len(srv.Files()) != 0 || len(srv.CallsTo("files.getUploadURLExternal")) != 0 {
		t.Error("an empty picture was uploaded")
	}
	// A quadrant nobody sits in says so.
	scoreAll(t, e, ana, "acme", 5)
	rep = e.ok(ana, "matrix quadrant=opportunistic")
	if rep.Later != nil || !strings.Contains(rep.Text, "sits in that quadrant") {
		t.Errorf("reply %q", rep.Text)
	}
}

// A failed upload step tells the user; nothing is shared.
func TestMatrixUploadFails(t *testing.T) {
	for name, fault := range map[string]func(*fakeslack.Server){
		"upload step": func(s *fakeslack.Server) { s.Fail(fakeslack.UploadStep, fakeslack.Status(500), 1) },
		"not in channel": func(s *fakeslack.Server) {
			s.Fail("files.completeUploadExternal", fakeslack.Error("not_in_channel"), 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			e, srv := matrixSetup(t)
			scoreAll(t, e, ana, "acme", 4)
			fault(srv)
			done := later(t, e.ok(ana, "matrix"))
			if !strings.Contains(done.Text, "could not post it here") {
				t.Errorf("reply %q", done.Text)
			}
			if name == "not in channel" && !strings.Contains(done.Text, "/invite @kambot") {
				t.Errorf("reply %q does not say what to do", done.Text)
			}
			for _, f := range srv.Files() {
				if f.Complete {
					t.Errorf("file %s shared after a failed step", f.ID)
				}
			}
		})
	}
}

func TestMatrixBadInput(t *testing.T) {
	e, srv := matrixSetup(t)
	scoreAll(t, e, ana, "acme", 4)
	before := snapshot(t, e.path)
	for _, tc := range []struct{ user, text, want string }{
		{ana, "matrix bogus", "Unexpected “bogus”"},
		{ana, "matrix all", "admins"},
		{ana, "matrix quadrant=nowhere", "quadrant"},
		{ana, "matrix quadrant=unscored", "no place in the matrix"},
		{ana, "matrix size=3", "size"},
		{ana, "matrix mine all", "Unexpected “all”"},
		{ana, `matrix "all"`, "Unexpected"},
	} {
		rep, err := e.run(tc.user, tc.text)
		if err == nil || kam.ErrorCode(err) == kam.EINTERNAL || !strings.Contains(rep.Text, tc.want) {
			t.Errorf("/kam %s: %v, reply %q (want %q)", tc.text, err, rep.Text, tc.want)
		}
	}
	if after := snapshot(t, e.path); after != before {
		t.Error("a refused /kam matrix changed the database")
	}
	if len(srv.Calls()) != 0 {
		t.Errorf("a refused /kam matrix called Slack %d times", len(srv.Calls()))
	}
	// Admins may draw every account.
	if rep := e.ok(admin, "matrix all"); rep.Later == nil {
		t.Errorf("admin's matrix all: %q", rep.Text)
	}
}

func TestMatrixHelpGolden(t *testing.T) {
	e, _ := matrixSetup(t)
	rep := e.ok(outsider, "help matrix")
	checkLimits(t, rep.Blocks)
	golden(t, "help_matrix.txt", []byte(rep.Text+"\n"))
	if over := e.ok(outsider, "help"); !strings.Contains(over.Text, "/kam matrix [all|mine] [quadrant=") {
		t.Errorf("help overview lacks /kam matrix:\n%s", over.Text)
	}
}

// Thirty accounts: the alt text stays within Slack's 1,000 characters and
// the message lists every position.
func TestMatrixLargePortfolio(t *testing.T) {
	e, srv := matrixSetup(t)
	ctx := context.Background()
	for i := range 30 {
		a := kam.Account{TeamID: team, Name: fmt.Sprintf("Consolidated Industrial Holdings %02d", i), Tier: kam.TierPartner,
			Level: kam.LevelProduct, OwnerID: ana, Cadence: kam.CadenceMonthly, Revenue: int64(100_000 * (i + 1))}
		if err := e.db.CreateAccount(ctx, &a, admin); err != nil {
			t.Fatal(err)
		}
		s := kam.Scores{}
		for k, f := range kam.DefaultCriteria().Factors {
			s[f.Key] = 1 + (i+k)%5
		}
		if err := e.db.SaveScoring(ctx, &kam.Scoring{TeamID: team, AccountID: a.ID, UserID: ana, Scores: s}, ana); err != nil {
			t.Fatal(err)
		}
	}
	done := later(t, e.ok(ana, "matrix"))
	files := srv.Files()
	if len(files) != 1 || !files[0].Complete {
		t.Fatalf("reply %q, files %+v", done.Text, files)
	}
	if n := len([]rune(files[0].AltText)); n > 1000 {
		t.Errorf("alt text of %d characters", n)
	}
	for i := range 30 {
		if name := fmt.Sprintf("Consolidated Industrial Holdings %02d at attractiveness", i); !strings.Contains(files[0].Comment, name) {
			t.Fatalf("the message lacks %q", name)
		}
	}
}
