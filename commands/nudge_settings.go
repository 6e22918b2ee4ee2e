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

// Survey cadences /kam nudges survey= takes by name, in days.
var surveyCadenceNames = map[string]int{
	"quarterly":   91,
	"half-yearly": 182,
	"yearly":      365,
	"default":     0,
}

// Bounds of a survey cadence in days, as the store enforces them.
const (
	minSurveyDays = 30
	maxSurveyDays = 730
)

func nudgesCommand(h *nudgeHandlers) Command {
	return Command{
		Name:    "nudges",
		Aliases: []string{"reminders"},
		Usage:   "nudges [survey=<days>|quarterly|half-yearly|yearly|default]",
		Summary: "What kambot reminds people of, and when; admins set the survey cadence.",
		Details: "Reminders arrive as DMs (and in the account channel) with buttons: *Mark reviewed*, *Log an interaction*, " +
			"*Snooze a week*, *Open account*. Handling a reminder quiets it for its period, for everyone who got it.\n" +
			fmt.Sprintf("*survey*: how often each account is surveyed, %d–%d days; a yearly cadence reminds 30 days early, "+
				"ahead of the annual plan update. `default` goes back to yearly.", minSurveyDays, maxSurveyDays),
		Examples: []string{"nudges", "nudges survey=180", "nudges survey=default"},
		Run:      h.runNudges,
	}
}

// runNudges shows the nudge settings or, for admins, changes the survey
// cadence.
func (h *nudgeHandlers) runNudges(ctx context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, []string{"survey"}, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	if tok, ok := opts["survey"]; ok {
		if err := c.Allow(kam.Account{}, "", AccessAdmin, "change the survey cadence"); err != nil {
			return Reply{}, err
		}
		days, err := parseSurveyCadence(tok.Value)
		if err != nil {
			return Reply{}, err
		}
		if err := h.cfg.Store.SetSurveyEveryDays(ctx, c.TeamID, days, c.UserID); err != nil {
			return Reply{}, nudgeErr(err, "set survey cadence")
		}
		what := fmt.Sprintf("Satisfaction surveys are now due every %d days.", days)
		if days == 0 {
			what = fmt.Sprintf("Satisfaction surveys are back to the default: every %d days.", int(h.cfg.SurveyEvery/(24*time.Hour)))
		}
		return Reply{Blocks: []slack.Block{section(what + " The next daily sweep applies it.")}}, nil
	}
	days, err := h.cfg.Store.SurveyEveryDays(ctx, c.TeamID)
	if err != nil {
		return Reply{}, fmt.Errorf("read survey cadence: %w", err)
	}
	return Reply{Blocks: h.nudgesBlocks(days, c.Admin)}, nil
}

// parseSurveyCadence reads survey=: a number of days ("180", "180d") or a
// name.
func parseSurveyCadence(s string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if d, ok := surveyCadenceNames[v]; ok {
		return d, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(v, "days"), "d"))
	if err != nil || n < minSurveyDays || n > maxSurveyDays {
		return 0, kam.Errorf(kam.EINVALID, "The survey cadence is a number of days from %d to %d, or quarterly, half-yearly, yearly or default — e.g. `/kam nudges survey=180` (got “%s”).",
			minSurveyDays, maxSurveyDays, show(s, 30))
	}
	return n, nil
}

// nudgesBlocks renders /kam nudges.
func (h *nudgeHandlers) nudgesBlocks(surveyDays int, admin bool) []slack.Block {
	survey := fmt.Sprintf("every %d days (the default)", int(h.cfg.SurveyEvery/(24*time.Hour)))
	if surveyDays > 0 {
		survey = fmt.Sprintf("every %d days (set for this workspace)", surveyDays)
	}
	lines := []string{
		"• *Plan review due* — by the account's review cadence · the KAM, the account channel",
		"• *No contact within the cadence* — weekly 7, monthly 30, quarterly 91 days · the KAM, the account channel",
		"• *Opportunity stalled* — identified, qualified and closing 30 days in a stage, pursuing 45 · its owner, the account channel",
		"• *Opportunity past its close date* — weekly while open · its owner",
		"• *Tactic due* — on its due day, then weekly · its owner",
		"• *Executive sponsor out of touch* — no contact in 91 days · the sponsor and the KAM, once a quarter",
		"• *Satisfaction survey due* — " + survey + " · the KAM",
	}
	blocks := []slack.Block{header("Reminders")}
	if h.cfg.Schedule != "" {
		blocks = append(blocks, section("*Schedule:* "+format.Mrkdwn(h.cfg.Schedule)))
	}
	blocks = append(blocks, listBlocks("*What kambot reminds of, and whom*", lines, 1, nil)...)
	hint := "Each reminder has buttons: *Mark reviewed*, *Log an interaction*, *Snooze a week*, *Open account*. Handling one quiets it for its period, for everyone who got it."
	if admin {
		hint += " Change the survey cadence with `/kam nudges survey=180` (or quarterly, half-yearly, yearly, default)."
	}
	return append(blocks, contextBlock(hint))
}
