package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

// Editor edits and deletes posts the outbox made (chat.update,
// chat.delete). Both are idempotent, so an edit whose outcome is unknown is
// simply sent again: it needs no history check.
type Editor interface {
	UpdateMessage(ctx context.Context, channel, ts, text string, blocks []slack.Block) error
	DeleteMessage(ctx context.Context, channel, ts string) error
}

// isEdit reports whether m edits or deletes an earlier post.
func isEdit(m kam.OutboxMessage) bool { return m.Op == kam.OutboxUpdate || m.Op == kam.OutboxDelete }

// edit sends an update or delete of the post m.Target. The target sits
// earlier in the same channel's queue, so it is settled by now: if Slack
// never got it (failed, or pruned) there is nothing to edit and m is done.
func (s *Sender) edit(ctx, work context.Context, m kam.OutboxMessage, log *slog.Logger) {
	if ctx.Err() != nil {
		s.release(m, noVerify, log)
		return
	}
	if s.cfg.Editor == nil {
		s.markFailed(m, "this kambot cannot edit posts (no Editor configured)", log)
		return
	}
	sctx, cancel := storeCtx()
	target, err := s.st.OutboxMessageByKey(sctx, m.TeamID, m.Target)
	cancel()
	switch {
	case kam.ErrorCode(err) == kam.ENOTFOUND:
		s.markSent(m, "", "", log)
		return
	case err != nil:
		s.retry(m, fmt.Errorf("read the post to %s: %w", m.Op, err), 0, noVerify, log)
		return
	case target.Status != kam.OutboxSent || target.SlackTS == "":
		log.Info("outbox: the post to edit never reached Slack; nothing to do", "target", m.Target, "target_status", target.Status)
		s.markSent(m, "", "", log)
		return
	}
	channel := target.SlackChannel
	if channel == "" {
		channel = target.Channel
	}
	callCtx, cancel := context.WithTimeout(work, s.cfg.CallTimeout)
	if m.Op == kam.OutboxDelete {
		err = s.cfg.Editor.DeleteMessage(callCtx, channel, target.SlackTS)
	} else {
		var blocks []slack.Block
		if blocks, err = decodeBlocks(m.Blocks); err != nil {
			cancel()
			s.markFailed(m, fmt.Sprintf("stored blocks are not valid Block Kit: %v", err), log)
			return
		}
		err = s.cfg.Editor.UpdateMessage(callCtx, channel, target.SlackTS, m.Text, blocks)
	}
	cancel()
	s.settleEdit(m, target, channel, err, work, log)
}

// settleEdit records an edit's outcome. A post someone already deleted in
// Slack counts as edited: there is nothing left to change.
func (s *Sender) settleEdit(m, target kam.OutboxMessage, channel string, err error, work context.Context, log *slog.Logger) {
	if err == nil || slackCode(err) == "message_not_found" {
		s.markSent(m, target.SlackTS, channel, log)
		return
	}
	if work.Err() != nil {
		s.release(m, noVerify, log)
		return
	}
	retryAfter, permanent := s.cfg.Classify(err)
	switch {
	case permanent:
		s.markFailed(m, err.Error(), log)
	case retryAfter > 0:
		s.throttle(m.TeamID, m.Channel, retryAfter, log)
		s.retry(m, err, retryAfter, noVerify, log)
	default:
		s.retry(m, err, 0, noVerify, log)
	}
}

// slackCode is the error code of a Slack API error ("message_not_found"), or "".
func slackCode(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	var p *slack.SlackErrorResponse
	if errors.As(err, &p) && p != nil {
		return p.Err
	}
	return ""
}

// noVerify is the zero verify stamp: an edit never needs a history check.
var noVerify time.Time
