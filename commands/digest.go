package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/nudges/digest"
)

// DigestSource renders a user's weekly digest on demand; *digest.Digester
// implements it. The digest is split into messages within Slack's limits;
// no parts means the user is on no account's team.
type DigestSource interface {
	UserDigest(ctx context.Context, teamID, userID string, now time.Time) ([][]slack.Block, error)
	// UserDigestHead is UserDigest keeping only the first keep parts; n
	// counts the parts of the whole digest.
	UserDigestHead(ctx context.Context, teamID, userID string, now time.Time, keep int) (head [][]slack.Block, n int, err error)
}

// replyParts are the parts of a digest a reply and its follow-up show.
const replyParts = 2

// DigestConfig configures /kam digest.
type DigestConfig struct {
	// Digests is required.
	Digests DigestSource
	// Notifier, when set, sends a digest too long for one reply and its
	// follow-up to the user by DM, in full (the outbox).
	Notifier Notifier
}

// DigestExtension adds /kam digest: the caller's digest now, ephemeral —
// for a manager, the accounts they manage; for anyone else, the accounts on
// whose team they are.
func DigestExtension(cfg DigestConfig) Extension {
	if cfg.Digests == nil {
		panic("commands: DigestExtension needs Digests")
	}
	return Extension{Commands: []Command{{
		Name:    "digest",
		Usage:   "digest",
		Summary: "Your weekly digest, now: health and its change, interactions, stage moves, pipeline, overdue work, new alerts, NPS.",
		Details: "Managers (role manager on accounts) get it by DM every week for the accounts they manage; " +
			"anyone else sees the accounts on whose team they are. Only you see the reply.",
		Examples: []string{"digest"},
		Run: func(ctx context.Context, c *Call) (Reply, error) {
			return runDigest(ctx, c, cfg)
		},
	}}}
}

func runDigest(ctx context.Context, c *Call, cfg DigestConfig) (Reply, error) {
	if err := noMoreArgs(c); err != nil {
		return Reply{}, err
	}
	// A reply shows two parts; the DMs carry what the weekly digest would.
	// Either way the rest of a long digest is counted, not kept.
	keep := replyParts
	if cfg.Notifier != nil {
		keep = digest.MaxParts
	}
	parts, n, err := cfg.Digests.UserDigestHead(ctx, c.TeamID, c.UserID, c.Now, keep)
	if err != nil {
		return Reply{}, fmt.Errorf("digest of %s: %w", c.UserID, err)
	}
	if n >= releaseParts {
		releaseMemory()
	}
	if cfg.Notifier == nil || n <= replyParts {
		return digestReply(parts, n), nil
	}
	// Longer digests go to the user's DMs; the reply shows the start.
	stamp := c.Now.UTC().Format("20060102T150405.000")
	dctx := context.WithoutCancel(ctx)
	for i, blocks := range parts {
		key := fmt.Sprintf("digest-now:%s:%s:%d", c.UserID, stamp, i+1)
		text := fmt.Sprintf("Your digest, part %d of %d", i+1, n)
		if err := cfg.Notifier.Notify(dctx, c.TeamID, c.UserID, key, text, blocks); err != nil {
			return Reply{}, fmt.Errorf("queue digest part %d for %s: %w", i+1, c.UserID, err)
		}
	}
	sent := fmt.Sprintf("all %d are", n)
	if len(parts) < n {
		sent = fmt.Sprintf("the first %d are", len(parts))
	}
	note := Reply{Blocks: []slack.Block{section(fmt.Sprintf(
		"Your digest is %d messages long, more than a reply holds: %s on their way to your DMs from kambot. Above is the first.", n, sent))}}
	return Reply{Blocks: parts[0], Later: func(context.Context) Reply { return note }}, nil
}

// digestReply shows the head of a digest of n parts in a reply and its
// follow-up, with a note when the digest is longer than the two.
func digestReply(head [][]slack.Block, n int) Reply {
	switch n {
	case 0:
		return Reply{Blocks: []slack.Block{section("You manage no account and are on no account's team, so there is no digest for you yet. " +
			"An admin adds you with `/kam team &lt;account&gt; add @you role=manager` (or another role).")}}
	case 1:
		return Reply{Blocks: head[0]}
	case 2:
		// A reply and one follow-up through response_url hold it all.
		second := head[1]
		return Reply{Blocks: head[0], Later: func(context.Context) Reply { return Reply{Blocks: second} }}
	}
	// The second part's closing line says how many are not shown.
	second := head[1]
	return Reply{Blocks: head[0], Later: func(context.Context) Reply { return Reply{Blocks: second} }}
}
