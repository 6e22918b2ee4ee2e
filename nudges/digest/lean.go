package digest

import (
	"cmp"
	"container/heap"
	"slices"
	"unicode/utf8"

	"github.com/kambot/kambot/format"
)

// leaner keeps, while a week loads, the words of the alerts of only those
// accounts that the first parts of one user's digest can show: the first
// limit accounts needing attention in the digest's order, among those the
// user manages and among all (the portfolio is one or the other). Every
// other account keeps its alerts' kinds, severities and sizes: enough to
// lay the whole digest out and count its parts, not to word it. Of a
// portfolio of thousands, that is most of what the digest would hold.
//
// A head reaching past the accounts needing attention (when fewer need it
// than a head can show) meets lines of accounts without words; digestHead
// names those accounts, and the caller loads the week again keeping their
// words too (words).
type leaner struct {
	user      string
	limit     int
	mine, all rankHeap
	words     map[int64]bool // accounts that keep their words whatever their rank
}

// newLeaner keeps the words of limit accounts needing attention of the
// digest of user.
func newLeaner(user string, limit int) *leaner {
	return &leaner{user: user, limit: limit}
}

// add takes account a, the pos-th of the week, as it is assessed: it
// keeps its words while it is among the first accounts needing attention,
// and makes the one it pushes out, or a itself, lean. A nil leaner keeps
// every account's words.
func (l *leaner) add(w *week, a *account, pos int) {
	if l == nil {
		return
	}
	if !a.needs {
		if !l.words[a.acct.ID] {
			w.makeLean(a)
		}
		return
	}
	// Both heaps take a before either lets go of an account: one that
	// the first lets go of may be the second's to keep.
	r := ranked{a, pos}
	out := [2]*account{l.push(&l.all, r), nil}
	if slices.Contains(a.managers, l.user) {
		out[1] = l.push(&l.mine, r)
	}
	for _, o := range out {
		if o != nil && o.held == 0 && !l.words[o.acct.ID] {
			w.makeLean(o)
		}
	}
}

// push adds r to h and, past the limit, takes out the last in the
// digest's order and returns it.
func (l *leaner) push(h *rankHeap, r ranked) *account {
	r.a.held++
	heap.Push(h, r)
	if h.Len() <= l.limit {
		return nil
	}
	out := heap.Pop(h).(ranked)
	out.a.held--
	return out.a
}

// ranked is an account needing attention and its place in the week.
type ranked struct {
	a   *account
	pos int
}

// rankHeap holds accounts needing attention, the last in the digest's
// order on top.
type rankHeap []ranked

func (h rankHeap) Len() int { return len(h) }
func (h rankHeap) Less(i, j int) bool {
	return cmp.Or(portfolioOrder(h[i].a, h[j].a), cmp.Compare(h[i].pos, h[j].pos)) > 0
}
func (h rankHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(x any)   { *h = append(*h, x.(ranked)) }
func (h *rankHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// makeLean keeps of a's alerts what the digest's layout needs — the size
// of each fact in words and, when a needs attention, of its entry — and
// drops their words.
func (w *week) makeLean(a *account) {
	if a.lean {
		return
	}
	if a.needs {
		// Without its summary, which may come after (summarize).
		a.attention = utf8.RuneCountInString(w.attentionText(a)) - summarySize(a.summary)
	}
	for i := range a.health.Alerts {
		al := &a.health.Alerts[i]
		al.runes = int32(utf8.RuneCountInString(format.Mrkdwn(al.Fact())))
		al.words = nil
	}
	a.lean = true
}

// attentionSize is the characters of a lean account's entry under "Needs
// attention", as attentionText would word it.
func attentionSize(a *account) int {
	return min(a.attention+summarySize(a.summary), sectionText)
}

// summarySize is the characters the summary line adds to an entry under
// "Needs attention".
func summarySize(summary string) int { return utf8.RuneCountInString(summaryLine(summary)) }
