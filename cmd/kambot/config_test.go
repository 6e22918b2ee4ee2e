package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kambot/kambot/brief"
)

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.TZ != time.UTC {
		t.Errorf("TZ = %v; want UTC", c.TZ)
	}
	c.TZ = nil
	want := Config{
		SlackAPIURL: "https://slack.com/api/", Addr: ":3000", DBPath: "kambot.db",
		PprofAddr: "127.0.0.1:6060", Currency: "USD",
		OpenAIModel: "gpt-4o-mini", OpenAITimeout: 25 * time.Second, OpenAIMaxRetries: 2, BriefBudget: 3000,
		SweepSpec: "0 7 * * *", DigestSpec: "0 8 * * 1", SelectionSpec: "0 9 15 1 *",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %#v\nwant %#v", c, want)
	}
	if c.Level(slog.LevelWarn) != slog.LevelWarn || c.SocketMode() {
		t.Errorf("level %v, socket mode %v; want the caller's default and HTTP mode", c.Level(slog.LevelWarn), c.SocketMode())
	}
}

// TestLoadConfig sets one variable per case and checks the field it sets,
// or the exact one-line error a bad value gives.
func TestLoadConfig(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	debug, errLevel := slog.LevelDebug, slog.LevelError
	const xoxbHelp = `SLACK_BOT_TOKEN is not a bot token; use the xoxb-… token from the app's OAuth & Permissions page (see README.md, "Create the Slack app")`
	const xappHelp = `SLACK_APP_TOKEN is not an app-level token; use the xapp-… token with connections:write, or unset it for HTTP mode (see README.md, "Create the Slack app")`
	tests := []struct {
		name    string
		name2   string // the variable
		value   string
		field   func(Config) any
		want    any
		wantErr string
	}{
		{"OK", "SLACK_BOT_TOKEN", " xoxb-1-abc ", func(c Config) any { return c.BotToken }, "xoxb-1-abc", ""},
		{"ErrUserToken", "SLACK_BOT_TOKEN", "xoxp-user-token", nil, nil, xoxbHelp},
		{"OK", "SLACK_APP_TOKEN", "xapp-1-abc", func(c Config) any { return []any{c.AppToken, c.SocketMode()} }, []any{"xapp-1-abc", true}, ""},
		{"ErrBotTokenAsAppToken", "SLACK_APP_TOKEN", "xoxb-1-abc", nil, nil, xappHelp},
		{"OK", "SLACK_SIGNING_SECRET", "s3cret", func(c Config) any { return c.SigningSecret }, "s3cret", ""},
		{"OK", "SLACK_SIGNING_SECRET_PREVIOUS", "old", func(c Config) any { return c.PreviousSigningSecret }, "old", ""},
		{"OKAddsSlash", "SLACK_API_URL", "http://127.0.0.1:9000/api", func(c Config) any { return c.SlackAPIURL }, "http://127.0.0.1:9000/api/", ""},
		{"ErrNoScheme", "SLACK_API_URL", "slack.com/api", nil, nil, `SLACK_API_URL="slack.com/api" is not an http or https URL; use e.g. https://slack.com/api/`},
		{"OK", "KAMBOT_ADDR", "127.0.0.1:8080", func(c Config) any { return c.Addr }, "127.0.0.1:8080", ""},
		{"OKPortOnly", "KAMBOT_ADDR", ":0", func(c Config) any { return c.Addr }, ":0", ""},
		{"ErrNoColon", "KAMBOT_ADDR", "3000", nil, nil, `KAMBOT_ADDR="3000" is not a listen address; use host:port or :port, e.g. :3000`},
		{"ErrPortRange", "KAMBOT_ADDR", ":70000", nil, nil, `KAMBOT_ADDR=":70000" is not a listen address; use host:port or :port, e.g. :3000`},
		{"OK", "KAMBOT_DB", "/var/lib/kambot/k.db", func(c Config) any { return []any{c.DBPath, c.DBSet} }, []any{"/var/lib/kambot/k.db", true}, ""},
		{"OK", "KAMBOT_TZ", "Europe/Berlin", func(c Config) any { return c.TZ }, berlin, ""},
		{"ErrNotAZone", "KAMBOT_TZ", "Mars/Base", nil, nil, `KAMBOT_TZ="Mars/Base" is not an IANA time zone, e.g. Europe/Berlin`},
		{"OK", "KAMBOT_ADMINS", " U0ADMIN001, ,W0GRID0001 ", func(c Config) any { return c.Admins }, []string{"U0ADMIN001", "W0GRID0001"}, ""},
		{"OKScoped", "KAMBOT_ADMINS", "U0ADMIN001,T0ACME001:U0KAM0001", func(c Config) any { return c.Admins }, []string{"U0ADMIN001", "T0ACME001:U0KAM0001"}, ""},
		{"ErrName", "KAMBOT_ADMINS", "U0ADMIN001,alice", nil, nil, `KAMBOT_ADMINS="U0ADMIN001,alice": "alice" is not a Slack user ID; use comma-separated member IDs such as U0123ABCD (profile → ⋮ → Copy member ID), or T0123ABCD:U0123ABCD for an admin of one workspace only`},
		{"ErrScope", "KAMBOT_ADMINS", "acme:U0KAM0001", nil, nil, `KAMBOT_ADMINS="acme:U0KAM0001": "acme:U0KAM0001" is not a Slack user ID; use comma-separated member IDs such as U0123ABCD (profile → ⋮ → Copy member ID), or T0123ABCD:U0123ABCD for an admin of one workspace only`},
		{"OK", "KAMBOT_SWEEP_CRON", "30 6 * * 1-5", func(c Config) any { return c.SweepSpec }, "30 6 * * 1-5", ""},
		{"OKDescriptor", "KAMBOT_SWEEP_CRON", "@daily", func(c Config) any { return c.SweepSpec }, "@daily", ""},
		{"OKSelectionDate", "KAMBOT_SELECTION_DATE", "03-31", func(c Config) any { return c.SelectionSpec }, "0 9 31 3 *", ""},
		{"ErrSelectionDate", "KAMBOT_SELECTION_DATE", "31-03", nil, nil,
			`KAMBOT_SELECTION_DATE="31-03" is not a day of the year; use MM-DD, e.g. "01-15" for 15 January`},
		{"ErrSelectionLeapDay", "KAMBOT_SELECTION_DATE", "02-29", nil, nil,
			`KAMBOT_SELECTION_DATE="02-29" is not a day of the year; use MM-DD, e.g. "01-15" for 15 January`},
		{"ErrFourFields", "KAMBOT_SWEEP_CRON", "0 7 * *", nil, nil, `KAMBOT_SWEEP_CRON="0 7 * *" is not a cron spec; use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 7 * * *"`},
		{"OK", "KAMBOT_DIGEST_CRON", "0 9 * * 5", func(c Config) any { return c.DigestSpec }, "0 9 * * 5", ""},
		{"ErrSixFields", "KAMBOT_DIGEST_CRON", "0 0 8 * * 1", nil, nil, `KAMBOT_DIGEST_CRON="0 0 8 * * 1" is not a cron spec; use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 8 * * 1"`},
		{"ErrNeverFires", "KAMBOT_DIGEST_CRON", "0 8 30 2 *", nil, nil, `KAMBOT_DIGEST_CRON="0 8 30 2 *" never fires; pick a date that exists, e.g. "0 8 * * 1"`},
		{"OK", "KAMBOT_DIGEST_CHANNEL", "T01AAA:C01BBB", func(c Config) any { return c.DigestChannels }, map[string]string{"T01AAA": "C01BBB"}, ""},
		{"ErrName", "KAMBOT_DIGEST_CHANNEL", "#managers", nil, nil, `KAMBOT_DIGEST_CHANNEL: "#managers" is not a channel ID such as C0123ABCD (copy it from the channel's details)`},
		{"OK", "KAMBOT_LOG_LEVEL", "DEBUG", func(c Config) any { return c.Level(slog.LevelInfo) }, debug, ""},
		{"OKError", "KAMBOT_LOG_LEVEL", "error", func(c Config) any { return c.Level(slog.LevelInfo) }, errLevel, ""},
		{"ErrLoud", "KAMBOT_LOG_LEVEL", "loud", nil, nil, `KAMBOT_LOG_LEVEL="loud" is not a log level; use debug, info, warn or error`},
		{"Unset", "GOMEMLIMIT", "", func(c Config) any { return c.MemoryLimitSet }, false, ""},
		{"Set", "GOMEMLIMIT", "200MiB", func(c Config) any { return c.MemoryLimitSet }, true, ""},
		{"OK", "KAMBOT_PPROF_ADDR", "localhost:6061", func(c Config) any { return c.PprofAddr }, "localhost:6061", ""},
		{"ErrNoPort", "KAMBOT_PPROF_ADDR", "localhost", nil, nil, `KAMBOT_PPROF_ADDR="localhost" is not a listen address; use host:port or :port, e.g. 127.0.0.1:6060`},
		{"OK", "KAMBOT_CURRENCY", "EUR", func(c Config) any { return c.Currency }, "EUR", ""},
		{"OKLowerCase", "KAMBOT_CURRENCY", "chf", func(c Config) any { return c.Currency }, "CHF", ""},
		{"ErrWord", "KAMBOT_CURRENCY", "EURO", nil, nil, `KAMBOT_CURRENCY="EURO" is not an ISO 4217 currency code; use three letters such as USD, EUR, GBP or CHF`},
		{"ErrSymbol", "KAMBOT_CURRENCY", "$", nil, nil, `KAMBOT_CURRENCY="$" is not an ISO 4217 currency code; use three letters such as USD, EUR, GBP or CHF`},
		{"OK", "OPENAI_API_KEY", "sk-abc", func(c Config) any { return c.OpenAIKey }, "sk-abc", ""},
		{"OK", "OPENAI_BASE_URL", "http://localhost:11434/v1", func(c Config) any { return c.OpenAIBaseURL }, "http://localhost:11434/v1", ""},
		{"ErrNoScheme", "OPENAI_BASE_URL", "localhost:11434", nil, nil, `OPENAI_BASE_URL="localhost:11434" is not an http or https URL; use e.g. http://localhost:11434/v1`},
		{"ErrFTP", "OPENAI_BASE_URL", "ftp://host/v1", nil, nil, `OPENAI_BASE_URL="ftp://host/v1" is not an http or https URL; use e.g. http://localhost:11434/v1`},
		{"OK", "OPENAI_MODEL", "llama3.1:8b", func(c Config) any { return c.OpenAIModel }, "llama3.1:8b", ""},
		{"OK", "OPENAI_TIMEOUT", "20s", func(c Config) any { return c.OpenAITimeout }, 20 * time.Second, ""},
		{"ErrNoUnit", "OPENAI_TIMEOUT", "25", nil, nil, `OPENAI_TIMEOUT="25" is not a duration from 1s to 5m; use e.g. 25s or 1m30s`},
		{"ErrTooShort", "OPENAI_TIMEOUT", "10ms", nil, nil, `OPENAI_TIMEOUT="10ms" is not a duration from 1s to 5m; use e.g. 25s or 1m30s`},
		{"ErrTooLong", "OPENAI_TIMEOUT", "1h", nil, nil, `OPENAI_TIMEOUT="1h" is not a duration from 1s to 5m; use e.g. 25s or 1m30s`},
		{"OK", "OPENAI_MAX_RETRIES", "4", func(c Config) any { return c.OpenAIMaxRetries }, 4, ""},
		{"OKOff", "OPENAI_MAX_RETRIES", "0", func(c Config) any { return c.OpenAIMaxRetries }, 0, ""},
		{"ErrNegative", "OPENAI_MAX_RETRIES", "-1", nil, nil, `OPENAI_MAX_RETRIES="-1" is not a whole number from 0 to 10; 0 turns retries off`},
		{"ErrWord", "OPENAI_MAX_RETRIES", "three", nil, nil, `OPENAI_MAX_RETRIES="three" is not a whole number from 0 to 10; 0 turns retries off`},
		{"OK", "KAMBOT_BRIEF_BUDGET", "6000", func(c Config) any { return c.BriefBudget }, 6000, ""},
		{"ErrSmall", "KAMBOT_BRIEF_BUDGET", "100", nil, nil, `KAMBOT_BRIEF_BUDGET="100" is not a number of tokens from 1500 to 200000; use e.g. 3000`},
		{"ErrWord", "KAMBOT_BRIEF_BUDGET", "lots", nil, nil, `KAMBOT_BRIEF_BUDGET="lots" is not a number of tokens from 1500 to 200000; use e.g. 3000`},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.name2] = true
		t.Run(tt.name2+"/"+tt.name, func(t *testing.T) {
			c, err := LoadConfig(env(tt.name2, tt.value))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v\n want %s", err, tt.wantErr)
				}
				if !reflect.DeepEqual(c, Config{}) {
					t.Errorf("a config came back with the error: %v", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.field(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v; want %#v", got, tt.want)
			}
		})
	}
	// Every variable has a case, so a new one cannot go in untested.
	for _, v := range variables {
		if !tested[v.name] {
			t.Errorf("no case for %s", v.name)
		}
	}
}

