package format

import (
	"math"
	"strconv"
	"strings"
)

// Currency is the currency kambot shows amounts in (KAMBOT_CURRENCY). Its
// zero value is US dollars, so a renderer nobody configured still writes
// "$2.3M" rather than a bare number.
type Currency struct {
	code   string
	symbol string
	// spaced currencies write their symbol as a word: "CHF 2.3M".
	spaced bool
}

// symbols are the currencies whose sign people read in place of the code.
// Every other ISO 4217 code is written before the amount as a word, which
// is how Swiss francs are shown anyway: "CHF 2.3M", "SEK 250k".
var symbols = map[string]string{
	"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹",
	"CNY": "CN¥", "KRW": "₩", "ILS": "₪", "BRL": "R$", "CAD": "CA$",
	"AUD": "A$", "NZD": "NZ$", "HKD": "HK$", "MXN": "MX$",
}

// CurrencyOf is the currency with the ISO 4217 code (any case; "" is USD).
// The code is assumed valid: the configuration checks it at start.
func CurrencyOf(code string) Currency {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || code == "USD" {
		return Currency{}
	}
	if s, ok := symbols[code]; ok {
		return Currency{code: code, symbol: s}
	}
	return Currency{code: code, symbol: code, spaced: true}
}

// Code is the currency's ISO 4217 code: "USD".
func (c Currency) Code() string {
	if c.code == "" {
		return "USD"
	}
	return c.code
}

// Money renders an amount in whole currency units the one way kambot
// writes money: the currency's sign, then the amount briefly — "$950",
// "$12.5k", "$250k", "$2.3M", "€1B", "CHF 2.3M", "-$1.3M". Amounts under
// 100 units of a scale keep one decimal when it is not zero; rounding is
// half away from zero on the exact integer, never truncation, and an
// amount that rounds to 1000 of a scale reads as 1 of the next ("$1M" for
// 999,500).
func (c Currency) Money(v int64) string {
	sign := ""
	if v < 0 {
		sign = "-"
	}
	sym := c.symbol
	if sym == "" {
		sym = "$"
	}
	if c.spaced {
		sym += " "
	}
	return sign + sym + Amount(v)
}

// Prompt says how amounts are written, for a language model asked to write
// them the way every other view does.
func (c Currency) Prompt() string {
	return "Money is in " + c.Code() + ": write 250000 as " + c.Money(250_000) + ", 1250000 as " + c.Money(1_250_000) +
		", 1960000 as " + c.Money(1_960_000) + " (round, never truncate)."
}

// Amount is the magnitude of v without a currency sign: "950", "12.5k",
// "2.3M", "1B". Negative amounts read as their magnitude; Money adds the
// sign.
func Amount(v int64) string {
	u := uint64(v)
	if v < 0 {
		u = uint64(-(v + 1)) + 1 // math.MinInt64 has no positive twin
	}
	if u < 1000 {
		return strconv.FormatUint(u, 10)
	}
	units := []struct {
		scale  uint64
		suffix string
	}{{1e3, "k"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}}
	for i, s := range units {
		// Tenths of the unit, rounded half away from zero.
		if t := roundDiv(u, s.scale/10); t < 1000 {
			if t%10 == 0 {
				return strconv.FormatUint(t/10, 10) + s.suffix
			}
			return strconv.FormatUint(t/10, 10) + "." + strconv.FormatUint(t%10, 10) + s.suffix
		}
		// 1000 of this unit reads better as 1 of the next.
		if w := roundDiv(u, s.scale); w < 1000 || i == len(units)-1 {
			return strconv.FormatUint(w, 10) + s.suffix
		}
	}
	return strconv.FormatUint(u, 10) // not reached: the last unit always returns
}

// roundDiv divides u by d, rounding half up (away from zero, as u is a
// magnitude), without overflow.
func roundDiv(u, d uint64) uint64 {
	q, r := u/d, u%d
	if r >= d-r {
		q++
	}
	return q
}

// Round rounds half away from zero to n decimals: the one rounding rule of
// every figure kambot shows (math.Round, named so that nobody reaches for
// a truncating conversion).
func Round(v float64, n int) float64 {
	p := math.Pow10(n)
	return math.Round(v*p) / p
}
