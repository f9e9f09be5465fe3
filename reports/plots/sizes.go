package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/selabench/selabench/bench"
)

// sortedFractions returns, rank by rank, the mean over g's runs of the final
// best head's cluster sizes on the evaluation split (r.Final.Sizes) as
// fractions of the run's samples (the sum of its sizes), each run's sorted from
// largest to smallest. All runs must have the same number of clusters K
// (len(Sizes), empty clusters included).
func sortedFractions(g Group) ([]float64, error) {
	return meanSorted(g, "final cluster sizes", func(r *bench.Record) []int { return r.Final.Sizes })
}

// trainLabelSizes are the sizes of the best head's pseudo-labels on the
// training split at the end of the last epoch; nil for a run without epochs.
func trainLabelSizes(r *bench.Record) []int {
	if len(r.Epochs) == 0 {
		return nil
	}
	heads := r.Epochs[len(r.Epochs)-1].Heads
	if b := r.Final.BestHead; b >= 0 && b < len(heads) {
		return heads[b].Sizes
	}
	return nil
}

// meanSorted is sortedFractions for the sizes that of gives each run (what
// names them in errors).
func meanSorted(g Group, what string, of func(*bench.Record) []int) ([]float64, error) {
	if len(g.Runs) == 0 {
		return nil, fmt.Errorf("plots: group %q has no runs", g.Name)
	}
	var mean []float64
	for i, r := range g.Runs {
		if r == nil {
			return nil, fmt.Errorf("plots: group %q: run %d is nil", g.Name, i)
		}
		sizes := of(r)
		if len(sizes) == 0 {
			return nil, fmt.Errorf("plots: group %q: run %d (seed %d): no %s", g.Name, i, r.Config.Seed, what)
		}
		if mean == nil {
			mean = make([]float64, len(sizes))
		} else if len(sizes) != len(mean) {
			return nil, fmt.Errorf("plots: group %q: run %d (seed %d) has K = %d clusters, run 0 has %d", g.Name, i, r.Config.Seed, len(sizes), len(mean))
		}
		total := 0
		for k, s := range sizes {
			if s < 0 {
				return nil, fmt.Errorf("plots: group %q: run %d (seed %d): cluster %d has size %d", g.Name, i, r.Config.Seed, k, s)
			}
			total += s
		}
		if total == 0 {
			return nil, fmt.Errorf("plots: group %q: run %d (seed %d): all clusters are empty", g.Name, i, r.Config.Seed)
		}
		sorted := slices.Clone(sizes)
		slices.Sort(sorted)
		slices.Reverse(sorted)
		for k, s := range sorted {
			mean[k] += float64(s) / float64(total)
		}
	}
	for k := range mean {
		mean[k] /= float64(len(g.Runs))
	}
	return mean, nil
}

// rankBars draws bars of height Y[k] centred on x = k+1, a fixed fraction of
// the unit spacing wide (plotter.BarChart sizes bars in absolute lengths, which
// do not suit panels of varying K).
type rankBars struct {
	Y     []float64
	Color color.Color
}

func (b rankBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetColor(b.Color)
	for k, y := range b.Y {
		x := float64(k + 1)
		pts := c.ClipPolygonXY([]vg.Point{
			{X: trX(x - 0.4), Y: trY(0)}, {X: trX(x + 0.4), Y: trY(0)},
			{X: trX(x + 0.4), Y: trY(y)}, {X: trX(x - 0.4), Y: trY(y)},
		})
		if len(pts) > 0 {
			c.FillPolygon(b.Color, pts)
		}
	}
}

func (b rankBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	_, hi := finiteRange(b.Y)
	return 0.5, float64(len(b.Y)) + 0.5, 0, hi
}

// SizeHistograms writes to path a PNG with one panel per group, in the order
// given: the bars are the final best head's cluster sizes on the evaluation
// split as fractions of the samples, sorted from largest to smallest (rank 1
// is the largest cluster) and averaged rank by rank over the group's runs; the
// dashed line is 1/K, a perfect equipartition. All panels share the y axis, so
// a collapsed group (one cluster holding most samples) stands out beside flat
// ones. Panel titles add the number of runs: "sela (n=3)". Every run needs
// Final.Sizes, with the same K within a group.
func SizeHistograms(path string, groups []Group) error {
	if len(groups) == 0 {
		return fmt.Errorf("plots: %s: no groups: %w", path, errNoData)
	}
	bars := make([][]float64, len(groups))
	for i, g := range groups {
		f, err := sortedFractions(g)
		if err != nil {
			return err
		}
		bars[i] = f
	}
	return sizePanels(path, "Final cluster sizes, largest first (evaluation split, best head; dashed: 1/K)", groups, bars, nil)
}

