package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/brief"
	"github.com/kambot/kambot/commands"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/nudges"
	"github.com/kambot/kambot/nudges/digest"
	"github.com/kambot/kambot/outbox"
)

// evilTyped is what a person types into every field of the fixture: every
// special mention, a link whose label hides its address, and characters
// mrkdwn would read as markup.
const evilTyped = `<!here> <!channel> <!everyone> <!subteam^S1> <https://evil.example|click> & <b>`

// evilSlack is evilTyped as Slack delivers it in a slash command's text:
// the mentions and the link as markup, the typed &, < and > escaped.
const evilSlack = `<!here> <!channel> <!everyone> <!subteam^S1> <https://evil.example|click> &amp; &lt;b&gt;`

// evilName fits an account name's 80 characters.
const evilName = `Zeta <!channel> <https://evil.example|click> &amp; &lt;b&gt;`

// output is one thing kambot sent toward Slack.
type output struct {
	where  string // what produced it, for failure messages
	text   string
	blocks []slack.Block
	view   any // a modal or a view_submission response, instead of a message
	// channel and ts place a delivered post, so that a click on its buttons
	// comes from it as Slack would send it.
	channel, ts string
}

// outputs records everything the engine sends: replies (and their slow
// part), posts through the notifier and the outbox, DMs, modals opened.
type outputs struct {
	mu  sync.Mutex
	all []output
}

func (o *outputs) add(x output) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, x)
}

func (o *outputs) snapshot() []output {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]output(nil), o.all...)
}

type viewsDouble struct{ o *outputs }

func (v viewsDouble) OpenView(_ context.Context, _ string, view slack.ModalViewRequest) error {
	v.o.add(output{where: "views.open " + view.CallbackID, view: view})
	return nil
}

func (v viewsDouble) PushView(_ context.Context, _ string, view slack.ModalViewRequest) error {
	v.o.add(output{where: "views.push " + view.CallbackID, view: view})
	return nil
}

type dmDouble struct{ o *outputs }

func (d dmDouble) SendDM(_ context.Context, _, userID, key, text string, blocks []slack.Block) error {
	d.o.add(output{where: "DM " + key + " to " + userID, text: text, blocks: blocks})
	return nil
}

// evilModelAnswer is a model's brief that tries every trick, long enough
// to go by DM.
var evilModelAnswer = strings.ReplaceAll(longBriefAnswer(), "\n\n", "\n"+evilTyped+" &lt;!channel&gt;\n\n")

