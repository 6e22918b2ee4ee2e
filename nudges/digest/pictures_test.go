package digest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/bot"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/matrix"
	"github.com/kambot/kambot/nudges/digest"
)

// matrixDigester posts each manager's matrix through the real Slack client
// against the Slack double.
func matrixDigester(t *testing.T, e *env, srv *fakeslack.Server) *digest.Digester {
	t.Helper()
	api, err := bot.NewSlackAPI(bot.APIConfig{Token: "xoxb-test", APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return e.digester(digest.Config{Scores: e.db,
		Matrix: func(ctx context.Context, team, rcpt, title string, accts []kam.Account, bands map[int64]kam.Band) error {
			err := commands.SharePortfolioMatrix(ctx, e.db, e.db, api, team, rcpt, title, accts, bands)
			if errors.Is(err, matrix.ErrEmpty) {
				return digest.ErrNoMatrix
			}
			return err
		}})
}

func scoreFully(t *testing.T, e *env, account string, v int) {
	t.Helper()
	s := kam.Scores{}
	for _, f := range kam.DefaultCriteria().Factors {
		s[f.Key] = v
	}
	e.must(e.db.SaveScoring(context.Background(), &kam.Scoring{TeamID: teamID, AccountID: e.ids[account], UserID: userMona, Scores: s}, userMona))
}

func queuedFirstPart(t *testing.T, e *env, to string) string {
	t.Helper()
	m, err := e.db.OutboxMessageByKey(context.Background(), teamID, "digest:"+to+":2025-W12:1")
	if err != nil {
		t.Fatalf("no digest queued for %s: %v", to, err)
	}
	return string(m.Blocks)
}

func TestDigestPostsTheMatrix(t *testing.T) {
	e := newDigestEnv(t)
	e.seed()
	scoreFully(t, e, "Acme Corp", 4)
	srv := fakeslack.New(t)
	srv.AddUser(slack.User{ID: userMona})
	d := matrixDigester(t, e, srv)
	if err := d.Run(context.Background(), runAt); err != nil {
		t.Fatal(err)
	}
	files := srv.Files()
	if len(files) == 0 || !files[0].Complete || files[0].Channel != "D"+userMona[1:] {
		t.Fatalf("files %+v, want Mona's matrix in her DM", files)
	}
	if !strings.Contains(files[0].AltText, "Acme Corp at attractiveness 75, strength 75") {
		t.Errorf("alt text %q", files[0].AltText)
	}
	blocks := queuedFirstPart(t, e, userMona)
	for _, want := range []string{"The portfolio matrix is the picture posted with this digest.", "Accounts by quadrant", "Accounts by health band", `"type":"data_table"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("Mona's digest lacks %q", want)
		}
	}
}

// A failed upload step: the digest goes all the same, saying the picture
// is missing.
func TestDigestWithoutThePictureWhenUploadFails(t *testing.T) {
	e := newDigestEnv(t)
	e.seed()
	scoreFully(t, e, "Acme Corp", 4)
	srv := fakeslack.New(t)
	srv.AddUser(slack.User{ID: userMona})
	srv.Fail(fakeslack.UploadStep, fakeslack.Status(500), 0)
	d := matrixDigester(t, e, srv)
	if err := d.Run(context.Background(), runAt); err != nil {
		t.Fatalf("a failed picture failed the digest: %v", err)
	}
	for _, f := range srv.Files() {
		if f.Complete {
			t.Errorf("file %s shared", f.ID)
		}
	}
	if blocks := queuedFirstPart(t, e, userMona); !strings.Contains(blocks, "could not be posted this time") {
		t.Errorf("the digest does not say the matrix is missing:\n%s", blocks)
	}
}

// Nobody scored: no picture, and the digest says why.
func TestDigestNoScoredAccount(t *testing.T) {
	e := newDigestEnv(t)
	e.seed()
	srv := fakeslack.New(t)
	srv.AddUser(slack.User{ID: userMona})
	d := matrixDigester(t, e, srv)
	if err := d.Run(context.Background(), runAt); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.CallsTo("files.getUploadURLExternal")); n != 0 {
		t.Errorf("%d uploads of an empty matrix", n)
	}
	if blocks := queuedFirstPart(t, e, userMona); !strings.Contains(blocks, "No account is fully scored yet") {
		t.Errorf("the digest does not say why there is no matrix")
	}
}

// A second run in the week posts no second picture.
func TestDigestMatrixOncePerWeek(t *testing.T) {
	e := newDigestEnv(t)
	e.seed()
	scoreFully(t, e, "Acme Corp", 4)
	srv := fakeslack.New(t)
	srv.AddUser(slack.User{ID: userMona})
	d := matrixDigester(t, e, srv)
	for range 2 {
		if err := d.Run(context.Background(), runAt); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Files()); n != 1 {
		t.Errorf("%d pictures after two runs in one week, want 1", n)
	}
}
