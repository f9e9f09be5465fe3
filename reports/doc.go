// Package reports turns run records into markdown a researcher can paste into a
// paper: tables (rendered by tablewriter) and the generated report files that live
// beside this package.
//
// # From records to a report
//
//  1. records.Read (package bench/records) reads the JSON Lines files the
//     harness writes (one bench.Record per line). A truncated last line — a
//     writer that crashed — is skipped with a [Warning]; a damaged line elsewhere
//     is an error; records of another record_version are excluded with a warning,
//     never mixed in.
//
//  2. [Summarize] groups the records by configuration: the whole bench.Config
//     except its seed, plus the evaluation split (test and validation scores are
//     never merged). For each group and each of [Metrics] it computes the mean
//     over seeds and its confidence interval (Student's t, through
//     golang.org/x/perf/benchmath). Every row is then tested against a baseline
//     row, metric by metric ([Test]). Runs of one seed share the data order,
//     initialisation and augmentation streams, so rows pair by seed: the test is
//     on the per-seed differences — their mean with a t-interval and a
//     percentile bootstrap interval, and the exact Wilcoxon signed-rank p-value
//     ([SignedRank]) — falling back to the unpaired Mann–Whitney U test where the
//     seeds do not pair. [Holm]'s correction across the rows of the table
//     controls the family-wise error rate; both the raw and the adjusted values
//     are kept.
//
//  3. [WriteMarkdown] (or [WriteFile], atomically) renders the [Summary]: a
//     [Table] with one row per configuration, footnotes that say how every
//     figure was computed and what the test cannot show with few seeds, the
//     warnings, the provenance of the runs (Go versions, CPUs, GOMAXPROCS, module
//     versions and commits, dates) and the command that regenerates the report.
//
//  4. [WriteJSON] writes the same table as JSON Lines, one object per row, for
//     scripts.
//
// The statistical tests are checked against SciPy and statsmodels:
// testdata/scipy_values.py prints the reference values the tests embed, and
// testdata/check_report_json.py recomputes a report's p-values from its records.
//
// `selabench report` is the command line over these steps.
package reports
