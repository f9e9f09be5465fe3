// Command benchinput writes one of the suite's synthetic benchmark inputs as a
// .npy file, so that a peer implementation (NumPy, POT, …) can be run on exactly
// the matrix the Go benchmarks solve:
//
//	go run ./tools/benchinput --kind gaussian --n 60000 --k 1000 --out L.npy
//
// The matrix is what the benchmarks build: internal/logits' generator (kind,
// scale, seed) followed by the row-wise log-softmax, N×K float32
// log-probabilities in C order. The benchmarks' inputs are seed 1 and
//
//   - the Sinkhorn benchmarks (selA's BenchmarkPass, bench's BenchmarkSinkhorn):
//     gaussian at scale 1, network at scale 4, the defaults of --scale;
//   - the exact solver's benchmarks (BenchmarkExact in bench and baselines):
//     --scale 3 for either kind.
//
// Our side of a comparison is the command line on the same file, e.g.
// `selabench solve --logits L.npy --log-probs --json` (iterations, seconds,
// objective) or `--solver exact`; the peers' sides are
// selA/testdata/sinkhorn_numpy.py (SeLa's official NumPy scheme) and
// baselines/testdata/pot_emd.py (POT's exact ot.emd).
//
// Exit status 2 means a usage error, 1 a failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/selabench/selabench/internal/logits"
	"github.com/selabench/selabench/internal/npy"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// usageError marks errors that are the caller's: exit status 2.
type usageError struct{ error }

func run(args []string, errOut io.Writer) int {
	err := write(args, errOut)
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		fmt.Fprintln(errOut, "benchinput:", err)
		return 2
	}
	fmt.Fprintln(errOut, "benchinput:", err)
	return 1
}

func write(args []string, errOut io.Writer) error {
	fs := flag.NewFlagSet("benchinput", flag.ContinueOnError)
	fs.SetOutput(errOut)
	kind := fs.String("kind", string(logits.Gaussian), fmt.Sprintf("generator: one of %v", logits.Kinds))
	n := fs.Int("n", 60000, "rows N (samples)")
	k := fs.Int("k", 1000, "columns K (clusters)")
	scale := fs.Float64("scale", 0, "generator scale (0: the Sinkhorn benchmarks' scale for the kind, 4 for network, else 1)")
	seed := fs.Uint64("seed", 1, "generator seed (the benchmarks use 1)")
	out := fs.String("out", "", "the .npy `file` to write (required)")
	fs.Usage = func() {
		fmt.Fprintln(errOut, "usage: go run ./tools/benchinput [--kind gaussian|network|peaked] [--n 60000] [--k 1000] [--scale S] [--seed 1] --out FILE.npy")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *out == "" {
		return usageError{errors.New("--out is required")}
	}
	if *scale == 0 {
		*scale = 1
		if logits.Kind(*kind) == logits.Network {
			*scale = 4
		}
	}
	spec := logits.Spec{N: *n, K: *k, Kind: logits.Kind(*kind), Scale: *scale, Seed: *seed}
	L, err := logits.Generate(spec)
	if err != nil {
		return usageError{err} // the spec's values come from the flags, which Generate checks
	}
	logits.LogSoftmax(L, *n, *k)
	if err := npy.WriteFile(*out, []int{*n, *k}, L); err != nil {
		return err
	}
	fmt.Fprintf(errOut, "benchinput: wrote %s: %d×%d float32 log-probabilities (kind %s, scale %v, seed %d)\n",
		*out, *n, *k, spec.Kind, spec.Scale, spec.Seed)
	return nil
}
