package bot

import (
	"errors"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
)

var errNoPayload = errors.New("no payload field in the form")

// parseSlashForm decodes a slash command's form body. It is a single pass
// over one string copy of the body: values without escapes are substrings
// of it, so a typical command costs one allocation plus one per escaped
// field (url.ParseQuery builds a map of slices instead).
func parseSlashForm(body []byte) (sc slack.SlashCommand, sslCheck bool, err error) {
	s := string(body)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		key, raw, _ := strings.Cut(pair, "=")
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
		case "command":
			dst = &sc.Command
		case "user_name":
			dst = &sc.UserName
		case "team_domain":
			dst = &sc.TeamDomain
		case "channel_name":
			dst = &sc.ChannelName
		case "api_app_id":
			dst = &sc.APIAppID
		case "enterprise_id":
			dst = &sc.EnterpriseID
		case "enterprise_name":
			dst = &sc.EnterpriseName
		case "is_enterprise_install":
			sc.IsEnterpriseInstall = raw == "true"
			continue
		case "ssl_check":
			sslCheck = raw == "1"
			continue
		default: // token (deprecated) and fields Slack may add later
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
		if k == key {
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
