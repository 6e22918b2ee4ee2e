package matrix

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kambot/kambot/kam"
)

var update = flag.Bool("update", false, "rewrite the golden images")

// portfolio is a fixed, seeded portfolio of n accounts: spread over the
// four quadrants, revenues across three orders of magnitude, every band,
// one in three moved since its previous scoring.
func portfolio(n int, seed uint64) []Account {
	r := rand.New(rand.NewPCG(seed, 7))
	bands := []kam.Band{kam.BandGood, kam.BandWatch, kam.BandAtRisk, ""}
	out := make([]Account, n)
	for i := range out {
		a := Account{
			Name:    fmt.Sprintf("%s %s", words[r.IntN(len(words))], suffixes[i%len(suffixes)]),
			At:      Point{Attractiveness: float64(r.IntN(1001)) / 10, Strength: float64(r.IntN(1001)) / 10},
			Revenue: int64(10_000 + r.IntN(5_000_000)),
			Band:    bands[i%len(bands)],
		}
		if i%3 == 0 {
			a.Previous = &Point{Attractiveness: clamp(a.At.Attractiveness - 15 + float64(r.IntN(300))/10),
				Strength: clamp(a.At.Strength - 15 + float64(r.IntN(300))/10)}
		}
		out[i] = a
	}
	return out
}

var (
	words    = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Wonka"}
	suffixes = []string{"Corp", "Industries", "GmbH", "Holdings", "Labs", "Logistics", "Energy", "AG", "Systems", "Retail"}
)

func clamp(v float64) float64 { return min(100, max(0, v)) }

func TestPNGGolden(t *testing.T) {
	long := []Account{
		{Name: "The International Consolidated Airlines Group of Europe and Beyond", At: Point{80, 70}, Revenue: 2_000_000, Band: kam.BandGood},
		{Name: "Zweckverband für Wasserversorgung und Abwasserbeseitigung Oberland", At: Point{78, 72}, Revenue: 900_000, Band: kam.BandWatch},
		{Name: "A", At: Point{20, 30}, Revenue: 1},
	}
	onLines := []Account{
		{Name: "Centre", At: Point{50, 50}, Revenue: 500_000, Band: kam.BandWatch},
		{Name: "On the strength line", At: Point{80, 50}, Revenue: 300_000, Band: kam.BandGood},
		{Name: "On the attractiveness line", At: Point{50, 20}, Revenue: 300_000, Band: kam.BandAtRisk},
		{Name: "Corner zero", At: Point{0, 0}, Revenue: 100_000},
		{Name: "Corner top", At: Point{100, 100}, Revenue: 5_000_000, Band: kam.BandGood,
			Previous: &Point{40, 45}},
	}
	cases := []struct {
		name  string
		chart Chart
	}{
		{"one", Chart{Title: "Portfolio matrix — Acme", Accounts: []Account{{Name: "Acme Corp", At: Point{72.5, 61}, Previous: &Point{60, 40}, Revenue: 1_200_000, Band: kam.BandGood}}}},
		{"sixty", Chart{Title: "Portfolio matrix — 60 accounts", Accounts: portfolio(60, 1)}},
		{"three_hundred", Chart{Title: "Portfolio matrix — 300 accounts", Accounts: portfolio(300, 2)}},
		{"long_names", Chart{Title: "Long names", Accounts: long}},
		{"on_lines", Chart{Title: "On the quadrant lines", Accounts: onLines}},
		{"split_60", Chart{Title: "Split at 60", Split: 60, Accounts: onLines}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.chart.PNG()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".png")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := pixelDiff(t, got, want); diff > 0.002 {
				t.Errorf("%.3f%% of pixels differ from %s (tolerance 0.2%%); look at the picture and run with -update if it is right",
					diff*100, path)
			}
		})
	}
}

// pixelDiff decodes both PNGs and returns the share of pixels whose colour
// differs by more than a small tolerance in any channel: font rasterising
// and PNG encoders may change a few bits without the picture changing.
func pixelDiff(t *testing.T, a, b []byte) float64 {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatalf("decode new picture: %v", err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode golden picture: %v", err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("size %v, golden %v", ia.Bounds().Size(), ib.Bounds().Size())
	}
	return diffShare(ia, ib, 24)
}

func diffShare(a, b image.Image, tol uint32) float64 {
	bounds := a.Bounds()
	var bad int
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if far(r1, r2, tol) || far(g1, g2, tol) || far(b1, b2, tol) || far(a1, a2, tol) {
				bad++
			}
		}
	}
	return float64(bad) / float64(bounds.Dx()*bounds.Dy())
}

func far(x, y, tol uint32) bool {
	x, y = x>>8, y>>8
	if x > y {
		return x-y > tol
	}
	return y-x > tol
}

