package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// contactKeys are the keys of /kam contact add and set, in the order
// they are applied and reported.
var contactKeys = []string{"name", "title", "role", "influence", "stance", "mirror", "agenda", "personal", "measured"}

func contactCommand() Command {
	return Command{
		Name: "contact",
		Usage: `contact <account> [add "<name>" [title=<text>] [role=…] [influence=1-5] [stance=-2..2] [mirror=@user] ` +
			`[agenda="<business agenda>"] [personal="<personal agenda>"] [measured="<how they are measured>"] ` +
			`| set "<name>" key=value … | remove "<name>"]`,
		Summary: "The stakeholder map: list, add, change or remove the customer's people.",
		Details: "*role* in the decision: " + kam.Names(kam.ContactRoles) + ".\n" +
			"*influence*: 1 (little) to 5 (decisive), default 3. *stance*: -2 hostile, -1 sceptical, 0 neutral, 1 supportive, 2 advocate.\n" +
			"*mirror*: the team member who owns the relationship. `set` also takes name=; an empty value (`mirror=`) clears it.\n" +
			"*agenda*, *personal*, *measured*: the decision-maker's business agenda, personal agenda and how they are measured — " +
			"what a proposal must serve. Shown on the map and in the brief's \"who matters\".\n" +
			"Name the people you met when you log: `/kam log acme meeting with=\"Jane Doe, Li Wei\" …` — that sets their last contact " +
			"and feeds the relationship model.",
		Examples: []string{
			`contact acme add "Jane Doe" title=CFO role=decision-maker influence=5 stance=1 mirror=@ana`,
			`contact acme set "Jane Doe" stance=2`,
			`contact acme set "Jane Doe" agenda="Cut logistics cost 10%" personal="Board seat in 2027" measured="EBIT margin, on-time delivery"`,
			`contact acme remove "Jane Doe"`,
			"contact acme",
		},
		Access:  AccessTeamOrAdmin,
		Account: true,
		Action:  "see the stakeholder map",
		Run:     runContact,
	}
}

// runContact lists the account's stakeholder map, or adds, changes or
// removes one stakeholder on it.
func runContact(ctx context.Context, c *Call) (Reply, error) {
	// The verb comes first; without one, list the map.
	verbTok, ok, err := c.Args.Next()
	if err != nil {
		return Reply{}, err
	}
	verb := "list"
	if ok {
		if verbTok.Key != "" || verbTok.Quoted {
			return Reply{}, c.Usage("Say add, set, remove or list before “%s”", show(verbTok.String(), 40))
		}
		verb = strings.ToLower(verbTok.Value)
	}
	switch verb {
	case "list", "show":
		if err := noMoreArgs(c); err != nil {
			return Reply{}, err
		}
		return contactList(ctx, c)
	case "add", "set", "remove":
	default:
		return Reply{}, c.Usage("Unknown “%s” — use add, set, remove or list", show(verb, 30))
	}
	// Changing the map takes a team member; the stakeholder's name and
	// the options follow.
	if err := c.Allow(c.Account, c.Role, AccessTeam, "change the stakeholder map"); err != nil {
		return Reply{}, err
	}
	name, toks, err := contactChangeArgs(c, verb)
	if err != nil {
		return Reply{}, err
	}
	switch verb {
	case "add":
		return contactAdd(ctx, c, name, toks)
	case "remove":
		if len(toks) > 0 {
			return Reply{}, c.Usage("Unexpected “%s” — remove takes only the name", show(toks[0].String(), 40))
		}
	}
	// set and remove act on someone already on the map.
	a := c.Account
	contacts, err := c.intel().Contacts(ctx, c.TeamID, a.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("stakeholders of account %d: %w", a.ID, err)
	}
	ct, err := findContact(a, contacts, name)
	if err != nil {
		return Reply{}, err
	}
	if verb == "remove" {
		return contactRemove(ctx, c, ct)
	}
	return contactSet(ctx, c, ct, toks)
}

// contactChangeArgs reads the stakeholder's name after verb and the
// tokens after it. An unquoted name on add followed by bare words is
// refused: the words are most likely the rest of the name.
func contactChangeArgs(c *Call, verb string) (string, []Token, error) {
	nameTok, ok, err := c.Args.Next()
	if err != nil {
		return "", nil, err
	}
	if !ok || nameTok.Key != "" {
		return "", nil, c.Usage("Name the stakeholder in quotes after %s, e.g. %s \"Jane Doe\"", verb, verb)
	}
	toks, err := c.Args.All()
	if err != nil {
		return "", nil, err
	}
	for _, t := range toks {
		if t.Key == "" && verb == "add" && !nameTok.Quoted {
			return "", nil, kam.Errorf(kam.EINVALID, "Put a name with spaces in quotes: `/kam contact %s add \"%s %s\" …`.",
				c.Account.Slug, show(nameTok.Value, 40), show(t.Value, 40))
		}
	}
	return nameTok.Value, toks, nil
}

