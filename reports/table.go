package reports

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Table is a header and rows of already formatted cells.
type Table struct {
	Header []string
	Rows   [][]string
	// Align gives each column's alignment ("l", "r" or "c"); "" means numbers right,
	// the first column left.
	Align string
}

// Markdown writes t as a GitHub-flavoured markdown table. Headers are written as
// given (no automatic upper-casing).
func (t Table) Markdown(w io.Writer) error {
	for i, r := range t.Rows {
		if len(r) != len(t.Header) {
			return fmt.Errorf("reports: row %d has %d cells, header has %d", i, len(r), len(t.Header))
		}
	}
	align := make(tw.Alignment, len(t.Header))
	for i := range align {
		c := byte('r')
		if i == 0 {
			c = 'l'
		}
		if i < len(t.Align) {
			c = t.Align[i]
		}
		switch c {
		case 'l':
			align[i] = tw.AlignLeft
		case 'c':
			align[i] = tw.AlignCenter
		default:
			align[i] = tw.AlignRight
		}
	}
	tab := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = h
	}
	tab.Header(header...)
	for _, r := range t.Rows {
		if err := tab.Append(r); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
	}
	if err := tab.Render(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}
