package matrix

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/kambot/kambot/kam"
)

// bubbles draws the quadrants, the arrows, the bubbles and their names. Its
// layout is computed before drawing so the picture can be sized to hold
// the legend of names that found no spot.
type bubbles struct {
	split    float64
	accounts []Account

	circles []Circle    // per account, in canvas points
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

// layout computes bubble sizes and label spots on the plot's data canvas.
func (b *bubbles) layout(p *plot.Plot, c draw.Canvas) {
	da := p.DataCanvas(c)
	tx, ty := p.Transforms(&da)
	var maxRev int64
	for _, a := range b.accounts {
		maxRev = max(maxRev, a.Revenue)
	}
	sty := textStyle(labelFont, color.Black)
	top := largestRadius(len(b.accounts))
	b.circles = make([]Circle, len(b.accounts))
	reqs := make([]LabelRequest, len(b.accounts))
	for i, a := range b.accounts {
		r := minRadius
		if maxRev > 0 && a.Revenue > 0 {
			// Area, not radius, follows revenue.
			r += (top - minRadius) * math.Sqrt(float64(a.Revenue)/float64(maxRev))
		}
		b.circles[i] = Circle{X: float64(tx(a.At.Strength)), Y: float64(ty(a.At.Attractiveness)), R: r}
		name := short(a.Name)
		reqs[i] = LabelRequest{Of: b.circles[i], W: float64(sty.Width(name)), H: float64(sty.Height(name))}
	}
	bounds := Rect{float64(da.Min.X), float64(da.Min.Y), float64(da.Max.X), float64(da.Max.Y)}
	b.labels = PlaceLabels(reqs, bounds, b.quadrantNames(p, da)...)
	b.number = make([]int, len(b.accounts))
	b.legend = b.legend[:0]
	for i, pl := range b.labels {
		if !pl.Placed {
			b.legend = append(b.legend, i)
			b.number[i] = len(b.legend)
		}
	}
}

// Plot implements plot.Plotter.
func (b *bubbles) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	b.drawQuadrants(c, tx, ty)
	arrow := draw.LineStyle{Color: color.NRGBA{90, 90, 90, 200}, Width: vg.Points(1)}
	for i, a := range b.accounts {
		if a.moved() {
			from := vg.Point{X: tx(a.Previous.Strength), Y: ty(a.Previous.Attractiveness)}
			to := vg.Point{X: vg.Length(b.circles[i].X), Y: vg.Length(b.circles[i].Y)}
			drawArrow(c, arrow, from, to, vg.Length(b.circles[i].R))
		}
	}
	// Largest first, so small bubbles stay visible on top.
	edge := draw.LineStyle{Color: color.White, Width: vg.Points(0.8)}
	for i, a := range b.accounts {
		ci := b.circles[i]
		var path vg.Path
		pt := vg.Point{X: vg.Length(ci.X), Y: vg.Length(ci.Y)}
		path.Move(vg.Point{X: pt.X + vg.Length(ci.R), Y: pt.Y})
		path.Arc(pt, vg.Length(ci.R), 0, 2*math.Pi)
		path.Close()
		c.SetColor(bandColors[a.Band])
		c.Fill(path)
		c.SetLineStyle(edge)
		c.Stroke(path)
	}
	b.drawNames(c)
}

