package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kambot/kambot/commands"
)

// consoleFiles is where the console puts pictures: files in a directory
// (the system's temporary one unless set), named after the picture and the
// time, whose path the reply prints.
type consoleFiles struct {
	dir string
	now func() time.Time
}

func (f consoleFiles) SharePicture(_ context.Context, _, _ string, p commands.Picture) (string, error) {
	dir := f.dir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "kambot-pictures")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make the pictures directory: %w", err)
	}
	now := time.Now
	if f.now != nil {
		now = f.now
	}
	name := strings.TrimSuffix(p.Name, ".png") + "-" + now().UTC().Format("20060102T150405.000") + ".png"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, p.PNG, 0o644); err != nil {
		return "", fmt.Errorf("write the picture: %w", err)
	}
	return path, nil
}
