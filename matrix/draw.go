package matrix

import (
	"fmt"
	"image/color"
	"math"

	"github.com/kambot/kambot/kam"
)

// The axes run a little beyond 0 and 100 so bubbles on the edge stay whole.
const (
	axisMin = -4.0
	axisMax = 104.0
)

// frame is where the data area lies on the plot, in points.
type frame struct {
	left, bottom, right, top float64
}

// x and y place a value of strength and of attractiveness.
func (f frame) x(v float64) float64 {
	return f.left + (v-axisMin)/(axisMax-axisMin)*(f.right-f.left)
}

func (f frame) y(v float64) float64 {
	return f.bottom + (v-axisMin)/(axisMax-axisMin)*(f.top-f.bottom)
}

func (f frame) bounds() Rect { return Rect{f.left, f.bottom, f.right, f.top} }

// axes are the title, the axis labels, the ticks and the axis lines.
type axes struct {
	title string
	split float64
}

const (
	xLabel = "Our relative strength (0–100)"
	yLabel = "Customer attractiveness (0–100)"

	tickLength = 8   // points, outwards from the axis line
	axisWidth  = 0.5 // of the axis lines and ticks
	axisGap    = 5   // between an axis line and the data area
	titleGap   = 6   // above and below the title
)

// frame lays the axes out around the data area on a plot of plotW×plotH.
func (a axes) frame(ts *typeset) frame {
	f := frame{right: plotW, top: plotH}
	if a.title != "" {
		f.top -= titleGap + ts.height(titleFont) + titleGap
	}
	// Bottom up: the axis label, the tick labels, the ticks, the line.
	f.bottom = ts.face(axisFont).descent + ts.height(axisFont) + 2 + ts.height(tickFont) +
		tickLength + axisWidth/2 + axisGap
	// Left to right: the upright label, the tick labels and a space, the
	// ticks, the line.
	var tw float64
	for _, t := range ticks(a.split) {
		tw = max(tw, ts.width(tickFont, t.label))
	}
	f.left = ts.face(axisFont).descent + ts.height(axisFont) + tw + ts.width(tickFont, " ") +
		tickLength + axisWidth/2 + axisGap
	return f
}

func (a axes) draw(c *canvas, f frame) {
	ts := c.ts
	if a.title != "" {
		c.text(titleFont, color.Black, plotW/2, plotH-titleGap, 0.5, 1, a.title)
	}
	black := color.Black
	// Horizontal axis.
	y := ts.face(axisFont).descent
	c.text(axisFont, black, (f.left+f.right)/2, y, 0.5, 0, xLabel)
	y += ts.height(axisFont) + 2 + ts.height(tickFont)
	line := f.bottom - axisGap - axisWidth/2
	for _, t := range ticks(a.split) {
		x := f.x(t.value)
		c.text(tickFont, black, x, y, 0.5, 1, t.label)
		c.line(black, axisWidth, x, line-tickLength, x, line)
	}
	c.line(black, axisWidth, f.left, line, f.right, line)
	// Vertical axis.
	c.textUp(axisFont, black, ts.face(axisFont).descent+ts.face(axisFont).ascent, (f.bottom+f.top)/2, yLabel)
	line = f.left - axisGap - axisWidth/2
	x := line - tickLength - ts.width(tickFont, " ")
	for _, t := range ticks(a.split) {
		y := f.y(t.value)
		c.text(tickFont, black, x, y, 1, 0.5, t.label)
		c.line(black, axisWidth, line-tickLength, y, line, y)
	}
	c.line(black, axisWidth, line, f.bottom, line, f.top)
}

// bubbles draws the quadrants, the arrows, the bubbles and their names. Its
// layout is computed before drawing so the picture can be sized to hold
// the legend of names that found no spot.
type bubbles struct {
	split    float64
	accounts []Account

	circles []Circle    // per account, in points
	labels  []Placement // per account
	number  []int       // legend number per account, 0 when labelled in place
	legend  []int       // account indexes listed in the legend, in number order
}

