package brief

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/kambot/kambot/kam"
)

// Thresholds the texts use to call something stale or stalled.
const (
	recentWindow  = 90 * 24 * time.Hour // "recent" activity, and a stakeholder gone quiet
	stallAfter    = 60 * 24 * time.Hour // an open opportunity this long in one stage has stalled
	tacticHorizon = 120 * 24 * time.Hour
)

// asOf is the moment the facts describe: f.Now, or now when unset, in the
// location dates are shown in.
func (f *Facts) asOf(now func() time.Time) time.Time {
	if !f.Now.IsZero() {
		return f.Now
	}
	if now == nil {
		return time.Now()
	}
	return now()
}

// ownsInteraction reports whether an interaction belongs to the account;
// unset IDs on either side are taken as matching (facts built by hand).
func (f *Facts) ownsInteraction(in kam.Interaction) bool {
	return sameScope(f.Account, in.TeamID, in.AccountID)
}

func (f *Facts) ownsOpportunity(o kam.Opportunity) bool {
	return sameScope(f.Account, o.TeamID, o.AccountID)
}

func sameScope(a kam.Account, teamID string, accountID int64) bool {
	if a.ID != 0 && accountID != 0 && a.ID != accountID {
		return false
	}
	if a.TeamID != "" && teamID != "" && a.TeamID != teamID {
		return false
	}
	return true
}

// foreignRecords counts the records that name another account; they are
// skipped, and the count is logged so a wiring mistake shows.
func (f *Facts) foreignRecords() int {
	n := 0
	for _, in := range f.Interactions {
		if !f.ownsInteraction(in) {
			n++
		}
	}
	for _, o := range f.Opportunities {
		if !f.ownsOpportunity(o) {
			n++
		}
	}
	return n
}

// openOpportunities returns the account's open opportunities, largest first.
func (f *Facts) openOpportunities() []kam.Opportunity {
	var out []kam.Opportunity
	for _, o := range f.Opportunities {
		if f.ownsOpportunity(o) && o.Stage.Open() {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b kam.Opportunity) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		if c := compareDates(a.CloseDate, b.CloseDate); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// compareDates orders dates ascending with unset dates last.
func compareDates(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// rolePriority ranks decision roles by how much they matter to a sponsor:
// the people who decide, then those who can stop it, then the allies.
func rolePriority(r kam.ContactRole) int {
	switch r {
	case kam.ContactDecisionMaker:
		return 0
	case kam.ContactBlocker:
		return 1
	case kam.ContactChampion:
		return 2
	case kam.ContactInfluencer:
		return 3
	case kam.ContactGatekeeper:
		return 4
	case kam.ContactUser:
		return 5
	}
	return 6
}

// rankedStakeholders returns the stakeholders by influence, then role, then
// most recent contact.
func (f *Facts) rankedStakeholders() []Stakeholder {
	out := slices.Clone(f.Stakeholders)
	slices.SortStableFunc(out, func(a, b Stakeholder) int {
		if c := cmp.Compare(b.Influence, a.Influence); c != 0 {
			return c
		}
		if c := cmp.Compare(rolePriority(a.Role), rolePriority(b.Role)); c != 0 {
			return c
		}
		if c := b.LastContact.Compare(a.LastContact); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// pendingTactics returns the tactics not yet done, by due date (overdue
// first, undated last).
func (f *Facts) pendingTactics() []Tactic {
	var out []Tactic
	for _, t := range f.Tactics {
		if !t.Done {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b Tactic) int {
		if c := compareDates(a.Due, b.Due); c != 0 {
			return c
		}
		return kam.CompareQuarters(a.Quarter, b.Quarter)
	})
	return out
}

// stakeholderIndex maps stakeholder IDs to their position in f.Stakeholders.
func (f *Facts) stakeholderIndex() map[int64]int {
	idx := make(map[int64]int, len(f.Stakeholders))
	for i, s := range f.Stakeholders {
		if s.ID != 0 {
			idx[s.ID] = i
		}
	}
	return idx
}

// kindWeight says how much an interaction's kind tells a sponsor: executive
// meetings and QBRs outrank calls, internal notes rank lowest.
func kindWeight(k kam.InteractionKind) float64 {
	switch k {
	case kam.KindExec:
		return 2.5
	case kam.KindQBR:
		return 2
	case kam.KindVisit, kam.KindMeeting:
		return 1.5
	case kam.KindNote:
		return 0.5
	}
	return 1
}

// relevance scores interactions for selection: age divided by a weight, so a
// newer interaction wins unless an older one is much more telling (an exec
// meeting, or a meeting with a decision-maker).
type relevance struct {
	now     time.Time
	people  []Stakeholder
	byID    map[int64]int
	nowUnix int64
}

func newRelevance(f *Facts, now time.Time) *relevance {
	return &relevance{now: now, people: f.Stakeholders, byID: f.stakeholderIndex(), nowUnix: now.Unix()}
}

// key is lower for interactions that should be shown first.
func (r *relevance) key(in *kam.Interaction) float64 {
	w := kindWeight(in.Kind)
	var dm, high bool
	for _, id := range in.Contacts {
		i, ok := r.byID[id]
		if !ok {
			continue
		}
		s := &r.people[i]
		if s.Role == kam.ContactDecisionMaker {
			dm = true
		} else if s.Influence >= 4 {
			high = true
		}
	}
	if dm {
		w++
	} else if high {
		w += 0.5
	}
	age := float64(r.nowUnix - in.At.Unix())
	if age < 0 {
		age = 0 // dated in the future: as good as now
	}
	return (age + 3600) / w
}

// ranked is one candidate of a top-k selection.
type ranked struct {
	key   float64
	index int
}

// worse orders candidates: a higher key loses, and on a tie the later index.
func (a ranked) worse(b ranked) bool {
	return a.key > b.key || (a.key == b.key && a.index > b.index)
}

// topK keeps the k candidates with the lowest keys in a max-heap, so picking
// a few hundred of 50,000 interactions costs one comparison for most of them.
type topK struct {
	k int
	h []ranked
}

func newTopK(k int) *topK {
	if k < 1 {
		k = 1
	}
	return &topK{k: k, h: make([]ranked, 0, min(k, 1024))}
}

func (t *topK) push(key float64, index int) {
	c := ranked{key, index}
	if len(t.h) < t.k {
		t.h = append(t.h, c)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.h[i].worse(t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if !t.h[0].worse(c) {
		return
	}
	t.h[0] = c
	for i := 0; ; {
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t.h) && t.h[l].worse(t.h[w]) {
			w = l
		}
		if r < len(t.h) && t.h[r].worse(t.h[w]) {
			w = r
		}
		if w == i {
			break
		}
		t.h[i], t.h[w] = t.h[w], t.h[i]
		i = w
	}
}

// sorted returns the kept candidates, best first.
func (t *topK) sorted() []ranked {
	out := slices.Clone(t.h)
	slices.SortFunc(out, func(a, b ranked) int {
		switch {
		case b.worse(a):
			return -1
		case a.worse(b):
			return 1
		}
		return 0
	})
	return out
}
