package format

// Growth renders a relative change as KPIs show it: "+12%", "-4.5%", "±0%"
// (one decimal at most, as Percent).
func Growth(pct float64) string {
	s := Points(pct)
	switch {
	case s == "0":
		return "±0%"
	case pct > 0:
		return "+" + s + "%"
	}
	return s + "%"
}

// PointChange renders a change of a share in percentage points:
// "+4 pts", "-2.5 pts", "±0 pts".
func PointChange(d float64) string {
	s := Points(d)
	switch {
	case s == "0":
		return "±0 pts"
	case d > 0:
		return "+" + s + " pts"
	}
	return s + " pts"
}

// Share renders n of a total with its percentage: "3 of 4 (75%)"; "none
// yet" for a share of nothing.
func Share(n, of int) string {
	if of == 0 {
		return "none yet"
	}
	return Points(float64(n)) + " of " + Points(float64(of)) + " (" + Percent(100*float64(n)/float64(of)) + ")"
}
