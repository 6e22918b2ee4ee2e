package bot

import (
	"errors"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

var errNoPayload = errors.New("no payload field in the form")

// parseSlashForm decodes the fields of a slash command's form body that a
// commands.Request needs. It is a single pass over one string copy of the
// body: values without escapes are substrings of it, so a typical command
// costs one allocation plus one per escaped field (url.ParseQuery builds a
// map of slices instead).
func parseSlashForm(body []byte) (sc slack.SlashCommand, sslCheck bool, err error) {
	s := string(body)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		key, raw, _ := strings.Cut(pair, "=")
		if k, err := unescape(key); err == nil {
			key = k // Slack never escapes names; a client might
		}
		var dst *string
		switch key {
		case "text":
			dst = &sc.Text
		case "user_id":
			dst = &sc.UserID
		case "team_id":
			dst = &sc.TeamID
		case "channel_id":
			dst = &sc.ChannelID
		case "response_url":
			dst = &sc.ResponseURL
		case "trigger_id":
			dst = &sc.TriggerID
		case "enterprise_id":
			dst = &sc.EnterpriseID
		case "ssl_check":
			sslCheck = raw == "1"
			continue
		default:
			// The token (deprecated), display names, the command name (the
			// app has one) and fields Slack may add later: not needed, so
			// not decoded.
			continue
		}
		v, err := unescape(raw)
		if err != nil {
			return sc, false, err
		}
		*dst = v
	}
	return sc, sslCheck, nil
}

// formValue returns the unescaped value of key in a form body.
func formValue(body []byte, key string) (string, error) {
	s := string(body)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		k, raw, _ := strings.Cut(pair, "=")
		if k, err := unescape(k); err == nil && k == key {
			return unescape(raw)
		}
	}
	return "", errNoPayload
}

func unescape(raw string) (string, error) {
	if strings.IndexByte(raw, '%') < 0 && strings.IndexByte(raw, '+') < 0 {
		return raw, nil
	}
	return url.QueryUnescape(raw)
}