// SizeProfiles writes to path a PNG with one panel per group, in the order
// given, of pseudo-label sizes against the true class sizes on the training
// split: the bars are the best head's pseudo-label sizes at the end of
// training as fractions of the training samples, sorted from largest to
// smallest and averaged rank by rank over the group's runs; the dashed line
// is the training classes' sizes (bench.DataInfo.TrainClassCounts), sorted and
// averaged the same way. On long-tailed data an equipartition shows as flat
// bars under a falling line; labels that follow the tail track the line. Every
// run needs epochs and class counts.
func SizeProfiles(path string, groups []Group) error {
	if len(groups) == 0 {
		return fmt.Errorf("plots: %s: no groups: %w", path, errNoData)
	}
	bars := make([][]float64, len(groups))
	lines := make([][]float64, len(groups))
	for i, g := range groups {
		var err error
		if bars[i], err = meanSorted(g, "pseudo-label sizes at the end of training", trainLabelSizes); err != nil {
			return err
		}
		if lines[i], err = meanSorted(g, "training class counts", func(r *bench.Record) []int { return r.Data.TrainClassCounts }); err != nil {
			return err
		}
	}
	return sizePanels(path, "Pseudo-label sizes (bars) vs class sizes (dashed), training split", groups, bars, lines)
}

// sizePanels draws one panel per group of the rank-ordered fractions bars[i]
// under a common title, with a dashed reference: lines[i] rank by rank when
// lines is not nil, else the flat 1/K.
func sizePanels(path, title string, groups []Group, bars, lines [][]float64) error {
	top := 0.0
	for i, f := range bars {
		top = max(top, f[0], 1/float64(len(f)))
		if lines != nil {
			top = max(top, lines[i][0])
		}
	}
	top = math.Min(1, top*1.08)

	n := len(groups)
	cols := n
	switch {
	case n == 4:
		cols = 2
	case n > 4:
		cols = 4
	}
	rows := (n + cols - 1) / cols
	h := max(figHeight, vg.Length(rows)*2*vg.Inch)
	const titleHeight = 0.45 * vg.Inch

	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for i, g := range groups {
		k := len(bars[i])
		row, col := i/cols, i%cols
		ptitle := wrapTitle(fmt.Sprintf("%s (n=%d)", g.Name, len(g.Runs)), 20)
		xlabel, ylabel := "", ""
		if i+cols >= n { // the bottom panel of its column
			xlabel = "cluster rank"
		}
		if col == 0 {
			ylabel = "fraction of samples"
		}
		p := newPlot(ptitle, xlabel, ylabel)
		p.Title.TextStyle.Font = sans(10)
		p.Title.Padding = vg.Points(3)
		p.X.Label.TextStyle.Font = sans(10)
		p.Y.Label.TextStyle.Font = sans(10)
		p.X.Tick.Label.Font = sans(8)
		p.Y.Tick.Label.Font = sans(8)
		p.X.Tick.Marker = integerTicks{}
		p.Add(rankBars{Y: bars[i], Color: styleOf(i).Color})
		// The reference: black dashes with white gaps, visible on bars of any colour.
		ref := func(x float64) float64 { return 1 / float64(k) }
		if lines != nil {
			l := lines[i]
			ref = func(x float64) float64 { // a step at each rank
				j := min(max(int(math.Round(x))-1, 0), len(l)-1)
				return l[j]
			}
		}
		under := plotter.NewFunction(ref)
		under.LineStyle = draw.LineStyle{Color: color.White, Width: vg.Points(1.2)}
		over := plotter.NewFunction(ref)
		over.LineStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		if lines != nil {
			under.Samples, over.Samples = 40*k, 40*k
		}
		p.Add(under, over)
		p.X.Min, p.X.Max = 0.5, float64(k)+0.5
		if lines != nil {
			p.X.Max = float64(max(k, len(lines[i]))) + 0.5
		}
		p.Y.Min, p.Y.Max = 0, top
		grid[row][col] = p
	}

	return writePNG(path, figWidth, h, func(dc draw.Canvas) {
		body := draw.Crop(dc, 0, 0, 0, -titleHeight)
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(8), PadLeft: vg.Points(4), PadRight: vg.Points(8), PadBottom: vg.Points(4)}
		canvases := plot.Align(grid, tiles, body)
		for r := range grid {
			for c, p := range grid[r] {
				if p != nil {
					p.Draw(canvases[r][c])
				}
			}
		}
		// The title last, over the panels' backgrounds.
		tc := dc
		tc.Min.Y = dc.Max.Y - titleHeight
		sty := plot.New().Title.TextStyle
		sty.Font = sans(12)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		tc.FillText(sty, tc.Center(), title)
	})
}

// wrapTitle breaks a panel title at spaces into lines of at most width runes
// where it can, so that neighbouring panels' titles do not overlap.
func wrapTitle(s string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return strings.Join(append(lines, line), "\n")
}
