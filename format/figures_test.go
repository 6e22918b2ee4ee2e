package format_test

import (
	"math"
	"testing"
	"time"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

func TestMoney(t *testing.T) {
	usd := format.CurrencyOf("USD")
	tests := []struct {
		name string
		v    int64
		want string
	}{
		{"Zero", 0, "$0"},
		{"Units", 950, "$950"},
		{"Thousand", 1000, "$1k"},
		{"HalfTenthRoundsUp", 1250, "$1.3k"},
		{"HundredsOfK", 250_000, "$250k"},
		{"OneAndAQuarterMillion", 1_250_000, "$1.3M"},
		{"TwoAndAQuarterMillion", 2_250_000, "$2.3M"},
		{"NotTruncated", 2_260_000, "$2.3M"},
		{"NearlyTwoMillion", 1_960_000, "$2M"},
		{"JustBelowHalf", 1_249_999, "$1.2M"},
		{"RoundsIntoNextUnit", 999_500, "$1M"},
		{"StaysInUnit", 999_499, "$999k"},
		{"NinetyNinePointNine", 99_950, "$100k"},
		{"Billions", 3_000_000_000, "$3B"},
		{"NegativeHalfAwayFromZero", -1_250_000, "-$1.3M"},
		{"MinInt", math.MinInt64, "-$9223372T"},
		{"MaxInt", math.MaxInt64, "$9223372T"},
		{"OnePointFiveK", 1500, "$1.5k"},
		{"TruncationWouldSay1.2", 1234, "$1.2k"},
		{"JustUnder100k", 99_949, "$99.9k"},
		{"HalfK", 250_500, "$251k"},
		{"Trillions", 1_500_000_000_000, "$1.5T"},
		{"Quintillion", 1_000_000_000_000_000_000, "$1000000T"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := usd.Money(tt.v); got != tt.want {
				t.Errorf("Money(%d) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestCurrency(t *testing.T) {
	tests := []struct {
		code, want, wantCode string
	}{
		{"", "$2.3M", "USD"},
		{"usd", "$2.3M", "USD"},
		{"EUR", "€2.3M", "EUR"},
		{"GBP", "£2.3M", "GBP"},
		{"chf", "CHF 2.3M", "CHF"},
		{"JPY", "¥2.3M", "JPY"},
		{"SEK", "SEK 2.3M", "SEK"},
	}
	for _, tt := range tests {
		t.Run(tt.wantCode+"/"+tt.code, func(t *testing.T) {
			c := format.CurrencyOf(tt.code)
			if got := c.Money(2_250_000); got != tt.want {
				t.Errorf("Money = %q, want %q", got, tt.want)
			}
			if c.Code() != tt.wantCode {
				t.Errorf("Code = %q, want %q", c.Code(), tt.wantCode)
			}
			// The prompt shows the model the same strings the views show.
			if p := c.Prompt(); !contains(p, c.Money(1_250_000)) || !contains(p, tt.wantCode) {
				t.Errorf("Prompt %q does not state %q in %s", p, c.Money(1_250_000), tt.wantCode)
			}
		})
	}
	var zero format.Currency
	if got := zero.Money(1_960_000); got != "$2M" {
		t.Errorf("zero Currency: %q, want $2M", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestNPS(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {35, "35"}, {12.5, "13"}, {-12.5, "-13"}, {33.3, "33"}, {-0.4, "0"},
		{100, "100"}, {-100, "-100"}, {66.7, "67"},
	}
	for _, tt := range tests {
		if got := format.NPS(tt.v); got != tt.want {
			t.Errorf("NPS(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	deltas := []struct {
		d    float64
		want string
	}{{0, "±0"}, {0.4, "±0"}, {2.5, "▲3"}, {-12, "▼12"}, {-0.5, "▼1"}}
	for _, tt := range deltas {
		if got := format.NPSDelta(tt.d); got != tt.want {
			t.Errorf("NPSDelta(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	answers := []struct {
		n    int
		want string
	}{{0, "from 0 answers"}, {1, "from 1 answer"}, {2, "from 2 answers"}}
	for _, tt := range answers {
		if got := format.Answers(tt.n); got != tt.want {
			t.Errorf("Answers(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestBands(t *testing.T) {
	tests := []struct {
		score            int
		mark, word, band string
	}{
		{100, "🟢", "good", "🟢 good"},
		{70, "🟢", "good", "🟢 good"},
		{69, "🟠", "watch", "🟠 watch"},
		{40, "🟠", "watch", "🟠 watch"},
		{39, "🔴", "at risk", "🔴 at risk"},
		{0, "🔴", "at risk", "🔴 at risk"},
	}
	for _, tt := range tests {
		b := kam.BandOf(tt.score)
		if format.BandMark(b) != tt.mark || format.BandWord(b) != tt.word || format.Band(b) != tt.band {
			t.Errorf("score %d: %q %q %q, want %q %q %q", tt.score, format.BandMark(b), format.BandWord(b), format.Band(b), tt.mark, tt.word, tt.band)
		}
	}
	for n, want := range map[int]string{0: "no alerts", 1: "1 alert", 9: "9 alerts"} {
		if got := format.Alerts(n); got != want {
			t.Errorf("Alerts(%d) = %q, want %q", n, got, want)
		}
	}
	if got := format.Health(62); got != "🟠 62/100 watch" {
		t.Errorf("Health(62) = %q", got)
	}
}

func TestPoints(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{2.0 / 3 * 20, "13.3"}, {20, "20"}, {1.0 / 3 * 20, "6.7"}, {0.25, "0.3"}, {0.05, "0.1"}, {-0.04, "0"}, {0, "0"},
	}
	for _, tt := range tests {
		if got := format.Points(tt.v); got != tt.want {
			t.Errorf("Points(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := format.Percent(12.45); got != "12.5%" {
		t.Errorf("Percent(12.45) = %q", got)
	}
}

func TestDates(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	// 15:30 UTC on 21 December is already the 22nd in Tokyo.
	instant := time.Date(2026, 12, 21, 15, 30, 0, 0, time.UTC)
	closeDay := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, got, want string
	}{
		{"DateUTC", format.Date(instant, nil), "2026-12-21"},
		{"DateTokyo", format.Date(instant, tokyo), "2026-12-22"},
		{"DateNewYork", format.Date(instant, ny), "2026-12-21"},
		{"DayIgnoresZone", format.Day(closeDay.In(ny)), "2027-03-31"},
		{"DateTime", format.DateTime(instant, tokyo), "2026-12-22 00:30 JST"},
		{"Range", format.DateRange(instant.AddDate(0, 0, -6), instant, tokyo), "2026-12-16 – 2026-12-22"},
		{"SlackDate", format.SlackDate(instant, tokyo), "<!date^1797867000^{date_num}|2026-12-22>"},
		{"TodayTokyo", format.Day(format.Today(instant, tokyo)), "2026-12-22"},
		{"TodayNewYork", format.Day(format.Today(instant, ny)), "2026-12-21"},
		{"TodayUTC", format.Day(format.Today(instant, nil)), "2026-12-21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if bad := format.CheckMrkdwn(format.SlackDate(instant, tokyo)); len(bad) > 0 {
		t.Errorf("SlackDate breaks the mrkdwn rule: %v", bad)
	}
}
