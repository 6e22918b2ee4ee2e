package kam

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Contact is one customer stakeholder on an account's stakeholder map.
type Contact struct {
	ID        int64
	TeamID    string
	AccountID int64
	Name      string
	Title     string
	Role      ContactRole // "" while the role in the decision is not known
	Influence int         // 1–5
	Stance    int         // −2 hostile … +2 advocate
	MirrorID  string      // Slack user ID of the team member who owns the relationship; "" none
	// The stakeholder's agendas: what they want for their business, what
	// they want for themselves, and how they are measured. "" while unknown.
	BusinessAgenda string
	PersonalAgenda string
	MeasuredBy     string
	// LastContact is the latest logged interaction that named the contact;
	// zero if none ever did. Derived, never typed in.
	LastContact time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Limits and defaults of a contact's influence and stance.
const (
	MinInfluence     = 1
	MaxInfluence     = 5
	DefaultInfluence = 3
	MinStance        = -2
	MaxStance        = 2
)

// ParseInfluence reads influence=1..5.
func ParseInfluence(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < MinInfluence || n > MaxInfluence {
		return 0, Errorf(EINVALID, "Influence must be a whole number from %d (little) to %d (decisive), e.g. influence=4 (got %q).", MinInfluence, MaxInfluence, s)
	}
	return n, nil
}

// ParseStance reads stance=-2..2; "+1" and the Unicode minus are accepted.
func ParseStance(s string) (int, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "−", "-")
	n, err := strconv.Atoi(t)
	if err != nil || n < MinStance || n > MaxStance {
		return 0, Errorf(EINVALID, "Stance must be a whole number from %d (hostile) to +%d (advocate), e.g. stance=1 (got %q).", MinStance, MaxStance, s)
	}
	return n, nil
}

// StanceLabel names a stance: hostile, sceptical, neutral, supportive, advocate.
func StanceLabel(stance int) string {
	switch {
	case stance <= -2:
		return "hostile"
	case stance == -1:
		return "sceptical"
	case stance == 0:
		return "neutral"
	case stance == 1:
		return "supportive"
	default:
		return "advocate"
	}
}

// Key reports whether the stakeholder matters enough that someone on the
// team must own the relationship: a decision-maker, or influence 4 or 5.
func (c Contact) Key() bool {
	return c.Role == ContactDecisionMaker || c.Influence >= 4
}

// Blocker reports whether the stakeholder works against us: role blocker,
// or stance −2 (hostile).
func (c Contact) Blocker() bool {
	return c.Role == ContactBlocker || c.Stance <= MinStance
}

// RelationshipModel is how the supplier team is connected to the customer.
type RelationshipModel string

// Relationship models, derived from the data.
const (
	ModelNone      RelationshipModel = "none"        // no contact in the window
	ModelBowTie    RelationshipModel = "bow-tie"     // one person to one or two, or everyone to one
	ModelOneOnMany RelationshipModel = "one-on-many" // one person to three or more
	ModelDiamond   RelationshipModel = "diamond"     // several people, each with their own counterparts
)

// RelationshipWindow is how far back the relationship model looks.
const RelationshipWindow = 90 * 24 * time.Hour

// OneOnManyContacts is how many customer contacts one supplier person must
// be in touch with for the model to be one-on-many rather than bow-tie.
const OneOnManyContacts = 3

// Pairing is one team member and the customer contacts they are in touch with.
type Pairing struct {
	UserID   string
	Contacts []Contact // by name
}

// Relationship is the derived relationship model of one account.
type Relationship struct {
	Model  RelationshipModel
	Reason string    // in words, with Slack mentions: "only <@U1> has met anyone at Acme since 12 Aug (Jane Doe)"
	Since  time.Time // start of the window
	// People are the team members who logged contact in the window, most
	// active first; Pairings the ones with known counterparts.
	People   []string
	Pairings []Pairing
	// Unmirrored are the decision-makers without a mirror; Blockers the
	// stakeholders working against us. Both by influence, then name.
	Unmirrored []Contact
	Blockers   []Contact
}

