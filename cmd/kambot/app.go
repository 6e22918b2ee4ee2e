package main

import (
	"log/slog"
	"time"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/store"
)

// appConfig is what both serve and console hand to the command engine.
type appConfig struct {
	Config   Config
	DB       *store.DB
	Admins   []string
	Logger   *slog.Logger
	Notifier commands.Notifier
	Views    commands.Views
	Dir      commands.Directory
	Now      func() time.Time
}

// app is the command engine with every feature registered.
type app struct {
	engine *commands.Engine
}

func newApp(c appConfig) *app {
	if c.Now == nil {
		c.Now = time.Now
	}
	e := commands.New(commands.Config{
		Store: c.DB, Notifier: c.Notifier, Views: c.Views, Directory: c.Dir,
		Admins: c.Admins, Now: c.Now, Logger: c.Logger, Intel: c.DB,
	})
	return &app{engine: e}
}