// TestNothingKambotSendsCanPing renders every message, reply, modal and DM
// kambot can produce for a fixture whose every typed field holds evilTyped,
// and checks each with format's one checker. Nothing here lists renderers:
// every registered command runs with its examples and with evil variants,
// every button any output shows is clicked, every modal opened is
// submitted, and the nudge sweep and digest run over the same records.
func TestNothingKambotSendsCanPing(t *testing.T) {
	ctx := context.Background()
	got := &outputs{}
	llm := newBFLLM(t, evilModelAnswer)
	drafter := brief.New(brief.Config{Now: func() time.Time { return fixedNow }, Timeout: 5 * time.Second, MaxRetries: -1,
		APIKey: "sk-test", BaseURL: llm.srv.URL + "/v1", Model: bfModel})
	e := newIntelEnv(t, func(c *commands.Config) { c.Views = viewsDouble{got} })
	e.eng.Register(commands.BriefExtension(drafter, dmDouble{got}))
	e.eng.Register(commands.SurveyExtension(commands.SurveyConfig{Store: e.db, Notifier: e.notes}))
	e.eng.Register(commands.NudgeExtension(commands.NudgeConfig{Store: e.db, HTTPClient: &http.Client{Timeout: 5 * time.Second}}))
	dg, err := digest.New(digest.Config{Store: e.db, Summary: commands.DigestSummary(e.eng, drafter)})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Register(commands.DigestExtension(commands.DigestConfig{Digests: dg, Notifier: e.notes}))
	ob, err := outbox.New(outbox.Config{Store: e.db, Slack: obSlack{t}, Classify: func(error) (time.Duration, bool) { return 0, true }})
	if err != nil {
		t.Fatal(err)
	}
	e.eng.Register(commands.OutboxExtension(ob))
	// Search shows stored text back, whichever way it found it.
	e.eng.Register(commands.SearchExtension(e.db))

	run := func(user, text string) {
		rep, _ := e.eng.Do(ctx, commands.Request{TeamID: team, UserID: user, ChannelID: acmeChan, Text: text, TriggerID: "1.2.3"})
		got.add(output{where: user + " /kam " + text, text: rep.Text, blocks: rep.Blocks})
		if rep.Later != nil {
			later := rep.Later(ctx)
			got.add(output{where: user + " /kam " + text + " (later)", text: later.Text, blocks: later.Blocks})
		}
	}

	// The evil account and a record of every kind on it and on Acme, all
	// typed through the commands as Slack delivers them.
	run(admin, fmt.Sprintf(`add "%s" owner=<@%s|ana> sponsor=<@%s> channel=<#%s|acme> segment="%s" region="%s" revenue=1m`,
		evilName, ana, sara, acmeChan, evilSlack, evilSlack))
	evil := evilSlug(t, e)
	for _, acct := range []string{evil, "acme"} {
		for _, text := range []string{
			`team %s add <@` + ben + `|ben> role=member function="` + evilSlack + `"`,
			`contact %s add "` + evilSlack + `" title="` + evilSlack + `" role=decision-maker influence=5 stance=-2`,
			`plan %s objective "` + evilSlack + `"`,
			`plan %s objective "` + evilSlack + `" for=customer`,
			`plan %s tactic "` + evilSlack + `" due=2025-01-01`,
			`plan %s review ` + evilSlack,
			`log %s call ` + evilSlack,
			`log %s meeting with="` + evilSlack + `" ` + evilSlack,
			`opp %s add "` + evilSlack + `" value=250k close=2025-01-01`,
			`stage %s "` + evilSlack + `" qualified ` + evilSlack,
			`survey %s record 3 "` + evilSlack + `" contact="` + evilSlack + `"`,
			`survey %s send <#` + acmeChan + `>`,
			`score %s size=4 growth=5 trust=1`,
		} {
			run(ana, fmt.Sprintf(text, acct))
		}
	}

	// Every registered command: its examples, and evil variants of them.
	quoted := regexp.MustCompile(`"[^"]*"`)
	for _, c := range e.eng.Commands() {
		variants := []string{c.Name + " " + evilSlack, c.Name + ` "` + evilSlack + `"`, "help " + c.Name}
		for _, ex := range c.Examples {
			variants = append(variants, ex, ex+" "+evilSlack,
				strings.ReplaceAll(ex, " acme", " "+evil),
				quoted.ReplaceAllString(ex, `"`+evilSlack+`"`))
		}
		for _, v := range variants {
			for _, user := range []string{ana, admin, outsider} {
				run(user, v)
			}
		}
	}
	run(ana, evilSlack)

	// The nudge sweep over the same records; its reminders reach the outbox.
	sweeper, err := nudges.New(nudges.Config{Store: e.db, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sweeper.Sweep(ctx, fixedNow); err != nil {
		t.Fatal(err)
	}

	// Click every button and submit every modal, until nothing new appears.
	drain := func() {
		e.notes.Wake()
		for i, p := range e.notes.all() {
			got.add(output{where: fmt.Sprintf("post %d %s to %s", i, p.key, p.channel), text: p.text, blocks: p.blocks, channel: p.channel, ts: p.ts})
		}
		e.notes.mu.Lock()
		e.notes.posts = nil
		e.notes.mu.Unlock()
	}
	drain()
	seen := map[string]bool{}
	for round := 0; round < 3; round++ {
		for _, o := range got.snapshot() {
			for _, cb := range interactionsIn(t, o) {
				for _, user := range []string{ana, admin} {
					cb.User.ID = user
					k := user + string(toJSON(t, cb))
					if seen[k] {
						continue
					}
					seen[k] = true
					rep := e.eng.Interact(ctx, cb)
					where := fmt.Sprintf("%s → %s %s%s as %s", o.where, cb.Type, cb.View.CallbackID, actionIDs(cb), user)
					if rep.Ack != nil {
						got.add(output{where: where + " (ack)", view: rep.Ack})
					}
					if rep.Reply != nil {
						got.add(output{where: where, text: rep.Reply.Text, blocks: rep.Reply.Blocks})
					}
				}
			}
		}
		drain()
	}

	// One checker for all of it.
	all := got.snapshot()
	kinds := map[string]int{}
	shown := 0
	for _, o := range all {
		var bad []string
		var raw []byte
		if o.view != nil {
			bad = format.CheckView(o.view)
			raw = toJSON(t, o.view)
			kinds["view"]++
		} else {
			if o.text == "" && len(o.blocks) == 0 {
				continue
			}
			bad = format.CheckMessage(o.text, o.blocks)
			raw = append(toJSON(t, o.blocks), o.text...)
			kinds[strings.Fields(o.where)[0]]++
		}
		for _, b := range bad {
			t.Errorf("%s: %s", o.where, b)
		}
		if strings.Contains(string(raw), "@everyone") {
			shown++
		}
	}
	t.Logf("checked %d outputs (%v); %d show the fixture's text", len(all), kinds, shown)
	// The test means something only if the fixture's text was shown, in
	// every kind of output.
	if shown < 100 {
		t.Errorf("only %d outputs show the fixture's text; the fixture did not reach the renderers", shown)
	}
	for _, k := range []string{"view", "post", "DM", ana} {
		if kinds[k] == 0 {
			t.Errorf("no %s output was checked", k)
		}
	}
}

// evilSlug finds the slug of the account named evilName.
func evilSlug(t *testing.T, e *env) string {
	t.Helper()
	accts, err := e.db.Accounts(context.Background(), team)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if strings.HasPrefix(a.Name, "Zeta") {
			if !strings.Contains(a.Name, "<!channel>") {
				t.Fatalf("the account name is stored as %q, not as typed", a.Name)
			}
			return a.Slug
		}
	}
	t.Fatal("the evil account was not created")
	return ""
}

// interactionsIn builds the payloads a person could send from an output:
// a click on each of its buttons, a submission of the modal filled with
// evilTyped in every text input and the first option of every select.
func interactionsIn(t *testing.T, o output) []slack.InteractionCallback {
	var out []slack.InteractionCallback
	if v, ok := o.view.(slack.ModalViewRequest); ok && v.CallbackID != "" {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeViewSubmission, Team: slack.Team{ID: team}}
		cb.View.ID, cb.View.CallbackID, cb.View.PrivateMetadata, cb.View.TeamID = "V1", v.CallbackID, v.PrivateMetadata, team
		cb.View.State = &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
		for _, bl := range v.Blocks.BlockSet {
			in, ok := bl.(*slack.InputBlock)
			if !ok {
				continue
			}
			var act slack.BlockAction
			var id string
			switch el := in.Element.(type) {
			case *slack.PlainTextInputBlockElement:
				id, act = el.ActionID, slack.BlockAction{Type: "plain_text_input", Value: evilTyped}
			case *slack.SelectBlockElement:
				id, act = el.ActionID, slack.BlockAction{Type: "static_select"}
				if len(el.Options) > 0 {
					act.SelectedOption = *el.Options[0]
				}
			default:
				continue
			}
			cb.View.State.Values[in.BlockID] = map[string]slack.BlockAction{id: act}
		}
		out = append(out, cb)
	}
	var visit func(any)
	visit = func(n any) {
		switch x := n.(type) {
		case []any:
			for _, e := range x {
				visit(e)
			}
		case map[string]any:
			if x["type"] == "button" {
				id, _ := x["action_id"].(string)
				val, _ := x["value"].(string)
				cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions, Team: slack.Team{ID: team},
					TriggerID: "1.2.3", ResponseURL: "https://hooks.slack.test/actions/1", Channel: slack.Channel{}}
				cb.Channel.ID = acmeChan
				if o.ts != "" {
					cb.Channel.ID, cb.Container.ChannelID, cb.Container.MessageTs = o.channel, o.channel, o.ts
				}
				cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: id, Value: val, Type: "button", BlockID: "b1"}}
				out = append(out, cb)
			}
			for _, e := range x {
				visit(e)
			}
		}
	}
	var tree any
	if err := json.Unmarshal(toJSON(t, []any{o.blocks, o.view}), &tree); err != nil {
		t.Fatal(err)
	}
	visit(tree)
	return out
}

func actionIDs(cb slack.InteractionCallback) string {
	var ids []string
	for _, a := range cb.ActionCallback.BlockActions {
		ids = append(ids, a.ActionID)
	}
	return strings.Join(ids, ",")
}

func toJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