// Touches is one person's real contact with an account in a window: how
// many interactions they logged (notes are internal and left out) and the
// stakeholders those named. The store counts them in SQL for many accounts
// at once; ActivityOf counts a list of interactions the same way.
type Touches struct {
	UserID string
	Count  int
	Met    []int64 // stakeholders named, by Contact.ID, each once
}

// ActivityOf counts, per person, the real contacts among interactions
// within [since, now] and the stakeholders they named; interactions of
// another account than accountID (when not 0) are left out. The result is
// ordered by user.
func ActivityOf(interactions []Interaction, accountID int64, since, now time.Time) []Touches {
	byUser := map[string]*Touches{}
	var users []string
	for _, in := range interactions {
		if !in.Kind.Touches() || in.At.Before(since) || in.At.After(now) || (accountID != 0 && in.AccountID != 0 && in.AccountID != accountID) {
			continue
		}
		t := byUser[in.UserID]
		if t == nil {
			t = &Touches{UserID: in.UserID}
			byUser[in.UserID] = t
			users = append(users, in.UserID)
		}
		t.Count++
		for _, id := range in.Contacts {
			if !slices.Contains(t.Met, id) {
				t.Met = append(t.Met, id)
			}
		}
	}
	sort.Strings(users)
	out := make([]Touches, len(users))
	for i, u := range users {
		out[i] = *byUser[u]
		slices.Sort(out[i].Met)
	}
	return out
}

// DeriveRelationship derives the relationship model of acct from its
// stakeholders and its interactions of the last RelationshipWindow before
// now: RelationshipOf over their ActivityOf.
func DeriveRelationship(acct Account, contacts []Contact, interactions []Interaction, now time.Time) Relationship {
	return RelationshipOf(acct, contacts, ActivityOf(interactions, acct.ID, now.Add(-RelationshipWindow), now), now)
}

// RelationshipOf derives the relationship model of acct from its
// stakeholders and each person's real contact with it in the last
// RelationshipWindow before now (window).
//
// A team member is in touch with a stakeholder when an interaction they
// logged named the stakeholder (`with=`), or when they mirror the
// stakeholder and logged any contact with the account in the window. Over
// these pairs:
//   - none: nobody logged contact in the window;
//   - diamond: at least two pairs share neither the team member nor the
//     stakeholder — several people, each with their own counterparts;
//   - one-on-many: every pair goes through one team member, who is in touch
//     with OneOnManyContacts or more stakeholders;
//   - bow-tie: anything else — every pair goes through one team member with
//     one or two counterparts, or through one stakeholder, or contact was
//     logged without naming anyone (counterparts unknown are taken to be the
//     usual buyer: breadth must be shown, not assumed).
func RelationshipOf(acct Account, contacts []Contact, window []Touches, now time.Time) Relationship {
	return relationshipOf(acct, contacts, window, now, true)
}

// relationshipModelOf is RelationshipOf without the words: only Model and
// Since are set, which is all a portfolio view keeps (Health.Summary), at a
// fraction of the cost — no reason worded, no list sorted.
func relationshipModelOf(acct Account, contacts []Contact, window []Touches, now time.Time) Relationship {
	if model, ok := modelOf(acct, contacts, window); ok {
		return Relationship{Model: model, Since: now.Add(-RelationshipWindow)}
	}
	rel := relationshipOf(acct, contacts, window, now, false)
	return Relationship{Model: rel.Model, Since: rel.Since}
}

// modelLimit bounds the stakeholders, people and names modelOf takes: its
// scans are quadratic, which an account's few dozen never notice.
const modelLimit = 64

