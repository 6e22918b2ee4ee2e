package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kambot/kambot/store"
)

// copyDB copies a SQLite database into a new, empty PostgreSQL one: kambot
// copy --from kambot.db --to postgres://…
func (m *Main) copyDB(ctx context.Context, _ Config, args []string) error {
	fs := m.flags("copy")
	from := fs.String("from", "", "the SQLite file to copy (its schema must be current: kambot migrate)")
	to := fs.String("to", "", "the PostgreSQL URL to copy into (postgres://…); its database must be empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "":
		return errors.New("copy: give both --from kambot.db and --to postgres://user@host/db")
	case store.IsPostgresURL(*from):
		return fmt.Errorf("copy: --from must be a SQLite file, not %s", store.RedactDSN(*from))
	case !store.IsPostgresURL(*to):
		return fmt.Errorf("copy: --to must be a postgres:// URL, not %q", *to)
	}
	src, err := store.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.OpenMigrated(ctx, *to)
	if err != nil {
		return fmt.Errorf("copy: %s: %w", store.RedactDSN(*to), err)
	}
	defer dst.Close()
	counts, err := store.CopyToPostgres(ctx, src, dst)
	if err != nil {
		return err
	}
	var rows int64
	for _, c := range counts {
		fmt.Fprintf(m.Stdout, "%-22s %8d rows\n", c.Table, c.Target)
		rows += c.Target
	}
	fmt.Fprintf(m.Stdout, "copied %d rows from %s to %s; every table's count verified\n", rows, *from, store.RedactDSN(*to))
	return nil
}
