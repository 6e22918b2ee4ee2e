package kam

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// relNow is the fixed clock of these tests; the 90-day window starts 12 Aug.
var relNow = time.Date(2025, 11, 10, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return relNow.Add(-time.Duration(n) * 24 * time.Hour) }

var (
	acme  = Account{ID: 1, TeamID: "T1", Name: "Acme", OwnerID: "UANA", Tier: TierConsultant, Cadence: CadenceMonthly, CreatedAt: daysAgo(400)}
	jane  = Contact{ID: 10, AccountID: 1, Name: "Jane Doe", Title: "CFO", Role: ContactDecisionMaker, Influence: 5}
	li    = Contact{ID: 11, AccountID: 1, Name: "Li Wei", Role: ContactInfluencer, Influence: 3}
	bo    = Contact{ID: 12, AccountID: 1, Name: "Bo Chen", Role: ContactUser, Influence: 2}
	kim   = Contact{ID: 13, AccountID: 1, Name: "Kim Park", Role: ContactChampion, Influence: 4}
	other = Contact{ID: 99, AccountID: 2, Name: "Not Acme", Influence: 3}
)

func met(user string, ago int, kind InteractionKind, contacts ...int64) Interaction {
	return Interaction{AccountID: 1, UserID: user, Kind: kind, At: daysAgo(ago), Contacts: contacts}
}

func mirrored(c Contact, user string) Contact { c.MirrorID = user; return c }

func TestDeriveRelationship(t *testing.T) {
	tests := []struct {
		name         string
		contacts     []Contact
		interactions []Interaction
		model        RelationshipModel
		reason       string
		people       []string
	}{
		{"nothing logged", []Contact{jane}, nil, ModelNone,
			"nobody has logged contact with Acme since 2025-08-12", nil},
		{"only old contact, notes and other accounts", []Contact{jane}, []Interaction{
			met("UANA", 91, KindMeeting, 10),
			met("UANA", 3, KindNote, 10),
			{AccountID: 2, UserID: "UBEN", Kind: KindCall, At: daysAgo(2)},
			met("UCY", -1, KindCall, 10), // in the future: ignored
		}, ModelNone, "nobody has logged contact with Acme since 2025-08-12", nil},
		{"the issue's example", []Contact{jane, li}, []Interaction{
			met("UANA", 30, KindMeeting, 10),
			met("UANA", 5, KindCall, 10),
		}, ModelBowTie, "only <@UANA> has met anyone at Acme since 2025-08-12 (Jane Doe)", []string{"UANA"}},
		{"one person, nobody named", []Contact{jane}, []Interaction{
			met("UANA", 30, KindEmail),
		}, ModelBowTie, "only <@UANA> has logged contact with Acme since 2025-08-12, naming no stakeholder", []string{"UANA"}},
		{"several people, nobody named", nil, []Interaction{
			met("UANA", 30, KindEmail), met("UBEN", 20, KindCall), met("UBEN", 10, KindCall),
		}, ModelBowTie, "<@UBEN> and <@UANA> logged contact with Acme since 2025-08-12 but named no stakeholder", []string{"UBEN", "UANA"}},
		{"one person, two contacts", []Contact{jane, li}, []Interaction{
			met("UANA", 10, KindMeeting, 10, 11),
		}, ModelBowTie, "only <@UANA> has met anyone at Acme since 2025-08-12 (Jane Doe and Li Wei)", []string{"UANA"}},
		{"one person, many contacts", []Contact{jane, li, bo, kim}, []Interaction{
			met("UANA", 10, KindMeeting, 10, 11),
			met("UANA", 8, KindVisit, 12, 13),
		}, ModelOneOnMany, "only <@UANA> has met anyone at Acme since 2025-08-12: 4 contacts (Bo Chen, Jane Doe, Kim Park and 1 more)", []string{"UANA"}},
		{"one person named, another did not", []Contact{jane, li, bo}, []Interaction{
			met("UANA", 10, KindMeeting, 10, 11, 12),
			met("UBEN", 8, KindCall),
		}, ModelOneOnMany, "only <@UANA> has met anyone at Acme since 2025-08-12: 3 contacts (Bo Chen, Jane Doe and Li Wei); <@UBEN> named no stakeholder", []string{"UANA", "UBEN"}},
		{"everyone talks to one buyer", []Contact{jane, li}, []Interaction{
			met("UANA", 10, KindMeeting, 10),
			met("UBEN", 20, KindCall, 10),
		}, ModelBowTie, "since 2025-08-12, <@UANA> and <@UBEN> have been in touch with only Jane Doe at Acme", []string{"UANA", "UBEN"}},
		{"diamond", []Contact{jane, li}, []Interaction{
			met("UANA", 10, KindMeeting, 10),
			met("UBEN", 20, KindCall, 11),
			met("UBEN", 21, KindCall, 11),
		}, ModelDiamond, "since 2025-08-12, 2 team members each have their own counterparts at Acme: <@UBEN> (Li Wei), <@UANA> (Jane Doe)", []string{"UBEN", "UANA"}},
		{"diamond through an overlapping contact", []Contact{jane, li}, []Interaction{
			met("UANA", 10, KindMeeting, 10),
			met("UBEN", 20, KindMeeting, 10, 11),
		}, ModelDiamond, "since 2025-08-12, 2 team members each have their own counterparts at Acme: <@UANA> (Jane Doe), <@UBEN> (Jane Doe and Li Wei)", []string{"UANA", "UBEN"}},
		{"diamond through an active mirror", []Contact{jane, mirrored(li, "UBEN")}, []Interaction{
			met("UANA", 10, KindMeeting, 10),
			met("UBEN", 5, KindCall),
		}, ModelDiamond, "since 2025-08-12, 2 team members each have their own counterparts at Acme: <@UANA> (Jane Doe), <@UBEN> (Li Wei)", []string{"UANA", "UBEN"}},
		{"an idle mirror does not count", []Contact{jane, mirrored(li, "UBEN")}, []Interaction{
			met("UANA", 10, KindMeeting, 10),
			met("UBEN", 95, KindCall, 11),
		}, ModelBowTie, "only <@UANA> has met anyone at Acme since 2025-08-12 (Jane Doe)", []string{"UANA"}},
		{"mirrors alone", []Contact{mirrored(jane, "UANA")}, []Interaction{
			met("UANA", 10, KindCall),
		}, ModelBowTie, "only <@UANA> has been in touch with anyone at Acme since 2025-08-12 (Jane Doe)", []string{"UANA"}},
		{"a contact of another account is ignored", []Contact{jane, other}, []Interaction{
			met("UANA", 10, KindCall, 10),
			met("UBEN", 10, KindCall, 99),
		}, ModelBowTie, "only <@UANA> has met anyone at Acme since 2025-08-12 (Jane Doe); <@UBEN> named no stakeholder", []string{"UANA", "UBEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DeriveRelationship(acme, tt.contacts, tt.interactions, relNow)
			if r.Model != tt.model {
				t.Errorf("model = %q, want %q (reason %q)", r.Model, tt.model, r.Reason)
			}
			if r.Reason != tt.reason {
				t.Errorf("reason =\n  %q\nwant\n  %q", r.Reason, tt.reason)
			}
			if !reflect.DeepEqual(r.People, tt.people) {
				t.Errorf("people = %v, want %v", r.People, tt.people)
			}
			if !r.Since.Equal(daysAgo(90)) {
				t.Errorf("since = %v", r.Since)
			}
		})
	}
}