// modelOf is relationshipOf's model, found with scans of the slices given
// and a small array of pairs instead of maps of maps: a portfolio view
// derives it for every account. ok is false past modelLimit, where
// relationshipOf's maps are the better choice.
func modelOf(acct Account, contacts []Contact, window []Touches) (model RelationshipModel, ok bool) {
	if len(contacts) > modelLimit || len(window) > modelLimit {
		return "", false
	}
	// stakeholder is the position of the contact relationshipOf indexes
	// under id — the last of acct's with that ID — or -1.
	stakeholder := func(id int64) int {
		for i := len(contacts) - 1; i >= 0; i-- {
			if c := contacts[i]; c.ID == id && (c.AccountID == 0 || c.AccountID == acct.ID) {
				return i
			}
		}
		return -1
	}
	active := func(user string) bool {
		for _, t := range window {
			if t.Count > 0 && t.UserID == user {
				return true
			}
		}
		return false
	}
	type pair struct {
		user string
		id   int64
	}
	var buf [2 * modelLimit]pair
	pairs := buf[:0]
	anyone := false
	for _, t := range window {
		if t.Count <= 0 {
			continue
		}
		anyone = true
		if len(pairs)+len(t.Met) > cap(buf) {
			return "", false
		}
		for _, id := range t.Met {
			if stakeholder(id) >= 0 {
				pairs = append(pairs, pair{t.UserID, id})
			}
		}
	}
	if !anyone {
		return ModelNone, true
	}
	for i, c := range contacts {
		if c.MirrorID == "" || stakeholder(c.ID) != i || !active(c.MirrorID) {
			continue
		}
		if len(pairs) == cap(buf) {
			return "", false
		}
		pairs = append(pairs, pair{c.MirrorID, c.ID})
	}
	if len(pairs) == 0 {
		return ModelBowTie, true
	}
	// One person paired: one-on-many with enough distinct counterparts.
	// Several: a diamond unless they all share one counterpart.
	oneUser, oneID := true, true
	for _, p := range pairs[1:] {
		oneUser = oneUser && p.user == pairs[0].user
		oneID = oneID && p.id == pairs[0].id
	}
	if !oneUser {
		if oneID {
			return ModelBowTie, true
		}
		return ModelDiamond, true
	}
	distinct := 0
	for i, p := range pairs {
		if !slices.ContainsFunc(pairs[:i], func(q pair) bool { return q.id == p.id }) {
			distinct++
		}
	}
	if distinct >= OneOnManyContacts {
		return ModelOneOnMany, true
	}
	return ModelBowTie, true
}

// relationshipOf is RelationshipOf; without words it sets the model only,
// leaving the reason empty and the lists unsorted.
func relationshipOf(acct Account, contacts []Contact, window []Touches, now time.Time, words bool) Relationship {
	since := now.Add(-RelationshipWindow)
	rel := Relationship{Since: since}
	// The account's stakeholders, and the ones to worry about.
	byID := rel.stakeholders(acct, contacts, words)
	// Who logged real contact in the window, and whom they named.
	activity, met := windowActivity(byID, window)
	for user := range activity {
		rel.People = append(rel.People, user)
	}
	if !words {
		// The model depends on who is in touch with whom, not on the order.
		rel.pair(byID, activity, met, false)
		rel.Model = rel.model()
		return rel
	}
	sort.Slice(rel.People, func(i, j int) bool {
		a, b := rel.People[i], rel.People[j]
		if activity[a] != activity[b] {
			return activity[a] > activity[b]
		}
		return a < b
	})
	// The pairs of team member and stakeholder in touch.
	onlyMet := rel.pair(byID, activity, met, true)
	// The model those pairs make, in words.
	rel.classify(acct.Name, shortDate(since, now), onlyMet)
	// "Nobody has logged contact since 3 Sep" about an account added today
	// is wrong: a younger account has been silent since it was added.
	// (Backdated contact before that still counts above.)
	if rel.Model == ModelNone && acct.CreatedAt.After(since) && !acct.CreatedAt.After(now) {
		rel.Reason = fmt.Sprintf("nobody has logged contact with %s since it was added %s", cmp.Or(acct.Name, "the account"), shortDate(acct.CreatedAt, now))
	}
	return rel
}

