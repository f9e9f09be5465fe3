package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/selabench/selabench/internal/atomicfile"
)

// MarkdownOptions complete a [Summary] into a report.
type MarkdownOptions struct {
	// Title is the report's heading; "" means "Results on DATASETS (SPLITS)".
	Title string
	// Command is the exact command line that regenerates the report; "" omits
	// the section.
	Command string
	// Warnings (from records.Read, say) are listed in their own section, so that
	// a reader sees what was left out. The summary's own warnings are listed too.
	Warnings []Warning
	// Figures are linked, with their captions, in a Figures section.
	Figures []Figure
	// Note is a markdown paragraph placed under the title: how the runs were
	// made, what to look at.
	Note string
}

// WriteMarkdown writes s as a markdown report: the title, one table row per
// configuration (the method and the config fields that vary between rows, the
// number of seeds, every metric as "mean ± half-width", and the p-value of the
// compared metric against the baseline), footnotes saying how each figure was
// computed, the warnings, the provenance of the runs and the command that
// regenerates the report.
func WriteMarkdown(w io.Writer, s *Summary, opt MarkdownOptions) error {
	title := opt.Title
	if title == "" {
		title = defaultTitle(s)
	}
	cmp := s.Metrics[s.Compare]

	var t Table
	t.Header = append(t.Header, s.Varying...)
	t.Header = append(t.Header, "seeds")
	for _, m := range s.Metrics {
		t.Header = append(t.Header, m.Header)
	}
	vs := fmt.Sprintf("row %d", s.Baseline+1)
	if s.By != "" {
		vs = "baseline"
	}
	t.Header = append(t.Header, fmt.Sprintf("Δ %s vs %s", cmp.Header, vs), "p", "p (Holm)")
	t.Align = strings.Repeat("l", len(s.Varying)) + strings.Repeat("r", len(t.Header)-len(s.Varying))
	for i := range s.Rows {
		r := &s.Rows[i]
		var cells []string
		for _, f := range s.Varying {
			if f == "eval_split" {
				cells = append(cells, r.EvalSplit)
			} else {
				cells = append(cells, configCell(&r.Config, f))
			}
		}
		cells = append(cells, strconv.Itoa(len(r.Seeds)))
		for m, st := range r.Stats {
			cells = append(cells, FormatStat(st, s.Metrics[m].Decimals))
		}
		switch {
		case slices.Contains(s.Baselines, i):
			cells = append(cells, "baseline", "", "")
		case r.Tests == nil || math.IsNaN(r.Tests[s.Compare].P):
			cells = append(cells, "—", "—", "—")
		default:
			c := r.Tests[s.Compare]
			diff, mark := "unpaired", " (U)"
			if c.Paired {
				diff, mark = formatDiff(c, cmp.Decimals), ""
			}
			cells = append(cells, diff, fmt.Sprintf("%.2g%s", c.P, mark), fmt.Sprintf("%.2g%s", c.PHolm, mark))
		}
		t.Rows = append(t.Rows, cells)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	if opt.Note != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(opt.Note))
	}
	if err := t.Markdown(&b); err != nil {
		return err
	}
	pct := strconv.FormatFloat(100*s.Confidence, 'g', -1, 64)
	q := strconv.FormatFloat((1+s.Confidence)/2, 'g', -1, 64)
	fmt.Fprintf(&b, `
Each row groups the runs whose configurations are equal except for the seed and that were scored on the same evaluation split; *seeds* counts them. The columns before it show the method and the configuration fields that differ between rows.

- **mean ± h**: the mean over seeds and the half-width of its %s %% confidence interval, h = t(%s; n−1)·s/√n, with s the standard deviation over the n seeds (n − 1 denominator) and t the quantile of Student's t (golang.org/x/perf/benchmath, AssumeNormal). A value marked (n=1) comes from a single seed and has no interval. The seed sets the initial weights, labels, augmentations and batches, not the data split.
- **NMI, ARI, ACC, m2o ACC**: the best head's (chosen by NMI on the *training* labels) clustering scores on the evaluation split; **linear probe**, **kNN**: accuracies in [0, 1] on the frozen features; **eff. clusters**: exp(entropy) of the best head's cluster sizes; **time (s)**: wall time of the whole run, which depends on the machine (see Provenance).%s
- **Δ**: the mean of the per-seed differences with the baseline, %s, in %s (row − baseline, over the seeds the two share), ± the half-width of its t-interval, then [the %s %% percentile bootstrap interval] (%d resamples from a fixed stream). A seed fixes the initial weights, data order and augmentation streams, so runs of one seed pair across methods; the seeds pair when one row's seed set contains the other's.
- **p**: two-sided exact Wilcoxon signed-rank test of those differences (zero differences dropped; exact distribution, with average ranks for ties), where the seeds pair. Where they do not, marked (U) and *unpaired*, the two-sided Mann–Whitney U test of the two samples (exact distribution; benchmath AssumeNothing). — marks rows on another dataset or split, which are not compared. **p (Holm)**: p after Holm's step-down correction across the rows compared with the same baseline, which controls the chance of any false positive among them. With n paired seeds the smallest attainable p is 2/2ⁿ: 0.0625 for 5, 0.031 for 6, 0.0039 for 9, 0.002 for 10, so **with 5 or fewer paired seeds no difference can reach p < 0.05, however large it is**; unpaired, with n seeds a side it is 2/C(2n, n), 0.1 for 3 and 0.0079 for 5.%s
`, pct, q, metricDocs(s), baselineNote(s), cmp.Header, pct, BootstrapResamples, minPNote(s))

	if len(opt.Figures) > 0 {
		b.WriteString("\n## Figures\n")
		for _, f := range opt.Figures {
			fmt.Fprintf(&b, "\n%s\n\n![%s](%s)\n", f.Caption, f.File, f.File)
		}
	}

	warns := append(slices.Clone(opt.Warnings), s.Warnings...)
	if len(warns) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, w := range warns {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}

	p := &s.Provenance
	b.WriteString("\n## Provenance\n\n")
	fmt.Fprintf(&b, "- records: %d\n", p.Records)
	switch {
	case p.First == "":
		b.WriteString("- started: unknown\n")
	case p.First == p.Last:
		fmt.Fprintf(&b, "- started: %s\n", p.First)
	default:
		fmt.Fprintf(&b, "- started: %s to %s\n", p.First, p.Last)
	}
	if p.Undated > 0 {
		fmt.Fprintf(&b, "- records without a valid start time: %d\n", p.Undated)
	}
	for _, l := range []struct {
		name string
		list []Count
	}{
		{"Go", p.GoVersions}, {"platform", p.Platforms}, {"CPU", p.CPUs},
		{"GOMAXPROCS", p.GOMAXPROCS}, {"module", p.Modules},
	} {
		fmt.Fprintf(&b, "- %s: %s\n", l.name, formatCounts(l.list, p.Records))
	}
	budgets := make([]string, len(p.Budgets))
	for i, u := range p.Budgets {
		budgets[i] = fmt.Sprintf("%s %d in %d %s, %s", u.Method, u.Runs, u.Configs, plural(u.Configs, "configuration", "configurations"), formatHours(u.Seconds))
	}
	fmt.Fprintf(&b, "- runs per method (summed wall time): %s\n", strings.Join(budgets, "; "))

	if opt.Command != "" {
		fmt.Fprintf(&b, "\n## Regenerate\n\n```sh\n%s\n```\n", opt.Command)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatHours writes a wall time in seconds as hours, or minutes under two hours.
func formatHours(sec float64) string {
	if sec < 7200 {
		return fmt.Sprintf("%.0f min", sec/60)
	}
	return fmt.Sprintf("%.1f h", sec/3600)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteFile writes the report of s to path atomically (internal/atomicfile):
// a reader sees the old file or the whole new one.
func WriteFile(path string, s *Summary, opt MarkdownOptions) error {
	return atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		return WriteMarkdown(w, s, opt)
	})
}

