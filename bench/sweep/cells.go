package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/selabench/selabench/bench"
)

// MaxCells is the most cells a sweep file may expand to: far beyond any sweep
// one would run, and a bound on what a malformed file can make Parse allocate.
const MaxCells = 100000

// expand computes f.Cells from f.Base and f.Grids, validating every cell. A cell
// whose method reads Config.Tau takes bench.DefaultTau unless base or its grid
// sets "tau".
func (f *File) expand() error {
	total := 0
	for _, g := range f.Grids {
		n := 1
		for _, ax := range g.Axes {
			if n *= len(ax.Values); n > MaxCells {
				break
			}
		}
		if total += n; n > MaxCells || total > MaxCells {
			return fmt.Errorf("sweep: %s: the grid expands to more than %d cells; split the sweep", f.Path, MaxCells)
		}
	}
	seen := map[string]bool{}
	for _, g := range f.Grids {
		for _, ax := range g.Axes {
			if bl, ok := f.BaseLines[ax.Key]; ok {
				return fmt.Errorf("sweep: %s:%d: key %q is set both in base (line %d) and in the grid: keep one", f.Path, ax.Line, ax.Key, bl)
			}
		}
		_, tauSet := f.BaseLines["tau"]
		for _, ax := range g.Axes {
			tauSet = tauSet || ax.Key == "tau"
		}
		idx := make([]int, len(g.Axes)) // odometer over the axes' values
		for {
			c := f.Base
			var label []string
			for a, ax := range g.Axes {
				v := ax.Values[idx[a]]
				set(&c, ax.Key, v)
				label = append(label, ax.Key+"="+format(v))
			}
			// A method that reads τ gets its default unless the file sets one,
			// as bench.DefaultConfig gives it (the base is built without a method).
			if m, err := bench.LookupMethod(c.Method); !tauSet && err == nil && m.Tau {
				c.Tau = bench.DefaultTau
			}
			if err := c.Validate(); err != nil {
				return f.invalid(c, err, g, idx, label)
			}
			if h := c.Hash(); !seen[h] {
				seen[h] = true
				f.Cells = append(f.Cells, Cell{Index: len(f.Cells), Hash: h, Config: c, Label: strings.Join(label, " ")})
			}
			a := len(idx) - 1
			for ; a >= 0; a-- {
				if idx[a]++; idx[a] < len(g.Axes[a].Values) {
					break
				}
				idx[a] = 0
			}
			if a < 0 {
				break
			}
		}
	}
	return nil
}

// invalid explains why cell c (values idx of grid g) does not validate: it
// finds the key whose value is at fault — the first one that, put back to its
// default, changes the error — and names its line.
func (f *File) invalid(c bench.Config, err error, g Grid, idx []int, label []string) error {
	msg := strings.TrimPrefix(err.Error(), bench.ErrConfig.Error()+": ")
	cell := strings.Join(label, " ")
	if c.Method == "" {
		return fmt.Errorf("sweep: %s: no method: set \"method\" in base or grid", f.Path)
	}
	def := bench.DefaultConfig(bench.MethodSeLa, "mnist") // a valid configuration
	differs := func(key string) bool {
		t := c
		set(&t, key, get(&def, key))
		e := t.Validate()
		return e == nil || e.Error() != err.Error()
	}
	for a, ax := range g.Axes {
		if differs(ax.Key) {
			return fmt.Errorf("sweep: %s:%d: grid.%s = %s: %s (in the cell %s)", f.Path, ax.Lines[idx[a]], ax.Key, format(ax.Values[idx[a]]), msg, cell)
		}
	}
	for _, k := range Keys() {
		if line, ok := f.BaseLines[k]; ok && differs(k) {
			return fmt.Errorf("sweep: %s:%d: base.%s = %s: %s", f.Path, line, k, format(get(&c, k)), msg)
		}
	}
	return fmt.Errorf("sweep: %s: the cell %s: %s", f.Path, cell, msg)
}

// format spells an axis value as in a label.
func format(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// ParseShard parses "i/n" (0 ≤ i < n): shard i of n, numbered from 0 like Slurm
// array task IDs and Kubernetes completion indexes.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 0 ≤ i < n, e.g. 0/4 (Slurm: $SLURM_ARRAY_TASK_ID/N)", s)
	}
	return i, n, nil
}

// Shard returns the cells of shard i of n: those whose Index is i modulo n.
// Every cell belongs to exactly one shard, and shards differ in size by at most one.
func Shard(cells []Cell, i, n int) []Cell {
	var out []Cell
	for _, c := range cells {
		if c.Index%n == i {
			out = append(out, c)
		}
	}
	return out
}