// The comparison must see a real change: a bubble moved, a colour changed.
func TestPixelDiffSeesAChange(t *testing.T) {
	base := Chart{Accounts: []Account{{Name: "Acme", At: Point{70, 70}, Revenue: 100, Band: kam.BandGood}}}
	moved := Chart{Accounts: []Account{{Name: "Acme", At: Point{30, 70}, Revenue: 100, Band: kam.BandGood}}}
	recoloured := Chart{Accounts: []Account{{Name: "Acme", At: Point{70, 70}, Revenue: 100, Band: kam.BandAtRisk}}}
	a, _ := base.PNG()
	for name, c := range map[string]Chart{"moved": moved, "recoloured": recoloured} {
		b, err := c.PNG()
		if err != nil {
			t.Fatal(err)
		}
		if d := pixelDiff(t, a, b); d <= 0.0005 {
			t.Errorf("%s: only %.4f%% of pixels differ; the golden test would not notice", name, d*100)
		}
	}
	if d := pixelDiff(t, a, a); d != 0 {
		t.Errorf("a picture differs from itself: %v", d)
	}
}

func TestEmpty(t *testing.T) {
	png, err := Chart{Title: "nothing"}.PNG()
	if !errors.Is(err, ErrEmpty) || png != nil {
		t.Fatalf("PNG() = %d bytes, %v; want no picture and ErrEmpty", len(png), err)
	}
}

// Names that do not fit beside their bubble go to the numbered legend,
// which grows by columns instead of dropping anyone.
func TestCrowdedPictureHasLegend(t *testing.T) {
	crowd := make([]Account, 120)
	for i := range crowd {
		crowd[i] = Account{Name: fmt.Sprintf("Account number %d", i), At: Point{50, 50}, Revenue: int64(i + 1)}
	}
	b, err := Chart{Accounts: crowd}.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := Chart{Accounts: crowd[:1]}.PNG()
	one, _ := png.Decode(bytes.NewReader(plain))
	if img.Bounds().Dx() <= one.Bounds().Dx() {
		t.Errorf("120 accounts on one spot: width %d, not wider than one account's %d: no legend", img.Bounds().Dx(), one.Bounds().Dx())
	}
}

func TestAltTextListsEveryAccount(t *testing.T) {
	accts := portfolio(60, 1)
	accts = append(accts, Account{Name: "Line\nbreak <!here>", At: Point{50, 49.9}, Previous: &Point{55, 55}, Band: kam.BandWatch})
	alt := Chart{Accounts: accts}.AltText()
	for _, a := range accts {
		want := fmt.Sprintf("%s at attractiveness %g, strength %g", oneLine(a.Name), a.At.Attractiveness, a.At.Strength)
		if !strings.Contains(alt, want) {
			t.Fatalf("alt text lacks %q", want)
		}
	}
	if !strings.Contains(alt, "Line break <!here> at attractiveness 50, strength 49.9, from 55/55 (strategic), health watch") {
		t.Errorf("the moved account on the line reads wrong:\n%s", alt)
	}
	if !strings.Contains(alt, "Develop (") {
		t.Errorf("no quadrant heading: %s", alt)
	}
	if got := (Chart{}).AltText(); !strings.Contains(got, "No scored account") {
		t.Errorf("empty alt text: %q", got)
	}
}

// BenchmarkPNG300 draws the matrix of 300 accounts; targets < 300 ms and
// < 30 MB extra memory per picture. cpu-ms/op is the process's CPU time
// (steady on a shared machine, unlike wall time); B/op, everything
// allocated, bounds the extra memory from above.
func BenchmarkPNG300(b *testing.B) {
	c := Chart{Title: "Portfolio matrix — 300 accounts", Accounts: portfolio(300, 2)}
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if _, err := c.PNG(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// Slack takes 1,000 characters of alt text: a large portfolio's is cut at
// an account's boundary and says how many it left out.
func TestAltTextWithin(t *testing.T) {
	small := Chart{Accounts: portfolio(3, 1)}
	if got, full := small.AltTextWithin(MaxAltText); !full || got != small.AltText() {
		t.Errorf("a small portfolio's alt text was cut: %q", got)
	}
	big := Chart{Accounts: portfolio(300, 2)}
	got, full := big.AltTextWithin(MaxAltText)
	if full || len([]rune(got)) > MaxAltText {
		t.Fatalf("%d characters, full %v", len([]rune(got)), full)
	}
	listed := strings.Count(got, " at attractiveness ")
	if listed == 0 || !strings.Contains(got, fmt.Sprintf("…and %d more accounts: the message lists every position.", 300-listed)) {
		t.Errorf("cut alt text does not count what it left out (%d listed):\n%s", listed, got)
	}
}

// Pictures drawn at once share the parsed font but not its faces, which
// are not safe for concurrent use; run with -race.
func TestConcurrentPictures(t *testing.T) {
	c := Chart{Title: "Portfolio matrix — 60 accounts", Accounts: portfolio(60, 1)}
	want, err := c.PNG()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for i := range got {
		wg.Go(func() { got[i], _ = c.PNG() })
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Errorf("picture %d drawn alongside others differs from the one drawn alone", i)
		}
	}
}
