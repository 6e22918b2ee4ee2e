package commands_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
)

// TestCardLinksToTheMessage: an interaction logged from a Slack message
// offers "Open the Slack message" in its ⋯ menu on the card, to everyone who
// sees the card; a stored address that is not a Slack message link (an
// older import, a hand-edited database) is never offered.
func TestCardLinksToTheMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acme := e.ids[team+"/Acme Corp"]
	const good = "https://acme.slack.com/archives/C0ACME001/p1741944600000100"
	const bad = "https://evil.example/archives/C0ACME001/p1741944600000200"
	for _, link := range []string{good, bad} {
		in := kam.Interaction{TeamID: team, AccountID: acme, UserID: ana, Kind: kam.KindCall, Summary: "from " + link, At: fixedNow.AddDate(0, 0, -1)}
		if err := e.db.LogInteraction(ctx, &in, ana, nil); err != nil {
			t.Fatal(err)
		}
		// Written past the store's own check, as an old file could hold it.
		raw := storetest.Raw(t, e.path)
		if _, err := raw.Exec(`UPDATE interactions SET permalink = '` + link + `' WHERE id = ` + strconv.FormatInt(in.ID, 10)); err != nil {
			t.Fatal(err)
		}
		raw.Close()
	}
	for _, user := range []string{ana, sara} {
		var urls []string
		for _, b := range e.ok(user, "show acme").Blocks {
			if s, ok := b.(*slack.SectionBlock); ok && s.Accessory != nil && s.Accessory.OverflowElement != nil {
				for _, o := range s.Accessory.OverflowElement.Options {
					if o.URL != "" {
						urls = append(urls, o.URL)
					}
				}
			}
		}
		if len(urls) != 1 || urls[0] != good {
			t.Errorf("%s's card links to %q; want only %s", user, urls, good)
		}
		if strings.Contains(strings.Join(urls, " "), "evil.example") {
			t.Errorf("%s's card links to a stored address that is no Slack message", user)
		}
	}
}
