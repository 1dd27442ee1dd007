package train

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
)

// Epoch holds the metrics measured after one epoch of training.
type Epoch struct {
	Epoch     int     `json:"epoch"` // from 1
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	TestLoss  float64 `json:"test_loss"`
	TestAcc   float64 `json:"test_acc"`
	Seconds   float64 `json:"epoch_seconds"` // training only, evaluation excluded
}

// History is the metrics of every epoch so far, as Keras's History.history.
type History []Epoch

// CSVHeader is the first line of metrics.csv.
const CSVHeader = "epoch,train_loss,train_acc,test_loss,test_acc,epoch_seconds"

// WriteCSV writes the history in the metrics.csv format.
func (h History) WriteCSV(w io.Writer) error {
	if _, err := fmt.Fprintln(w, CSVHeader); err != nil {
		return err
	}
	for _, e := range h {
		if _, err := fmt.Fprintf(w, "%d,%s,%s,%s,%s,%s\n", e.Epoch, ff(e.TrainLoss), ff(e.TrainAcc),
			ff(e.TestLoss), ff(e.TestAcc), ff(e.Seconds)); err != nil {
			return err
		}
	}
	return nil
}

func ff(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

// Keras returns the history with the keys of Keras's History.history:
// loss, accuracy, val_loss, val_accuracy (one value per epoch).
func (h History) Keras() map[string][]float64 {
	m := map[string][]float64{"loss": {}, "accuracy": {}, "val_loss": {}, "val_accuracy": {}, "epoch_seconds": {}}
	for _, e := range h {
		m["loss"] = append(m["loss"], e.TrainLoss)
		m["accuracy"] = append(m["accuracy"], e.TrainAcc)
		m["val_loss"] = append(m["val_loss"], e.TestLoss)
		m["val_accuracy"] = append(m["val_accuracy"], e.TestAcc)
		m["epoch_seconds"] = append(m["epoch_seconds"], e.Seconds)
	}
	return m
}

// Best returns the epoch with the highest test accuracy (the first of equals).
func (h History) Best() Epoch {
	var b Epoch
	for i, e := range h {
		if i == 0 || e.TestAcc > b.TestAcc {
			b = e
		}
	}
	return b
}

// TrainSeconds is the total training time, evaluation excluded.
func (h History) TrainSeconds() float64 {
	var s float64
	for _, e := range h {
		s += e.Seconds
	}
	return s
}

// Save writes metrics.csv and history.json (Keras keys) atomically.
func (h History) Save(csvPath, jsonPath string) error {
	if err := atomicfile.Write(csvPath, h.WriteCSV); err != nil {
		return err
	}
	b, err := json.MarshalIndent(h.Keras(), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(jsonPath, append(b, '\n'))
}

// maxMetricsFile bounds the size of a metrics.csv this package reads.
const maxMetricsFile = 16 << 20

// ReadHistory reads a metrics.csv file as History.WriteCSV writes it.
func ReadHistory(path string) (History, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError: "open PATH: ..."
	}
	defer f.Close()
	h, err := readHistory(io.LimitReader(f, maxMetricsFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return h, nil
}

func readHistory(r io.Reader) (History, error) {
	cr := csv.NewReader(r)
	want := strings.Split(CSVHeader, ",")
	cr.FieldsPerRecord = len(want)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file, want the header " + CSVHeader)
	}
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != CSVHeader {
		return nil, fmt.Errorf("header %q, want %q", strings.Join(head, ","), CSVHeader)
	}
	var h History
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		var e Epoch
		if e.Epoch, err = strconv.Atoi(rec[0]); err != nil || e.Epoch != len(h)+1 {
			return nil, fmt.Errorf("line %d: epoch %q, want %d", line, rec[0], len(h)+1)
		}
		for i, dst := range []*float64{&e.TrainLoss, &e.TrainAcc, &e.TestLoss, &e.TestAcc, &e.Seconds} {
			if *dst, err = strconv.ParseFloat(rec[i+1], 64); err != nil {
				return nil, fmt.Errorf("line %d: %s %q is not a number", line, want[i+1], rec[i+1])
			}
		}
		h = append(h, e)
	}
	if len(h) == 0 {
		return nil, errors.New("no epochs")
	}
	return h, nil
}
