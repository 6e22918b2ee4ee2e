package commands

import (
	"context"
	"fmt"
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
	cands, err := in.e.typeahead.candidates(ctx, &in.Actor)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("accounts of %s for a menu: %w", in.UserID, err)
	}
	ranked := rankCandidates(cands, in.Callback.Value, maxOptions)
	opts := make([]*slack.OptionBlockObject, len(ranked))
	for i, a := range ranked {
		opts[i] = accountOption(a)
	}
	return InteractionReply{Ack: optionsOf(opts)}, nil
}

func accountOption(a kam.Account) *slack.OptionBlockObject {
	return option(strconv.FormatInt(a.ID, 10), a.Name)
}

// Match tiers, best first: how a name answers what was typed. tierClose
// is followed by one tier per typo distance.
const (
	tierNone = iota - 1
	tierExact
	tierPrefix
	tierWord
	tierLookAlike
	tierContains
	tierClose
)

// rankAccounts orders the accounts matching q as /kam's account resolution
// would pick them: the exact name or slug, then a prefix of the name or
// slug, then a word of the name, a look-alike spelling, a part of the name,
// and the closest within a typo; by name within each. An empty q lists them
// by name. At most limit are returned.
func rankAccounts(accts []kam.Account, q string, limit int) []kam.Account {
	cands := make([]candidate, len(accts))
	for i, a := range accts {
		cands[i] = candidate{acct: a, lower: strings.ToLower(a.Name)}
	}
	return rankCandidates(cands, q, limit)
}

// rankCandidates is rankAccounts on prepared candidates, in one pass
// without sorting: the candidates come by name, so each tier's matches
// are collected in order (at most limit of each). Look-alikes and typos,
// which cost more, are only looked for when the cheaper tiers left room.
func rankCandidates(cands []candidate, q string, limit int) []kam.Account {
	q = strings.ToLower(strings.TrimSpace(q))
	if runeLen(q) > kam.MaxNameLen+20 {
		return nil
	}
	if q == "" {
		out := make([]kam.Account, 0, min(limit, len(cands)))
		for _, c := range cands[:min(limit, len(cands))] {
			out = append(out, c.acct)
		}
		return out
	}
	sq := kam.Slugify(q)
	budget := typoBudget(q)
	// buckets[tier] for the tiers; then one per typo distance 1…budget.
	buckets := make([][]int, tierClose+budget+1)
	add := func(b, i int) {
		if len(buckets[b]) < limit {
			buckets[b] = append(buckets[b], i)
		}
	}
	for i, c := range cands {
		if t := cheapTier(c, q, sq); t != tierNone {
			add(t, i)
		}
	}
	if len(buckets[tierExact])+len(buckets[tierPrefix])+len(buckets[tierWord]) < limit {
		closeHits(cands, q, sq, budget, add)
	}
	out := make([]kam.Account, 0, limit)
	for _, b := range buckets {
		for _, i := range b {
			if len(out) == limit {
				return out
			}
			out = append(out, cands[i].acct)
		}
	}
	return out
}

// cheapTier places a candidate by plain string comparisons.
func cheapTier(c candidate, q, sq string) int {
	slug := c.acct.Slug
	switch {
	case c.lower == q || slug == q || (sq != "" && slug == sq):
		return tierExact
	case strings.HasPrefix(c.lower, q) || strings.HasPrefix(slug, q) || (sq != "" && strings.HasPrefix(slug, sq)):
		return tierPrefix
	case wordPrefix(c.lower, q):
		return tierWord
	case strings.Contains(c.lower, q):
		return tierContains
	}
	return tierNone
}

// closeHits finds, among the candidates the cheap tiers miss, names that
// read like q (confusable letters) and names within a typo of it, and
// adds each to its bucket: tierLookAlike, or tierClose+distance.
func closeHits(cands []candidate, q, sq string, budget int, add func(bucket, i int)) {
	var lq string // q's look-alike key, computed once when needed
	asciiQ := isASCII(q)
	var d distancer
	for i, c := range cands {
		if cheapTier(c, q, sq) != tierNone {
			continue
		}
		if !asciiQ || !isASCII(c.lower) {
			if lq == "" {
				lq = kam.LookAlike(q)
			}
			if lq != "" && strings.HasPrefix(kam.LookAlike(c.acct.Name), lq) {
				add(tierLookAlike, i)
				continue
			}
		}
		if budget > 0 {
			if dist := min(d.typo(q, c.lower, budget), d.typo(q, c.acct.Slug, budget)); dist <= budget {
				add(tierClose+dist, i)
			}
		}
	}
}

// distancer computes typoDistance with buffers reused across calls: the
// type-ahead measures thousands of names per keystroke.
type distancer struct {
	t, o             []rune
	prev2, prev, cur []int
}

func (d *distancer) typo(typed, option string, budget int) int {
	d.t = appendRunes(d.t[:0], typed)
	d.o = appendRunes(d.o[:0], option)
	t, o := d.t[:min(len(d.t), 100)], d.o[:min(len(d.o), 100)]
	dist := budget + 1
	// The whole option is further than budget when the lengths alone are.
	if abs(len(o)-len(t)) <= budget {
		dist = d.lev(t, o)
	}
	if len(o) > len(t) {
		dist = min(dist, d.lev(t, o[:len(t)]))
	}
	return dist
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// lev is levenshtein (optimal string alignment) on the reused rows.
func (d *distancer) lev(a, b []rune) int {
	n := len(b) + 1
	if cap(d.cur) < n {
		d.prev2, d.prev, d.cur = make([]int, n), make([]int, n), make([]int, n)
	}
	prev2, prev, cur := d.prev2[:n], d.prev[:n], d.cur[:n]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
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
