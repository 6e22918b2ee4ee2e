package commands

import (
	"strings"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// agendaWords name a stakeholder's agenda keys in messages.
var agendaWords = map[string]string{
	"agenda":   "business agenda",
	"personal": "personal agenda",
	"measured": "measure (how they are measured)",
}

// agendaField is the field of ct an agenda key sets.
func agendaField(ct *kam.Contact, key string) *string {
	switch key {
	case "personal":
		return &ct.PersonalAgenda
	case "measured":
		return &ct.MeasuredBy
	}
	return &ct.BusinessAgenda
}

// agendaLines are a stakeholder's agendas under their line on the map:
// "\n    ↳ business: … · personal: … · measured by: …"; "" when none is known.
func agendaLines(ct kam.Contact) string {
	var parts []string
	for _, p := range []struct{ label, v string }{
		{"business", ct.BusinessAgenda}, {"personal", ct.PersonalAgenda}, {"measured by", ct.MeasuredBy},
	} {
		if p.v != "" {
			parts = append(parts, "_"+p.label+"_: "+format.Mrkdwn(p.v))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "\n      ↳ " + strings.Join(parts, " · ")
}