// Bubble radii in points: the smallest account stays visible, the largest
// does not hide its neighbours. A crowded portfolio gets smaller bubbles.
const (
	minRadius = 4.0
	maxRadius = 22.0
)

func largestRadius(n int) float64 {
	return min(maxRadius, max(10, maxRadius*math.Sqrt(30/float64(max(n, 1)))))
}

// layout computes bubble sizes and label spots in the data area.
func (b *bubbles) layout(ts *typeset, f frame) {
	var maxRev int64
	for _, a := range b.accounts {
		maxRev = max(maxRev, a.Revenue)
	}
	top := largestRadius(len(b.accounts))
	b.circles = make([]Circle, len(b.accounts))
	reqs := make([]LabelRequest, len(b.accounts))
	h := ts.height(labelFont)
	for i, a := range b.accounts {
		r := minRadius
		if maxRev > 0 && a.Revenue > 0 {
			// Area, not radius, follows revenue.
			r += (top - minRadius) * math.Sqrt(float64(a.Revenue)/float64(maxRev))
		}
		b.circles[i] = Circle{X: f.x(a.At.Strength), Y: f.y(a.At.Attractiveness), R: r}
		reqs[i] = LabelRequest{Of: b.circles[i], W: ts.width(labelFont, short(a.Name)), H: h}
	}
	b.labels = PlaceLabels(reqs, f.bounds(), quadrantNames(ts, f)...)
	b.number = make([]int, len(b.accounts))
	b.legend = b.legend[:0]
	for i, pl := range b.labels {
		if !pl.Placed {
			b.legend = append(b.legend, i)
			b.number[i] = len(b.legend)
		}
	}
}

// draw draws the data area: quadrants, arrows, bubbles, names.
func (b *bubbles) draw(c *canvas, f frame) {
	b.drawQuadrants(c, f)
	arrow := color.NRGBA{90, 90, 90, 200}
	for i, a := range b.accounts {
		if a.moved() {
			ci := b.circles[i]
			drawArrow(c, arrow, f.x(a.Previous.Strength), f.y(a.Previous.Attractiveness), ci.X, ci.Y, ci.R)
		}
	}
	// Largest first, so small bubbles stay visible on top.
	for i, a := range b.accounts {
		ci := b.circles[i]
		c.circle(ci.X, ci.Y, ci.R)
		c.fill(bandColors[a.Band])
		c.stroke(color.White, 0.8)
	}
	b.drawNames(c)
}

// drawNames writes each name in its spot, and each legend number on its
// bubble.
func (b *bubbles) drawNames(c *canvas) {
	num := color.NRGBA{40, 40, 40, 255}
	// A light backing keeps a name readable over a split line or an arrow.
	backing := color.NRGBA{255, 255, 255, 170}
	for i, a := range b.accounts {
		if pl := b.labels[i]; pl.Placed {
			c.fillRect(backing, pl.Box.MinX, pl.Box.MinY, pl.Box.MaxX, pl.Box.MaxY)
			c.text(labelFont, color.Black, pl.Box.MinX, pl.Box.MinY, 0, 0, short(a.Name))
			continue
		}
		ci := b.circles[i]
		c.text(labelFont-1, num, ci.X, ci.Y, 0.5, 0.5, fmt.Sprint(b.number[i]))
	}
}

// drawQuadrants shades the four quadrants, draws the split lines and names
// each quadrant in its outer corner.
func (b *bubbles) drawQuadrants(c *canvas, f frame) {
	x0, x1, xs := f.x(0), f.x(100), f.x(b.split)
	y0, y1, ys := f.y(0), f.y(100), f.y(b.split)
	c.fillRect(color.NRGBA{0, 158, 115, 28}, xs, ys, x1, y1)  // strategic
	c.fillRect(color.NRGBA{86, 180, 233, 28}, x0, ys, xs, y1) // develop
	c.fillRect(color.NRGBA{240, 228, 66, 34}, xs, y0, x1, ys) // maintain
	c.fillRect(color.NRGBA{120, 120, 120, 22}, x0, y0, xs, ys)
	dark := color.NRGBA{80, 80, 80, 255}
	c.line(dark, 1.2, xs, y0, xs, y1, 5, 3)
	c.line(dark, 1.2, x0, ys, x1, ys, 5, 3)

	clr := color.NRGBA{60, 60, 60, 150}
	for _, q := range quadrantCorners(f) {
		c.text(quadFont, clr, q.x, q.y, q.ax, q.ay, q.name)
	}
}

