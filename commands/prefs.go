package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// PrefsStore is what /kam prefs and the Home's schedule form need of
// persistence; *store.DB implements it.
type PrefsStore interface {
	// UserPrefs returns a person's settings; kam.DefaultPrefs when none.
	UserPrefs(ctx context.Context, teamID, userID string) (kam.UserPrefs, error)
	// SetUserPrefs saves the digest, quiet hours and bundle settings.
	SetUserPrefs(ctx context.Context, p kam.UserPrefs, actor string) error
}

// PrefsConfig configures /kam prefs.
type PrefsConfig struct {
	// Store is required.
	Store PrefsStore
	// WorkspaceDigest says when the workspace digest runs, for people who
	// keep it ("Mondays 08:00 Europe/Berlin"); optional.
	WorkspaceDigest string
	// Changed is told after someone saved their settings (their Home is
	// refreshed); optional.
	Changed func(teamID, userID string)
}

const prefsUsage = "prefs [digest=<day> <hour>|default] [quiet=<hh-hh>|off] [bundle=on|off]"

// PrefsExtension adds /kam prefs.
func PrefsExtension(cfg PrefsConfig) Extension {
	if cfg.Store == nil {
		panic("commands: PrefsExtension needs a Store")
	}
	p := &prefsHandler{cfg: cfg}
	return Extension{Commands: []Command{{
		Name:    "prefs",
		Aliases: []string{"preferences", "settings"},
		Usage:   prefsUsage,
		Summary: "Your own schedule: when your digest arrives, quiet hours, and one morning DM of reminders.",
		Details: "Times are in your own Slack time zone. *digest*: the day and hour your weekly digest arrives " +
			"(`default` follows the workspace). *quiet*: hours with no reminder or digest, e.g. `22-07`. " +
			"*bundle*: `on` sends all of the day's reminders as one morning DM instead of one DM each. " +
			"Your Home tab shows these too.",
		Examples: []string{"prefs", "prefs digest=friday 16", "prefs quiet=22-07 bundle=on", "prefs digest=default quiet=off"},
		Run:      p.run,
	}}}
}

type prefsHandler struct{ cfg PrefsConfig }

// run shows the caller's settings or changes those named; a bad value
// changes nothing.
func (h *prefsHandler) run(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	p, err := h.cfg.Store.UserPrefs(ctx, c.TeamID, c.UserID)
	if err != nil {
		return Reply{}, fmt.Errorf("read prefs: %w", err)
	}
	if len(toks) == 0 {
		return Reply{Blocks: h.blocks(p, c.Loc, "")}, nil
	}
	changed, err := applyPrefs(&p, toks)
	if err != nil {
		return Reply{}, err
	}
	if err := h.cfg.Store.SetUserPrefs(ctx, p, c.UserID); err != nil {
		return Reply{}, fmt.Errorf("save prefs: %w", err)
	}
	if h.cfg.Changed != nil {
		h.cfg.Changed(c.TeamID, c.UserID)
	}
	return Reply{Blocks: h.blocks(p, c.Loc, "Saved: "+strings.Join(changed, ", ")+".")}, nil
}

// applyPrefs sets the named settings on p and returns what changed, in
// words; the first bad token is an error and p is then not to be saved.
func applyPrefs(p *kam.UserPrefs, toks []Token) ([]string, error) {
	seen := map[string]bool{}
	var changed []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Key == "" {
			return nil, prefsErr("Unexpected “%s” — settings go with a key: digest=, quiet= or bundle=", show(t.Value, 30))
		}
		if seen[t.Key] {
			return nil, prefsErr("%s= is given twice — give each setting once", show(t.Key, 20))
		}
		seen[t.Key] = true
		switch t.Key {
		case "digest":
			v := t.Value
			// "digest=friday 16": the hour is the next bare word.
			if !strings.ContainsAny(v, " @") && i+1 < len(toks) && toks[i+1].Key == "" {
				v += " " + toks[i+1].Value
				i++
			}
			day, hour, err := parseDigestPref(v)
			if err != nil {
				return nil, err
			}
			p.DigestDay, p.DigestHour = day, hour
			changed = append(changed, "digest "+digestPhrase(*p, ""))
		case "quiet":
			from, to, err := parseQuiet(t.Value)
			if err != nil {
				return nil, err
			}
			p.QuietFrom, p.QuietTo = from, to
			changed = append(changed, "quiet hours "+quietPhrase(*p))
		case "bundle":
			on, err := parseOnOff(t.Value)
			if err != nil {
				return nil, err
			}
			p.Bundle = on
			changed = append(changed, "reminders "+bundlePhrase(*p))
		default:
			msg := fmt.Sprintf("Unknown setting “%s=”", show(t.Key, 20))
			if s := closest(t.Key, []string{"digest", "quiet", "bundle"}); s != "" {
				msg += fmt.Sprintf(" — did you mean %s=?", s)
			}
			return nil, prefsErr("%s Settings: digest=, quiet=, bundle=", msg)
		}
	}
	return changed, nil
}

