package plots

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/internal/atomicfile"
)

// DPI is the resolution of the PNG files: a 6×4 inch figure is 900×600 pixels.
const DPI = 150

// Figure geometry. A legend is drawn in a strip right of the data; the figure
// grows wider when that strip would need more than maxLegend.
const (
	figWidth  = 6 * vg.Inch
	figHeight = 4 * vg.Inch
	maxLegend = 2.4 * vg.Inch
	legendPad = 0.1 * vg.Inch
)

// Group is one line, bar series or panel: the runs of one configuration (one
// method, several seeds, say). Name labels it in legends and panel titles.
type Group struct {
	Name string
	Runs []*bench.Record
}

// errNoData reports a figure with nothing to draw.
var errNoData = errors.New("nothing to plot")

// palette holds the Okabe–Ito colours (Okabe & Ito, "Color Universal Design",
// 2008) without their yellow, which is too light on white, and Paul Tol's wine
// in its place.
var palette = []color.RGBA{
	{0, 114, 178, 255},   // blue
	{213, 94, 0, 255},    // vermillion
	{0, 158, 115, 255},   // bluish green
	{204, 121, 167, 255}, // reddish purple
	{230, 159, 0, 255},   // orange
	{86, 180, 233, 255},  // sky blue
	{0, 0, 0, 255},       // black
	{136, 34, 85, 255},   // wine
}

// Colours, dashes and markers cycle with periods 8, 6 and 5: the first 120
// groups differ in style, and the first 30 in dash and marker (greyscale).
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(7), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(12), vg.Points(4)},
	{vg.Points(4), vg.Points(2), vg.Points(1.5), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

var markers = []marker{markCircle, markSquare, markTriangle, markDiamond, markRing}

// seriesStyle is the look of series i.
type seriesStyle struct {
	Color  color.RGBA
	Line   draw.LineStyle
	Glyph  draw.GlyphStyle
	Shaded color.NRGBA // the min–max band
}

func styleOf(i int) seriesStyle {
	c := palette[i%len(palette)]
	return seriesStyle{
		Color:  c,
		Line:   draw.LineStyle{Color: c, Width: vg.Points(1.6), Dashes: dashes[i%len(dashes)]},
		Glyph:  draw.GlyphStyle{Color: c, Radius: vg.Points(3.2), Shape: markers[i%len(markers)]},
		Shaded: color.NRGBA{c.R, c.G, c.B, 48},
	}
}

// marker is a glyph shape drawn with strokes thick enough for a 150 dpi PNG.
type marker int

const (
	markCircle marker = iota
	markSquare
	markTriangle
	markDiamond
	markRing
	markTriangleDown
	markBigRing
)

// DrawGlyph implements draw.GlyphDrawer.
func (m marker) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	poly := func(pts ...vg.Point) vg.Path {
		var p vg.Path
		p.Move(pts[0])
		for _, q := range pts[1:] {
			p.Line(q)
		}
		p.Close()
		return p
	}
	at := func(dx, dy vg.Length) vg.Point { return vg.Point{X: pt.X + dx, Y: pt.Y + dy} }
	switch m {
	case markCircle:
		var p vg.Path
		p.Move(at(r, 0))
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		c.Fill(p)
	case markSquare:
		s := r * 0.85
		c.Fill(poly(at(-s, -s), at(s, -s), at(s, s), at(-s, s)))
	case markTriangle:
		c.Fill(poly(at(0, 1.2*r), at(-1.05*r, -0.65*r), at(1.05*r, -0.65*r)))
	case markTriangleDown:
		c.Fill(poly(at(0, -1.2*r), at(-1.05*r, 0.65*r), at(1.05*r, 0.65*r)))
	case markDiamond:
		c.Fill(poly(at(0, 1.2*r), at(1.2*r, 0), at(0, -1.2*r), at(-1.2*r, 0)))
	case markRing, markBigRing:
		w := vg.Points(1.2)
		if m == markBigRing {
			r *= 2
		}
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: w})
		var p vg.Path
		p.Move(at(r, 0))
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		c.Stroke(p)
	}
}

// sans is the package's typeface, Liberation Sans, at size points.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// newPlot returns a plot with the package's fonts and tickers.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(12)
		a.Tick.Label.Font = sans(10)
		a.Tick.Marker = niceTicks{}
		a.Padding = vg.Points(4)
	}
	return p
}

// newLegend returns an empty legend for the strip right of a plot.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sans(10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(28)
	l.Padding = vg.Points(3)
	return l
}

// legendWidth is the width l needs (zero when it is empty).
func legendWidth(l *plot.Legend) vg.Length {
	r := l.Rectangle(draw.Canvas{})
	w := r.Max.X - r.Min.X
	if w < 0 {
		w = -w
	}
	if w == 0 {
		return 0
	}
	return w + 2*legendPad
}

