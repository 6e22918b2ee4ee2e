package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/slack-go/slack"
)

// APIConfig configures a SlackAPI.
type APIConfig struct {
	// Token is the bot token (xoxb-…), required.
	Token string
	// APIURL is the Web API base URL, ending in "/" (https://slack.com/api/).
	APIURL string
	// HTTPClient makes the calls (default: 15 s timeout). slack-go never
	// retries on its own: callers retry by Classify.
	HTTPClient *http.Client
	// Logger receives warnings (nil: discarded).
	Logger *slog.Logger
	// Now is the clock of the user cache (time.Now).
	Now func() time.Time
	// UserCacheTTL is how long users.info answers are kept (10 min;
	// unknown users 1 min, in case they are being invited).
	UserCacheTTL time.Duration
}

// SlackAPI is the Web API as the rest of kambot uses it: modals, posts,
// user checks, DMs. Errors keep slack-go's types wrapped with the method and
// target, so Classify can tell retryable from permanent ones.
type SlackAPI struct {
	client *slack.Client
	log    *slog.Logger
	now    func() time.Time
	ttl    time.Duration

	mu    sync.Mutex
	users map[string]userEntry // teamID + "/" + userID
}

type userEntry struct {
	exists  bool
	zone    string // users.info tz ("Asia/Tokyo"), "" when Slack gave none
	expires time.Time
}

const maxCachedUsers = 10_000

// NewSlackAPI builds the adapter.
func NewSlackAPI(cfg APIConfig) (*SlackAPI, error) {
	if cfg.Token == "" {
		return nil, errors.New("slack api: bot token is required (SLACK_BOT_TOKEN)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = slack.APIURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.UserCacheTTL <= 0 {
		cfg.UserCacheTTL = 10 * time.Minute
	}
	client := slack.New(cfg.Token, slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(cfg.HTTPClient))
	return &SlackAPI{client: client, log: cfg.Logger, now: cfg.Now, ttl: cfg.UserCacheTTL, users: map[string]userEntry{}}, nil
}

// Client is the underlying slack-go client, for calls the adapter lacks.
func (a *SlackAPI) Client() *slack.Client { return a.client }

// OpenView opens a modal for a trigger_id (views.open); it implements
// commands.Views. Call it before any slow work: a trigger expires in 3 s.
func (a *SlackAPI) OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	if triggerID == "" {
		return permanent("views.open: no trigger_id")
	}
	if _, err := a.client.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("views.open %q: %w", view.CallbackID, err)
	}
	return nil
}

// PushView opens a modal over the one the user has open (views.push); it
// implements commands.Views.
func (a *SlackAPI) PushView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	if triggerID == "" {
		return permanent("views.push: no trigger_id")
	}
	if _, err := a.client.PushViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("views.push %q: %w", view.CallbackID, err)
	}
	return nil
}

// PublishView sets a user's App Home tab (views.publish); hash, when not
// empty, makes Slack refuse the update if the view changed meanwhile.
func (a *SlackAPI) PublishView(ctx context.Context, userID string, view slack.HomeTabViewRequest, hash string) error {
	if userID == "" {
		return permanent("views.publish: no user")
	}
	req := slack.PublishViewContextRequest{UserID: userID, View: view}
	if hash != "" {
		req.Hash = &hash
	}
	if _, err := a.client.PublishViewContext(ctx, req); err != nil {
		return fmt.Errorf("views.publish for %s: %w", userID, err)
	}
	return nil
}

// PostMessage posts to a channel (chat.postMessage) and returns the
// message's ts. text is the notification fallback when blocks are given;
// it is sent as written (Slack markup such as <@U123> kept). opts add e.g.
// slack.MsgOptionMetadata or slack.MsgOptionTS (thread).
func (a *SlackAPI) PostMessage(ctx context.Context, channel, text string, blocks []slack.Block, opts ...slack.MsgOption) (string, error) {
	ts, _, err := a.Post(ctx, channel, text, blocks, opts...)
	return ts, err
}

// Post is PostMessage that also returns the ID of the conversation the
// message went to: channel itself, or for a user ID the bot's DM with them.
func (a *SlackAPI) Post(ctx context.Context, channel, text string, blocks []slack.Block, opts ...slack.MsgOption) (ts, channelID string, err error) {
	if channel == "" {
		return "", "", permanent("chat.postMessage: no channel")
	}
	if text == "" && len(blocks) == 0 {
		return "", "", permanent("chat.postMessage: nothing to post")
	}
	all := make([]slack.MsgOption, 0, len(opts)+2)
	all = append(all, slack.MsgOptionText(text, false))
	if len(blocks) > 0 {
		all = append(all, slack.MsgOptionBlocks(blocks...))
	}
	all = append(all, opts...)
	channelID, ts, err = a.client.PostMessageContext(ctx, channel, all...)
	if err != nil {
		return "", "", fmt.Errorf("chat.postMessage to %s: %w", channel, err)
	}
	return ts, channelID, nil
}

// maxHistoryPages bounds History: 50 pages of 200 messages.
const maxHistoryPages = 50