// contactRemove takes ct off the stakeholder map.
func contactRemove(ctx context.Context, c *Call, ct kam.Contact) (Reply, error) {
	if err := c.intel().RemoveContact(ctx, c.TeamID, c.Account.ID, ct.ID, c.UserID); err != nil {
		return Reply{}, userErr(err, "remove contact %d", ct.ID)
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Removed *%s* from %s's stakeholder map; the interactions that named them stay.",
		format.Mrkdwn(ct.Name), format.Mrkdwn(c.Account.Name)))}}, nil
}

// contactSet applies the key=value tokens to ct and stores the keys that
// changed.
func contactSet(ctx context.Context, c *Call, ct kam.Contact, toks []Token) (Reply, error) {
	if len(toks) == 0 {
		return Reply{}, c.Usage("Say what to change, e.g. stance=1")
	}
	opts, err := ParseOptions(toks, contactKeys, c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	changed, err := applyContactOptions(ctx, c, &ct, opts)
	if err != nil {
		return Reply{}, err
	}
	if len(changed) == 0 {
		return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Nothing to change — %s already has those values.", format.Mrkdwn(ct.Name)))}}, nil
	}
	if err := c.intel().UpdateContact(ctx, &ct, c.UserID, changed); err != nil {
		return Reply{}, userErr(err, "update contact %d", ct.ID)
	}
	parts := make([]string, len(changed))
	for i, k := range changed {
		parts[i] = k + " → " + contactValue(ct, k)
	}
	return Reply{Blocks: []slack.Block{section(fmt.Sprintf("Updated *%s* on %s: %s.", format.Mrkdwn(ct.Name), format.Mrkdwn(c.Account.Name), strings.Join(parts, ", ")))}}, nil
}

func contactAdd(ctx context.Context, c *Call, name string, toks []Token) (Reply, error) {
	name, err := checkName("The stakeholder's name", name)
	if err != nil {
		return Reply{}, err
	}
	opts, err := ParseOptions(toks, contactKeys[1:], c.Command.Usage)
	if err != nil {
		return Reply{}, err
	}
	a := c.Account
	ct := kam.Contact{TeamID: c.TeamID, AccountID: a.ID, Name: name, Influence: kam.DefaultInfluence}
	if _, err := applyContactOptions(ctx, c, &ct, opts); err != nil {
		return Reply{}, err
	}
	if err := c.intel().AddContact(ctx, &ct, c.UserID); err != nil {
		return Reply{}, userErr(err, "add contact to account %d", a.ID)
	}
	msg := fmt.Sprintf("Added *%s* to %s's stakeholder map — %s.", format.Mrkdwn(ct.Name), format.Mrkdwn(a.Name), contactFacts(ct))
	next := fmt.Sprintf("Name them when you log: `/kam log %s meeting with=\"%s\" …`", a.Slug, format.Mrkdwn(ct.Name))
	if ct.MirrorID == "" && ct.Key() {
		next = fmt.Sprintf("A key stakeholder needs a mirror: `/kam contact %s set \"%s\" mirror=@someone`", a.Slug, format.Mrkdwn(ct.Name))
	}
	return Reply{Blocks: []slack.Block{section(msg), contextBlock(next)}}, nil
}

// applyContactOptions validates every option and applies it to ct; it
// returns the keys whose value changed, in contactKeys order. Nothing is
// written here.
func applyContactOptions(ctx context.Context, c *Call, ct *kam.Contact, opts Options) ([]string, error) {
	var changed []string
	note := func(key string, differs bool) {
		if differs {
			changed = append(changed, key)
		}
	}
	for _, key := range contactKeys {
		t, ok := opts[key]
		if !ok {
			continue
		}
		v := strings.TrimSpace(t.Value)
		switch key {
		case "name":
			name, err := checkName("The stakeholder's name", v)
			if err != nil {
				return nil, err
			}
			note(key, name != ct.Name)
			ct.Name = name
		case "title":
			s, err := CheckText("The title", v, kam.MaxTextLen, false)
			if err != nil {
				return nil, err
			}
			note(key, s != ct.Title)
			ct.Title = s
		case "role":
			var r kam.ContactRole
			if v != "" {
				var err error
				if r, err = ParseEnum("role", v, kam.ContactRoles); err != nil {
					return nil, err
				}
			}
			note(key, r != ct.Role)
			ct.Role = r
		case "influence":
			n, err := kam.ParseInfluence(v)
			if err != nil {
				return nil, err
			}
			note(key, n != ct.Influence)
			ct.Influence = n
		case "stance":
			n, err := kam.ParseStance(v)
			if err != nil {
				return nil, err
			}
			note(key, n != ct.Stance)
			ct.Stance = n
		case "mirror":
			id := ""
			if strings.TrimSpace(t.Raw) != "" {
				var err error
				if id, err = c.User(ctx, t, "mirror=@ana"); err != nil {
					return nil, err
				}
			}
			note(key, id != ct.MirrorID)
			ct.MirrorID = id
		case "agenda", "personal", "measured":
			s, err := CheckText("The "+agendaWords[key], v, kam.MaxAgendaLen, false)
			if err != nil {
				return nil, err
			}
			dst := agendaField(ct, key)
			note(key, s != *dst)
			*dst = s
		}
	}
	return changed, nil
}

// contactValue renders one field of ct for a confirmation.
func contactValue(ct kam.Contact, key string) string {
	cleared := "_(cleared)_"
	switch key {
	case "name":
		return format.Mrkdwn(ct.Name)
	case "title":
		if ct.Title == "" {
			return cleared
		}
		return format.Mrkdwn(ct.Title)
	case "role":
		if ct.Role == "" {
			return cleared
		}
		return string(ct.Role)
	case "influence":
		return fmt.Sprint(ct.Influence)
	case "stance":
		return stanceText(ct.Stance)
	case "mirror":
		if ct.MirrorID == "" {
			return cleared
		}
		return mention(ct.MirrorID)
	case "agenda", "personal", "measured":
		if v := *agendaField(&ct, key); v != "" {
			return "“" + format.Mrkdwn(v) + "”"
		}
		return cleared
	}
	return ""
}

// stanceText says a stance: "advocate (+2)", "neutral (0)", "hostile (−2)".
func stanceText(s int) string {
	switch {
	case s > 0:
		return fmt.Sprintf("%s (+%d)", kam.StanceLabel(s), s)
	case s < 0:
		return fmt.Sprintf("%s (−%d)", kam.StanceLabel(s), -s)
	}
	return kam.StanceLabel(s) + " (0)"
}

// contactFacts is one stakeholder's line: "CFO · decision-maker ·
// influence 5 · +1 supportive · mirror @ana".
func contactFacts(ct kam.Contact) string {
	var parts []string
	if ct.Title != "" {
		parts = append(parts, format.Mrkdwn(ct.Title))
	}
	role := "role unknown"
	if ct.Role != "" {
		role = string(ct.Role)
	}
	parts = append(parts, role, fmt.Sprintf("influence %d", ct.Influence), stanceText(ct.Stance))
	if ct.MirrorID != "" {
		parts = append(parts, "mirror "+mention(ct.MirrorID))
	} else {
		parts = append(parts, "no mirror")
	}
	return strings.Join(parts, " · ")
}

func contactList(ctx context.Context, c *Call) (Reply, error) {
	a := c.Account
	hs, err := c.healthOf(ctx, []kam.Account{a})
	if err != nil {
		return Reply{}, err
	}
	h := hs[0]
	blocks := []slack.Block{header(a.Name + " — stakeholder map")}
	if len(h.Contacts) == 0 {
		return Reply{Blocks: append(blocks, section(fmt.Sprintf("Nobody on the map yet — `/kam contact %s add \"Jane Doe\" title=CFO role=decision-maker influence=5 mirror=@you`.", a.Slug)))}, nil
	}
	lines := make([]string, len(h.Contacts))
	for i, ct := range h.Contacts {
		mark := "•"
		switch {
		case ct.Blocker():
			mark = "⛔"
		case ct.Key() && ct.MirrorID == "":
			mark = "⚠️"
		}
		last := "never contacted"
		if !ct.LastContact.IsZero() {
			last = "last contact " + dateText(ct.LastContact, c.Loc)
		}
		lines[i] = fmt.Sprintf("%s *%s* — %s · %s", mark, format.Mrkdwn(ct.Name), contactFacts(ct), last) + agendaLines(ct)
	}
	list := listBlocks(fmt.Sprintf("*Stakeholders (%d)*", len(h.Contacts)), lines, 4, nil)
	blocks = append(blocks, list...)
	blocks = append(blocks, section(fmt.Sprintf("*Relationship model: %s*\n%s", modelText(h.Relationship.Model), format.Mrkdwn(capitalize(h.Relationship.Reason))+".")))
	return Reply{Blocks: append(blocks, contextBlock(contactLegend(list)))}, nil
}

// contactMarks are the marks of the stakeholder map, in legend order.
var contactMarks = []struct{ mark, meaning string }{
	{"⚠️", "key stakeholder without a mirror"},
	{"⛔", "blocker"},
}

// contactLegend explains the marks that begin a line of the map as shown
// (a long map is cut short), and only those.
func contactLegend(list []slack.Block) string {
	seen := map[string]bool{}
	for _, b := range list {
		s, ok := b.(*slack.SectionBlock)
		if !ok || s.Text == nil {
			continue
		}
		for _, line := range strings.Split(s.Text.Text, "\n") {
			for _, m := range contactMarks {
				if strings.HasPrefix(line, m.mark+" ") {
					seen[m.mark] = true
				}
			}
		}
	}
	var parts []string
	for _, m := range contactMarks {
		if seen[m.mark] {
			parts = append(parts, m.mark+" "+m.meaning)
		}
	}
	return strings.Join(append(parts, "`/kam help contact`"), " · ")
}
