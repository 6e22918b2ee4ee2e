package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/kambot/kambot/internal/accountcsv"
	"github.com/kambot/kambot/store"
)

func (m *Main) openDB(ctx context.Context, path string) (*store.DB, error) {
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", store.RedactDSN(path), err)
	}
	// Migrating parses the embedded SQL with pooled scratch buffers of
	// 4 MB each. Collect them now (twice: a sync.Pool keeps its objects
	// through one collection): otherwise the garbage collector's next
	// target is twice their size, and the first burst of commands grows
	// the heap, and the peak resident memory, to it.
	debug.FreeOSMemory()
	debug.FreeOSMemory()
	return db, nil
}

func (m *Main) migrate(ctx context.Context, cfg Config, args []string) error {
	if err := m.flags("migrate").Parse(args); err != nil {
		return err
	}
	db, err := store.Open(cfg.DBPath)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(m.Stdout, "%s: schema is up to date\n", store.RedactDSN(cfg.DBPath))
	} else {
		fmt.Fprintf(m.Stdout, "%s: applied migrations %v\n", store.RedactDSN(cfg.DBPath), applied)
	}
	return buildSearchIndex(ctx, db, m.Stdout)
}

// buildSearchIndex indexes the records written before the search index
// existed, printing progress at most once a second, and merges the index
// when it did any work.
func buildSearchIndex(ctx context.Context, db *store.DB, out io.Writer) error {
	start, last, worked := time.Now(), time.Time{}, false
	err := db.BuildSearchIndex(ctx, func(done, total int64) {
		worked = true
		if time.Since(last) >= time.Second || done == total {
			last = time.Now()
			fmt.Fprintf(out, "search index: %d of %d records (%.0f%%)\n", done, total, 100*float64(done)/float64(max(total, 1)))
		}
	})
	if err != nil || !worked {
		return err
	}
	if err := db.OptimizeSearchIndex(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "search index: built in %s\n", time.Since(start).Round(time.Second))
	return nil
}

// team picks the workspace for the command-line tools: the flag, else the
// database's only workspace, else (no workspace yet) the only one the
// configuration names (see configuredTeams), else fallback. With several
// workspaces it asks for --team rather than guess and show one workspace's
// data as another's.
func team(ctx context.Context, db *store.DB, flagValue string, configured []string, fallback string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	teams, err := db.Teams(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case len(teams) == 1:
		return teams[0], nil
	case len(teams) > 1:
		return "", fmt.Errorf("the database holds %d workspaces (%v): pass --team", len(teams), teams)
	case len(configured) == 1:
		return configured[0], nil
	case len(configured) > 1:
		return "", fmt.Errorf("the database has no workspace yet and the configuration names %d (%v): pass --team", len(configured), configured)
	case fallback != "":
		return fallback, nil
	}
	return "", errors.New("the database has no workspace yet: pass --team T… (your Slack workspace ID)")
}

// configuredTeams lists, sorted, the workspaces the configuration names:
// in KAMBOT_ADMINS (T…:U…) and KAMBOT_DIGEST_CHANNEL (T…:C…).
func configuredTeams(cfg Config) []string {
	set := map[string]bool{}
	for _, a := range cfg.Admins {
		if t, _, scoped := strings.Cut(a, ":"); scoped {
			set[t] = true
		}
	}
	for t := range cfg.DigestChannels {
		if t != "" {
			set[t] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func (m *Main) importCSV(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("import")
	teamFlag := fs.String("team", "", "Slack workspace ID (default: the only one in the database)")
	actor := fs.String("as", "UIMPORT", "user ID recorded in the audit log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: kambot import [--team T…] accounts.csv")
	}
	db, err := m.openDB(ctx, cfg.DBPath)
	if err != nil {
		return err
	}
	defer db.Close()
	teamID, err := team(ctx, db, *teamFlag, configuredTeams(cfg), "")
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	// The whole file is one transaction: an error means nothing was written.
	res, err := accountcsv.Read(ctx, f, db, teamID, *actor)
	if err != nil {
		return fmt.Errorf("import %s: %w (nothing was imported)", fs.Arg(0), err)
	}
	fmt.Fprintf(m.Stdout, "imported %s into %s: %d created, %d updated\n", fs.Arg(0), teamID, res.Created, res.Updated)
	return nil
}

func (m *Main) exportCSV(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("export")
	teamFlag := fs.String("team", "", "Slack workspace ID (default: the only one in the database)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := m.openDB(ctx, cfg.DBPath)
	if err != nil {
		return err
	}
	defer db.Close()
	teamID, err := team(ctx, db, *teamFlag, configuredTeams(cfg), "")
	if err != nil {
		return err
	}
	_, err = accountcsv.Write(ctx, m.Stdout, db, teamID)
	return err
}