// History returns the messages of a conversation posted at or after oldest
// (all when zero), newest first, with their metadata: every page of
// conversations.history with include_all_metadata. For a user ID (U…, W…)
// it reads the bot's DM with the user. It also returns the conversation ID.
func (a *SlackAPI) History(ctx context.Context, channel string, oldest time.Time) ([]slack.Message, string, error) {
	if channel == "" {
		return nil, "", permanent("conversations.history: no channel")
	}
	if isUserID(channel) {
		dm, err := a.OpenDM(ctx, channel)
		if err != nil {
			return nil, "", err
		}
		channel = dm
	}
	p := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 200, Inclusive: true, IncludeAllMetadata: true}
	if !oldest.IsZero() {
		// Slack's ts is seconds.microseconds; a float64 would lose digits.
		us := oldest.UnixMicro()
		p.Oldest = fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
	}
	var msgs []slack.Message
	for page := 0; ; page++ {
		resp, err := a.client.GetConversationHistoryContext(ctx, p)
		if err != nil {
			return nil, channel, fmt.Errorf("conversations.history of %s: %w", channel, err)
		}
		msgs = append(msgs, resp.Messages...)
		next := resp.ResponseMetaData.NextCursor
		if !resp.HasMore || next == "" {
			return msgs, channel, nil
		}
		if page+1 == maxHistoryPages {
			a.log.Warn("conversations.history truncated", "channel", channel, "messages", len(msgs))
			return msgs, channel, nil
		}
		p.Cursor = next
	}
}

// isUserID tells user IDs (U…, W… in Enterprise Grid) from conversation
// IDs (C…, G…, D…).
func isUserID(id string) bool {
	return len(id) > 1 && (id[0] == 'U' || id[0] == 'W')
}

// UserExists reports whether a user ID names an active user (users.info);
// deactivated users count as absent. Answers are cached. teamID keys the
// cache: the token decides which workspace Slack looks in.
func (a *SlackAPI) UserExists(ctx context.Context, teamID, userID string) (bool, error) {
	e, err := a.user(ctx, teamID, userID)
	return e.exists, err
}

// UserZone is the user's own time zone as set in Slack (users.info tz),
// from the same cache as UserExists; nil when Slack gives none or names a
// zone this system does not know, so the caller falls back to the
// workspace zone.
func (a *SlackAPI) UserZone(ctx context.Context, teamID, userID string) (*time.Location, error) {
	e, err := a.user(ctx, teamID, userID)
	if err != nil || e.zone == "" {
		return nil, err
	}
	loc, err := time.LoadLocation(e.zone)
	if err != nil {
		a.log.Warn("users.info tz is not a known zone", "user", userID, "tz", e.zone)
		return nil, nil
	}
	return loc, nil
}

// user reads users.info through the cache.
func (a *SlackAPI) user(ctx context.Context, teamID, userID string) (userEntry, error) {
	if userID == "" {
		return userEntry{}, nil
	}
	key := teamID + "/" + userID
	now := a.now()
	a.mu.Lock()
	e, ok := a.users[key]
	a.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e, nil
	}
	u, err := a.client.GetUserInfoContext(ctx, userID)
	e = userEntry{exists: err == nil && !u.Deleted}
	if err != nil {
		if se, ok := errors.AsType[slack.SlackErrorResponse](err); !ok || (se.Err != "user_not_found" && se.Err != "user_not_visible") {
			return userEntry{}, fmt.Errorf("users.info %s: %w", userID, err)
		}
	} else {
		e.zone = u.TZ
	}
	ttl := a.ttl
	if !e.exists {
		ttl = min(ttl, time.Minute)
	}
	e.expires = now.Add(ttl)
	a.mu.Lock()
	if len(a.users) >= maxCachedUsers {
		for k, v := range a.users {
			if !now.Before(v.expires) {
				delete(a.users, k)
			}
		}
		if len(a.users) >= maxCachedUsers {
			clear(a.users)
		}
	}
	a.users[key] = e
	a.mu.Unlock()
	return e, nil
}

// OpenDM opens (or finds) the direct-message channel with a user
// (conversations.open) and returns its ID.
func (a *SlackAPI) OpenDM(ctx context.Context, userID string) (string, error) {
	if userID == "" {
		return "", permanent("conversations.open: no user")
	}
	ch, _, _, err := a.client.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
	if err != nil {
		return "", fmt.Errorf("conversations.open with %s: %w", userID, err)
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("conversations.open with %s: no channel in the answer", userID)
	}
	return ch.ID, nil
}

// permanentError is a call refused before it reached Slack.
type permanentError string

func (e permanentError) Error() string { return string(e) }

func permanent(msg string) error { return permanentError(msg) }

// Slack error codes that are worth retrying; every other ok:false code
// is permanent (channel_not_found, not_in_channel, is_archived,
// invalid_auth, account_inactive, user_not_found, missing_scope…).
var transientSlackErrors = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true, "timeout": true, "team_added_to_org": true,
}

// Classify tells a caller what to do with an error of a Web API call:
// permanent errors will fail again however often they are retried
// (channel_not_found, not_in_channel, is_archived, invalid_auth,
// account_inactive, user_not_found, a 4xx status…); the others — 429,
// 5xx, timeouts, network failures — are worth retrying, after retryAfter
// when Slack said how long to wait (zero: the caller's own backoff).
// A nil error, or the caller's own cancellation, is neither.
func Classify(err error) (retryAfter time.Duration, permanent bool) {
	if err == nil {
		return 0, false
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return rl.RetryAfter, false
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return 0, !(sc.Code == http.StatusTooManyRequests || sc.Code == http.StatusRequestTimeout || sc.Code >= 500)
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return 0, !transientSlackErrors[se.Err]
	}
	if _, ok := errors.AsType[permanentError](err); ok {
		return 0, true
	}
	switch {
	case errors.Is(err, slack.ErrParametersMissing), errors.Is(err, slack.ErrBlockIDNotUnique),
		errors.Is(err, slack.ErrInvalidConfiguration):
		return 0, true
	case errors.Is(err, context.Canceled):
		return 0, false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return 0, false
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return 0, false
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return 0, false
	}
	// Anything else (an unreadable answer from a proxy…) may pass on retry.
	return 0, false
}
