package kam

import (
	"strconv"
	"time"
)

// Survey rules.
const (
	// SurveyOpenFor is how long a survey takes answers after it is sent;
	// a click on an older one is refused and changes nothing.
	SurveyOpenFor = 30 * 24 * time.Hour
	// SurveyResendAfter is how long after a survey the same account and
	// recipient may be asked again: asking twice a week annoys customers.
	SurveyResendAfter = 7 * 24 * time.Hour
	// MaxSurveyComment bounds an answer's comment, in characters.
	MaxSurveyComment = 1000
	// MinSurveyEveryDays and MaxSurveyEveryDays bound a workspace's survey
	// cadence, in days.
	MinSurveyEveryDays = 30
	MaxSurveyEveryDays = 730
	// NPSPeriod is the span an account's NPS covers; the trend compares it
	// with the span before.
	NPSPeriod = 365 * 24 * time.Hour
)

// Survey is one NPS question sent to a channel (a Slack Connect channel
// shared with the customer, say) or to one person by DM.
type Survey struct {
	ID        int64
	TeamID    string
	AccountID int64
	ChannelID string // the channel asked; "" for a DM
	UserID    string // the person asked by DM; "" for a channel
	// Token is random and travels in the survey's buttons: with the ID it
	// identifies the survey whichever workspace the click comes from.
	Token    string
	SentBy   string
	SentAt   time.Time
	ClosesAt time.Time
	// MessageTS and MessageChannel say where the post landed; empty until
	// the outbox has delivered it.
	MessageTS      string
	MessageChannel string
}

// Recipient is the channel or the person the survey went to.
func (s Survey) Recipient() string {
	if s.ChannelID != "" {
		return s.ChannelID
	}
	return s.UserID
}

// Open reports whether the survey still takes answers at now.
func (s Survey) Open(now time.Time) bool { return now.Before(s.ClosesAt) }

// SurveyAnswer is one respondent's answer to a survey, or an answer
// recorded by hand from a survey taken outside Slack (SurveyID 0).
type SurveyAnswer struct {
	ID        int64
	TeamID    string
	AccountID int64
	SurveyID  int64 // 0 for an answer recorded outside Slack
	// Respondent identifies who answered, for counting each person once:
	// "user:<Slack ID>" for a click, "contact:<name>" or "anon:<token>" for a
	// recorded answer.
	Respondent string
	UserID     string // Slack user who clicked; "" for a recorded answer
	UserTeam   string // the clicker's own workspace, which differs in Slack Connect
	Contact    string // stakeholder's name, as typed; "" when unknown
	Score      int    // 0–10
	Comment    string
	RecordedBy string // who recorded an answer taken outside Slack
	CreatedAt  time.Time
	At         time.Time // the latest answer: a second click moves it
}

// Detractor reports whether the answer is a detractor (0–6).
func (a SurveyAnswer) Detractor() bool { return Detractor(a.Score) }

// NPSAnswer is the answer as health reads it.
func (a SurveyAnswer) NPSAnswer() NPSAnswer {
	return NPSAnswer{Score: a.Score, Comment: a.Comment, Contact: a.Contact, UserID: a.UserID, At: a.At}
}

// RespondentUser is the respondent key of a Slack user.
func RespondentUser(userID string) string { return "user:" + userID }

// SurveyKey is the outbox key of a survey's post.
func SurveyKey(id int64) string { return "survey:" + strconv.FormatInt(id, 10) }

// NPSStats is the net promoter score of a set of answers.
type NPSStats struct {
	NPS        float64 // −100…100, one decimal: % promoters − % detractors
	Responses  int     // respondents counted
	Promoters  int     // 9–10
	Passives   int     // 7–8
	Detractors int     // 0–6
}

// ScoreNPS computes the NPS of the answers given after from and not after
// to, counting each respondent of an account once, by their latest answer
// in that span: a customer who answers every survey is one voice, not many.
func ScoreNPS(answers []SurveyAnswer, from, to time.Time) NPSStats {
	type who struct {
		account    int64
		respondent string
	}
	latest := make(map[who]SurveyAnswer)
	for _, a := range answers {
		if !a.At.After(from) || a.At.After(to) {
			continue
		}
		k := who{a.AccountID, a.Respondent}
		if p, ok := latest[k]; !ok || a.At.After(p.At) || (a.At.Equal(p.At) && a.ID > p.ID) {
			latest[k] = a
		}
	}
	var st NPSStats
	scores := make([]int, 0, len(latest))
	for _, a := range latest {
		scores = append(scores, a.Score)
		switch {
		case a.Score >= 9:
			st.Promoters++
		case a.Score >= 7:
			st.Passives++
		default:
			st.Detractors++
		}
	}
	st.Responses = len(scores)
	st.NPS = NPSOf(scores)
	return st
}
