package main

import (
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The assistant's events and scopes are in the manifest of both transports,
// beside App Home's event.
func TestManifestAssistant(t *testing.T) {
	for _, base := range []string{"", "https://kambot.example.com"} {
		out, err := Manifest(base)
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		ev := m.Settings.EventSubscriptions
		if ev == nil || !slices.Equal(ev.BotEvents, append([]string{"app_home_opened"}, assistantEvents...)) {
			t.Fatalf("%q: events %+v", base, ev)
		}
		if (base == "") != (ev.RequestURL == "") || (base != "" && ev.RequestURL != base+"/slack/events") {
			t.Errorf("%q: events request URL %q", base, ev.RequestURL)
		}
		for _, s := range []string{"assistant:write", "app_mentions:read", "im:history", "chat:write"} {
			if !slices.Contains(m.OAuthConfig.Scopes.Bot, s) {
				t.Errorf("%q: scope %s missing", base, s)
			}
		}
		if m.Features.AssistantView == nil || m.Features.AppHome == nil || !m.Features.AppHome.MessagesTabEnabled {
			t.Errorf("%q: assistant view or messages tab missing", base)
		}
	}
}