// TestLoadConfigFirstError pins that with several bad values the error is
// the first in the README table's order, alone on one line.
func TestLoadConfigFirstError(t *testing.T) {
	_, err := LoadConfig(env("OPENAI_TIMEOUT", "forever", "KAMBOT_LOG_LEVEL", "loud", "KAMBOT_TZ", "Mars/Base"))
	want := `KAMBOT_TZ="Mars/Base" is not an IANA time zone, e.g. Europe/Berlin`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v; want %s", err, want)
	}
}

// TestLoadConfigLeapDay: a schedule that fires only on 29 February is
// valid (it fires within four years), checked in KAMBOT_TZ.
func TestLoadConfigLeapDay(t *testing.T) {
	c, err := LoadConfig(env("KAMBOT_TZ", "Asia/Tokyo", "KAMBOT_SWEEP_CRON", "0 0 29 2 *"))
	if err != nil {
		t.Fatalf("a leap-day schedule fires: %v", err)
	}
	if c.TZ.String() != "Asia/Tokyo" || c.SweepSpec != "0 0 29 2 *" {
		t.Errorf("got TZ %v, sweep %q", c.TZ, c.SweepSpec)
	}
}

func TestConfigBrief(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  func(string) string
		want brief.Config
	}{
		{"Defaults", env(), brief.Config{Model: brief.DefaultModel, Timeout: brief.DefaultTimeout, InputBudget: brief.DefaultInputBudget, MaxRetries: brief.DefaultRetries}},
		{"Ollama", env("OPENAI_API_KEY", "none", "OPENAI_BASE_URL", "http://localhost:11434/v1", "OPENAI_MODEL", "llama3.1:8b", "OPENAI_TIMEOUT", "1m", "KAMBOT_BRIEF_BUDGET", "8000", "OPENAI_MAX_RETRIES", "5"),
			brief.Config{APIKey: "none", BaseURL: "http://localhost:11434/v1", Model: "llama3.1:8b", Timeout: time.Minute, InputBudget: 8000, MaxRetries: 5}},
		// brief.Config's 0 is its default; "no retries" is negative there.
		{"RetriesOff", env("OPENAI_MAX_RETRIES", "0"), brief.Config{Model: brief.DefaultModel, Timeout: brief.DefaultTimeout, InputBudget: brief.DefaultInputBudget, MaxRetries: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Brief(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Brief() = %+v; want %+v", got, tt.want)
			}
		})
	}
}

