package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/train"
)

// Row is one run in a results table, as results.json holds it: the run's
// summary (with the whole configuration under the flag names, in "config")
// and the number of weight updates it made.
//
// A configuration trained with several seeds is one row whose summary is
// the group's aggregate (see Group: mean accuracies, losses and seconds),
// with the seeds, the spread of the final accuracies over them and every
// seed's own row beside it. With one seed those keys are absent.
type Row struct {
	train.Summary
	Updates int `json:"updates"`

	Seeds         []uint64 `json:"seeds,omitempty"`
	TrainAccStats *Stats   `json:"train_acc_stats,omitempty"`
	TestAccStats  *Stats   `json:"test_acc_stats,omitempty"`
	SeedRuns      []Row    `json:"seed_runs,omitempty"`
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

// GroupRows returns the table rows of groups: one per configuration, with
// its seeds' rows inside when there are several.
func GroupRows(groups []Group) []Row {
	rows := make([]Row, len(groups))
	for i, g := range groups {
		rows[i] = Rows([]Run{g.Run})[0]
		if len(g.Seeds) > 1 {
			train, test := g.TrainAcc(), g.TestAcc()
			rows[i].Seeds, rows[i].TrainAccStats, rows[i].TestAccStats = g.SeedList(), &train, &test
			rows[i].SeedRuns = Rows(g.Seeds)
		}
	}
	return rows
}

// seeded reports whether a table has rows over several seeds.
func seeded(rows []Row) bool {
	for _, r := range rows {
		if len(r.Seeds) > 1 {
			return true
		}
	}
	return false
}

// spread returns the row's accuracy statistics: those over its seeds, or
// of its single run.
func (r Row) spread() (train, test Stats) {
	if r.TrainAccStats != nil && r.TestAccStats != nil {
		return *r.TrainAccStats, *r.TestAccStats
	}
	return Summarize([]float64{r.TrainAcc}), Summarize([]float64{r.TestAcc})
}

// seedColumns are the CSV columns added after the others when a table has
// rows over several seeds: "seeds" is their number, "seed" the first.
var seedColumns = []string{"seeds", "train_acc_sd", "train_acc_min", "train_acc_max", "test_acc_sd", "test_acc_min", "test_acc_max"}

func (r Row) seedCells() []string {
	tr, te := r.spread()
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	return []string{strconv.Itoa(max(len(r.Seeds), 1)), g(tr.SD), g(tr.Min), g(tr.Max), g(te.SD), g(te.Min), g(te.Max)}
}

// seedHead is the markdown header of a table over several seeds.
var seedHead = []string{"hidden", "activation", "optimizer", "lr", "batch", "epochs", "seeds",
	"train acc (mean ± sd)", "train min–max", "test acc (mean ± sd)", "test min–max", "train s", "best test acc", "best epoch", "updates"}

func (r Row) seedMarkdown() []string {
	c := r.cells(true)
	tr, te := r.spread()
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) }
	seeds := c[6]
	if n := len(r.Seeds); n > 1 {
		seeds = SeedRange(r.Seeds)
	}
	return []string{c[0], c[1], c[2], c[3], c[4], c[5], seeds,
		pct(tr.Mean) + "% ± " + pct(tr.SD), pct(tr.Min) + "–" + pct(tr.Max) + "%",
		pct(te.Mean) + "% ± " + pct(te.SD), pct(te.Min) + "–" + pct(te.Max) + "%",
		c[9], c[10], c[11], c[12]}
}

// SeedRange writes seeds compactly: "1–5" when they are consecutive, else
// "1, 3, 7".
func SeedRange(seeds []uint64) string {
	consecutive := len(seeds) > 1
	for i := 1; i < len(seeds); i++ {
		consecutive = consecutive && seeds[i] == seeds[i-1]+1
	}
	if consecutive {
		return fmt.Sprintf("%d–%d", seeds[0], seeds[len(seeds)-1])
	}
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = strconv.FormatUint(s, 10)
	}
	return strings.Join(parts, ", ")
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
	return []string{c.Hidden.String(), c.Activation, c.Optimizer, strconv.FormatFloat(c.LR, 'g', -1, 64),
		strconv.Itoa(c.Batch), strconv.Itoa(c.Epochs), strconv.FormatUint(c.Seed, 10),
		acc(r.TrainAcc), acc(r.TestAcc), secs, acc(r.BestTestAcc), strconv.Itoa(r.BestEpoch),
		strconv.Itoa(r.Updates), r.RunDir}
}

// limited reports whether a table has runs on part of the data
// (-train-limit, -test-limit): those columns are added at the end then, so
// that a trial run is not taken for a full one.
func limited(rows []Row) bool {
	for _, r := range rows {
		if r.Config.TrainLimit > 0 || r.Config.TestLimit > 0 {
			return true
		}
	}
	return false
}

// limitColumns are the columns of limited tables.
var limitColumns = []string{"train-limit", "test-limit"}

// limitCells are a row's limitColumns: the number of images, or all for
// all of them (csv: 0).
func (r Row) limitCells(all string) []string {
	n := func(v int) string {
		if v <= 0 {
			return all
		}
		return strconv.Itoa(v)
	}
	return []string{n(r.Config.TrainLimit), n(r.Config.TestLimit)}
}

// WriteCSV writes rows as CSV with a header line. A table over several
// seeds has the aggregate in the usual columns (accuracies, losses and
// seconds are means; seed is the first seed) and the spread in the columns
// after them (seedColumns).
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	many := seeded(rows)
	head := columns
	if many {
		head = append(slices.Clip(columns), seedColumns...)
	}
	lim := limited(rows)
	if lim {
		head = append(slices.Clip(head), limitColumns...)
	}
	cw.Write(head)
	for _, r := range rows {
		cells := r.cells(false)
		if many {
			cells = append(cells, r.seedCells()...)
		}
		if lim {
			cells = append(cells, r.limitCells("0")...)
		}
		cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes rows as a markdown table, accuracies in percent. A
// table over several seeds shows, for the train and the test accuracy, the
// mean ± sample standard deviation and the min–max over the seeds; train s,
// best test acc and best epoch are those of the mean (see Group).
func WriteMarkdown(w io.Writer, rows []Row) error {
	head := []string{"hidden", "activation", "optimizer", "lr", "batch", "epochs", "seed",
		"train acc", "test acc", "train s", "best test acc", "best epoch", "updates"}
	many := seeded(rows)
	if many {
		head = seedHead
	}
	lim := limited(rows)
	if lim {
		head = append(slices.Clip(head), limitColumns...)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, r := range rows {
		var cells []string
		if many {
			cells = r.seedMarkdown()
		} else {
			cells = r.cells(true)[:13]
		}
		if lim {
			cells = append(cells, r.limitCells("all")...)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
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
