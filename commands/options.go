package commands

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// maxOptions is Slack's limit on the options of one external_select answer.
const maxOptions = 100

// maxOptionBytes keeps an options answer under Socket Mode's 20 KB ack
// (slack-go refuses larger ones) whatever the names' scripts.
const maxOptionBytes = 16 << 10

// optionsAck is the answer to a block_suggestion payload.
type optionsAck struct {
	Options []*slack.OptionBlockObject `json:"options"`
}

// noOptions is the answer that offers nothing (an unknown menu, a refusal).
func noOptions() optionsAck { return optionsAck{Options: []*slack.OptionBlockObject{}} }

// option is one menu entry: its label as plain text, clipped to Slack's limit.
func option(value, label string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, plain(clip(format.Plain(label), format.MaxOptionText)), nil)
}

// optionsOf bounds a list of options by count and by encoded size.
func optionsOf(opts []*slack.OptionBlockObject) optionsAck {
	out, size := noOptions(), 0
	for _, o := range opts {
		size += 60 + len(o.Value) + 2*len(o.Text.Text) // JSON escapes at most double a UTF-8 label
		if len(out.Options) == maxOptions || size > maxOptionBytes {
			break
		}
		out.Options = append(out.Options, o)
	}
	return out
}

// suggestLogAccounts offers the accounts the user may log on (their team's),
// ranked against what they typed as /kam resolves an account name.
func suggestLogAccounts(ctx context.Context, in *Interaction) (InteractionReply, error) {
	accts, err := in.Store().AccountsForUser(ctx, in.TeamID, in.UserID)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("accounts of %s for a menu: %w", in.UserID, err)
	}
	ranked := rankAccounts(accts, in.Callback.Value, maxOptions)
	opts := make([]*slack.OptionBlockObject, len(ranked))
	for i, a := range ranked {
		opts[i] = accountOption(a)
	}
	return InteractionReply{Ack: optionsOf(opts)}, nil
}

func accountOption(a kam.Account) *slack.OptionBlockObject {
	return option(strconv.FormatInt(a.ID, 10), a.Name)
}

// Match tiers, best first: how a name answers what was typed.
const (
	tierExact = iota
	tierPrefix
	tierWord
	tierLookAlike
	tierContains
	tierClose
	tierNone
)

// rankAccounts orders the accounts matching q as /kam's account resolution
// would pick them: the exact name or slug, then a prefix of the name or
// slug, then a word of the name, a look-alike spelling, a part of the name,
// and the closest within a typo; by name within each. An empty q lists them
// by name. At most limit are returned.
func rankAccounts(accts []kam.Account, q string, limit int) []kam.Account {
	q = strings.ToLower(strings.TrimSpace(q))
	if runeLen(q) > kam.MaxNameLen+20 {
		return nil
	}
	if q == "" {
		return accts[:min(limit, len(accts))]
	}
	type hit struct {
		a    kam.Account
		tier int
		dist int
	}
	sq := kam.Slugify(q)
	var lq string // the look-alike key of q, computed once when needed
	budget := typoBudget(q)
	hits := make([]hit, 0, min(len(accts), 4*limit))
	for _, a := range accts {
		name := strings.ToLower(a.Name)
		h := hit{a: a, tier: tierNone}
		switch {
		case name == q || a.Slug == q || (sq != "" && a.Slug == sq):
			h.tier = tierExact
		case strings.HasPrefix(name, q) || strings.HasPrefix(a.Slug, q) || (sq != "" && strings.HasPrefix(a.Slug, sq)):
			h.tier = tierPrefix
		case wordPrefix(name, q):
			h.tier = tierWord
		case strings.Contains(name, q):
			h.tier = tierContains
		default:
			if !isASCII(q) || !isASCII(name) {
				if lq == "" {
					lq = kam.LookAlike(q)
				}
				if lq != "" && strings.HasPrefix(kam.LookAlike(a.Name), lq) {
					h.tier = tierLookAlike
					break
				}
			}
			if budget > 0 {
				if d := min(typoDistance(q, name), typoDistance(q, a.Slug)); d <= budget {
					h.tier, h.dist = tierClose, d
				}
			}
		}
		if h.tier != tierNone {
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(x, y hit) int {
		return cmp.Or(cmp.Compare(x.tier, y.tier), cmp.Compare(x.dist, y.dist))
	})
	out := make([]kam.Account, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, h.a)
	}
	return out
}

// wordPrefix reports whether a later word of name starts with q ("corp"
// in "acme corp").
func wordPrefix(name, q string) bool {
	for i, r := range name {
		if i > 0 && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			rest := strings.TrimLeftFunc(name[i:], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if strings.HasPrefix(rest, q) {
				return true
			}
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// suggestStakeholders offers the stakeholders on the map of the account the
// form names (the account menu's choice, or the interaction being edited),
// when the user may log on it; nothing otherwise.
func suggestStakeholders(ctx context.Context, in *Interaction) (InteractionReply, error) {
	if in.intel() == nil {
		return InteractionReply{Ack: noOptions()}, nil
	}
	id := formAccount(in.Callback)
	if id <= 0 {
		return InteractionReply{Ack: noOptions()}, nil
	}
	a, _, err := in.AccountByID(ctx, id, AccessTeam, "log interactions")
	if err != nil {
		return InteractionReply{Ack: noOptions()}, nil
	}
	cs, err := in.intel().Contacts(ctx, in.TeamID, a.ID)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("stakeholders of account %d for a menu: %w", a.ID, err)
	}
	q := strings.ToLower(strings.TrimSpace(in.Callback.Value))
	var opts []*slack.OptionBlockObject
	for _, c := range cs {
		if q == "" || strings.Contains(strings.ToLower(c.Name), q) || strings.Contains(strings.ToLower(c.Title), q) {
			label := c.Name
			if c.Title != "" {
				label += " — " + c.Title
			}
			opts = append(opts, option(strconv.FormatInt(c.ID, 10), label))
		}
	}
	return InteractionReply{Ack: optionsOf(opts)}, nil
}
