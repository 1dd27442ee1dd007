package plot

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/train"
)

// Run is what the curves of one training run are drawn from.
type Run struct {
	Dir     string
	Config  train.Config // zero when unknown
	History train.History
}

// ReadRun reads a run directory's metrics.csv and the training
// configuration recorded in its model.json. A missing model.json leaves the
// configuration zero; a missing or malformed metrics.csv is an error.
func ReadRun(dir string) (*Run, error) {
	h, err := ReadMetrics(filepath.Join(dir, train.MetricsFile))
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, History: h}
	m, err := graph.ReadModel(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return r, nil
	case err != nil:
		return nil, err
	}
	if len(m.Training) > 0 {
		if err := json.Unmarshal(m.Training, &r.Config); err != nil {
			return nil, fmt.Errorf("read %s: training: %w", filepath.Join(dir, graph.ModelFile), err)
		}
	}
	return r, nil
}

// ReadMetrics reads a metrics.csv file as train.History.WriteCSV writes it.
func ReadMetrics(path string) (train.History, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // names the file
	}
	defer f.Close()
	h, err := readMetrics(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return h, nil
}

func readMetrics(r io.Reader) (train.History, error) {
	cr := csv.NewReader(r)
	want := strings.Split(train.CSVHeader, ",")
	cr.FieldsPerRecord = len(want)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file, want the header " + train.CSVHeader)
	}
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != train.CSVHeader {
		return nil, fmt.Errorf("header %q, want %q", strings.Join(head, ","), train.CSVHeader)
	}
	var h train.History
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		var e train.Epoch
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