// metricDocs returns the footnotes of the shown metrics outside
// DefaultColumns, each a bullet of its own.
func metricDocs(s *Summary) string {
	var b strings.Builder
	for _, m := range s.Metrics {
		if m.Doc != "" {
			fmt.Fprintf(&b, "\n- **%s**: %s.", m.Header, m.Doc)
		}
	}
	return b.String()
}

// FormatStat formats a summary as "mean ± half-width" with the given decimals,
// or "mean (n=1)" for a single seed.
func FormatStat(s Stat, decimals int) string {
	if math.IsNaN(s.Mean) {
		return "—"
	}
	if len(s.Values) < 2 || math.IsInf(s.HalfWidth(), 0) {
		return fmt.Sprintf("%.*f (n=%d)", decimals, s.Mean, len(s.Values))
	}
	return fmt.Sprintf("%.*f ± %.*f", decimals, s.Mean, decimals, s.HalfWidth())
}

// minPNote names the compared rows whose seed counts cannot reach p < 0.05.
func minPNote(s *Summary) string {
	var weak []string
	for i := range s.Rows {
		if minAttainable(s, i) > 0.05 {
			weak = append(weak, strconv.Itoa(i+1))
		}
	}
	if len(weak) == 0 {
		return ""
	}
	if len(weak) == 1 {
		return fmt.Sprintf(" Here row %s cannot reach p < 0.05 with its seed count.", weak[0])
	}
	return fmt.Sprintf(" Here rows %s cannot reach p < 0.05 with their seed counts.", strings.Join(weak, ", "))
}

