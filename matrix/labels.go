package matrix

import "math"

// Rect is an axis-aligned box in canvas units (points), Y up.
type Rect struct{ MinX, MinY, MaxX, MaxY float64 }

// W and H are the box's width and height.
func (r Rect) W() float64 { return r.MaxX - r.MinX }
func (r Rect) H() float64 { return r.MaxY - r.MinY }

// overlap is the area two boxes share.
func (r Rect) overlap(o Rect) float64 {
	w := math.Min(r.MaxX, o.MaxX) - math.Max(r.MinX, o.MinX)
	h := math.Min(r.MaxY, o.MaxY) - math.Max(r.MinY, o.MinY)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// outside is the area of r that lies beyond bounds.
func (r Rect) outside(bounds Rect) float64 {
	return r.W()*r.H() - r.overlap(bounds)
}

// Circle is a bubble: centre and radius.
type Circle struct{ X, Y, R float64 }

// box is the square around the circle, a cheap stand-in for its area.
func (c Circle) box() Rect { return Rect{c.X - c.R, c.Y - c.R, c.X + c.R, c.Y + c.R} }

// LabelRequest asks for a label of size W×H beside the bubble Of.
type LabelRequest struct {
	Of   Circle
	W, H float64
}

// Placement is where a label went: Box when Placed; otherwise no spot free
// of overlap existed and the label belongs in the numbered legend.
type Placement struct {
	Box    Rect
	Placed bool
}

// directions are the eight spots tried around a bubble, in order of
// preference: right and left read best, then the diagonals, then above
// and below.
var directions = [8][2]float64{
	{1, 0}, {-1, 0}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}, {0, 1}, {0, -1},
}

// gap separates a label from its bubble, in points.
const gap = 2

// PlaceLabels places labels greedily in the order given (put the ones that
// matter most first): for each, the eight spots around its bubble are
// tried and the one overlapping least with the labels already placed, the
// obstacles (text already on the picture), every bubble but its own and
// the area beyond bounds wins. A label whose best spot still overlaps is
// not placed: the caller lists it in a numbered legend instead of drawing
// names over each other.
func PlaceLabels(reqs []LabelRequest, bounds Rect, obstacles ...Rect) []Placement {
	out := make([]Placement, len(reqs))
	placed := make([]Rect, 0, len(reqs)+len(obstacles))
	placed = append(placed, obstacles...)
	bubbles := make([]Rect, len(reqs))
	for i, r := range reqs {
		bubbles[i] = r.Of.box()
	}
	for i, r := range reqs {
		best, bestCost := Rect{}, math.Inf(1)
		for _, d := range directions {
			box := spot(r, d)
			cost := box.outside(bounds) * 4 // off the picture is worse than a clash
			for _, p := range placed {
				cost += box.overlap(p)
			}
			for j, b := range bubbles {
				if j != i {
					cost += box.overlap(b)
				}
			}
			if cost < bestCost {
				best, bestCost = box, cost
				if cost == 0 {
					break
				}
			}
		}
		if bestCost > 0 {
			continue
		}
		out[i] = Placement{Box: best, Placed: true}
		placed = append(placed, best)
	}
	return out
}

// spot is the label's box in direction d around its bubble: beside it
// horizontally centred on the bubble for left and right, above or below
// centred for up and down, corner to corner for the diagonals.
func spot(r LabelRequest, d [2]float64) Rect {
	c := r.Of
	off := c.R + gap
	var x, y float64 // the box's lower-left corner
	switch d[0] {
	case 1:
		x = c.X + off*diag(d)
	case -1:
		x = c.X - off*diag(d) - r.W
	default:
		x = c.X - r.W/2
	}
	switch d[1] {
	case 1:
		y = c.Y + off*diag(d)
	case -1:
		y = c.Y - off*diag(d) - r.H
	default:
		y = c.Y - r.H/2
	}
	return Rect{x, y, x + r.W, y + r.H}
}

// diag shortens the offset on the diagonals so the corner sits on the
// circle rather than a radius out on both axes.
func diag(d [2]float64) float64 {
	if d[0] != 0 && d[1] != 0 {
		return math.Sqrt2 / 2
	}
	return 1
}
