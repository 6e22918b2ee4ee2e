package matrix

import (
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"math"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationserifregular"
	"git.sr.ht/~sbinet/gg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// serif is the one font of the picture, Liberation Serif Regular (the
// look the matrix always had). One face only: every embedded font costs
// its size in every process's resident memory, so the title is larger
// rather than bold. Parsed on the first picture, not at start: most
// processes never draw one. An *opentype.Font is safe for concurrent use;
// its faces are not, so each picture makes its own.
var serif = sync.OnceValues(func() (*opentype.Font, error) {
	f, err := opentype.Parse(liberationserifregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse Liberation Serif: %w", err)
	}
	return f, nil
})

// scale is pixels per point.
const scale = dpi / inch

// typeset measures and draws text in the sizes a picture uses.
type typeset struct {
	faces map[float64]face
}

// face is one size of the font with its metrics in points.
type face struct {
	font.Face
	ascent, descent float64
}

func newTypeset() (*typeset, error) {
	f, err := serif()
	if err != nil {
		return nil, err
	}
	ts := &typeset{faces: make(map[float64]face)}
	for _, size := range []float64{labelFont - 1, labelFont, legendFont, legendFont + 1, tickFont, axisFont, titleFont, quadFont} {
		if _, ok := ts.faces[size]; ok {
			continue
		}
		// No hinting: widths scale with the size, as the layout assumes.
		ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("make a %gpt face of Liberation Serif: %w", size, err)
		}
		m := ff.Metrics()
		ts.faces[size] = face{Face: ff, ascent: fromFixed(m.Ascent), descent: fromFixed(m.Descent)}
	}
	return ts, nil
}

// fromFixed turns 26.6 pixels into points.
func fromFixed(v fixed.Int26_6) float64 { return float64(v) / 64 / scale }

func (ts *typeset) face(size float64) face {
	f, ok := ts.faces[size]
	if !ok {
		panic(fmt.Sprintf("matrix: no face of %gpt", size))
	}
	return f
}

// width is the advance of s in points.
func (ts *typeset) width(size float64, s string) float64 {
	return fromFixed(font.MeasureString(ts.face(size), s))
}

// height is the height of a line of text, ascent to descent, in points.
func (ts *typeset) height(size float64) float64 {
	f := ts.face(size)
	return f.ascent + f.descent
}

// canvas draws in points, Y up, on an RGBA image in place: the picture
// exists once in memory, and the PNG encoder reads that same image.
type canvas struct {
	img *image.RGBA
	dc  *gg.Context
	ts  *typeset
	h   float64 // height in points
}

func newCanvas(ts *typeset, w, h float64) *canvas {
	px := func(l float64) int { return int(l*scale + 0.5) }
	img := image.NewRGBA(image.Rect(0, 0, px(w), px(h)))
	stddraw.Draw(img, img.Bounds(), image.White, image.Point{}, stddraw.Src)
	dc := gg.NewContextForRGBA(img)
	dc.SetLineCapButt()
	return &canvas{img: img, dc: dc, ts: ts, h: h}
}

// px turns a point in points, Y up, into pixels, Y down.
func (c *canvas) px(x, y float64) (float64, float64) {
	return x * scale, (c.h - y) * scale
}

func (c *canvas) moveTo(x, y float64) { c.dc.MoveTo(c.px(x, y)) }
func (c *canvas) lineTo(x, y float64) { c.dc.LineTo(c.px(x, y)) }

// fillRect fills the box between two corners.
func (c *canvas) fillRect(clr color.Color, x0, y0, x1, y1 float64) {
	c.fillPolygon(clr, x0, y0, x1, y0, x1, y1, x0, y1)
}

// fillPolygon fills the polygon through the points given as x, y pairs.
func (c *canvas) fillPolygon(clr color.Color, xy ...float64) {
	c.moveTo(xy[0], xy[1])
	for i := 2; i+1 < len(xy); i += 2 {
		c.lineTo(xy[i], xy[i+1])
	}
	c.dc.ClosePath()
	c.dc.SetColor(clr)
	c.dc.Fill()
}

// line strokes a straight line, width and dashes in points.
func (c *canvas) line(clr color.Color, width float64, x0, y0, x1, y1 float64, dashes ...float64) {
	for i := range dashes {
		dashes[i] *= scale
	}
	c.dc.SetDash(dashes...)
	c.moveTo(x0, y0)
	c.lineTo(x1, y1)
	c.stroke(clr, width)
	c.dc.SetDash()
}

// circle starts a path around a circle; fill or stroke it next.
func (c *canvas) circle(x, y, r float64) {
	c.dc.NewSubPath()
	px, py := c.px(x, y)
	c.dc.DrawCircle(px, py, r*scale)
}

// fill fills the path, keeping it for a stroke.
func (c *canvas) fill(clr color.Color) {
	c.dc.SetColor(clr)
	c.dc.FillPreserve()
}

func (c *canvas) stroke(clr color.Color, width float64) {
	c.dc.SetColor(clr)
	c.dc.SetLineWidth(width * scale)
	c.dc.Stroke()
}

// text draws s with its box (as wide as its advance, ascent to descent)
// anchored at x, y: ax and ay are the shares of the width and height
// left of and below the anchor (0 left or bottom, 0.5 centre, 1 right or
// top).
func (c *canvas) text(size float64, clr color.Color, x, y, ax, ay float64, s string) {
	f := c.ts.face(size)
	x -= ax * c.ts.width(size, s)
	px, py := c.px(x, y-ay*(f.ascent+f.descent)+f.descent)
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(clr), Face: f.Face, Dot: fixed.Point26_6{X: toFixed(px), Y: toFixed(py)}}
	d.DrawString(s)
}

// textUp draws s reading upwards, centred on y, its ascent towards
// smaller x and its baseline at x.
func (c *canvas) textUp(size float64, clr color.Color, x, y float64, s string) {
	px, py := c.px(x, y)
	c.dc.Push()
	defer c.dc.Pop()
	c.dc.SetFontFace(c.ts.face(size).Face)
	c.dc.SetColor(clr)
	c.dc.RotateAbout(-math.Pi/2, px, py)
	c.dc.DrawString(s, px-c.ts.width(size, s)*scale/2, py)
}

func toFixed(v float64) fixed.Int26_6 { return fixed.Int26_6(math.Round(v * 64)) }
