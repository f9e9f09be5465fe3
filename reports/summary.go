package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/selabench/selabench/bench"
)

// A Metric is one score of a run record that a report summarises over seeds.
type Metric struct {
	// Name is the record's JSON field (final.nmi → "nmi", timings.total → "total"),
	// the name Options.Compare and the CLI's --metric take.
	Name string
	// Header is the column title; Decimals the digits shown after the point.
	Header   string
	Decimals int
	// Value reads the metric from a record; NaN if the record does not carry it.
	Value func(*bench.Record) float64
	// Doc, for the metrics outside [DefaultColumns], is the footnote that says
	// what the column holds.
	Doc string
}

// Metrics are the metrics a report can show: the best head's clustering scores,
// the probes on frozen features, the best head's degeneracy on the evaluation
// split and the run's total wall time in seconds (the [DefaultColumns]), then
// the scores on the training split that the imbalance study reads. A Value of
// NaN means the record does not carry the metric; a row with such a record
// shows "—" for it and is not tested on it.
var Metrics = []Metric{
	{"nmi", "NMI", 4, func(r *bench.Record) float64 { return r.Final.NMI }, ""},
	{"ari", "ARI", 4, func(r *bench.Record) float64 { return r.Final.ARI }, ""},
	{"acc", "ACC", 4, func(r *bench.Record) float64 { return r.Final.ACC }, ""},
	{"m2o_acc", "m2o ACC", 4, func(r *bench.Record) float64 { return r.Final.ManyToOne }, ""},
	{"linear_probe", "linear probe", 4, func(r *bench.Record) float64 { return r.Final.LinearProbe }, ""},
	{"knn", "kNN", 4, func(r *bench.Record) float64 { return r.Final.KNN }, ""},
	{"effective_clusters", "eff. clusters", 2, func(r *bench.Record) float64 { return r.Final.EffectiveClusters }, ""},
	{"total", "time (s)", 1, func(r *bench.Record) float64 { return r.Timings.Total }, ""},
	{"train_nmi", "train NMI", 4, trainNMI,
		"the best head's NMI on the *training* split (its predictions against the true training labels): the clustering of the data the method saw, long-tailed under --imbalance, where the evaluation split is not"},
	{"size_l1", "size L1", 3, sizeL1,
		"the L1 distance between the best head's last pseudo-label sizes and the training split's class sizes, both as fractions sorted largest first (0: the classes' size profile; at most 2); recorded for runs with --imbalance only"},
}

// DefaultColumns are the metrics a report shows unless Options.Columns says
// otherwise.
var DefaultColumns = []string{"nmi", "ari", "acc", "m2o_acc", "linear_probe", "knn", "effective_clusters", "total"}

func trainNMI(r *bench.Record) float64 {
	if b := r.Final.BestHead; b >= 0 && b < len(r.Final.Heads) {
		return r.Final.Heads[b].TrainNMI
	}
	return math.NaN()
}

func sizeL1(r *bench.Record) float64 {
	if len(r.Epochs) == 0 {
		return math.NaN()
	}
	heads := r.Epochs[len(r.Epochs)-1].Heads
	if b := r.Final.BestHead; b >= 0 && b < len(heads) && heads[b].SizeL1 != nil {
		return *heads[b].SizeL1
	}
	return math.NaN()
}

// MetricNames lists the names of [Metrics].
func MetricNames() []string {
	names := make([]string, len(Metrics))
	for i, m := range Metrics {
		names[i] = m.Name
	}
	return names
}

// ErrOption marks an [Options] field that does not fit the records (a baseline
// naming no row or several, an unknown metric); Summarize's errors wrap it.
var ErrOption = errors.New("invalid option")

// An OptionError is an [Options] field that does not fit the records; it
// matches [ErrOption]. Option names the field ("Columns", "Compare",
// "Baseline", "By" or "Confidence"), so that a caller can name its own flag.
type OptionError struct {
	Option string
	Msg    string
}

func (e *OptionError) Error() string { return "reports: invalid option: " + e.Msg }

