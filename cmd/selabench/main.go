// Command selabench is the suite's one command line: thin flag parsing over the
// packages that do the work.
//
//	selabench                     the main job (see `selabench --help`)
//	selabench COMMAND [flags]     one of the commands below
//	selabench COMMAND --help      every flag of COMMAND
//
// The commands:
//
//	run           train and score one method; one JSON Lines record per run
//	sweep         run a sweep file's grid of configurations (resumable, shardable)
//	merge         merge sweep results files (of shards, say) into one
//	report        summarise records over seeds: means, intervals, paired tests
//	verify        re-run records with run's flags and check they come out the same
//	solve         solve one transport problem from a .npy score matrix
//	lambda-sweep  compare the Sinkhorn solvers with the exact optimum across λ
//	kmeans        k-means on a dataset or a .npy matrix
//	metrics       score predicted cluster labels against true labels
//	datasets      list every dataset: found or not, where, sizes
//
// The README is the manual. With --json a command prints exactly one JSON object per line on stdout; otherwise
// a readable table. Usage errors exit with status 2, failures with status 1, each with
// a message naming the flag, file or row at fault.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/selabench/selabench/internal/nn"
)

// A command is one subcommand of selabench.
type command struct {
	name    string
	summary string
	run     func(args []string, out, errOut io.Writer) error
}

// commands is filled by each command's file in its init function.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError marks errors that are the caller's: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	nn.UseFastBLAS() // every gonum and gorgonia matrix product goes through internal/gemm
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit status.
func run(args []string, out, errOut io.Writer) int {
	name, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	var err error
	switch {
	case name == "help":
		topUsage(out)
		return 0
	case name == "" && len(rest) > 0 && (rest[0] == "-h" || rest[0] == "-help" || rest[0] == "--help"):
		topUsage(out)
		fs, _ := mainFlags(out)
		fmt.Fprintf(out, "\nThe main job: %s\n\nIts flags:\n", fs.synopsis)
		printDefaults(out, fs.FlagSet)
		return 0
	case name == "":
		err = runMain(rest, out, errOut)
	default:
		c, ok := commands[name]
		if !ok {
			fmt.Fprintf(errOut, "selabench: unknown command %q\n\n", name)
			topUsage(errOut)
			return 2
		}
		err = c.run(rest, out, errOut)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(errOut, "selabench %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(errOut, "selabench %s: %v\n", name, err)
		return 1
	}
}

func topUsage(w io.Writer) {
	fmt.Fprint(w, `selabench — a benchmark suite for self-labelling (SeLa, DeepCluster, exact transport)

Usage:
  selabench [flags]              run the main job (flags below with --help)
  selabench COMMAND [flags]      run one command
  selabench COMMAND --help       describe every flag of COMMAND

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
}

// flagSet is a flag.FlagSet with the suite's usage text: a synopsis line, then every
// flag with its default.
type flagSet struct {
	*flag.FlagSet
	synopsis string
}

// lastFlags remembers the flag set each command built last, so that a test can check
// that --help describes every flag.
var lastFlags = map[string]*flagSet{}

func newFlags(name, synopsis string, errOut io.Writer) *flagSet {
	fs := &flagSet{flag.NewFlagSet(name, flag.ContinueOnError), synopsis}
	lastFlags[name] = fs
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", fs.synopsis)
		printDefaults(fs.Output(), fs.FlagSet)
	}
	return fs
}

func printDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// parse parses args, writing --help output to out (status 0) and turning flag errors
// and stray arguments into usage errors (status 2).
func (fs *flagSet) parse(args []string, out io.Writer) error {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(out)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	fs.SetOutput(io.Discard) // the error is reported once, by run
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// makeParent creates the directory a writer's output file goes into, as every
// --out of the command line does; "" is no file.
func makeParent(flag, path string) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	return nil
}