// stakeholders indexes acct's contacts (contacts of other accounts are
// left out) and, with lists, sets Unmirrored and Blockers.
func (rel *Relationship) stakeholders(acct Account, contacts []Contact, lists bool) map[int64]Contact {
	byID := make(map[int64]Contact, len(contacts))
	for _, c := range contacts {
		if c.AccountID != 0 && c.AccountID != acct.ID {
			continue
		}
		byID[c.ID] = c
		if !lists {
			continue
		}
		if c.Role == ContactDecisionMaker && c.MirrorID == "" {
			rel.Unmirrored = append(rel.Unmirrored, c)
		}
		if c.Blocker() {
			rel.Blockers = append(rel.Blockers, c)
		}
	}
	sortByWeight(rel.Unmirrored)
	sortByWeight(rel.Blockers)
	return byID
}

// windowActivity is each person's count of real contacts in the window and
// the known stakeholders each of them named.
func windowActivity(byID map[int64]Contact, window []Touches) (activity map[string]int, met map[string]map[int64]bool) {
	activity, met = map[string]int{}, map[string]map[int64]bool{}
	for _, t := range window {
		if t.Count <= 0 {
			continue
		}
		activity[t.UserID] += t.Count
		for _, id := range t.Met {
			if _, ok := byID[id]; !ok {
				continue
			}
			if met[t.UserID] == nil {
				met[t.UserID] = map[int64]bool{}
			}
			met[t.UserID][id] = true
		}
	}
	return activity, met
}

// pair sets Pairings: a team member and a stakeholder are a pair when they
// met in the window, or when the member mirrors the stakeholder and was
// active in it. onlyMet is false when a pair rests on a mirror alone.
// Without sorted, each pairing's contacts are left in no order.
func (rel *Relationship) pair(byID map[int64]Contact, activity map[string]int, met map[string]map[int64]bool, sorted bool) (onlyMet bool) {
	pairs := map[string]map[int64]bool{}
	onlyMet = true
	add := func(user string, id int64) {
		if pairs[user] == nil {
			pairs[user] = map[int64]bool{}
		}
		pairs[user][id] = true
	}
	for user, ids := range met {
		for id := range ids {
			add(user, id)
		}
	}
	for _, c := range byID {
		if c.MirrorID != "" && activity[c.MirrorID] > 0 && !pairs[c.MirrorID][c.ID] {
			add(c.MirrorID, c.ID)
			onlyMet = false
		}
	}
	if len(pairs) > 0 {
		rel.Pairings = make([]Pairing, 0, len(pairs))
	}
	for _, user := range rel.People {
		if len(pairs[user]) == 0 {
			continue
		}
		p := Pairing{UserID: user, Contacts: make([]Contact, 0, len(pairs[user]))}
		for id := range pairs[user] {
			p.Contacts = append(p.Contacts, byID[id])
		}
		if sorted {
			sortByName(p.Contacts)
		}
		rel.Pairings = append(rel.Pairings, p)
	}
	return onlyMet
}

// classify sets Model and Reason from People and Pairings; date is the
// window's start, worded.
func (rel *Relationship) classify(name, date string, onlyMet bool) {
	if name == "" {
		name = "the account"
	}
	verb := "has met anyone at"
	if !onlyMet {
		verb = "has been in touch with anyone at"
	}
	rel.Model = rel.model()
	switch {
	case len(rel.People) == 0:
		rel.Reason = fmt.Sprintf("nobody has logged contact with %s since %s", name, date)
	case len(rel.Pairings) == 0:
		if len(rel.People) == 1 {
			rel.Reason = fmt.Sprintf("only %s has logged contact with %s since %s, naming no stakeholder", mention(rel.People[0]), name, date)
		} else {
			rel.Reason = fmt.Sprintf("%s logged contact with %s since %s but named no stakeholder", mentions(rel.People, 4), name, date)
		}
	case len(rel.Pairings) == 1:
		rel.classifyOne(name, date, verb)
	case rel.Model == ModelBowTie:
		// Several team members, one counterpart: single-threaded on the customer side.
		var users []string
		for _, p := range rel.Pairings {
			users = append(users, p.UserID)
		}
		rel.Reason = fmt.Sprintf("since %s, %s have been in touch with only %s at %s", date, mentions(users, 4), rel.Pairings[0].Contacts[0].Name, name)
	default:
		// Two pairings and two distinct contacts always hold two disjoint
		// pairs unless every pair shares one vertex, ruled out above.
		var parts []string
		for i, p := range rel.Pairings {
			if i == 4 {
				parts = append(parts, fmt.Sprintf("%d more", len(rel.Pairings)-4))
				break
			}
			parts = append(parts, fmt.Sprintf("%s (%s)", mention(p.UserID), contactNames(p.Contacts, 2)))
		}
		rel.Reason = fmt.Sprintf("since %s, %d team members each have their own counterparts at %s: %s", date, len(rel.Pairings), name, strings.Join(parts, ", "))
	}
}