// Is makes an OptionError match ErrOption.
func (e *OptionError) Is(target error) bool { return target == ErrOption }

func optionError(option, format string, args ...any) error {
	return &OptionError{Option: option, Msg: fmt.Sprintf(format, args...)}
}

// Options configure [Summarize]. The zero value compares NMI at 95 % confidence
// against the first row.
type Options struct {
	// Baseline chooses the row the others are tested against: a method name (which
	// must name exactly one row) or a 1-based row number as the table shows it.
	// "" means row 1.
	Baseline string
	// Compare is the name of the metric tested against the baseline, one of
	// the columns; "" means "nmi".
	Compare string
	// Columns are the names of the metrics the table shows, in order (see
	// [Metrics]); nil means [DefaultColumns].
	Columns []string
	// Confidence is the level of the intervals, in (0, 1); 0 means 0.95.
	Confidence float64
	// By, if not "", is the JSON name of a config field (say "imbalance") that
	// splits the table into strata, one per value: each row is then tested
	// against the row of its own stratum whose method is Baseline — or, if
	// Baseline is a number n, against the stratum's n-th row in table order —
	// and Holm's correction runs within each stratum. A stratum without such a
	// row is not tested.
	By string
}

// A Stat summarises one metric of one row over its seeds.
type Stat struct {
	// Values are the metric's values, one per seed, in the row's seed order.
	Values []float64
	// Mean is the sample mean; [Lo, Hi] its confidence interval at the summary's
	// level: benchmath.AssumeNormal's interval, mean ± t·s/√n with s the sample
	// standard deviation (n − 1 denominator) and t the (1+confidence)/2 quantile of
	// Student's t with n − 1 degrees of freedom. With one seed there is no
	// interval: Lo = −Inf, Hi = +Inf.
	Mean, Lo, Hi float64
}

// HalfWidth is the half-width of the confidence interval (+Inf for one seed).
func (s Stat) HalfWidth() float64 { return (s.Hi - s.Lo) / 2 }

// A Row is one configuration: the records whose configs are equal except for the
// seed and that were scored on the same evaluation split.
type Row struct {
	// Config is the shared configuration, with Seed zero.
	Config bench.Config
	// EvalSplit is the records' data.eval_split ("test" or "validation").
	EvalSplit string
	// Seeds are the runs' seeds in the order the records were read.
	Seeds []uint64
	// Stats holds one entry per metric of Summary.Metrics, in that order.
	Stats []Stat
	// Tests compare the row with its baseline row, BaselineRow (an index in
	// Summary.Rows), one entry per metric of Summary.Metrics; nil, with BaselineRow
	// −1, for a baseline itself and for rows that are not compared (on another
	// dataset or evaluation split than their baseline, or in a stratum without
	// one).
	Tests       []Test
	BaselineRow int
	// Records are the row's runs, in the order read.
	Records []*bench.Record
}

// A Test compares one metric of a row with the baseline row.
//
// The row's seeds pair with the baseline's when the smaller of the two seed sets
// is contained in the other (every method of a sweep runs on the same seeds, and
// a seed fixes the data order, initialisation and augmentation streams): the
// test is then on the per-seed differences over the shared seeds. Otherwise it
// falls back to comparing the two samples unpaired.
type Test struct {
	// Paired reports whether the seeds pair.
	Paired bool
	// Diff summarises the per-seed differences row − baseline over the shared
	// seeds, in ascending seed order, with the t-interval of their mean (see
	// [Stat]); BootLo and BootHi are the percentile bootstrap interval of the
	// same mean at the same level (BootstrapResamples resamples from a fixed
	// stream). All are NaN when the seeds do not pair.
	Diff           Stat
	BootLo, BootHi float64
	// PPaired is the exact two-sided Wilcoxon signed-rank p-value of Diff.Values
	// ([SignedRank]; zero differences dropped), NaN when the seeds do not pair.
	// PUnpaired is the two-sided Mann–Whitney U p-value of the two samples
	// (benchmath.AssumeNothing, exact for up to 25 seeds a side with ties and 50
	// without), computed for every compared row.
	PPaired, PUnpaired float64
	// P is the row's p-value: PPaired when the seeds pair, PUnpaired otherwise.
	// PHolm is P after Holm's correction ([Holm]) across the compared rows of the
	// table, for this metric.
	P, PHolm float64
}

