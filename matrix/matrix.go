// Package matrix draws the directional policy matrix as a PNG: customer
// attractiveness up, our relative strength across, one bubble per scored
// account sized by revenue and coloured by health band, its name beside it
// and an arrow from where its previous scoring put it. It also writes the
// alt text that says the same in words.
package matrix

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kambot/kambot/kam"
)

// ErrEmpty is returned for a portfolio without a scored account: there is
// nothing to draw, and an empty picture would say nothing.
var ErrEmpty = errors.New("matrix: no scored account to draw")

// Point is a place in the matrix, each axis 0–100.
type Point struct{ Attractiveness, Strength float64 }

// Account is one bubble.
type Account struct {
	ID   int64 // the caller's, for matching bubbles to records; not drawn
	Name string
	At   Point
	// Previous is where the scoring before the latest put the account;
	// nil when it has one scoring (or the earlier one was partial).
	Previous *Point
	Revenue  int64
	Band     kam.Band // "" when health is unknown: drawn grey
}

// moved reports whether an arrow is worth drawing.
func (a Account) moved() bool {
	return a.Previous != nil && (math.Abs(a.Previous.Attractiveness-a.At.Attractiveness) >= 0.1 ||
		math.Abs(a.Previous.Strength-a.At.Strength) >= 0.1)
}

// Chart is a portfolio to draw.
type Chart struct {
	Title    string
	Split    float64 // where both axes turn from low to high; 0: kam.QuadrantLine
	Accounts []Account
}

func (c Chart) split() float64 {
	if c.Split <= 0 || c.Split >= 100 {
		return kam.QuadrantLine
	}
	return c.Split
}

// Picture size, in points (1/72 inch) like every length in this package;
// pixels only when drawing. The plot is square-ish; a legend of names that
// could not be placed beside their bubbles adds columns on the right.
const (
	inch      = 72.0
	plotW     = 9 * inch
	plotH     = 8 * inch
	legendCol = 2.4 * inch
	dpi       = 96
	maxName   = 28 // runes of a name drawn on the picture; the alt text has it whole
)

// Colours of the health bands, chosen to stay apart for the common forms
// of colour blindness (blue, orange, vermilion of the Okabe–Ito palette),
// grey for unknown health.
var bandColors = map[kam.Band]color.NRGBA{
	kam.BandGood:   {0, 114, 178, 200},
	kam.BandWatch:  {230, 159, 0, 200},
	kam.BandAtRisk: {213, 94, 0, 210},
	"":             {150, 150, 150, 180},
}

// PNG draws the chart. It fails with ErrEmpty when no account is given.
func (c Chart) PNG() ([]byte, error) {
	if len(c.Accounts) == 0 {
		return nil, ErrEmpty
	}
	ts, err := newTypeset()
	if err != nil {
		return nil, err
	}
	ax := axes{title: c.Title, split: c.split()}
	f := ax.frame(ts)
	// Lay out first to learn which names need the legend, then size the
	// picture to hold it; the plot keeps its size whatever the legend's.
	b := &bubbles{split: c.split(), accounts: c.ordered()}
	b.layout(ts, f)
	cols := legendColumns(len(b.legend))
	cv := newCanvas(ts, plotW+float64(cols)*legendCol, plotH)
	ax.draw(cv, f)
	b.draw(cv, f)
	b.drawLegend(cv, plotW)
	var buf bytes.Buffer
	// Fastest compression: half the time of the default for a file a
	// quarter larger, still well under Slack's limits.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, cv.img); err != nil {
		return nil, fmt.Errorf("encode matrix PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// ordered puts the accounts that matter most first, so they win the best
// label spots: larger revenue first, then by name.
func (c Chart) ordered() []Account {
	out := slices.Clone(c.Accounts)
	slices.SortStableFunc(out, func(a, b Account) int {
		if a.Revenue != b.Revenue {
			if a.Revenue > b.Revenue {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}

// tick is a mark on an axis.
type tick struct {
	value float64
	label string
}

// ticks marks 0, 25, 50, 75, 100 and the split.
func ticks(split float64) []tick {
	out := make([]tick, 0, 6)
	for v := 0.0; v <= 100; v += 25 {
		out = append(out, tick{v, fmt.Sprintf("%.0f", v)})
	}
	if math.Mod(split, 25) != 0 {
		out = append(out, tick{split, fmt.Sprintf("%g", split)})
	}
	return out
}

// short clips a name for the picture.
func short(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if utf8.RuneCountInString(name) <= maxName {
		return name
	}
	r := []rune(name)
	return strings.TrimSpace(string(r[:maxName-1])) + "…"
}

// legendRows is how many names one legend column holds.
// The key above the numbered names takes about 1.6 inches.
func legendRows() int {
	h := plotH - 1.9*inch
	return int(h / legendLine)
}

// legendColumns is how many columns the legend needs: one for the key,
// more when many names are numbered.
func legendColumns(n int) int {
	return max(1, (n+legendRows()-1)/legendRows())
}

// legendLine is the legend's line height.
const legendLine = legendFont * 1.3

// Font sizes in points.
const (
	labelFont  = 8
	legendFont = 8
	quadFont   = 15
	tickFont   = 10
	axisFont   = 12
	titleFont  = 14
)