// minAttainable is the smallest p-value row i's test of the compared metric
// can give with its seed counts; NaN for a row that is not compared.
func minAttainable(s *Summary, i int) float64 {
	r := &s.Rows[i]
	if r.Tests == nil {
		return math.NaN()
	}
	if c := r.Tests[s.Compare]; c.Paired {
		return SignedRankMinP(len(c.Diff.Values))
	}
	return MinP(len(s.Rows[r.BaselineRow].Seeds), len(r.Seeds))
}

// baselineNote names the baseline row(s) for the footnotes.
func baselineNote(s *Summary) string {
	if s.By == "" {
		base := &s.Rows[s.Baseline]
		return fmt.Sprintf("row %d (%s)", s.Baseline+1, describe(base))
	}
	return fmt.Sprintf("the baseline row of the same %s (rows %s)", s.By, rowList(s.Baselines))
}

// rowList spells 0-based row indices as the table's 1-based numbers.
func rowList(rows []int) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = strconv.Itoa(r + 1)
	}
	return strings.Join(parts, ", ")
}

// formatDiff formats a paired test's difference as "+m ± h [lo, hi]": the mean
// difference, the half-width of its t-interval and its bootstrap interval.
func formatDiff(c Test, decimals int) string {
	if len(c.Diff.Values) < 2 {
		return fmt.Sprintf("%+.*f (n=%d)", decimals, c.Diff.Mean, len(c.Diff.Values))
	}
	return fmt.Sprintf("%+.*f ± %.*f [%+.*f, %+.*f]", decimals, c.Diff.Mean, decimals, c.Diff.HalfWidth(), decimals, c.BootLo, decimals, c.BootHi)
}

func formatCounts(list []Count, total int) string {
	if len(list) == 1 && list[0].N == total {
		return list[0].Value + " (all)"
	}
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = fmt.Sprintf("%s (%d)", c.Value, c.N)
	}
	return strings.Join(parts, "; ")
}

func defaultTitle(s *Summary) string {
	var datasets, splits []string
	for i := range s.Rows {
		r := &s.Rows[i]
		if !slices.Contains(datasets, r.Config.Dataset) {
			datasets = append(datasets, r.Config.Dataset)
		}
		if !slices.Contains(splits, r.EvalSplit) {
			splits = append(splits, r.EvalSplit)
		}
	}
	return fmt.Sprintf("Results on %s (%s)", strings.Join(datasets, ", "), strings.Join(splits, ", "))
}
