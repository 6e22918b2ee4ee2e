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
	"image"
	"image/color"
	stddraw "image/draw"
	"image/png"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

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

// Picture size. The plot is square-ish; a legend of names that could not be
// placed beside their bubbles adds columns on the right.
const (
	plotW     = 9 * vg.Inch
	plotH     = 8 * vg.Inch
	legendCol = 2.4 * vg.Inch
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
	accts := c.ordered()
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font.Size = 14
	p.X.Label.Text = "Our relative strength (0–100)"
	p.Y.Label.Text = "Customer attractiveness (0–100)"
	// A margin beyond 0 and 100 keeps bubbles on the edge whole.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -4, 104, -4, 104
	p.X.Tick.Marker = ticks{c.split()}
	p.Y.Tick.Marker = ticks{c.split()}
	b := &bubbles{split: c.split(), accounts: accts}
	p.Add(b)

	// Lay out first to learn which names need the legend, then size the
	// picture to hold it; the plot keeps its size whatever the legend's.
	b.layout(p, draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: plotW, Y: plotH}}})
	cols := legendColumns(len(b.legend))
	img := newCanvas(plotW+vg.Length(cols)*legendCol, plotH)
	dc := draw.New(img)
	p.Draw(draw.Crop(dc, 0, -vg.Length(cols)*legendCol, 0, 0))
	b.drawLegend(draw.Crop(dc, plotW, 0, 0, 0))
	var buf bytes.Buffer
	// Fastest compression: half the time of the default for a file a
	// quarter larger, still well under Slack's limits.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img.Image()); err != nil {
		return nil, fmt.Errorf("encode matrix PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// newCanvas is vgimg's canvas on an RGBA image drawn in place: vgimg.New
// copies its image into the drawing context, which doubles the memory.
func newCanvas(w, h vg.Length) *vgimg.Canvas {
	px := func(l vg.Length) int { return int(l/vg.Inch*dpi + 0.5) }
	img := image.NewRGBA(image.Rect(0, 0, px(w), px(h)))
	stddraw.Draw(img, img.Bounds(), image.White, image.Point{}, stddraw.Src)
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	return vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(dpi))
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

// ticks marks 0, 25, 50, 75, 100 and the split.
type ticks struct{ split float64 }

func (t ticks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for v := 0.0; v <= 100; v += 25 {
		out = append(out, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	if math.Mod(t.split, 25) != 0 {
		out = append(out, plot.Tick{Value: t.split, Label: fmt.Sprintf("%g", t.split)})
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
	h, line := float64(plotH-1.9*vg.Inch), float64(legendLine)
	return int(h / line)
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
)

func textStyle(size vg.Length, clr color.Color) draw.TextStyle {
	return draw.TextStyle{
		Color:   clr,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
	}
}
