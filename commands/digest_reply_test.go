package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/nudges/digest"
)

// fakeDigests is a digest of n parts, each one section naming its number.
type fakeDigests struct {
	n          int
	whole, cut int // calls of UserDigest and of UserDigestHead
	keep       int // the parts UserDigestHead was asked to keep
}

func (f *fakeDigests) part(i int) []slack.Block {
	return []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("part %d", i+1), false, false), nil, nil)}
}

func (f *fakeDigests) UserDigest(context.Context, string, string, time.Time) ([][]slack.Block, error) {
	f.whole++
	var out [][]slack.Block
	for i := range f.n {
		out = append(out, f.part(i))
	}
	return out, nil
}

func (f *fakeDigests) UserDigestHead(_ context.Context, _, _ string, _ time.Time, keep int) ([][]slack.Block, int, error) {
	f.cut++
	f.keep = keep
	var out [][]slack.Block
	for i := range min(keep, f.n) {
		out = append(out, f.part(i))
	}
	if len(out) < f.n {
		// As the digest does, the last part kept says what is not.
		last := len(out) - 1
		out[last] = append(out[last], slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			fmt.Sprintf("the other %d are not shown here", f.n-len(out)), false, false)))
	}
	return out, f.n, nil
}

// countingNotifier counts the messages queued.
type countingNotifier struct{ n int }

func (c *countingNotifier) Notify(context.Context, string, string, string, string, []slack.Block) error {
	c.n++
	return nil
}
func (c *countingNotifier) Wake() {}

// TestDigestReply: /kam digest without DMs asks only for the parts a reply
// and its follow-up show, and says how many the digest has; with DMs it
// asks for the parts the weekly digest sends and queues them all when the
// digest is longer than a reply, saying how many of how many.
func TestDigestReply(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 2, 5, digest.MaxParts + 15} {
		for _, dm := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d parts, DMs %v", n, dm), func(t *testing.T) {
				e := newEnv(t)
				src := &fakeDigests{n: n}
				cfg := commands.DigestConfig{Digests: src}
				notes := &countingNotifier{}
				if dm {
					cfg.Notifier = notes
				}
				e.eng.Register(commands.DigestExtension(cfg))
				rep, err := e.eng.Do(ctx, commands.Request{TeamID: team, UserID: ana, Text: "digest"})
				if err != nil {
					t.Fatal(err)
				}
				text := blocksJSON(t, rep)
				if rep.Later != nil {
					text += " | " + blocksJSON(t, rep.Later(ctx))
				}
				if wantKeep := map[bool]int{false: 2, true: digest.MaxParts}[dm]; src.whole != 0 || src.cut != 1 || src.keep != wantKeep {
					t.Errorf("UserDigest called %d times, UserDigestHead %d, keeping %d", src.whole, src.cut, src.keep)
				}
				shown := min(n, 2)
				if dm && n > 2 {
					shown = 1 // the rest by DM
				}
				for i := range shown {
					if !strings.Contains(text, fmt.Sprintf("part %d", i+1)) {
						t.Errorf("the reply lacks part %d: %s", i+1, text)
					}
				}
				if strings.Contains(text, fmt.Sprintf("part %d", shown+1)) {
					t.Errorf("the reply shows part %d: %s", shown+1, text)
				}
				sent := min(n, digest.MaxParts)
				switch {
				case n > 2 && !dm && !strings.Contains(text, fmt.Sprintf("the other %d are not shown here", n-2)):
					t.Errorf("no word of the %d parts: %s", n, text)
				case n > 2 && dm && notes.n != sent:
					t.Errorf("%d parts queued, want %d", notes.n, sent)
				case n > digest.MaxParts && dm && !strings.Contains(text, fmt.Sprintf("%d messages long, more than a reply holds: the first %d are on their way", n, sent)):
					t.Errorf("the reply does not say how many of the %d parts are sent: %s", n, text)
				case n > 2 && n <= digest.MaxParts && dm && !strings.Contains(text, fmt.Sprintf("all %d are on their way", n)):
					t.Errorf("the reply does not say all %d parts are sent: %s", n, text)
				case n <= 2 && notes.n != 0:
					t.Errorf("%d parts queued for a digest that fits the reply", notes.n)
				}
			})
		}
	}
}
