package commands_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden pins the Block Kit JSON (and its plain-text rendering) of the
// replies people read most. Run with -update after a deliberate change and
// review the diff.
func TestGolden(t *testing.T) {
	tests := []struct {
		file, user, text string
	}{
		{"show", ana, "show acme"},
		{"show_sparse", ben, "show acorn"},
		{"pipeline_account", ben, "pipeline acme"},
		{"pipeline_admin", admin, "pipeline all"},
		{"pipeline_empty", ben, "pipeline acorn"},
		{"help", outsider, "help"},
		{"help_log", outsider, "help log"},
		{"accounts", ana, "accounts"},
		{"accounts_all", admin, "accounts all"},
		{"accounts_none", outsider, "accounts"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep := e.ok(tt.user, tt.text)
			checkLimits(t, rep.Blocks)
			// Unescaped, so the files read like what Slack receives.
			var js bytes.Buffer
			enc := json.NewEncoder(&js)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep.Blocks); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file+".json", js.Bytes())
			golden(t, tt.file+".txt", []byte(rep.Text+"\n"))
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update and review the diff.\ngot:\n%s", name, got)
	}
}

// checkLimits asserts Slack's Block Kit limits for a message.
func checkLimits(t *testing.T, blocks []slack.Block) {
	t.Helper()
	if len(blocks) > 50 {
		t.Errorf("%d blocks", len(blocks))
	}
	for i, b := range blocks {
		switch x := b.(type) {
		case *slack.HeaderBlock:
			if n := utf8.RuneCountInString(x.Text.Text); n > 150 {
				t.Errorf("block %d: header of %d characters", i, n)
			}
		case *slack.SectionBlock:
			if x.Text != nil && utf8.RuneCountInString(x.Text.Text) > 3000 {
				t.Errorf("block %d: section text of %d characters", i, utf8.RuneCountInString(x.Text.Text))
			}
			if len(x.Fields) > 10 {
				t.Errorf("block %d: %d fields", i, len(x.Fields))
			}
			for _, f := range x.Fields {
				if utf8.RuneCountInString(f.Text) > 2000 {
					t.Errorf("block %d: field of %d characters", i, utf8.RuneCountInString(f.Text))
				}
			}
		case *slack.ContextBlock:
			if n := len(x.ContextElements.Elements); n > 10 {
				t.Errorf("block %d: context of %d elements", i, n)
			}
		}
	}
}
