package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/selabench/selabench/datasets"
	"github.com/selabench/selabench/reports"
)

func init() {
	register(&command{
		name:    "datasets",
		summary: "list every dataset: whether it was found, where, and its sizes",
		run:     runDatasets,
	})
}

func runDatasets(args []string, out, errOut io.Writer) error {
	fs := newFlags("datasets", "selabench datasets [--json]", errOut)
	asJSON := fs.Bool("json", false, "print one JSON object per dataset, one per line, instead of a table")
	if err := fs.parse(args, out); err != nil {
		return err
	}
	infos := datasets.Infos(datasets.LoadOptions{})
	if *asJSON {
		enc := json.NewEncoder(out)
		for _, info := range infos {
			if err := enc.Encode(info); err != nil {
				return err
			}
		}
		return nil
	}
	tab := reports.Table{Header: []string{"dataset", "found", "train", "test", "shape", "classes", "where"}, Align: "lcrrrrl"}
	var notes []string
	for _, in := range infos {
		found, where, train, test, shape := "no", "", "", "", ""
		if in.Found {
			found, where = "yes", fmt.Sprintf("%s (%s)", in.Dir, in.Source)
			train, test, shape = fmt.Sprint(in.TrainN), fmt.Sprint(in.TestN), in.Shape.String()
		}
		if in.Error != "" {
			if in.Found {
				found = "unreadable"
			}
			notes = append(notes, fmt.Sprintf("%s: %s", in.Name, in.Error))
		}
		if in.Hint != "" {
			notes = append(notes, fmt.Sprintf("%s: %s", in.Name, in.Hint))
		}
		tab.Rows = append(tab.Rows, []string{in.Name, found, train, test, shape, fmt.Sprint(in.Classes), where})
	}
	if err := tab.Markdown(out); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(out, "\n%s", n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(out)
	}
	return nil
}
