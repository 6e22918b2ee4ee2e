package main

// The assistant's part of the manifest: Slack's AI-app surface, the DM
// tab it lives in, the events it answers and the scopes they need.

type appHome struct {
	HomeTabEnabled             bool `yaml:"home_tab_enabled"`
	MessagesTabEnabled         bool `yaml:"messages_tab_enabled"`
	MessagesTabReadOnlyEnabled bool `yaml:"messages_tab_read_only_enabled"`
}

type assistantView struct {
	AssistantDescription string `yaml:"assistant_description"`
}

type eventSubscriptions struct {
	RequestURL string   `yaml:"request_url,omitempty"`
	BotEvents  []string `yaml:"bot_events"`
}

// assistantEvents are the events the assistant answers:
// assistant_thread_started (offer suggested prompts),
// assistant_thread_context_changed (Slack sends it as the user moves
// between channels with the assistant open; kambot answers from its own
// record and ignores it), message.im (a question in the assistant thread or
// a plain DM) and app_mention (a question to @kambot in a channel).
var assistantEvents = []string{"assistant_thread_started", "assistant_thread_context_changed", "message.im", "app_mention"}

// assistantScopes: assistant:write (the assistant surface: status, title,
// suggested prompts) and app_mentions:read (app_mention). message.im needs
// im:history, which botScopes holds already.
var assistantScopes = []string{"assistant:write", "app_mentions:read"}

// addAssistant turns on the assistant surface and its events.
func addAssistant(m *manifest) {
	m.Features.AssistantView = &assistantView{
		AssistantDescription: "Ask about your key accounts: how one is doing, what a stakeholder said, which accounts need you. Answers come from kambot's record, with sources.",
	}
	if m.Features.AppHome == nil {
		m.Features.AppHome = &appHome{}
	}
	m.Features.AppHome.MessagesTabEnabled = true // questions by DM
	if m.Settings.EventSubscriptions == nil {
		m.Settings.EventSubscriptions = &eventSubscriptions{}
	}
	m.Settings.EventSubscriptions.BotEvents = append(m.Settings.EventSubscriptions.BotEvents, assistantEvents...)
	m.OAuthConfig.Scopes.Bot = append(m.OAuthConfig.Scopes.Bot[:len(m.OAuthConfig.Scopes.Bot):len(m.OAuthConfig.Scopes.Bot)], assistantScopes...)
}