func prefsErr(format string, args ...any) error {
	return kam.Errorf(kam.EINVALID, "%s — e.g. `/kam prefs digest=friday 16 quiet=22-07 bundle=on`.", fmt.Sprintf(format, args...))
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// parseDigestPref reads "friday 16", "fri 4pm", "mon@08:00" or "default".
func parseDigestPref(s string) (time.Weekday, int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "default", "off", "workspace":
		return time.Monday, kam.NoHour, nil
	}
	dayWord, hourWord, ok := strings.Cut(strings.Replace(v, "@", " ", 1), " ")
	var day time.Weekday
	found := false
	if len(dayWord) >= 3 {
		for name, d := range weekdays {
			if strings.HasPrefix(name, dayWord) {
				day, found = d, true
			}
		}
	}
	if !found {
		return 0, 0, prefsErr("The digest day “%s” is not a day of the week: give it as monday … sunday (or mon … sun) and an hour, or default", show(dayWord, 20))
	}
	if !ok || strings.TrimSpace(hourWord) == "" {
		return 0, 0, prefsErr("Give the digest an hour after the day, e.g. `digest=%s 8` for 08:00", dayWord)
	}
	hour, err := parseHour(hourWord)
	if err != nil {
		return 0, 0, err
	}
	return day, hour, nil
}

// parseHour reads a whole local hour: "8", "08", "08:00", "8am", "4pm".
func parseHour(s string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	pm := strings.HasSuffix(v, "pm")
	am := strings.HasSuffix(v, "am")
	v = strings.TrimSuffix(strings.TrimSuffix(v, "pm"), "am")
	v = strings.TrimSuffix(strings.TrimSuffix(v, ":00"), "h")
	h, err := strconv.Atoi(v)
	switch {
	case err != nil || h < 0 || h > 23 || (am || pm) && (h < 1 || h > 12):
		return 0, prefsErr("“%s” is not an hour: give a whole hour from 0 to 23 (or 1am … 12pm), like 8, 08:00 or 4pm", show(s, 20))
	case pm && h != 12:
		h += 12
	case am && h == 12:
		h = 0
	}
	return h, nil
}

// parseQuiet reads "22-07", "22:00-07:00" or "off".
func parseQuiet(s string) (int, int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "off", "none", "no":
		return kam.NoHour, kam.NoHour, nil
	}
	a, b, ok := strings.Cut(strings.ReplaceAll(v, "–", "-"), "-")
	if !ok {
		return 0, 0, prefsErr("Quiet hours are a start and an end hour, like `quiet=22-07`, or `quiet=off` (got “%s”)", show(s, 20))
	}
	from, err := parseHour(a)
	if err != nil {
		return 0, 0, err
	}
	to, err := parseHour(b)
	if err != nil {
		return 0, 0, err
	}
	if from == to {
		return 0, 0, prefsErr("Quiet hours from %02d:00 to %02d:00 are empty: give two different hours, or `quiet=off`", from, to)
	}
	return from, to, nil
}

func parseOnOff(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "yes", "true":
		return true, nil
	case "off", "no", "false":
		return false, nil
	}
	return false, prefsErr("bundle= takes on or off (got “%s”)", show(s, 20))
}

// digestPhrase says when the person's digest arrives.
func digestPhrase(p kam.UserPrefs, workspace string) string {
	if !p.OwnDigest() {
		if workspace != "" {
			return "on the workspace schedule (" + format.Mrkdwn(workspace) + ")"
		}
		return "on the workspace schedule"
	}
	return fmt.Sprintf("%ss at %02d:00", p.DigestDay, p.DigestHour)
}

func quietPhrase(p kam.UserPrefs) string {
	if !p.HasQuiet() {
		return "none"
	}
	return fmt.Sprintf("%02d:00–%02d:00", p.QuietFrom, p.QuietTo)
}

func bundlePhrase(p kam.UserPrefs) string {
	if p.Bundle {
		return fmt.Sprintf("in one morning DM at %02d:00", p.ReminderHour())
	}
	return fmt.Sprintf("one DM each, from %02d:00", p.ReminderHour())
}

// prefsLines describes the settings, one line each.
func prefsLines(p kam.UserPrefs, loc *time.Location, workspace string) []string {
	return []string{
		"*Time zone:* " + format.Mrkdwn(loc.String()) + " _(your Slack profile's)_",
		"*Reminders:* " + bundlePhrase(p),
		"*Weekly digest:* " + digestPhrase(p, workspace),
		"*Quiet hours:* " + quietPhrase(p),
	}
}

// blocks renders /kam prefs.
func (h *prefsHandler) blocks(p kam.UserPrefs, loc *time.Location, saved string) []slack.Block {
	blocks := []slack.Block{header("Your schedule")}
	if saved != "" {
		blocks = append(blocks, section(":white_check_mark: "+saved))
	}
	blocks = append(blocks, section(strings.Join(prefsLines(p, loc, h.cfg.WorkspaceDigest), "\n")))
	return append(blocks, contextBlock("Change with `/kam prefs digest=friday 16 quiet=22-07 bundle=on` · "+
		"`digest=default` follows the workspace · times are in your own zone"))
}
