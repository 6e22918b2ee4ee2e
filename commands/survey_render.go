package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// surveyQuoteLen bounds a comment quoted in a list or an alert.
const surveyQuoteLen = 300

// surveyMessage is the survey post: the question, eleven score buttons and
// "Add a comment". Every button carries the survey's ID and token.
func surveyMessage(a kam.Account, s kam.Survey, loc *time.Location) []slack.Block {
	scores := make([]slack.BlockElement, 0, 11)
	for n := 0; n <= 10; n++ {
		scores = append(scores, slack.NewButtonBlockElement(surveyScorePrefix+strconv.Itoa(n), scoreValue(s, n), plain(strconv.Itoa(n))))
	}
	comment := slack.NewButtonBlockElement(surveyCommentID, fmt.Sprintf("%d:%s", s.ID, s.Token), plain("Add a comment"))
	return []slack.Block{
		section(fmt.Sprintf("*How likely are you to recommend us to a friend or colleague?*\nA quick question about our work with *%s*: "+
			"pick a number from 0 (not at all likely) to 10 (extremely likely).", format.Mrkdwn(a.Name))),
		slack.NewActionBlock(surveyScoresBlock, scores...),
		slack.NewActionBlock(surveyMoreBlock, comment),
		contextBlock(fmt.Sprintf("Each person's answer counts once; pick again to change yours. Open until %s. "+
			"Your answer goes to the team that looks after %s.", dateText(s.ClosesAt, loc), format.Mrkdwn(a.Name))),
	}
}

// surveyModal is the comment form; prev pre-fills the respondent's answer.
func surveyModal(a kam.Account, prev *kam.SurveyAnswer, meta string) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, 0, 11)
	for n := 0; n <= 10; n++ {
		label := strconv.Itoa(n)
		switch n {
		case 0:
			label += " — not at all likely"
		case 10:
			label += " — extremely likely"
		}
		opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(n), plain(label), nil))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick 0–10"), surveyInputAction, opts...)
	text := slack.NewPlainTextInputBlockElement(plain("What is the main reason for your score?"), surveyInputAction)
	text.Multiline = true
	text.MaxLength = kam.MaxSurveyComment
	if prev != nil {
		sel.InitialOption = opts[prev.Score]
		text.InitialValue = prev.Comment
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      surveyCommentID,
		Title:           plain("Your feedback"),
		Submit:          plain("Send"),
		Close:           plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("About our work with *%s*.", format.Mrkdwn(a.Name))),
			slack.NewInputBlock(surveyScoreInput, plain("How likely are you to recommend us?"), nil, sel),
			slack.NewInputBlock(surveyTextInput, plain("Your comment"), plain(fmt.Sprintf("At most %d characters.", kam.MaxSurveyComment)), text),
		}},
	}
}

// detractorAlert is the DM a detractor answer sends the account's owner;
// s is nil for an answer recorded outside Slack. followUp marks the DM
// that passes on a comment added after the answer was first alerted.
func detractorAlert(a kam.Account, s *kam.Survey, ans kam.SurveyAnswer, followUp bool, loc *time.Location) []slack.Block {
	var text string
	if s != nil {
		where := "in " + channelRefText(s.ChannelID)
		if s.UserID != "" {
			where = "sent by DM"
		}
		title := "Detractor answer for"
		if followUp {
			title = "New comment on a detractor answer for"
		}
		text = fmt.Sprintf(":warning: *%s %s*\n%s answered *%d* out of 10 to the survey %s on %s.",
			title, format.Mrkdwn(a.Name), mention(ans.UserID), ans.Score, where, dateText(s.SentAt, loc))
	} else {
		who := "A respondent"
		if ans.Contact != "" {
			who = format.Mrkdwn(ans.Contact)
		}
		text = fmt.Sprintf(":warning: *Detractor answer for %s*\n%s gave *%d* out of 10 on %s (recorded by %s).",
			format.Mrkdwn(a.Name), who, ans.Score, format.Date(ans.At, loc), mention(ans.RecordedBy))
	}
	blocks := []slack.Block{section(text)}
	if ans.Comment != "" {
		blocks = append(blocks, section(quote(clip(ans.Comment, surveyQuoteLen*3))))
	}
	return append(blocks, contextBlock(fmt.Sprintf("Reach out soon. Every answer: `/kam survey %s` · Health: `/kam health %s`.", a.Slug, a.Slug)))
}

// quote renders text as a mrkdwn block quote.
func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "> " + format.Mrkdwn(l)
	}
	return strings.Join(lines, "\n")
}