// model is the relationship model People and Pairings make: none without
// people in touch; one-on-many for a single pairing with OneOnManyContacts
// counterparts or more; bow-tie for a single pairing with fewer, for
// contact naming no stakeholder, or for several people with one and the
// same counterpart; diamond otherwise (two pairings and two distinct
// contacts always hold two disjoint pairs unless every pair shares one
// vertex, ruled out before).
func (rel *Relationship) model() RelationshipModel {
	switch {
	case len(rel.People) == 0:
		return ModelNone
	case len(rel.Pairings) == 0:
		return ModelBowTie
	case len(rel.Pairings) == 1:
		if len(rel.Pairings[0].Contacts) >= OneOnManyContacts {
			return ModelOneOnMany
		}
		return ModelBowTie
	}
	first := rel.Pairings[0].Contacts[0].ID
	for _, p := range rel.Pairings {
		for _, c := range p.Contacts {
			if c.ID != first {
				return ModelDiamond
			}
		}
	}
	return ModelBowTie
}

// classifyOne is classify for a single pairing: one-on-many with
// OneOnManyContacts counterparts or more, else bow-tie.
func (rel *Relationship) classifyOne(name, date, verb string) {
	p := rel.Pairings[0]
	if rel.Model == ModelOneOnMany {
		rel.Reason = fmt.Sprintf("only %s %s %s since %s: %d contacts (%s)", mention(p.UserID), verb, name, date, len(p.Contacts), contactNames(p.Contacts, 3))
	} else {
		rel.Reason = fmt.Sprintf("only %s %s %s since %s (%s)", mention(p.UserID), verb, name, date, contactNames(p.Contacts, 3))
	}
	var others []string
	for _, u := range rel.People {
		if u != p.UserID {
			others = append(others, u)
		}
	}
	if len(others) > 0 {
		rel.Reason += fmt.Sprintf("; %s named no stakeholder", mentions(others, 3))
	}
}

func sortByName(cs []Contact) {
	sort.Slice(cs, func(i, j int) bool {
		if !strings.EqualFold(cs[i].Name, cs[j].Name) {
			return compareFold(cs[i].Name, cs[j].Name) < 0
		}
		return cs[i].ID < cs[j].ID
	})
}

func sortByWeight(cs []Contact) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Influence != cs[j].Influence {
			return cs[i].Influence > cs[j].Influence
		}
		return compareFold(cs[i].Name, cs[j].Name) < 0
	})
}

func mention(userID string) string { return "<@" + userID + ">" }

// mentions joins up to max users: "<@A>, <@B> and <@C>", "… and 2 more".
func mentions(users []string, max int) string {
	var parts []string
	for i, u := range users {
		if i == max {
			parts = append(parts, fmt.Sprintf("%d more", len(users)-max))
			break
		}
		parts = append(parts, mention(u))
	}
	return joinAnd(parts)
}

func contactNames(cs []Contact, max int) string {
	var parts []string
	for i, c := range cs {
		if i == max {
			parts = append(parts, fmt.Sprintf("%d more", len(cs)-max))
			break
		}
		parts = append(parts, c.Name)
	}
	return joinAnd(parts)
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// shortDate formats t as kambot writes every day, "2026-08-12", in now's
// zone (the reader's).
func shortDate(t, now time.Time) string { return t.In(now.Location()).Format(time.DateOnly) }
