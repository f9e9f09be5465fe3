package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/selabench/selabench/bench"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the README's method table from the registry")

// methodTable is the README's method table: one row per registered method, in
// the order of bench.Methods, its description as registered.
func methodTable() string {
	var b strings.Builder
	b.WriteString("| method | what it does |\n| --- | --- |\n")
	for _, m := range bench.RegisteredMethods() {
		fmt.Fprintf(&b, "| `%s` | %s |\n", m.Name, strings.ReplaceAll(m.Description, "|", `\|`))
	}
	return b.String()
}

// TestREADMEMethods: the README's method table and the synopsis of `run` in its
// command list are the registry's (go test ./cmd/selabench -run README
// -update-readme rewrites the table).
func TestREADMEMethods(t *testing.T) {
	const path = "../../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "| method | what it does |\n")
	if start < 0 {
		t.Fatalf("%s has no method table (a line \"| method | what it does |\")", path)
	}
	end := start + strings.Index(readme[start:], "\n\n") + 1
	if end <= start {
		t.Fatalf("%s: the method table does not end with a blank line", path)
	}
	want := methodTable()
	if got := readme[start:end]; got != want {
		if *updateREADME {
			if err := os.WriteFile(path, []byte(readme[:start]+want+readme[end:]), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the method table of %s", path)
		} else {
			t.Errorf("%s's method table differs from the registry (rewrite it with -update-readme):\n%s\nwant:\n%s", path, got, want)
		}
	}
	if synopsis := "selabench run --method " + strings.Join(bench.Methods, "|") + "\n"; !strings.Contains(readme, synopsis) {
		t.Errorf("%s's command list lacks %q", path, synopsis)
	}
}

// TestHelpListsMethods: the help of run, sweep and the main job describes every
// registered method.
func TestHelpListsMethods(t *testing.T) {
	for _, args := range [][]string{{"run", "--help"}, {"sweep", "--help"}, {"--help"}} {
		_, out, _ := runCLI(args...)
		for _, m := range bench.RegisteredMethods() {
			if !strings.Contains(out, m.Name+"  ") || !strings.Contains(out, m.Description) {
				t.Errorf("%v does not describe method %s", args, m.Name)
			}
		}
	}
}