// satisfactionBlocks renders /kam survey <account>: NPS, trend, latest
// answers and surveys. answers and surveys may hold one more than shown,
// to tell whether there are more.
func satisfactionBlocks(a kam.Account, sum *kam.NPSSummary, answers []kam.SurveyAnswer, surveys []kam.Survey, now time.Time, loc *time.Location) []slack.Block {
	blocks := []slack.Block{header("Satisfaction — " + a.Name)}
	if sum == nil && len(answers) == 0 {
		return append(blocks, section(fmt.Sprintf("No survey yet for *%s*. Ask the NPS question with `/kam survey %s send #channel` (or `@person`), "+
			"or record an answer given elsewhere with `/kam survey %s record 8 \"comment\" contact=\"Jane Doe\"`.", format.Mrkdwn(a.Name), a.Slug, a.Slug)))
	}
	npsText, trend := "no answers in the last 12 months", "—"
	if sum != nil && sum.Responses > 0 {
		npsText = format.NPS(sum.NPS) + " " + format.Answers(sum.Responses)
		if sum.PreviousNPS != nil {
			trend = fmt.Sprintf("%s on the 12 months before (%s)", format.NPSDelta(sum.NPS-*sum.PreviousNPS), format.NPS(*sum.PreviousNPS))
		}
	}
	open := 0
	for i, s := range surveys {
		if i < surveysShown && s.Open(now) {
			open++
		}
	}
	latest := "—"
	if len(answers) > 0 {
		latest = fmt.Sprintf("%d (%s) on %s", answers[0].Score, npsCategory(answers[0].Score), format.Date(answers[0].At, loc))
	}
	blocks = append(blocks, fields(
		"*NPS, last 12 months*\n"+npsText,
		"*Trend*\n"+trend,
		"*Latest answer*\n"+latest,
		"*Open surveys*\n"+strconv.Itoa(open),
	))
	if len(answers) > 0 {
		lines := make([]string, 0, surveyAnswersShown)
		for i, an := range answers {
			if i == surveyAnswersShown {
				break
			}
			lines = append(lines, answerLine(an, loc))
		}
		title := "*Latest answers*"
		if len(answers) > surveyAnswersShown {
			title = fmt.Sprintf("*Latest %d answers*", surveyAnswersShown)
		}
		blocks = append(blocks, listBlocks(title, lines, 2, nil)...)
	}
	if len(surveys) > 0 {
		lines := make([]string, 0, surveysShown)
		for i, s := range surveys {
			if i == surveysShown {
				break
			}
			to := channelRefText(s.ChannelID)
			if s.UserID != "" {
				to = mention(s.UserID) + " by DM"
			}
			state := "open until " + format.Date(s.ClosesAt, loc)
			if !s.Open(now) {
				state = "closed " + format.Date(s.ClosesAt, loc)
			}
			lines = append(lines, fmt.Sprintf("• %s — sent %s by %s, %s", to, format.Date(s.SentAt, loc), mention(s.SentBy), state))
		}
		title := "*Surveys*"
		if len(surveys) > surveysShown {
			title = fmt.Sprintf("*Latest %d surveys*", surveysShown)
		}
		blocks = append(blocks, listBlocks(title, lines, 1, nil)...)
	}
	return append(blocks, contextBlock(fmt.Sprintf("NPS counts each person once, by their latest answer. Ask: `/kam survey %s send` · Record: `/kam survey %s record &lt;0-10&gt; \"comment\" contact=\"&lt;name&gt;\"`.",
		a.Slug, a.Slug)))
}

// answerLine is one answer in the list of /kam survey <account>.
func answerLine(an kam.SurveyAnswer, loc *time.Location) string {
	mark := ""
	if an.Detractor() {
		mark = " :warning:"
	}
	who := mention(an.UserID)
	switch {
	case an.UserID != "":
	case an.Contact != "":
		who = format.Mrkdwn(an.Contact) + " (recorded by " + mention(an.RecordedBy) + ")"
	default:
		who = "unnamed (recorded by " + mention(an.RecordedBy) + ")"
	}
	line := fmt.Sprintf("• *%d*%s — %s, %s", an.Score, mark, who, format.Date(an.At, loc))
	if an.Comment != "" {
		line += ": “" + format.Mrkdwn(clip(strings.Join(strings.Fields(an.Comment), " "), surveyQuoteLen)) + "”"
	}
	return line
}

// npsCategory names the kind of answer a score is.
func npsCategory(score int) string {
	switch {
	case score >= 9:
		return "promoter"
	case score >= 7:
		return "passive"
	}
	return "detractor"
}
