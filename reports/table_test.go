package reports

import (
	"os"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	var b strings.Builder
	tab := Table{Header: []string{"method", "nmi"}, Rows: [][]string{{"kmeans", "0.5"}, {"sela", "0.95"}}}
	if err := tab.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines:\n%s", len(lines), b.String())
	}
	if !strings.Contains(lines[0], "method") || !strings.Contains(lines[0], "nmi") {
		t.Errorf("header line %q lost the names as written", lines[0])
	}
	// The separator sets the first column left-aligned and the numbers right-aligned.
	if !strings.HasPrefix(lines[1], "|:-") || !strings.HasSuffix(lines[1], "-:|") {
		t.Errorf("separator %q: want left then right alignment", lines[1])
	}
	if !strings.Contains(lines[3], "sela") || !strings.Contains(lines[3], "0.95") {
		t.Errorf("row %q", lines[3])
	}
}

func TestMarkdownRaggedRow(t *testing.T) {
	tab := Table{Header: []string{"a", "b"}, Rows: [][]string{{"1"}}}
	if err := tab.Markdown(&strings.Builder{}); err == nil || !strings.Contains(err.Error(), "row 0 has 1 cells") {
		t.Errorf("err = %v", err)
	}
}

func ExampleTable_Markdown() {
	Table{Header: []string{"K", "NMI"}, Rows: [][]string{{"10", "0.50"}}}.Markdown(os.Stdout)
	// Output:
	// | K  | NMI  |
	// |:---|-----:|
	// | 10 | 0.50 |
}
