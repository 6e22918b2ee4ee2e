package format

import (
	"strconv"
	"strings"

	"github.com/kambot/kambot/kam"
)

// NPS renders a Net Promoter Score the one way kambot shows it: a whole
// number from -100 to 100, rounded half away from zero, without a plus
// sign: "35", "-12", "0".
func NPS(v float64) string {
	r := int(Round(v, 0))
	r = max(-100, min(100, r))
	return strconv.Itoa(r)
}

// NPSDelta renders a change of NPS in whole points: "▲3", "▼12", "±0".
func NPSDelta(d float64) string { return Delta(int(Round(d, 0))) }

// Delta renders a change in whole points: "▲3", "▼12", "±0".
func Delta(d int) string {
	switch {
	case d > 0:
		return "▲" + strconv.Itoa(d)
	case d < 0:
		return "▼" + strconv.Itoa(-d)
	}
	return "±0"
}

// Answers says how many answers a figure rests on: "from 1 answer",
// "from 12 answers".
func Answers(n int) string { return "from " + Count(n, "answer", "answers") }

// Count is n with the word in the right number: "1 answer", "0 answers".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Points renders a part of a score: one decimal, rounded half away from
// zero, without a trailing ".0" — 2/3 × 20 is "13.3", 20 is "20".
func Points(v float64) string {
	return strconv.FormatFloat(Round(v, 1)+0, 'f', -1, 64) // +0 turns -0 into 0
}

// Percent renders a share with the same rule as Points: "35%", "12.5%".
func Percent(p float64) string { return Points(p) + "%" }

// BandMark is the one mark of a health band: 🟢 good, 🟠 watch, 🔴 at risk.
func BandMark(b kam.Band) string {
	switch b {
	case kam.BandGood:
		return "🟢"
	case kam.BandWatch:
		return "🟠"
	}
	return "🔴"
}

// BandWord is the one word of a health band: "good", "watch", "at risk".
func BandWord(b kam.Band) string {
	if b == kam.BandAtRisk {
		return "at risk"
	}
	return strings.ReplaceAll(string(b), "-", " ")
}

// Band is a band's mark and word: "🟠 watch".
func Band(b kam.Band) string { return BandMark(b) + " " + BandWord(b) }

// Health is a health score with its band: "🟠 62/100 watch".
func Health(score int) string {
	b := kam.BandOf(score)
	return BandMark(b) + " " + strconv.Itoa(score) + "/100 " + BandWord(b)
}

// Alerts counts an account's alerts: "no alerts", "1 alert", "3 alerts".
func Alerts(n int) string {
	if n == 0 {
		return "no alerts"
	}
	return Count(n, "alert", "alerts")
}

// SeverityMark is the one mark of an alert's severity: 🚨 critical,
// ⚠️ warning, ℹ️ info — never a band's dot, so that an orange dot means
// "watch" and nothing else.
func SeverityMark(s kam.Severity) string {
	switch s {
	case kam.SeverityCritical:
		return "🚨"
	case kam.SeverityWarning:
		return "⚠️"
	}
	return "ℹ️"
}
