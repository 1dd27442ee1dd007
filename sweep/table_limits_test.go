package sweep

import (
	"bytes"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/train"
)

// A table of trial runs (-train-limit, -test-limit) says so; a table of
// full runs is unchanged.
func TestTablesShowLimits(t *testing.T) {
	full := train.DefaultConfig()
	trial := full
	trial.TrainLimit, trial.TestLimit = 3000, 1000
	rows := Rows([]Run{{Config: full, Dir: "a"}, {Config: trial, Dir: "b"}})
	var md, csv bytes.Buffer
	if err := WriteMarkdown(&md, rows); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&csv, rows); err != nil {
		t.Fatal(err)
	}
	mdLines := strings.Split(md.String(), "\n")
	if !strings.HasSuffix(mdLines[0], "| updates | train-limit | test-limit |") ||
		!strings.HasSuffix(mdLines[2], "| all | all |") || !strings.HasSuffix(mdLines[3], "| 3000 | 1000 |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	csvLines := strings.Split(csv.String(), "\n")
	if !strings.HasSuffix(csvLines[0], ",run_dir,train-limit,test-limit") || !strings.HasSuffix(csvLines[1], ",a,0,0") ||
		!strings.HasSuffix(csvLines[2], ",b,3000,1000") {
		t.Errorf("csv:\n%s", csv.String())
	}
	md.Reset()
	WriteMarkdown(&md, rows[:1])
	if strings.Contains(md.String(), "limit") {
		t.Errorf("a table of full runs shows limits:\n%s", md.String())
	}
}
