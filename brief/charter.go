package brief

// charterShown is how many lines of each kind of the strategy charter the
// template shows.
const charterShown = 2

// charterTitles word each kind of charter line for the template.
var charterTitles = map[string]string{
	"situation": "Their business", "challenge": "Their challenge", "strength": "Their strength",
	"weakness": "Their weakness", "opportunity": "Opportunity", "threat": "Threat",
	"barrier": "Barrier", "enabler": "Enabler", "strategy": "Strategy",
}

// charterLines are the strategy charter's lines for "In flight": the
// strategies first (what we are doing), then the situation and SWOT.
func (v *view) charterLines() []string {
	var out []string
	shown := map[string]int{}
	add := func(c CharterLine) {
		title, ok := charterTitles[c.Kind]
		if !ok || shown[c.Kind] == charterShown {
			return
		}
		if s := show(c.Text, maxPlanText); s != "" {
			out = append(out, title+": "+s)
			shown[c.Kind]++
		}
	}
	for _, c := range v.f.Charter {
		if c.Kind == "strategy" {
			add(c)
		}
	}
	for _, c := range v.f.Charter {
		if c.Kind != "strategy" {
			add(c)
		}
	}
	return out
}