// writePlot draws p, with legend l (if not empty) in a strip on its right, into
// a PNG at path.
//
// It draws the y label itself, centred on the data area: gonum/plot reserves
// room for it around the arithmetic mean of the y range, which on a log axis
// lies near the top and squashes the plot.
func writePlot(path string, p *plot.Plot, l *plot.Legend) error {
	lw := legendWidth(l)
	w := figWidth
	if lw > maxLegend {
		w += lw - maxLegend
	}
	ylabel, ysty := p.Y.Label.Text, p.Y.Label.TextStyle
	p.Y.Label.Text = ""
	return writePNG(path, w, figHeight, func(dc draw.Canvas) {
		pc := draw.Crop(dc, 0, -lw, 0, 0)
		if ylabel != "" {
			h := ysty.Height(ylabel)
			pc = draw.Crop(pc, h+p.Y.Label.Padding, 0, 0, 0)
			data := p.DataCanvas(pc)
			ysty.Rotation = math.Pi / 2
			ysty.XAlign, ysty.YAlign = draw.XCenter, draw.YBottom
			x := dc.Min.X + h - ysty.FontExtents().Descent
			dc.FillText(ysty, vg.Point{X: x, Y: data.Center().Y}, ylabel)
		}
		p.Draw(pc)
		if lw > 0 {
			lc := p.DataCanvas(pc)
			lc.Min.X, lc.Max.X = dc.Max.X-lw+legendPad, dc.Max.X-legendPad
			l.Draw(lc)
		}
	})
}

// writePNG renders draw onto a white w×h canvas and writes it atomically to path.
func writePNG(path string, w, h vg.Length, drawFn func(draw.Canvas)) error {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	drawFn(draw.New(c))
	err := atomicfile.WriteFile(path, 0o644, func(wr io.Writer) error {
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(wr); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	return nil
}

// niceStep is the smallest step of the form 1, 2 or 5 × 10^k (k ≥ 0 when
// integer) that cuts span into fewer than 6 intervals.
func niceStep(span float64, integer bool) float64 {
	e := math.Pow10(int(math.Floor(math.Log10(span / 6))))
	if integer {
		e = math.Max(e, 1)
	}
	for ; ; e *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if span/(m*e) < 6 {
				return m * e
			}
		}
	}
}

// niceTicks marks a linear axis: labels at the multiples of a 1, 2 or 5 × 10^k
// step that give at most 6 labels, unlabelled ticks halfway between.
type niceTicks struct{}

func (niceTicks) Ticks(min, max float64) []plot.Tick {
	return linearTicks(min, max, false)
}

// integerTicks marks an axis of whole numbers (epochs, ranks) like niceTicks
// with steps of at least 1, and unlabelled ticks on the integers between labels
// when there are at most 20 of them.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	return linearTicks(min, max, true)
}

func linearTicks(lo, hi float64, integer bool) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step := niceStep(hi-lo, integer)
	prec := max(0, -int(math.Floor(math.Log10(step))))
	minor := step / 2
	if integer {
		minor = 1
		if hi-lo > 20 {
			minor = step
		}
	}
	// Ticks are counted in minor steps from an integer multiple, so that the
	// values are exact products, not accumulated sums.
	perMajor := int(math.Round(step / minor))
	first := math.Ceil(lo/minor - 1e-9)
	var ts []plot.Tick
	for i := first; i*minor <= hi+1e-9*minor; i++ {
		v := i*minor + 0 // + 0 turns -0 into 0
		t := plot.Tick{Value: v}
		if int(math.Mod(i, float64(perMajor))) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', prec, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// logTicks marks a log axis: labelled powers of ten, unlabelled 2…9 multiples;
// when fewer than three powers of ten fall in range, the 2 and 5 multiples are
// labelled too, so that a narrow range still has numbers on it.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	lo, hi := int(math.Floor(math.Log10(min))), int(math.Ceil(math.Log10(max)))
	in := func(v float64) bool { return v >= min*(1-1e-9) && v <= max*(1+1e-9) }
	powers := 0
	for e := lo; e <= hi; e++ {
		if in(math.Pow10(e)) {
			powers++
		}
	}
	var ts []plot.Tick
	for e := lo; e <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if !in(v) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (powers < 3 && (m == 2 || m == 5)) {
				t.Label = logLabel(m, e)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// logLabel writes m × 10^e plainly from 0.001 to 99999, else as "me" + e
// ("1e-5", "2e6").
func logLabel(m, e int) string {
	if e >= -3 && e <= 4 {
		return strconv.FormatFloat(float64(m)*math.Pow10(e), 'f', max(0, -e), 64)
	}
	return strconv.Itoa(m) + "e" + strconv.Itoa(e)
}

// finiteRange returns the smallest and largest of vs, ignoring NaN.
func finiteRange(vs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi
}