// drawNames writes each name in its spot, and each legend number on its
// bubble's right.
func (b *bubbles) drawNames(c draw.Canvas) {
	sty := textStyle(labelFont, color.Black)
	num := textStyle(labelFont-1, color.NRGBA{40, 40, 40, 255})
	num.XAlign, num.YAlign = draw.XCenter, draw.YCenter
	// A light backing keeps a name readable over a split line or an arrow.
	backing := color.NRGBA{255, 255, 255, 170}
	for i, a := range b.accounts {
		if pl := b.labels[i]; pl.Placed {
			x0, y0, x1, y1 := vg.Length(pl.Box.MinX), vg.Length(pl.Box.MinY), vg.Length(pl.Box.MaxX), vg.Length(pl.Box.MaxY)
			c.FillPolygon(backing, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			c.FillText(sty, vg.Point{X: x0, Y: y0}, short(a.Name))
			continue
		}
		ci := b.circles[i]
		c.FillText(num, vg.Point{X: vg.Length(ci.X), Y: vg.Length(ci.Y)}, fmt.Sprint(b.number[i]))
	}
}

// drawQuadrants shades the four quadrants, draws the split lines and names
// each quadrant in its outer corner.
func (b *bubbles) drawQuadrants(c draw.Canvas, tx, ty func(float64) vg.Length) {
	x0, x1, xs := tx(0), tx(100), tx(b.split)
	y0, y1, ys := ty(0), ty(100), ty(b.split)
	fill := func(clr color.Color, ax, ay, bx, by vg.Length) {
		c.FillPolygon(clr, []vg.Point{{X: ax, Y: ay}, {X: bx, Y: ay}, {X: bx, Y: by}, {X: ax, Y: by}})
	}
	fill(color.NRGBA{0, 158, 115, 28}, xs, ys, x1, y1)  // strategic
	fill(color.NRGBA{86, 180, 233, 28}, x0, ys, xs, y1) // develop
	fill(color.NRGBA{240, 228, 66, 34}, xs, y0, x1, ys) // maintain
	fill(color.NRGBA{120, 120, 120, 22}, x0, y0, xs, ys)
	line := draw.LineStyle{Color: color.NRGBA{80, 80, 80, 255}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	c.StrokeLine2(line, xs, y0, xs, y1)
	c.StrokeLine2(line, x0, ys, x1, ys)

	sty := textStyle(quadFont, color.NRGBA{60, 60, 60, 150})
	for _, q := range quadrantCorners(tx, ty) {
		sty.XAlign, sty.YAlign = q.xa, q.ya
		c.FillText(sty, q.at, q.name)
	}
}

// quadrantName is a quadrant's name in its outer corner.
type quadrantName struct {
	name   string
	at     vg.Point
	xa     draw.XAlignment
	ya     draw.YAlignment
	left   bool // the text runs left of at
	bottom bool // the text sits above at
}

func quadrantCorners(tx, ty func(float64) vg.Length) []quadrantName {
	pad := vg.Points(6)
	x0, x1, y0, y1 := tx(0)+pad, tx(100)-pad, ty(0)+pad, ty(100)-pad
	return []quadrantName{
		{"strategic", vg.Point{X: x1, Y: y1}, draw.XRight, draw.YTop, true, false},
		{"develop", vg.Point{X: x0, Y: y1}, draw.XLeft, draw.YTop, false, false},
		{"maintain", vg.Point{X: x1, Y: y0}, draw.XRight, draw.YBottom, true, true},
		{"opportunistic", vg.Point{X: x0, Y: y0}, draw.XLeft, draw.YBottom, false, true},
	}
}

// quadrantNames are the boxes the quadrant names take, kept free of labels.
func (b *bubbles) quadrantNames(p *plot.Plot, da draw.Canvas) []Rect {
	tx, ty := p.Transforms(&da)
	sty := textStyle(quadFont, color.Black)
	var out []Rect
	for _, q := range quadrantCorners(tx, ty) {
		w, h := float64(sty.Width(q.name)), float64(sty.Height(q.name))
		x, y := float64(q.at.X), float64(q.at.Y)
		if q.left {
			x -= w
		}
		if !q.bottom {
			y -= h
		}
		out = append(out, Rect{x, y, x + w, y + h})
	}
	return out
}

// drawArrow draws a line from the previous position to the edge of the
// bubble, with a head.
func drawArrow(c draw.Canvas, sty draw.LineStyle, from, to vg.Point, r vg.Length) {
	dx, dy := float64(to.X-from.X), float64(to.Y-from.Y)
	d := math.Hypot(dx, dy)
	if d <= float64(r)+1 {
		return // moved less than its own size: inside the bubble
	}
	ux, uy := dx/d, dy/d
	tip := vg.Point{X: to.X - vg.Length(ux)*r, Y: to.Y - vg.Length(uy)*r}
	c.StrokeLine2(sty, from.X, from.Y, tip.X, tip.Y)
	const head = 6.0
	left := vg.Point{X: tip.X - vg.Length(head*ux-head/2*uy), Y: tip.Y - vg.Length(head*uy+head/2*ux)}
	right := vg.Point{X: tip.X - vg.Length(head*ux+head/2*uy), Y: tip.Y - vg.Length(head*uy-head/2*ux)}
	c.FillPolygon(sty.Color, []vg.Point{tip, left, right})
	// A small ring marks where the account was.
	var ring vg.Path
	ring.Move(vg.Point{X: from.X + 2, Y: from.Y})
	ring.Arc(from, 2, 0, 2*math.Pi)
	c.SetLineStyle(sty)
	c.Stroke(ring)
}

// drawLegend explains colours, sizes and arrows, then lists the numbered
// names in columns.
func (b *bubbles) drawLegend(c draw.Canvas) {
	head := textStyle(legendFont+1, color.Black)
	head.YAlign = draw.YTop
	sty := textStyle(legendFont, color.Black)
	sty.YAlign = draw.YCenter
	x := c.Min.X + vg.Points(6)
	y := c.Max.Y - vg.Points(24)
	c.FillText(head, vg.Point{X: x, Y: y}, "Health")
	y -= vg.Points(16)
	for _, k := range bandKey {
		var dot vg.Path
		ctr := vg.Point{X: x + 5, Y: y}
		dot.Move(vg.Point{X: ctr.X + 5, Y: ctr.Y})
		dot.Arc(ctr, 5, 0, 2*math.Pi)
		c.SetColor(bandColors[k.band])
		c.Fill(dot)
		c.FillText(sty, vg.Point{X: x + 14, Y: y}, k.text)
		y -= legendLine
	}
	for _, line := range []string{"Bubble area: revenue", "Arrow: from the previous scoring"} {
		c.FillText(sty, vg.Point{X: x, Y: y}, line)
		y -= legendLine
	}
	if len(b.legend) == 0 {
		return
	}
	y -= vg.Points(6)
	head.YAlign = draw.YCenter
	c.FillText(head, vg.Point{X: x, Y: y}, "Numbered bubbles")
	top := y - vg.Points(14)
	rows := legendRows()
	for k, i := range b.legend {
		col, row := k/rows, k%rows
		c.FillText(sty, vg.Point{X: x + vg.Length(col)*legendCol, Y: top - vg.Length(row)*legendLine},
			fmt.Sprintf("%d  %s", b.number[i], short(b.accounts[i].Name)))
	}
}

var bandKey = []struct {
	band kam.Band
	text string
}{
	{kam.BandGood, "good (70–100)"}, {kam.BandWatch, "watch (40–69)"}, {kam.BandAtRisk, "at risk (0–39)"}, {"", "not assessed"},
}
