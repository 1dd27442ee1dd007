package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/train"
)

// Row is one run in a results table, as results.json holds it: the run's
// summary (with the whole configuration under the flag names, in "config")
// and the number of weight updates it made.
type Row struct {
	train.Summary
	Updates int `json:"updates"`
}

// Rows returns the table rows of runs.
func Rows(runs []Run) []Row {
	rows := make([]Row, len(runs))
	for i, r := range runs {
		rows[i] = Row{Summary: r.Summary, Updates: r.Updates()}
		rows[i].Config, rows[i].RunDir = r.Config, r.Dir
	}
	return rows
}

var columns = []string{"hidden", "activation", "optimizer", "lr", "batch", "epochs", "seed",
	"train_acc", "test_acc", "train_seconds", "best_test_acc", "best_epoch", "updates", "run_dir"}

func (r Row) cells(pct bool) []string {
	c := r.Config
	acc := func(v float64) string {
		if pct {
			return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	secs := strconv.FormatFloat(r.TrainSeconds, 'f', 2, 64)
	return []string{strconv.Itoa(c.Hidden), c.Activation, c.Optimizer, strconv.FormatFloat(c.LR, 'g', -1, 64),
		strconv.Itoa(c.Batch), strconv.Itoa(c.Epochs), strconv.FormatUint(c.Seed, 10),
		acc(r.TrainAcc), acc(r.TestAcc), secs, acc(r.BestTestAcc), strconv.Itoa(r.BestEpoch),
		strconv.Itoa(r.Updates), r.RunDir}
}

// WriteCSV writes rows as CSV with a header line.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	cw.Write(columns)
	for _, r := range rows {
		cw.Write(r.cells(false))
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes rows as a markdown table, accuracies in percent.
func WriteMarkdown(w io.Writer, rows []Row) error {
	head := []string{"hidden", "activation", "optimizer", "lr", "batch", "epochs", "seed",
		"train acc", "test acc", "train s", "best test acc", "best epoch", "updates"}
	var b strings.Builder
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, r := range rows {
		cells := r.cells(true)
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells[:len(head)], " | "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Save writes results.md, results.csv and results.json (with the key
// "tables": {"sweep": rows}) into dir.
func Save(dir string, rows []Row) error {
	if err := atomicfile.Write(dir+"/results.md", func(w io.Writer) error { return WriteMarkdown(w, rows) }); err != nil {
		return err
	}
	if err := atomicfile.Write(dir+"/results.csv", func(w io.Writer) error { return WriteCSV(w, rows) }); err != nil {
		return err
	}
	b, err := json.MarshalIndent(map[string]any{"tables": map[string][]Row{"sweep": rows}}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(dir+"/results.json", append(b, '\n'))
}