// Summary is a table of configurations, summarised over seeds, ready to render.
type Summary struct {
	// Rows are ordered by dataset and evaluation split (first appearance), method
	// (the order of bench.Methods; unknown methods last), then first appearance;
	// with Options.By, by stratum (first appearance) before all that.
	Rows []Row
	// Metrics are the table's columns (Options.Columns).
	Metrics []Metric
	// Baseline is the index in Rows of the baseline row (of the first stratum
	// with Options.By); Compare the index in Metrics of the metric tested
	// against it.
	Baseline, Compare int
	// By is Options.By; Baselines are the indices of every stratum's baseline
	// row in Rows (the one Baseline without By).
	By        string
	Baselines []int
	// Confidence is the level of every interval.
	Confidence float64
	// Varying lists the JSON names of the config fields (seed excluded, method
	// always included, first) whose values differ between rows, in the field order
	// of bench.Config; "eval_split" is appended when the evaluation split differs.
	Varying []string
	// Provenance describes where and when the runs ran.
	Provenance Provenance
	// Warnings are the problems met while grouping (duplicate seeds).
	Warnings []Warning
}

// A Count is a value seen among the records and the number of records showing it.
type Count struct {
	Value string
	N     int
}

// Provenance describes the machines, builds and dates of a summary's records.
// Each list holds the distinct values in order of first appearance, with counts.
type Provenance struct {
	Records    int
	GoVersions []Count
	Platforms  []Count // "os/arch"
	CPUs       []Count // "model (N CPUs)"
	GOMAXPROCS []Count
	Modules    []Count // "path@version", then the commit and "(modified)" when known
	// First and Last are the earliest and latest run start (RFC 3339) among the
	// records; Undated counts records whose start time does not parse.
	First, Last string
	Undated     int
	// Budgets is what each method's rows cost, in order of first appearance:
	// a tuning log shows with it that every method got the same budget.
	Budgets []Budget
}

// A Budget counts one method's rows (configurations on an evaluation split),
// runs and summed wall time (timings.total, seconds; machine-dependent).
type Budget struct {
	Method        string
	Configs, Runs int
	Seconds       float64
}

