package nudges

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// kindEmoji marks each kind of nudge at a glance.
var kindEmoji = map[kam.NudgeKind]string{
	kam.NudgePlanReview: ":spiral_note_pad:",
	kam.NudgeSurvey:     ":bar_chart:",
	kam.NudgeNoContact:  ":telephone_receiver:",
	kam.NudgeStalled:    ":hourglass_flowing_sand:",
	kam.NudgePastClose:  ":calendar:",
	kam.NudgeTactic:     ":dart:",
	kam.NudgeSponsor:    ":handshake:",
}

// renderNudge builds one recipient's message of a due nudge: what is due
// and why, what to do, why this recipient, and the four buttons.
func renderNudge(teamID string, d dueNudge, to recipient, k kam.NudgeKey) kam.NudgeMessage {
	title := fmt.Sprintf("%s — %s", k.Kind.Title(), format.Mrkdwn(d.account.Name))
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwnText(fmt.Sprintf("%s *%s*\n%s", kindEmoji[k.Kind], title, capitalize(d.fact))), nil, nil),
	}
	if d.hint != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(d.hint)))
	}
	why := capitalize(to.why) + fmt.Sprintf(" · `/kam show %s`", d.account.Slug)
	if k.Round != "" {
		why += " · reminder after a snooze"
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(why)), Buttons(ButtonValueOf(teamID, k)))

	bj, _ := json.Marshal(blocks) // slack-go blocks always marshal
	meta, _ := json.Marshal(map[string]any{"nudge": k.KindItem(), "account": k.AccountID, "period": k.Period})
	return kam.NudgeMessage{
		TeamID:   teamID,
		Key:      k,
		Text:     fmt.Sprintf("%s: %s", title, d.fact),
		Blocks:   bj,
		Metadata: meta,
	}
}

func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// capitalize upper-cases the first letter of a sentence that starts with one.
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
