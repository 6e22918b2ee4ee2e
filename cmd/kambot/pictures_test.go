package main

import (
	"bytes"
	"image/png"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
)

func TestManifestAsksToUploadFiles(t *testing.T) {
	out, _, err := run(t, env(), "", "manifest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "- files:write") {
		t.Errorf("manifest lacks files:write (the matrix picture):\n%s", out)
	}
}

// In the console /kam matrix writes the picture to a file and prints its
// path; charts print as aligned tables without code fences.
func TestConsoleMatrixAndCharts(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	in := "/kam score acme size=4 growth=4 stability=4 access=4 closeness=4 fit=4 adopter=4 value=4 competition=4 standing=4 " +
		"price=4 service=4 people=4 response=4 attitude=4 innovation=4 value-in-use=4 sustainability=4 trust=4\n" +
		"/kam matrix\n/kam pipeline\n"
	out, errOut, err := run(t, env("KAMBOT_DB", storetest.DSN(t, "demo.db")), in, "console", "--demo")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	m := regexp.MustCompile(`The matrix of \d+ accounts? is in (\S+\.png)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no picture path in:\n%s", out)
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("%s is not a PNG: %v", m[1], err)
	}
	if !regexp.MustCompile(`(?m)^\s+Value\s+Weighted$`).MatchString(out) || strings.Contains(out, "```") {
		t.Errorf("the pipeline chart is not an aligned table:\n%s", out)
	}
}