// Summarize groups recs by configuration — the full config except its seed, plus
// the evaluation split — and summarises each metric of Options.Columns over the seeds of
// each group with benchmath: the mean and its confidence interval under
// benchmath.AssumeNormal (Student's t; see [Stat]). Every row on the baseline's
// dataset and split is then tested against the baseline row, metric by metric
// (see [Test]): paired by seed where the seeds pair, unpaired otherwise, with
// Holm's correction across the rows.
//
// Two records of the same configuration and seed count once: the first is kept
// and a warning names the rest, since a rerun of a deterministic config is not
// an independent sample.
//
// Summarize does not modify recs. It fails on no records, and with an error
// *OptionError (matching [ErrOption]) on an unknown metric or a baseline that names no row or
// several.
func Summarize(recs []*bench.Record, opt Options) (*Summary, error) {
	if len(recs) == 0 {
		return nil, errors.New("reports: no records to summarise")
	}
	conf := opt.Confidence
	if conf == 0 {
		conf = 0.95
	}
	if !(conf > 0 && conf < 1) {
		return nil, optionError("Confidence", "confidence must be in (0, 1), got %v", conf)
	}
	compare := opt.Compare
	if compare == "" {
		compare = "nmi"
	}
	columns := opt.Columns
	if columns == nil {
		columns = DefaultColumns
	}
	var metrics []Metric
	for _, name := range columns {
		i := slices.IndexFunc(Metrics, func(m Metric) bool { return m.Name == name })
		switch {
		case i < 0:
			return nil, optionError("Columns", "unknown metric %q (valid: %s)", name, strings.Join(MetricNames(), ", "))
		case slices.ContainsFunc(metrics, func(m Metric) bool { return m.Name == name }):
			return nil, optionError("Columns", "metric %q is listed twice", name)
		}
		metrics = append(metrics, Metrics[i])
	}
	if len(metrics) == 0 {
		return nil, optionError("Columns", "no metrics to show")
	}
	if !slices.Contains(MetricNames(), compare) {
		return nil, optionError("Compare", "unknown metric %q (valid: %s)", compare, strings.Join(MetricNames(), ", "))
	}
	ci := slices.IndexFunc(metrics, func(m Metric) bool { return m.Name == compare })
	if ci < 0 {
		return nil, optionError("Compare", "the tested metric %q is not among the columns %s", compare, strings.Join(columns, ", "))
	}
	s := &Summary{Metrics: metrics, Compare: ci, Confidence: conf}

	// Group, in order of first appearance.
	index := map[string]int{}
	for _, r := range recs {
		key, err := groupKey(r)
		if err != nil {
			return nil, err
		}
		i, ok := index[key]
		if !ok {
			i = len(s.Rows)
			index[key] = i
			c := r.Config
			c.Seed = 0
			s.Rows = append(s.Rows, Row{Config: c, EvalSplit: r.Data.EvalSplit})
		}
		row := &s.Rows[i]
		if slices.Contains(row.Seeds, r.Config.Seed) {
			s.Warnings = append(s.Warnings, Warning{Msg: fmt.Sprintf("%s: seed %d appears more than once; only its first record is used", describe(row), r.Config.Seed)})
			continue
		}
		row.Seeds = append(row.Seeds, r.Config.Seed)
		row.Records = append(row.Records, r)
	}
	sortRows(s.Rows)
	if opt.By != "" {
		// Strata first, in order of first appearance, so that each stratum's
		// rows sit together; the stable sort keeps the order within.
		rank := map[string]int{}
		for i := range s.Rows {
			if v := configValue(&s.Rows[i].Config, opt.By); rank[v] == 0 {
				rank[v] = len(rank) + 1
			}
		}
		slices.SortStableFunc(s.Rows, func(a, b Row) int {
			return rank[configValue(&a.Config, opt.By)] - rank[configValue(&b.Config, opt.By)]
		})
	}

	for i := range s.Rows {
		row := &s.Rows[i]
		row.Stats = make([]Stat, len(metrics))
		for m, metric := range metrics {
			vals := make([]float64, len(row.Records))
			for j, r := range row.Records {
				vals[j] = metric.Value(r)
			}
			if slices.ContainsFunc(vals, math.IsNaN) {
				row.Stats[m] = Stat{Values: vals, Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
				continue
			}
			// NewSample sorts its argument: give it a copy.
			sum := benchmath.AssumeNormal.Summary(benchmath.NewSample(slices.Clone(vals), &benchmath.DefaultThresholds), conf)
			row.Stats[m] = Stat{Values: vals, Mean: sum.Center, Lo: sum.Lo, Hi: sum.Hi}
		}
	}

	if err := s.setBaselines(opt.Baseline, opt.By); err != nil {
		return nil, err
	}
	for i := range s.Rows {
		row := &s.Rows[i]
		if row.BaselineRow < 0 {
			continue
		}
		base := &s.Rows[row.BaselineRow]
		row.Tests = make([]Test, len(metrics))
		for m := range metrics {
			row.Tests[m] = compareRows(base, row, m, conf)
		}
	}
	// Holm's correction within each family: the rows tested against one baseline.
	for _, b := range s.Baselines {
		for m := range metrics {
			var ps []float64
			for i := range s.Rows {
				if s.Rows[i].BaselineRow == b {
					ps = append(ps, s.Rows[i].Tests[m].P)
				}
			}
			adj := Holm(ps)
			for i := range s.Rows {
				if s.Rows[i].BaselineRow == b {
					s.Rows[i].Tests[m].PHolm, adj = adj[0], adj[1:]
				}
			}
		}
	}

	s.Varying = varying(s.Rows)
	s.Provenance = provenance(s.Rows)
	return s, nil
}

// compareRows tests metric m of row against base (see [Test]); PHolm is left for
// the caller.
func compareRows(base, row *Row, m int, conf float64) Test {
	t := Test{PPaired: math.NaN(), BootLo: math.NaN(), BootHi: math.NaN(),
		Diff: Stat{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}}
	if math.IsNaN(base.Stats[m].Mean) || math.IsNaN(row.Stats[m].Mean) {
		// A metric some record does not carry is not tested.
		t.PUnpaired, t.P = math.NaN(), math.NaN()
		return t
	}
	x := benchmath.NewSample(slices.Clone(base.Stats[m].Values), &benchmath.DefaultThresholds)
	y := benchmath.NewSample(slices.Clone(row.Stats[m].Values), &benchmath.DefaultThresholds)
	t.PUnpaired = benchmath.AssumeNothing.Compare(x, y).P
	t.P = t.PUnpaired
	small, large := row.Seeds, base.Seeds
	if len(small) > len(large) {
		small, large = large, small
	}
	for _, seed := range small {
		if !slices.Contains(large, seed) {
			return t
		}
	}
	seeds := slices.Sorted(slices.Values(small))
	d := make([]float64, len(seeds))
	for j, seed := range seeds {
		d[j] = row.Stats[m].Values[slices.Index(row.Seeds, seed)] - base.Stats[m].Values[slices.Index(base.Seeds, seed)]
	}
	sum := benchmath.AssumeNormal.Summary(benchmath.NewSample(slices.Clone(d), &benchmath.DefaultThresholds), conf)
	t.Paired = true
	t.Diff = Stat{Values: d, Mean: sum.Center, Lo: sum.Lo, Hi: sum.Hi}
	t.BootLo, t.BootHi = bootstrapMean(d, conf)
	t.PPaired, _ = SignedRank(d)
	t.P = t.PPaired
	return t
}

// groupKey is the JSON of r's config with the seed zeroed, plus the eval split.
func groupKey(r *bench.Record) (string, error) {
	c := r.Config
	c.Seed = 0
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("reports: config: %w", err)
	}
	return string(b) + "\x00" + r.Data.EvalSplit, nil
}