// TestConfigSecretsNeverShown prints and logs a Config every way there is
// and checks that no secret shows, while their presence does.
func TestConfigSecretsNeverShown(t *testing.T) {
	secrets := map[string]string{
		"SLACK_BOT_TOKEN":               "xoxb-1111-SECRETBOT",
		"SLACK_APP_TOKEN":               "xapp-1-SECRETAPP",
		"SLACK_SIGNING_SECRET":          "SECRETSIGNING",
		"SLACK_SIGNING_SECRET_PREVIOUS": "SECRETPREVIOUS",
		"OPENAI_API_KEY":                "sk-SECRETKEY",
	}
	var kv []string
	for k, v := range secrets {
		kv = append(kv, k, v)
	}
	c, err := LoadConfig(env(kv...))
	if err != nil {
		t.Fatal(err)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("start", "config", c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("start", "config", &c)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		//lint:ignore S1025 the test checks what the %s verb itself prints
		"%s": fmt.Sprintf("%s", &c), "slog text": text.String(), "slog json": js.String(),
	}
	for how, out := range outputs {
		// Every secret above holds "SECRET"; the kinds of token show.
		if strings.Contains(out, "SECRET") {
			t.Errorf("%s shows a secret: %s", how, out)
		}
		for _, want := range []string{"xoxb-…", "xapp-…", "sk-…", "UTC", "socket"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q: %s", how, want, out)
			}
		}
	}
	// A bad secret is named, never echoed; nor is a password in a URL.
	for _, tc := range [][2]string{
		{"SLACK_BOT_TOKEN", "xoxp-SECRETUSER"},
		{"SLACK_APP_TOKEN", "SECRETAPP"},
		{"OPENAI_BASE_URL", "ftp://user:SECRETPASS@host/v1"},
		{"SLACK_API_URL", "ftp://user:SECRETPASS@host/api/"},
	} {
		_, err := LoadConfig(env(tc[0], tc[1]))
		if err == nil || !strings.Contains(err.Error(), tc[0]) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: err = %v; want one naming the variable without its secret", tc[0], err)
		}
	}
}

