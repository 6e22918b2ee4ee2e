package main

import (
	"context"
	"errors"
)

func (m *Main) serve(ctx context.Context, cfg Config, args []string) error {
	if err := cfg.ValidateServe(); err != nil {
		return err
	}
	return errors.New("serve: not wired yet")
}
