package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// WriteJSON writes s as JSON Lines, one object per row in table order, for
// scripts that read a report's numbers rather than its markdown. Each object
// holds, in this order:
//
//   - "row": the 1-based row number, as the table shows it;
//   - the fields of s.Varying with their configuration values ("method" first,
//     then the config fields that differ between rows, then "eval_split" when it
//     differs);
//   - "n", the number of seeds, "seeds", "baseline", true for a baseline row,
//     and "baseline_row", the row this one is tested against (null if none);
//   - "metrics": one object per column (Summary.Metrics), in that order, with "mean",
//     "lo" and "hi" (the [Stat]) and the row's [Test] against the baseline:
//     "paired", "n_pairs", "diff", "diff_lo", "diff_hi" (the mean paired
//     difference and its t-interval), "boot_lo", "boot_hi" (its bootstrap
//     interval), "p_paired" (raw Wilcoxon signed-rank), "p_unpaired"
//     (Mann–Whitney), "p" (the one the table uses) and "p_holm" (p after Holm's
//     correction across the table's compared rows).
//
// A value that does not exist — an interval of one seed, a test of the
// baseline row or of a row on another dataset or split, a paired figure of
// seeds that do not pair — is null.
func WriteJSON(w io.Writer, s *Summary) error {
	for i := range s.Rows {
		r := &s.Rows[i]
		var o object
		o.add("row", i+1)
		for _, f := range s.Varying {
			if f == "eval_split" {
				o.add(f, r.EvalSplit)
			} else {
				o.add(f, configField(&r.Config, f))
			}
		}
		o.add("n", len(r.Seeds))
		o.add("seeds", r.Seeds)
		o.add("baseline", slices.Contains(s.Baselines, i))
		if r.BaselineRow >= 0 {
			o.add("baseline_row", r.BaselineRow+1)
		} else {
			o.add("baseline_row", nil)
		}
		var ms object
		for m, metric := range s.Metrics {
			var mo object
			st := r.Stats[m]
			mo.add("mean", num(st.Mean))
			mo.add("lo", num(st.Lo))
			mo.add("hi", num(st.Hi))
			c := Test{PPaired: math.NaN(), PUnpaired: math.NaN(), P: math.NaN(), PHolm: math.NaN(),
				BootLo: math.NaN(), BootHi: math.NaN(), Diff: Stat{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}}
			if r.Tests != nil {
				c = r.Tests[m]
			}
			mo.add("paired", c.Paired)
			mo.add("n_pairs", len(c.Diff.Values))
			mo.add("diff", num(c.Diff.Mean))
			mo.add("diff_lo", num(c.Diff.Lo))
			mo.add("diff_hi", num(c.Diff.Hi))
			mo.add("boot_lo", num(c.BootLo))
			mo.add("boot_hi", num(c.BootHi))
			mo.add("p_paired", num(c.PPaired))
			mo.add("p_unpaired", num(c.PUnpaired))
			mo.add("p", num(c.P))
			mo.add("p_holm", num(c.PHolm))
			if mo.err != nil {
				return fmt.Errorf("reports: row %d, %s: %w", i+1, metric.Name, mo.err)
			}
			ms.add(metric.Name, json.RawMessage(mo.bytes()))
		}
		o.add("metrics", json.RawMessage(ms.bytes()))
		if err := errors.Join(o.err, ms.err); err != nil {
			return fmt.Errorf("reports: row %d: %w", i+1, err)
		}
		if _, err := w.Write(append(o.bytes(), '\n')); err != nil {
			return err
		}
	}
	return nil
}

// num is v for JSON: nil (null) for NaN and ±Inf, which JSON cannot hold.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// object builds a JSON object whose keys keep the order they were added in;
// err is the first marshalling error.
type object struct {
	buf bytes.Buffer
	err error
}

func (o *object) add(key string, v any) {
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	} else {
		o.buf.WriteByte(',')
	}
	o.write(key)
	o.buf.WriteByte(':')
	o.write(v)
}

func (o *object) write(v any) {
	b, err := json.Marshal(v)
	if err != nil && o.err == nil {
		o.err = err
	}
	o.buf.Write(b)
}

func (o *object) bytes() []byte {
	if o.buf.Len() == 0 {
		return []byte("{}")
	}
	return append(o.buf.Bytes(), '}')
}