// TestSubCommandsCheckConfig: the sub-commands that run kambot's parts stop
// on a bad value before they touch the database; manifest and help need
// no configuration.
func TestSubCommandsCheckConfig(t *testing.T) {
	const want = `KAMBOT_CURRENCY="EURO" is not an ISO 4217 currency code; use three letters such as USD, EUR, GBP or CHF`
	for _, args := range [][]string{{"serve"}, {"console"}, {"migrate"}, {"import", "accounts.csv"}, {"export"}} {
		t.Run(args[0], func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "k.db")
			_, _, err := run(t, env("KAMBOT_DB", db, "KAMBOT_CURRENCY", "EURO",
				"SLACK_BOT_TOKEN", "xoxb-1", "SLACK_SIGNING_SECRET", "s"), "", args...)
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v; want %s", err, want)
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the database was opened despite the bad value (stat: %v)", err)
			}
		})
	}
	for _, args := range [][]string{{"manifest"}, {"help"}} {
		if _, _, err := run(t, env("KAMBOT_CURRENCY", "EURO"), "", args...); err != nil {
			t.Errorf("%s with a bad KAMBOT_CURRENCY: %v", args[0], err)
		}
	}
}

// TestServeBadValueExits runs the real binary's main as "kambot serve" with
// a bad value: it exits non-zero, printing the one line that names the
// variable and nothing else, before opening the database.
func TestServeBadValueExits(t *testing.T) {
	for _, tc := range []struct {
		name, kv, want string
	}{
		{"LogLevel", "KAMBOT_LOG_LEVEL=loud", `KAMBOT_LOG_LEVEL="loud" is not a log level; use debug, info, warn or error`},
		{"TZ", "KAMBOT_TZ=Mars/Base", `KAMBOT_TZ="Mars/Base" is not an IANA time zone, e.g. Europe/Berlin`},
		{"Cron", "KAMBOT_SWEEP_CRON=7am daily", `KAMBOT_SWEEP_CRON="7am daily" is not a cron spec; use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 7 * * *"`},
		{"Currency", "KAMBOT_CURRENCY=euro", `KAMBOT_CURRENCY="euro" is not an ISO 4217 currency code; use three letters such as USD, EUR, GBP or CHF`},
		{"Timeout", "OPENAI_TIMEOUT=0", `OPENAI_TIMEOUT="0" is not a duration from 1s to 5m; use e.g. 25s or 1m30s`},
		{"MissingToken", "SLACK_BOT_TOKEN=", `SLACK_BOT_TOKEN is not set: the bot token (xoxb-…) from the app's OAuth & Permissions page (see README.md, "Create the Slack app")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "k.db")
			// The deadline only stops a serve that wrongly started.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			// Only these variables: the developer's own environment stays out.
			cmd.Env = []string{asServe + "=1", "KAMBOT_DB=" + db, "KAMBOT_ADDR=127.0.0.1:0",
				"SLACK_BOT_TOKEN=xoxb-e2e", "SLACK_SIGNING_SECRET=" + testSecret, tc.kv}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("serve: %v; want a non-zero exit (stderr %q)", err, stderr.String())
			}
			if got, want := stderr.String(), "kambot: "+tc.want+"\n"; got != want {
				t.Errorf("stderr:\n got %q\nwant %q", got, want)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: %q", stdout.String())
			}
			if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the database was opened despite the bad value (stat: %v)", err)
			}
		})
	}
}

// TestREADMEListsEveryVariable keeps README.md's configuration table and
// LoadConfig's variables the same list, in the same order.
func TestREADMEListsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var inREADME, inCode []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)` \\|").FindAllStringSubmatch(section, -1) {
		inREADME = append(inREADME, m[1])
	}
	for _, v := range variables {
		inCode = append(inCode, v.name)
	}
	if !reflect.DeepEqual(inREADME, inCode) {
		t.Errorf("README.md's configuration table lists\n%v\nLoadConfig reads\n%v", inREADME, inCode)
	}
	if !strings.Contains(strings.Join(strings.Fields(section), " "), "one line naming the variable") {
		t.Error("README.md no longer says what a bad value does")
	}
}

// TestOnlyLoadConfigReadsTheEnvironment: outside the load generator, no
// non-test source calls os.Getenv, os.LookupEnv or os.Environ except
// main, which hands os.Getenv to LoadConfig, and the test helper that reads
// KAMBOT_TEST_POSTGRES_URL.
func TestOnlyLoadConfigReadsTheEnvironment(t *testing.T) {
	root := "../.."
	allowed := map[string]int{filepath.Join("cmd", "kambot", "main.go"): 1,
		filepath.Join("internal", "storetest", "storetest.go"): 1}
	found := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == filepath.Join("cmd", "kamload") || strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "os" {
				switch sel.Sel.Name {
				case "Getenv", "LookupEnv", "Environ":
					found[rel]++
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(found, allowed) {
		t.Errorf("the environment is read in %v; want only %v", found, allowed)
	}
}
