package brief

import (
	"strings"
	"testing"
)

// TestCharterAndAgendas: the brief carries the strategy charter, the
// year's target and the decision-makers' agendas, in the template and in
// the model's data block, escaped like every other record.
func TestCharterAndAgendas(t *testing.T) {
	f := acme()
	f.Stakeholders[0].Agenda = "Cut logistics cost <!here>"
	f.Stakeholders[0].Personal = "Board seat in 2027"
	f.Stakeholders[0].MeasuredBy = "EBIT margin"
	f.Charter = []CharterLine{
		{Kind: "strategy", Text: "Pilot the cold-chain service"},
		{Kind: "threat", Text: "Discounters"},
		{Kind: "situation", Text: "Regional grocer"},
		{Kind: "gossip", Text: "never shown"},
	}
	f.Target, f.TargetYear = 2_000_000, 2025
	r := Fallback(f)
	for _, want := range []string{"wants Cut logistics cost", "for themselves Board seat in 2027", "measured by EBIT margin",
		"Strategy: Pilot the cold-chain service", "Threat: Discounters", "Their business: Regional grocer", "2025 target $2M"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("template lacks %q:\n%s", want, r.Text)
		}
	}
	if strings.Contains(r.Text, "<!here>") || strings.Contains(r.Text, "never shown") {
		t.Errorf("template shows a live mention or an unknown line:\n%s", r.Text)
	}
	p := BuildPrompt(f, 6000)
	var all strings.Builder
	all.WriteString(p.System + p.User)
	for _, want := range []string{`"business_agenda":"Cut logistics cost`, `"measured_by":"EBIT margin"`, `"charter":"strategy"`,
		`"revenue_target":2000000`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("prompt lacks %s", want)
		}
	}
	if strings.Contains(all.String(), "<!here>") {
		t.Error("prompt carries an unescaped bracket")
	}
}