// Label names row i for a figure's legend: the method, then the values of the
// other varying fields ("sela k=30"), as the table's first columns do; an
// unset optional field (τ of a method that does not read it) is left out.
func (s *Summary) Label(i int) string {
	r := &s.Rows[i]
	parts := []string{r.Config.Method}
	for _, f := range s.Varying[1:] {
		if f == "eval_split" {
			parts = append(parts, r.EvalSplit)
			continue
		}
		if v := configCell(&r.Config, f); v != "—" {
			parts = append(parts, f+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// describe names a row for messages: "method on dataset/split".
func describe(r *Row) string {
	return fmt.Sprintf("%s on %s/%s", r.Config.Method, r.Config.Dataset, r.EvalSplit)
}

func sortRows(rows []Row) {
	rank := func(key func(*Row) string) map[string]int {
		m := map[string]int{}
		for i := range rows {
			if k := key(&rows[i]); m[k] == 0 {
				m[k] = len(m) + 1
			}
		}
		return m
	}
	dataset := rank(func(r *Row) string { return r.Config.Dataset })
	split := rank(func(r *Row) string { return r.EvalSplit })
	method := func(r *Row) int {
		if i := slices.Index(bench.Methods, r.Config.Method); i >= 0 {
			return i
		}
		return len(bench.Methods)
	}
	// rows are in first-appearance order: a stable sort keeps it as the last key.
	slices.SortStableFunc(rows, func(a, b Row) int {
		if d := dataset[a.Config.Dataset] - dataset[b.Config.Dataset]; d != 0 {
			return d
		}
		if d := split[a.EvalSplit] - split[b.EvalSplit]; d != 0 {
			return d
		}
		return method(&a) - method(&b)
	})
}

// setBaselines sets s.Baseline, s.Baselines, s.By and every row's BaselineRow
// (see [Options.By]).
func (s *Summary) setBaselines(spec, by string) error {
	for i := range s.Rows {
		s.Rows[i].BaselineRow = -1
	}
	// compared links row i to baseline b when they share the dataset and split.
	link := func(b int, rows []int) {
		for _, i := range rows {
			r, base := &s.Rows[i], &s.Rows[b]
			if i != b && r.Config.Dataset == base.Config.Dataset && r.EvalSplit == base.EvalSplit {
				r.BaselineRow = b
			}
		}
	}
	if by == "" {
		b, err := s.findBaseline(spec)
		if err != nil {
			return err
		}
		s.Baseline, s.Baselines = b, []int{b}
		all := make([]int, len(s.Rows))
		for i := range all {
			all[i] = i
		}
		link(b, all)
		return nil
	}
	if !slices.ContainsFunc(configFields, func(f configFieldInfo) bool { return f.name == by }) || by == "method" {
		return optionError("By", "%q is not a configuration field other than method", by)
	}
	if spec == "" {
		spec = s.Rows[0].Config.Method
	}
	nth, numErr := strconv.Atoi(spec)
	if numErr == nil && nth < 1 {
		return optionError("Baseline", "baseline row %d: the rows of a stratum count from 1", nth)
	}
	s.By = by
	var values []string
	strata := map[string][]int{}
	for i := range s.Rows {
		v := configValue(&s.Rows[i].Config, by)
		if _, ok := strata[v]; !ok {
			values = append(values, v)
		}
		strata[v] = append(strata[v], i)
	}
	found := false
	for _, v := range values {
		var match []int
		for j, i := range strata[v] {
			if numErr == nil && j+1 == nth || numErr != nil && s.Rows[i].Config.Method == spec {
				match = append(match, i)
			}
		}
		switch len(match) {
		case 0:
			continue
		case 1:
		default:
			return optionError("Baseline", "baseline %q matches %d rows with %s = %s; the rows must differ in %s only", spec, len(match), by, v, by)
		}
		b := match[0]
		if !found {
			s.Baseline, found = b, true
		}
		s.Baselines = append(s.Baselines, b)
		link(b, strata[v])
	}
	if !found && numErr == nil {
		return optionError("Baseline", "baseline row %d: no stratum of %s has that many rows", nth, by)
	}
	if !found {
		return optionError("Baseline", "baseline %q is no row's method", spec)
	}
	return nil
}

func (s *Summary) findBaseline(spec string) (int, error) {
	if spec == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(spec); err == nil {
		if n < 1 || n > len(s.Rows) {
			return 0, optionError("Baseline", "baseline row %d out of range: the table has %d rows", n, len(s.Rows))
		}
		return n - 1, nil
	}
	var match []string
	b := -1
	for i := range s.Rows {
		if s.Rows[i].Config.Method == spec {
			match = append(match, strconv.Itoa(i+1))
			b = i
		}
	}
	switch len(match) {
	case 0:
		methods := make([]string, 0, len(s.Rows))
		for i := range s.Rows {
			if m := s.Rows[i].Config.Method; !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
		return 0, optionError("Baseline", "baseline %q is no row's method (methods: %s)", spec, strings.Join(methods, ", "))
	case 1:
		return b, nil
	}
	return 0, optionError("Baseline", "baseline %q matches rows %s; give a row number", spec, strings.Join(match, ", "))
}

// configFields are bench.Config's JSON field names and indices, seed excluded.
var configFields = func() (f []configFieldInfo) {
	t := reflect.TypeFor[bench.Config]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "seed" {
			continue
		}
		f = append(f, configFieldInfo{name, i, strings.Contains(opts, "omitempty")})
	}
	return f
}()

// configFieldInfo is one field of [configFields]; omitEmpty marks the fields
// whose zero value means "not set" (absent from the record's JSON).
type configFieldInfo struct {
	name      string
	index     int
	omitEmpty bool
}

// configCell is a table cell of the config field of the given JSON name: its
// value, or — for an unset optional field (τ of a method that does not read it).
func configCell(c *bench.Config, name string) string {
	for _, f := range configFields {
		if f.name == name && f.omitEmpty && reflect.ValueOf(c).Elem().Field(f.index).IsZero() {
			return "—"
		}
	}
	return configValue(c, name)
}

// configField is the config field of the given JSON name, as its Go value; nil
// for a name that is no field.
func configField(c *bench.Config, name string) any {
	for _, f := range configFields {
		if f.name == name {
			return reflect.ValueOf(c).Elem().Field(f.index).Interface()
		}
	}
	return nil
}

// configValue formats the config field of the given JSON name ("" for none).
func configValue(c *bench.Config, name string) string {
	if v := configField(c, name); v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func varying(rows []Row) []string {
	out := []string{"method"}
	for _, f := range configFields {
		if f.name == "method" {
			continue
		}
		for i := range rows {
			if configValue(&rows[i].Config, f.name) != configValue(&rows[0].Config, f.name) {
				out = append(out, f.name)
				break
			}
		}
	}
	for i := range rows {
		if rows[i].EvalSplit != rows[0].EvalSplit {
			return append(out, "eval_split")
		}
	}
	return out
}

func provenance(rows []Row) Provenance {
	var p Provenance
	add := func(list *[]Count, v string) {
		for i := range *list {
			if (*list)[i].Value == v {
				(*list)[i].N++
				return
			}
		}
		*list = append(*list, Count{v, 1})
	}
	var first, last time.Time
	for i := range rows {
		m := rows[i].Config.Method
		j := slices.IndexFunc(p.Budgets, func(b Budget) bool { return b.Method == m })
		if j < 0 {
			j = len(p.Budgets)
			p.Budgets = append(p.Budgets, Budget{Method: m})
		}
		p.Budgets[j].Configs++
		for _, r := range rows[i].Records {
			p.Budgets[j].Runs++
			p.Budgets[j].Seconds += r.Timings.Total
			e := &r.Env
			p.Records++
			add(&p.GoVersions, orUnknown(e.GoVersion))
			platform := "unknown"
			if e.OS != "" || e.Arch != "" {
				platform = e.OS + "/" + e.Arch
			}
			add(&p.Platforms, platform)
			cpu := orUnknown(e.CPU)
			if e.NumCPU > 0 {
				cpu += fmt.Sprintf(" (%d CPUs)", e.NumCPU)
			}
			add(&p.CPUs, cpu)
			gmp := "unknown"
			if e.GOMAXPROCS > 0 {
				gmp = strconv.Itoa(e.GOMAXPROCS)
			}
			add(&p.GOMAXPROCS, gmp)
			mod := orUnknown(e.Module)
			if e.Version != "" {
				mod += "@" + e.Version
			}
			if e.Commit != "" {
				mod += " commit " + e.Commit
			}
			if e.Modified {
				mod += " (modified)"
			}
			add(&p.Modules, mod)
			t, err := time.Parse(time.RFC3339, r.Started)
			if err != nil {
				p.Undated++
				continue
			}
			if first.IsZero() || t.Before(first) {
				first, p.First = t, r.Started
			}
			if last.IsZero() || t.After(last) {
				last, p.Last = t, r.Started
			}
		}
	}
	return p
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// MinP is the smallest two-sided p-value the exact Mann–Whitney U test can give
// for samples of n1 and n2 values without ties, 2 / C(n1+n2, n1) capped at 1:
// the two complete separations. It is 1/3 for two seeds a side, 0.1 for three,
// 0.029 for four and 0.0079 for five (benchmath's uTestMinP table).
func MinP(n1, n2 int) float64 {
	if n1 < 1 || n2 < 1 {
		return 1
	}
	c := 1.0 // C(n1+n2, n1), built as a product of ratios
	for i := 1; i <= n1; i++ {
		c *= float64(n2+i) / float64(i)
	}
	return min(1, 2/c)
}
