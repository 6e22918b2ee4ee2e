package fakeslack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
)

// Sign returns the X-Slack-Request-Timestamp and X-Slack-Signature header
// values Slack sends for body at ts, signed with secret (v0 scheme).
func Sign(secret string, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return timestamp, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedRequest builds a POST to target (an absolute URL or a path) carrying
// body with Slack's signature headers; the content type is JSON when body
// is a JSON object, form-encoded otherwise.
func SignedRequest(secret string, ts time.Time, target string, body []byte) *http.Request {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		panic(fmt.Sprintf("fakeslack: request to %q: %v", target, err))
	}
	if len(body) > 0 && body[0] == '{' {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	tsh, sig := Sign(secret, ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", tsh)
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	return req
}

// triggers numbers the trigger_ids the double hands out.
var triggers atomic.Uint64

// NewTriggerID returns a trigger_id no other payload of this process has:
// Slack gives each slash command, click, shortcut and submission its own,
// and kambot logs one interaction per trigger_id.
func NewTriggerID() string {
	return fmt.Sprintf("13345224609.738474920.%019x", triggers.Add(1))
}

// WithDefaults fills the empty fields of a slash command with plausible
// values of the double's workspace: /kam typed by U0ALICE01 in #general.
func WithDefaults(c slack.SlashCommand) slack.SlashCommand {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.Token, "gIkuvaNzQIHg97ATvDxqgjtO")
	def(&c.TeamID, TeamID)
	def(&c.TeamDomain, TeamName)
	def(&c.ChannelID, "C0GENERAL1")
	def(&c.ChannelName, "general")
	def(&c.UserID, "U0ALICE01")
	def(&c.UserName, "alice")
	def(&c.Command, "/kam")
	def(&c.TriggerID, NewTriggerID())
	def(&c.APIAppID, AppID)
	return c
}

// SlashForm encodes a slash command as Slack POSTs it: the documented form
// fields, empty ones filled by WithDefaults.
func SlashForm(c slack.SlashCommand) []byte {
	c = WithDefaults(c)
	v := url.Values{
		"token":        {c.Token},
		"team_id":      {c.TeamID},
		"team_domain":  {c.TeamDomain},
		"channel_id":   {c.ChannelID},
		"channel_name": {c.ChannelName},
		"user_id":      {c.UserID},
		"user_name":    {c.UserName},
		"command":      {c.Command},
		"text":         {c.Text},
		"response_url": {c.ResponseURL},
		"trigger_id":   {c.TriggerID},
		"api_app_id":   {c.APIAppID},
	}
	if c.EnterpriseID != "" {
		v.Set("enterprise_id", c.EnterpriseID)
		v.Set("enterprise_name", c.EnterpriseName)
		v.Set("is_enterprise_install", strconv.FormatBool(c.IsEnterpriseInstall))
	}
	return []byte(v.Encode())
}

// InteractionForm encodes an interaction payload as Slack POSTs it:
// payload=<url-encoded JSON>.
func InteractionForm(payload any) []byte {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("fakeslack: marshal interaction payload: %v", err))
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

// BlockActions returns a block_actions payload for a button click by user
// in channel, with response_url and the button's action_id and value.
func BlockActions(user, channel, responseURL, actionID, value string) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": TeamID, "domain": TeamName},
		"user":         map[string]any{"id": user, "team_id": TeamID},
		"api_app_id":   AppID,
		"token":        "gIkuvaNzQIHg97ATvDxqgjtO",
		"trigger_id":   NewTriggerID(),
		"channel":      map[string]any{"id": channel, "name": "general"},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": "1700000000.000100"},
		"response_url": responseURL,
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": "b1", "value": value,
			"text":      map[string]any{"type": "plain_text", "text": "Go"},
			"action_ts": "1700000001.000200",
		}},
	}
}

// EventCallback returns an event_callback envelope around inner with the
// given event_id, as the Events API delivers it.
func EventCallback(eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"token":      "gIkuvaNzQIHg97ATvDxqgjtO",
		"team_id":    TeamID,
		"api_app_id": AppID,
		"event":      inner,
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": 1700000000,
		"authorizations": []map[string]any{{
			"team_id": TeamID, "user_id": BotUserID, "is_bot": true,
		}},
	}
}
