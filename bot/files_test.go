package bot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/internal/fakeslack"
)

func picture() commands.Picture {
	return commands.Picture{Name: "portfolio-matrix.png", Title: "Portfolio matrix — your accounts",
		AltText: "Directional policy matrix of 2 accounts: Acme at attractiveness 70, strength 60",
		Comment: "strategic 1 · develop 1", PNG: bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1000)}
}

func TestSharePicture(t *testing.T) {
	cases := []struct {
		name    string
		channel string
		fault   func(s *fakeslack.Server)
		wantErr string // "" for success
		shared  string // conversation the file lands in
	}{
		{name: "channel", channel: "C0DEALS", shared: "C0DEALS"},
		{name: "user: the bot's DM", channel: "U0ANA", shared: "D0ANA"},
		{name: "upload URL refused", channel: "C0DEALS", wantErr: "GetUploadURLExternal",
			fault: func(s *fakeslack.Server) { s.Fail("files.getUploadURLExternal", fakeslack.Error("invalid_auth"), 1) }},
		{name: "upload step fails", channel: "C0DEALS", wantErr: "UploadToURL",
			fault: func(s *fakeslack.Server) { s.Fail(fakeslack.UploadStep, fakeslack.Status(500), 1) }},
		{name: "completion refused", channel: "C0DEALS", wantErr: "not_in_channel",
			fault: func(s *fakeslack.Server) {
				s.Fail("files.completeUploadExternal", fakeslack.Error("not_in_channel"), 1)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeslack.New(t)
			srv.AddUser(slack.User{ID: "U0ANA"})
			api, err := NewSlackAPI(APIConfig{Token: "xoxb-test", APIURL: srv.URL()})
			if err != nil {
				t.Fatal(err)
			}
			if tc.fault != nil {
				tc.fault(srv)
			}
			p := picture()
			_, err = api.SharePicture(context.Background(), fakeslack.TeamID, tc.channel, p)
			files := srv.Files()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one naming %q", err, tc.wantErr)
				}
				for _, f := range files {
					if f.Complete {
						t.Errorf("a failed upload shared %s to %s", f.ID, f.Channel)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 1 {
				t.Fatalf("%d files uploaded", len(files))
			}
			f := files[0]
			if !f.Complete || f.Channel != tc.shared || !bytes.Equal(f.Data, p.PNG) || f.AltText != p.AltText ||
				f.Title != p.Title || f.Comment != p.Comment || f.Name != p.Name {
				t.Errorf("file %+v (data %d bytes), want %q in %s with its alt text, title and comment", f, len(f.Data), p.Name, tc.shared)
			}
			// The three steps, in order.
			var steps []string
			for _, c := range srv.Calls() {
				if strings.HasPrefix(c.Method, "files.") {
					steps = append(steps, c.Method)
				}
			}
			if strings.Join(steps, " ") != "files.getUploadURLExternal files.upload_url files.completeUploadExternal" {
				t.Errorf("steps %v", steps)
			}
		})
	}
}

func TestSharePictureRefusesNothingToSend(t *testing.T) {
	srv := fakeslack.New(t)
	api, err := NewSlackAPI(APIConfig{Token: "xoxb-test", APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string]struct {
		ch string
		p  commands.Picture
	}{"no channel": {"", picture()}, "no picture": {"C0DEALS", commands.Picture{Name: "x.png"}}} {
		_, err := api.SharePicture(context.Background(), fakeslack.TeamID, args.ch, args.p)
		if _, perm := Classify(err); err == nil || !perm {
			t.Errorf("%s: err %v, want a permanent error", name, err)
		}
		if errors.Is(err, context.Canceled) || len(srv.Calls()) != 0 {
			t.Errorf("%s: %d calls made", name, len(srv.Calls()))
		}
	}
}
