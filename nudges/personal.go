package nudges

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Personal schedules: a reminder DM goes out in its recipient's own
// morning (kam.DefaultReminderHour in their Slack zone, or the end of their
// quiet hours), and people who chose bundle get the day's reminders as one
// DM. The daily sweep queues what is due for people whose morning it is;
// an hourly pass queues the rest as each person's morning comes. Keys stay
// the nudges' own, so a reminder is still queued once per period.

// PrefsStore gives people's schedules, records their Slack zones and
// queues bundles; *store.DB implements it.
type PrefsStore interface {
	// UsersPrefs returns the workspace's people's settings by user ID.
	UsersPrefs(ctx context.Context, teamID string) (map[string]kam.UserPrefs, error)
	// SetUserZone records a person's Slack zone as read at checked.
	SetUserZone(ctx context.Context, teamID, userID, zone string, checked time.Time) error
	// QueueNudgeBundle records the nudges and queues the one message that
	// carries them, atomically; when the bundle's key was used already
	// (today's bundle went out) it queues and records nothing.
	QueueNudgeBundle(ctx context.Context, msgs []kam.NudgeMessage, bundle kam.OutboxMessage) (bool, error)
}

// Zones reads a person's Slack time zone (users.info tz).
type Zones interface {
	UserZone(ctx context.Context, teamID, userID string) (*time.Location, error)
}

// Limits of the personal pass.
const (
	// zoneRecheck is how old a stored zone may be before Slack is asked
	// again: people travel, and change their zone.
	zoneRecheck = 24 * time.Hour
	// maxZoneLookups bounds users.info calls per workspace and pass.
	maxZoneLookups = 200
	// maxBundleItems is how many reminders a bundle lists one by one, each
	// a section with its button; the rest are named in a closing line.
	maxBundleItems = 40
)

// isUser tells a DM recipient (a user ID) from a channel.
func isUser(id string) bool { return len(id) > 1 && (id[0] == 'U' || id[0] == 'W') }

// personalise holds back the DMs whose recipient's morning has not come,
// queues bundles for those who chose one, and returns the messages to
// queue one by one.
func (s *Scheduler) personalise(ctx context.Context, team string, cands []candidate, msgs []kam.NudgeMessage, now time.Time, rep *SweepReport) ([]kam.NudgeMessage, error) {
	prefs, err := s.cfg.Prefs.UsersPrefs(ctx, team)
	if err != nil {
		return nil, err
	}
	lookups := 0
	var keep []kam.NudgeMessage
	bundles := map[string][]int{}
	var order []string
	for i, c := range cands {
		user := c.to.id
		if !isUser(user) {
			keep = append(keep, msgs[i])
			continue
		}
		p, ok := prefs[user]
		if !ok {
			p = kam.DefaultPrefs(team, user)
		}
		if s.refreshZone(ctx, &p, now, &lookups) {
			prefs[user] = p
		}
		switch {
		case !p.ReminderDue(now, s.cfg.TZ):
			rep.Deferred++
		case p.Bundle:
			if bundles[user] == nil {
				order = append(order, user)
			}
			bundles[user] = append(bundles[user], i)
		default:
			keep = append(keep, msgs[i])
		}
	}
	for _, user := range order {
		if err := s.queueBundle(ctx, team, prefs[user], cands, msgs, bundles[user], now, rep); err != nil {
			return nil, err
		}
	}
	return keep, nil
}

// refreshZone reads the person's Slack zone when the stored one is older
// than a day, within the pass's lookup budget; it reports a change of p.
func (s *Scheduler) refreshZone(ctx context.Context, p *kam.UserPrefs, now time.Time, lookups *int) bool {
	if s.cfg.Zones == nil || now.Sub(p.ZoneChecked) < zoneRecheck || *lookups >= maxZoneLookups {
		return false
	}
	*lookups++
	loc, err := s.cfg.Zones.UserZone(ctx, p.TeamID, p.UserID)
	if err != nil {
		s.log.Warn("user time zone unknown; using the stored or workspace zone", "team", p.TeamID, "user", p.UserID, "err", err)
		return false
	}
	zone := ""
	if loc != nil {
		zone = loc.String()
	}
	if err := s.cfg.Prefs.SetUserZone(ctx, p.TeamID, p.UserID, zone, now); err != nil {
		s.log.Warn("record user time zone", "team", p.TeamID, "user", p.UserID, "err", err)
		return false
	}
	p.Zone, p.ZoneChecked = zone, now
	return true
}

// queueBundle queues one DM carrying the person's due reminders, keyed by
// their local day: a second pass the same day finds it sent, and what
// came due since waits for the next morning.
func (s *Scheduler) queueBundle(ctx context.Context, team string, p kam.UserPrefs, cands []candidate, msgs []kam.NudgeMessage, idx []int, now time.Time, rep *SweepReport) error {
	loc := p.Location(s.cfg.TZ)
	items := make([]kam.NudgeMessage, len(idx))
	blocks := []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType,
		fmt.Sprintf("Your reminders for %s", format.Date(now, loc)), false, false))}
	for n, i := range idx {
		items[n] = msgs[i]
		if n < maxBundleItems {
			blocks = append(blocks, bundleLine(team, cands[i]))
		}
	}
	if extra := len(idx) - maxBundleItems; extra > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(fmt.Sprintf("…and %d more — your Home tab lists them all.", extra))))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwnText("One message a day, as you asked (`/kam prefs bundle=off` for one each) · *Open account* for its buttons")))
	bj, _ := json.Marshal(blocks) // slack-go blocks always marshal
	bundle := kam.OutboxMessage{TeamID: team, Key: fmt.Sprintf("nudge-bundle:%s:%s", p.UserID, format.Date(now, loc)),
		Channel: p.UserID, Text: fmt.Sprintf("%d reminders for today", len(idx)), Blocks: bj}
	queued, err := s.cfg.Prefs.QueueNudgeBundle(ctx, items, bundle)
	if err != nil {
		return fmt.Errorf("queue reminders of %s: %w", p.UserID, err)
	}
	if !queued {
		rep.Deferred += len(idx)
		return nil
	}
	rep.Bundles++
	rep.Queued += len(idx)
	for _, m := range items {
		rep.ByKind[m.Key.Kind]++
	}
	return nil
}

// bundleLine is one reminder of a bundle: what is due, why this person,
// and the button that opens the account with its actions.
func bundleLine(team string, c candidate) slack.Block {
	d := *c.d
	text := fmt.Sprintf("%s *%s — %s*\n%s · _%s_", kindEmoji[c.k.Kind], c.k.Kind.Title(), format.Mrkdwn(d.account.Name), capitalize(d.fact), c.to.why)
	btn := slack.NewButtonBlockElement(ActionOpen, ButtonValueOf(team, c.k).Encode(), slack.NewTextBlockObject(slack.PlainTextType, "Open account", false, false))
	return slack.NewSectionBlock(mrkdwnText(text), nil, slack.NewAccessory(btn))
}
