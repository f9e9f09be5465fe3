// Package plots draws the PNG figures of selabench's markdown reports with
// gonum.org/v1/plot.
//
// # From records to figures
//
// The caller groups run records (bench.Record) into [Group]s — one
// configuration, several seeds — and asks for a figure:
//
//   - [EpochCurve]: one line per group of a per-epoch value ([Curve]; ready-made
//     values are [BestHeadNMI] and [BestHeadEffectiveClusters]), the mean over
//     the group's runs with a shaded min–max band.
//   - [SizeHistograms]: one panel per group of the best head's final cluster
//     sizes on the evaluation split, largest first, against the 1/K of a perfect
//     equipartition — the degeneracy figure.
//   - [LambdaSweep]: four charts of a Sinkhorn λ sweep ([LambdaPoint]) against
//     the exact optimum: iterations, seconds, objective gap, label agreement.
//
// Every figure is a PNG of about 6×4 inches at [DPI] dots per inch (wider when
// a legend needs room), written atomically through internal/atomicfile. Lines
// differ in colour, dash pattern and marker, so they stay apart in greyscale;
// a group's style follows its index in the groups given, so that it matches
// across figures drawn from the same groups. Legends sit outside the data
// area. Output is deterministic: equal inputs give byte-identical files.
package plots
