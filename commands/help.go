package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// runHelp lists the commands, or explains one.
func runHelp(_ context.Context, c *Call) (Reply, error) {
	toks, err := c.Args.All()
	if err != nil {
		return Reply{}, err
	}
	switch {
	case len(toks) == 0:
		return Reply{Blocks: helpOverview(c.e.Commands())}, nil
	case len(toks) > 1 || toks[0].Key != "":
		return Reply{}, c.Usage("Ask about one command at a time")
	}
	name := strings.ToLower(strings.TrimPrefix(toks[0].Value, "/kam"))
	cmd := c.e.lookup(strings.TrimSpace(name))
	if cmd == nil {
		var names []string
		for _, x := range c.e.Commands() {
			names = append(names, x.Name)
		}
		if s := closest(name, names); s != "" {
			return Reply{}, kam.Errorf(kam.EINVALID, "No command “%s” — did you mean `/kam help %s`?", show(name, 30), s)
		}
		return Reply{}, kam.Errorf(kam.EINVALID, "No command “%s” — type `/kam help` for the list.", show(name, 30))
	}
	return Reply{Blocks: helpCommand(*cmd)}, nil
}

// helpOverview is /kam help: every command with its usage and summary.
func helpOverview(cmds []Command) []slack.Block {
	blocks := []slack.Block{header("kambot — your key accounts in Slack")}
	lines := make([]string, 0, len(cmds))
	for _, c := range cmds {
		line := fmt.Sprintf("`/kam %s`\n%s", format.Mrkdwn(c.Usage), format.Guard(c.Summary))
		if c.Access == AccessAdmin {
			line += " _(admins)_"
		}
		lines = append(lines, line)
	}
	blocks = append(blocks, listBlocks("", lines, maxMessageBlocks-3, nil)...)
	blocks = append(blocks, contextBlock(
		"`/kam help &lt;command&gt;` explains one, with examples.",
		"&lt;account&gt; is a name or slug; a unique start is enough; quote names with spaces.",
		"From any message: ⋯ → *Log to account*. Anywhere: ⚡ → *Log an interaction*.",
		"Ask in plain words in kambot's assistant panel, a DM to kambot or a mention of it, e.g. _How is Acme doing?_ — answers cite their records.",
	))
	return blocks
}

// helpCommand is /kam help <command>.
func helpCommand(c Command) []slack.Block {
	blocks := []slack.Block{
		header("/kam " + c.Name),
		section(fmt.Sprintf("`/kam %s`\n%s", format.Mrkdwn(c.Usage), format.Guard(c.Summary))),
	}
	if c.Details != "" {
		// Definitions are written by hand: "<id>" in them is a placeholder.
		blocks = append(blocks, section(format.Guard(c.Details)))
	}
	if len(c.Examples) > 0 {
		ex := make([]string, len(c.Examples))
		for i, e := range c.Examples {
			ex[i] = "`/kam " + format.Mrkdwn(e) + "`"
		}
		blocks = append(blocks, listBlocks("*Examples*", ex, 2, nil)...)
	}
	who := "Who: " + c.Access.String() + "."
	if len(c.Aliases) > 0 {
		who += " Also typed as: " + strings.Join(c.Aliases, ", ") + "."
	}
	blocks = append(blocks, contextBlock(who))
	return blocks
}