// quadrantName is a quadrant's name in its outer corner: its box's corner
// at x, y, the box left of x when ax is 1 and below y when ay is 1.
type quadrantName struct {
	name   string
	x, y   float64
	ax, ay float64
}

func quadrantCorners(f frame) []quadrantName {
	const pad = 6
	x0, x1, y0, y1 := f.x(0)+pad, f.x(100)-pad, f.y(0)+pad, f.y(100)-pad
	return []quadrantName{
		{"strategic", x1, y1, 1, 1},
		{"develop", x0, y1, 0, 1},
		{"maintain", x1, y0, 1, 0},
		{"opportunistic", x0, y0, 0, 0},
	}
}

// quadrantNames are the boxes the quadrant names take, kept free of labels.
func quadrantNames(ts *typeset, f frame) []Rect {
	var out []Rect
	for _, q := range quadrantCorners(f) {
		w, h := ts.width(quadFont, q.name), ts.height(quadFont)
		x, y := q.x-q.ax*w, q.y-q.ay*h
		out = append(out, Rect{x, y, x + w, y + h})
	}
	return out
}

// drawArrow draws a line from the previous position to the edge of the
// bubble, with a head.
func drawArrow(c *canvas, clr color.Color, fromX, fromY, toX, toY, r float64) {
	dx, dy := toX-fromX, toY-fromY
	d := math.Hypot(dx, dy)
	if d <= r+1 {
		return // moved less than its own size: inside the bubble
	}
	ux, uy := dx/d, dy/d
	tipX, tipY := toX-ux*r, toY-uy*r
	c.line(clr, 1, fromX, fromY, tipX, tipY)
	const head = 6.0
	c.fillPolygon(clr, tipX, tipY,
		tipX-(head*ux-head/2*uy), tipY-(head*uy+head/2*ux),
		tipX-(head*ux+head/2*uy), tipY-(head*uy-head/2*ux))
	// A small ring marks where the account was.
	c.circle(fromX, fromY, 2)
	c.stroke(clr, 1)
}

// drawLegend explains colours, sizes and arrows, then lists the numbered
// names in columns, right of left.
func (b *bubbles) drawLegend(c *canvas, left float64) {
	x := left + 6
	y := plotH - 24.0
	c.text(legendFont+1, color.Black, x, y, 0, 1, "Health")
	y -= 16
	for _, k := range bandKey {
		c.circle(x+5, y, 5)
		c.fill(bandColors[k.band])
		c.dc.ClearPath()
		c.text(legendFont, color.Black, x+14, y, 0, 0.5, k.text)
		y -= legendLine
	}
	for _, line := range []string{"Bubble area: revenue", "Arrow: from the previous scoring"} {
		c.text(legendFont, color.Black, x, y, 0, 0.5, line)
		y -= legendLine
	}
	if len(b.legend) == 0 {
		return
	}
	y -= 6
	c.text(legendFont+1, color.Black, x, y, 0, 0.5, "Numbered bubbles")
	top := y - 14
	rows := legendRows()
	for k, i := range b.legend {
		col, row := k/rows, k%rows
		c.text(legendFont, color.Black, x+float64(col)*legendCol, top-float64(row)*legendLine, 0, 0.5,
			fmt.Sprintf("%d  %s", b.number[i], short(b.accounts[i].Name)))
	}
}

var bandKey = []struct {
	band kam.Band
	text string
}{
	{kam.BandGood, "good (70–100)"}, {kam.BandWatch, "watch (40–69)"}, {kam.BandAtRisk, "at risk (0–39)"}, {"", "not assessed"},
}
