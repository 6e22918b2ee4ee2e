package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/matrix"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/store"
)

// appConfig is what both serve and console hand to the command engine.
type appConfig struct {
	Config   Config
	DB       *store.DB
	Admins   []string
	Logger   *slog.Logger
	Notifier commands.Notifier
	// DM sends long briefs by direct message; nil shows them in place.
	DM     commands.DMSender
	Views  commands.Views
	Dir    commands.Directory
	Zones  commands.Zones       // nil: dates in KAMBOT_TZ for everyone (the console)
	Outbox commands.OutboxAdmin // nil: no /kam outbox
	Brief  brief.Config
	Now    func() time.Time
	// Files shares pictures (/kam matrix, the digest's matrix): Slack's
	// upload in serve, files on disk in the console.
	Files commands.Files
	// Publisher sets App Home tabs (views.publish); nil: none (the console).
	Publisher commands.Publisher
}

// app is the command engine with every feature registered, and the parts
// the scheduler shares with it.
type app struct {
	engine   *commands.Engine
	drafter  *brief.Drafter
	digester *digest.Digester
	home     *commands.Home
	// homeChanged, set by serve, refreshes a user's Home after they change
	// their settings.
	homeChanged func(teamID, userID string)
}

func newApp(c appConfig) (*app, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	cur := format.CurrencyOf(c.Config.Currency)
	e := commands.New(commands.Config{
		Store: c.DB, Intel: c.DB, Method: c.DB, Notifier: c.Notifier, Views: c.Views, Directory: c.Dir,
		Admins: c.Admins, Now: c.Now, Logger: c.Logger,
		Currency: cur, Location: c.Config.TZ, Zones: c.Zones,
	})
	c.Brief.Logger, c.Brief.Now = c.Logger, c.Now
	drafter := brief.New(c.Brief)
	digester, err := digest.New(digest.Config{
		Store: c.DB, Poster: c.Notifier, Channels: c.Config.DigestChannels,
		Summary:  commands.DigestSummary(e, drafter),
		Location: c.Config.TZ, Currency: cur, Logger: c.Logger,
		Scores: c.DB, Matrix: digestMatrix(c.DB, c.Files), Prefs: c.DB,
	})
	if err != nil {
		return nil, err
	}
	e.Register(commands.BriefExtension(drafter, c.DM))
	e.Register(commands.SurveyExtension(commands.SurveyConfig{Store: c.DB, Notifier: c.Notifier}))
	e.Register(commands.SearchExtension(c.DB))
	e.Register(commands.DigestExtension(commands.DigestConfig{Digests: digester, Notifier: c.Notifier}))
	e.Register(commands.NudgeExtension(commands.NudgeConfig{Store: c.DB,
		Schedule: fmt.Sprintf("sweep %q, digest %q (%s)", c.Config.SweepSpec, c.Config.DigestSpec, c.Config.TZ)}))
	if c.Outbox != nil {
		e.Register(commands.OutboxExtension(c.Outbox))
	}
	e.Register(commands.PicturesExtension(commands.PicturesConfig{Files: c.Files}))
	a := &app{engine: e, drafter: drafter, digester: digester}
	digestWhen := fmt.Sprintf("%q in %s", c.Config.DigestSpec, c.Config.TZ)
	e.Register(commands.PrefsExtension(commands.PrefsConfig{Store: c.DB, WorkspaceDigest: digestWhen,
		Changed: func(teamID, userID string) {
			if a.homeChanged != nil {
				a.homeChanged(teamID, userID)
			}
		}}))
	a.home = commands.NewHome(e, commands.HomeConfig{Store: c.DB, Prefs: c.DB, Publisher: c.Publisher, DM: c.DM, WorkspaceDigest: digestWhen})
	return a, nil
}

// digestMatrix posts a digest recipient's portfolio matrix; nil without a
// way to share pictures.
func digestMatrix(db *store.DB, files commands.Files) digest.MatrixFunc {
	if files == nil {
		return nil
	}
	return func(ctx context.Context, teamID, recipient, title string, accts []kam.Account, bands map[int64]kam.Band) error {
		err := commands.SharePortfolioMatrix(ctx, db, db, files, teamID, recipient, title, accts, bands)
		if errors.Is(err, matrix.ErrEmpty) {
			return digest.ErrNoMatrix
		}
		return err
	}
}
