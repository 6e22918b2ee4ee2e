package main

import (
	"fmt"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kambot/kambot/commands"
)

// The Slack app manifest (api.slack.com/reference/manifests), built as data
// and rendered by a YAML library so quoting is never hand-rolled.
type manifest struct {
	DisplayInformation displayInformation `yaml:"display_information"`
	Features           features           `yaml:"features"`
	OAuthConfig        oauthConfig        `yaml:"oauth_config"`
	Settings           settings           `yaml:"settings"`
}

type displayInformation struct {
	Name            string `yaml:"name"`
	Description     string `yaml:"description"`
	LongDescription string `yaml:"long_description,omitempty"`
	BackgroundColor string `yaml:"background_color"`
}

type features struct {
	AppHome       *appHome       `yaml:"app_home,omitempty"`
	AssistantView *assistantView `yaml:"assistant_view,omitempty"`
	BotUser       botUser        `yaml:"bot_user"`
	Shortcuts     []shortcut     `yaml:"shortcuts,omitempty"`
	SlashCommands []slashCommand `yaml:"slash_commands"`
}

// shortcut is a global or message shortcut; both need only the commands scope.
type shortcut struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"` // global or message
	CallbackID  string `yaml:"callback_id"`
	Description string `yaml:"description"`
}

type botUser struct {
	DisplayName  string `yaml:"display_name"`
	AlwaysOnline bool   `yaml:"always_online"`
}

type slashCommand struct {
	Command      string `yaml:"command"`
	URL          string `yaml:"url,omitempty"`
	Description  string `yaml:"description"`
	UsageHint    string `yaml:"usage_hint"`
	ShouldEscape bool   `yaml:"should_escape"`
}

type oauthConfig struct {
	Scopes scopes `yaml:"scopes"`
}

type scopes struct {
	Bot []string `yaml:"bot"`
}

type settings struct {
	EventSubscriptions *eventSubscriptions `yaml:"event_subscriptions,omitempty"`
	Interactivity      interactivity       `yaml:"interactivity"`
	OrgDeployEnabled   bool                `yaml:"org_deploy_enabled"`
	SocketModeEnabled  bool                `yaml:"socket_mode_enabled"`
	TokenRotation      bool                `yaml:"token_rotation_enabled"`
}

type interactivity struct {
	IsEnabled  bool   `yaml:"is_enabled"`
	RequestURL string `yaml:"request_url,omitempty"`
	// OptionsURL answers external_select menus (the account type-ahead).
	OptionsURL string `yaml:"message_menu_options_url,omitempty"`
}

// botScopes are the scopes kambot uses, each for one reason:
// commands (/kam), chat:write and chat:write.public (channel posts, nudges,
// surveys), im:write (DMs for digests and long briefs), users:read (checking
// that a mentioned @user exists), channels:history and groups:history (the
// outbox checks whether a post landed before re-sending after a crash),
// im:history (the same for DMs, and to receive questions in DMs: message.im),
// files:write (the portfolio matrix picture, uploaded where /kam matrix was
// asked and with the weekly digest). The assistant adds its own
// (assistantScopes); app_home_opened and views.publish need none.
var botScopes = []string{
	"commands", "chat:write", "chat:write.public", "im:write", "users:read",
	"channels:history", "groups:history", "im:history",
	"files:write",
}

// Manifest renders the app manifest. With baseURL (https://host) it is an
// HTTP-mode app whose request URLs point at that host; without it, a Socket
// Mode app.
func Manifest(baseURL string) (string, error) {
	m := manifest{
		DisplayInformation: displayInformation{
			Name:            "kambot",
			Description:     "Key-account management in Slack: log, pipeline, health, nudges, briefs.",
			LongDescription: "kambot keeps a key-account team's interactions, stakeholders, opportunities and plans one /kam away, nudges the team when an account goes quiet or a deal stalls, sends managers a weekly portfolio digest, and drafts short briefs for executive sponsors.",
			BackgroundColor: "#1d3557",
		},
		Features: features{
			// The Home tab (views.publish answers not_enabled without it).
			AppHome: &appHome{HomeTabEnabled: true},
			BotUser: botUser{DisplayName: "kambot", AlwaysOnline: true},
			Shortcuts: []shortcut{
				{Name: "Log to account", Type: "message", CallbackID: commands.ShortcutLogToAccount,
					Description: "Log this message as an interaction with a key account"},
				{Name: "Log an interaction", Type: "global", CallbackID: commands.ShortcutLogInteraction,
					Description: "Log a call, meeting or email with a key account"},
			},
			SlashCommands: []slashCommand{{
				Command:      "/kam",
				Description:  "Key accounts: log, pipeline, health, briefs",
				UsageHint:    "help | log <account> <kind> <summary> | show <account> | pipeline",
				ShouldEscape: true, // users and channels arrive as <@U…|name>, <#C…|name>
			}},
		},
		OAuthConfig: oauthConfig{Scopes: scopes{Bot: botScopes}},
		Settings: settings{
			EventSubscriptions: &eventSubscriptions{BotEvents: []string{"app_home_opened"}}, // needs no scope
			Interactivity:      interactivity{IsEnabled: true},
		},
	}
	addAssistant(&m)
	if baseURL == "" {
		m.Settings.SocketModeEnabled = true
	} else {
		u, err := url.Parse(baseURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return "", fmt.Errorf("--url %q: give the public https address Slack should call, e.g. https://kambot.example.com", baseURL)
		}
		base := strings.TrimRight(baseURL, "/")
		m.Features.SlashCommands[0].URL = base + "/slack/commands"
		m.Settings.Interactivity.RequestURL = base + "/slack/interactions"
		m.Settings.EventSubscriptions.RequestURL = base + "/slack/events"
		m.Settings.Interactivity.OptionsURL = base + "/slack/options"
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("render manifest: %w", err)
	}
	return string(out), nil
}
