package matrix

import (
	"math/rand/v2"
	"testing"
)

func TestPlaceLabels(t *testing.T) {
	bounds := Rect{0, 0, 400, 300}
	cases := []struct {
		name   string
		reqs   []LabelRequest
		placed []bool
		check  func(t *testing.T, p []Placement)
	}{
		{
			name:   "alone: to the right",
			reqs:   []LabelRequest{{Of: Circle{100, 100, 10}, W: 50, H: 10}},
			placed: []bool{true},
			check: func(t *testing.T, p []Placement) {
				if p[0].Box.MinX != 112 || p[0].Box.MinY != 95 {
					t.Errorf("box %+v, want right of the bubble, centred", p[0].Box)
				}
			},
		},
		{
			name:   "at the right edge: to the left",
			reqs:   []LabelRequest{{Of: Circle{390, 150, 5}, W: 50, H: 10}},
			placed: []bool{true},
			check: func(t *testing.T, p []Placement) {
				if p[0].Box.MaxX > 390 {
					t.Errorf("box %+v runs off the picture", p[0].Box)
				}
			},
		},
		{
			name:   "neighbours: both placed, apart",
			reqs:   []LabelRequest{{Of: Circle{100, 100, 5}, W: 60, H: 10}, {Of: Circle{150, 100, 5}, W: 60, H: 10}},
			placed: []bool{true, true},
		},
		{
			name: "nine on one spot: four sides, then the legend",
			reqs: []LabelRequest{
				{Of: Circle{200, 150, 5}, W: 40, H: 10}, {Of: Circle{200, 150, 5}, W: 40, H: 10},
				{Of: Circle{200, 150, 5}, W: 40, H: 10}, {Of: Circle{200, 150, 5}, W: 40, H: 10},
				{Of: Circle{200, 150, 5}, W: 40, H: 10}, {Of: Circle{200, 150, 5}, W: 40, H: 10},
				{Of: Circle{200, 150, 5}, W: 40, H: 10}, {Of: Circle{200, 150, 5}, W: 40, H: 10},
				{Of: Circle{200, 150, 5}, W: 40, H: 10},
			},
			// Right, left, above and below are free once; the diagonals
			// clash with those, so the other five go to the legend.
			placed: []bool{true, true, true, true, false, false, false, false, false},
		},
		{
			name:   "label wider than the picture: legend",
			reqs:   []LabelRequest{{Of: Circle{200, 150, 5}, W: 500, H: 10}},
			placed: []bool{false},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := PlaceLabels(tc.reqs, bounds)
			for i, want := range tc.placed {
				if p[i].Placed != want {
					t.Errorf("label %d placed %v, want %v (%+v)", i, p[i].Placed, want, p[i].Box)
				}
			}
			noClash(t, tc.reqs, p, bounds)
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

// Whatever the input, placed labels stay inside the picture and clear of
// each other and of other bubbles, and a sparse chart labels everyone.
func TestPlaceLabelsRandom(t *testing.T) {
	bounds := Rect{0, 0, 600, 500}
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		n := 1 + r.IntN(300)
		reqs := make([]LabelRequest, n)
		for i := range reqs {
			reqs[i] = LabelRequest{Of: Circle{r.Float64() * 600, r.Float64() * 500, 3 + r.Float64()*15}, W: 20 + r.Float64()*80, H: 9}
		}
		p := PlaceLabels(reqs, bounds)
		noClash(t, reqs, p, bounds)
		if t.Failed() {
			t.Fatalf("round %d", round)
		}
	}
	sparse := []LabelRequest{{Of: Circle{50, 50, 5}, W: 40, H: 9}, {Of: Circle{300, 300, 5}, W: 40, H: 9}, {Of: Circle{500, 100, 5}, W: 40, H: 9}}
	for i, pl := range PlaceLabels(sparse, bounds) {
		if !pl.Placed {
			t.Errorf("sparse label %d sent to the legend", i)
		}
	}
}

func noClash(t *testing.T, reqs []LabelRequest, p []Placement, bounds Rect) {
	t.Helper()
	for i, a := range p {
		if !a.Placed {
			continue
		}
		if a.Box.outside(bounds) > 0 {
			t.Errorf("label %d %+v leaves the picture", i, a.Box)
		}
		for j, b := range p {
			if j != i && b.Placed && a.Box.overlap(b.Box) > 0 {
				t.Errorf("labels %d and %d overlap", i, j)
			}
		}
		for j, r := range reqs {
			if j != i && a.Box.overlap(r.Of.box()) > 0 {
				t.Errorf("label %d covers bubble %d", i, j)
			}
		}
	}
}
