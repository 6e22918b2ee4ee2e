package assistant_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sashabaranov/go-openai"

	"github.com/kambot/kambot/assistant"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name; -update rewrites the file.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test -update writes it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// checkSources holds for every answer: the real Slack permalink is a link,
// the stored non-Slack address is plain text, nothing pings.
func checkSources(t *testing.T, lines []string) {
	t.Helper()
	all := strings.Join(lines, "\n")
	for _, bad := range []string{"<https://evil", "<!channel>", "|click>"} {
		if strings.Contains(all, bad) {
			t.Errorf("sources hold a live %q:\n%s", bad, all)
		}
	}
	if strings.Count(all, "<https://") != strings.Count(all, "<"+acmePermalink+"|message>") {
		t.Errorf("a link in the sources other than the Slack permalink:\n%s", all)
	}
}

func TestDeterministicSources(t *testing.T) {
	f := newFixture(t)
	a, _ := f.assistant(t, nil, nil)
	t.Run("search", func(t *testing.T) {
		ans := ask(a, kamUser, "What did their CFO say about pricing?")
		if len(ans.Sources) != 1 || !strings.Contains(ans.Sources[0], "<"+acmePermalink+"|message>") || !strings.Contains(ans.Sources[0], "*Acme* · call · ") {
			t.Fatalf("sources %q; want the call with its permalink", ans.Sources)
		}
		checkSources(t, ans.Sources)
		golden(t, "deterministic_search.json", map[string]any{"blocks": ans.Blocks, "sources": ans.Sources, "read": ans.Read, "note": ans.Note})
	})
	t.Run("card", func(t *testing.T) {
		ans := ask(a, kamUser, "what's new on acme")
		if len(ans.Sources) != 2 {
			t.Fatalf("sources %q; want Acme's two interactions", ans.Sources)
		}
		checkSources(t, ans.Sources)
		if !strings.Contains(ans.Sources[0], "message: https://evil.example/") || !strings.Contains(ans.Sources[0], "@channel") {
			t.Errorf("the stored non-Slack address is not shown as plain text: %q", ans.Sources[0])
		}
		golden(t, "deterministic_card_sources.json", ans.Sources)
	})
	t.Run("no records", func(t *testing.T) {
		if ans := ask(a, kamUser, "Anything confidential?"); len(ans.Sources) != 0 {
			t.Fatalf("an answer with no hits cites %q", ans.Sources)
		}
	})
}

func TestModelSources(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, text string
		want       []string // prefixes of the sources, in order
		textHas    string
	}{
		{name: "cited", text: "CFO Müller finds pricing too high [s2]; see also [s2] and [s9].", want: []string{"[s2] "}, textHas: "see also [s2] and ."},
		{name: "cites none", text: "The CFO finds pricing too high.", want: []string{"[s1] ", "[s2] "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newLLM(t,
				step{calls: []openai.ToolCall{call("c1", "account_card", `{"account":"acme"}`), call("c2", "search", `{"words":"pricing"}`)}},
				step{text: tc.text},
			)
			a, _ := f.assistant(t, d, nil)
			ans := ask(a, kamUser, "What did Acme's CFO say about pricing?")
			if ans.Outcome != assistant.OutcomeAnswered {
				t.Fatalf("outcome %s: %q", ans.Outcome, ans.Text)
			}
			if len(ans.Sources) != len(tc.want) {
				t.Fatalf("sources %q; want %d", ans.Sources, len(tc.want))
			}
			for i, p := range tc.want {
				if !strings.HasPrefix(ans.Sources[i], p) {
					t.Errorf("source %d %q; want it to start %q", i, ans.Sources[i], p)
				}
			}
			checkSources(t, ans.Sources)
			if !strings.Contains(ans.Text, tc.textHas) {
				t.Errorf("answer %q lacks %q", ans.Text, tc.textHas)
			}
			// The model read the records numbered, inside the fence.
			results := d.toolResults()
			if len(results) != 2 || !strings.Contains(results[0], "[s1]") || !strings.Contains(results[1], "[s2] *Acme* · call") || !strings.HasPrefix(results[1], `<data id="`) {
				t.Fatalf("tool results %q", results)
			}
			golden(t, "model_"+strings.ReplaceAll(tc.name, " ", "_")+".json", map[string]any{"text": ans.Text, "sources": ans.Sources, "read": ans.Read})
		})
	}
}

// TestLogsHoldNoCustomerText asks in every mode — deterministic, a model
// that answers, a model that fails, the rate limit — and finds neither the
// question nor the record's words in the log at info level and above.
func TestLogsHoldNoCustomerText(t *testing.T) {
	f := newFixture(t)
	const q = "What did Zanzibar's CFO Müller say about pricing?"
	det, _ := f.assistant(t, nil, func(c *assistant.Config) { c.Rate = 2 })
	for range 3 {
		ask(det, kamUser, q)
	}
	answers := newLLM(t, step{calls: []openai.ToolCall{call("c", "search", `{"words":"pricing"}`)}}, step{text: "Müller finds pricing too high [s1]."})
	model, _ := f.assistant(t, answers, nil)
	if ans := ask(model, kamUser, q); ans.Outcome != assistant.OutcomeAnswered {
		t.Fatalf("model: %s", ans.Outcome)
	}
	fails := newLLM(t, step{status: 500})
	failing, _ := f.assistant(t, fails, nil)
	if ans := ask(failing, kamUser, q); ans.Outcome != assistant.OutcomeModelFailed {
		t.Fatalf("failing model: %s", ans.Outcome)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "assistant answered") {
		t.Fatalf("nothing logged: %q", logs)
	}
	for _, secret := range []string{"Zanzibar", "Müller", "pricing", "renewal", "CFO", "too high", "instructions"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds customer text %q:\n%s", secret, logs)
		}
	}
}