func TestDeriveRelationshipLists(t *testing.T) {
	hostile := Contact{ID: 20, AccountID: 1, Name: "Max Hill", Role: ContactInfluencer, Influence: 4, Stance: -2}
	blocker := Contact{ID: 21, AccountID: 1, Name: "Ada Fox", Role: ContactBlocker, Influence: 2, Stance: 0}
	dm2 := Contact{ID: 22, AccountID: 1, Name: "Zoe Ray", Role: ContactDecisionMaker, Influence: 3}
	r := DeriveRelationship(acme, []Contact{dm2, jane, mirrored(Contact{ID: 23, AccountID: 1, Name: "Mirrored DM", Role: ContactDecisionMaker, Influence: 5}, "UANA"), hostile, blocker, li}, nil, relNow)
	var names []string
	for _, c := range r.Unmirrored {
		names = append(names, c.Name)
	}
	if want := []string{"Jane Doe", "Zoe Ray"}; !reflect.DeepEqual(names, want) {
		t.Errorf("unmirrored decision-makers = %v, want %v (by influence)", names, want)
	}
	names = nil
	for _, c := range r.Blockers {
		names = append(names, c.Name)
	}
	if want := []string{"Max Hill", "Ada Fox"}; !reflect.DeepEqual(names, want) {
		t.Errorf("blockers = %v, want %v", names, want)
	}
}

func TestDeriveRelationshipYearInDate(t *testing.T) {
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	r := DeriveRelationship(acme, nil, nil, now)
	if !strings.HasSuffix(r.Reason, "since 2025-11-03") {
		t.Errorf("reason = %q, want the ISO date of the window start", r.Reason)
	}
}

func TestParseInfluenceAndStance(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{{"1", 1, true}, {"5", 5, true}, {"0", 0, false}, {"6", 0, false}, {"x", 0, false}, {"3.0", 0, false}} {
		got, err := ParseInfluence(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseInfluence(%q) = %d, %v", tt.in, got, err)
		}
	}
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{{"-2", -2, true}, {"+2", 2, true}, {"0", 0, true}, {"−1", -1, true}, {"3", 0, false}, {"-3", 0, false}, {"", 0, false}} {
		got, err := ParseStance(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStance(%q) = %d, %v", tt.in, got, err)
		}
		if err != nil && (ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "stance=1")) {
			t.Errorf("ParseStance(%q) error %q should say what to type", tt.in, ErrorMessage(err))
		}
	}
	for s, want := range map[int]string{-2: "hostile", -1: "sceptical", 0: "neutral", 1: "supportive", 2: "advocate"} {
		if got := StanceLabel(s); got != want {
			t.Errorf("StanceLabel(%d) = %q, want %q", s, got, want)
		}
	}
}
