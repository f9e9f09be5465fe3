package sweep

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/selabench/selabench/bench"
	"github.com/selabench/selabench/bench/records"
)

// Merged is the outcome of Merge.
type Merged struct {
	Records []*bench.Record // one per cell, in the order first met
	// Duplicates are the records dropped because an earlier record of the same
	// cell has the same results (bench.Record.Reproducible).
	Duplicates []records.Warning
	// Warnings are those of reading the files (skipped or excluded lines).
	Warnings []records.Warning
}

// Merge reads the results files of a sweep's shards (or of several sweeps) and
// keeps one record per cell (configuration hash). A cell met twice with the same
// results is a duplicate, dropped with a warning; with different results it is a
// conflict — runs of different code, data or a non-deterministic bug — and an
// error naming both places, since keeping either would hide it.
func Merge(paths ...string) (*Merged, error) {
	recs, warns, err := records.ReadLocated(paths...)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	m := &Merged{Warnings: warns}
	type kept struct {
		at    records.Located
		bytes []byte
	}
	first := map[string]kept{}
	var conflicts []string
	for _, r := range recs {
		b, err := r.Reproducible()
		if err != nil {
			return nil, fmt.Errorf("sweep: %s: %w", r, err)
		}
		h := r.Config.Hash()
		k, seen := first[h]
		switch {
		case !seen:
			first[h] = kept{r, b}
			m.Records = append(m.Records, r.Record)
		case bytes.Equal(k.bytes, b):
			m.Duplicates = append(m.Duplicates, records.Warning{File: r.File, Line: r.Line,
				Msg: fmt.Sprintf("duplicate of %s (cell %s), dropped", k.at, h)})
		default:
			conflicts = append(conflicts, fmt.Sprintf("%s and %s: cell %s (%s seed %d) has different results (nmi %.6g vs %.6g)",
				k.at, r, h, r.Config.Method, r.Config.Seed, k.at.Final.NMI, r.Final.NMI))
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("sweep: %d conflicting records (same configuration, different results: different code versions or data?):\n  %s",
			len(conflicts), strings.Join(conflicts, "\n  "))
	}
	return m, nil
}
