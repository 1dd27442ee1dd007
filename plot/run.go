package plot

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"os"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/train"
)

// Run is what the curves of one training run are drawn from.
type Run struct {
	Dir     string
	Config  train.Config // zero when unknown
	History train.History
	// Seeds, when there are several, are the histories of the same
	// configuration trained with seeds Config.Seed, Config.Seed+1, …, whose
	// mean History is: the figure draws the mean with a band from the lowest
	// to the highest seed at each epoch.
	Seeds []train.History
}

// ReadRun reads a run directory's metrics.csv and the training
// configuration recorded in its model.json. A missing model.json leaves the
// configuration zero; a missing or malformed metrics.csv is an error.
func ReadRun(dir string) (*Run, error) {
	h, err := train.ReadHistory(filepath.Join(dir, train.MetricsFile))
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, History: h}
	m, err := modeljson.ReadModel(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return r, nil
	case err != nil:
		return nil, err
	}
	if len(m.Training) > 0 {
		if err := json.Unmarshal(m.Training, &r.Config); err != nil {
			return nil, fmt.Errorf("read %s: training: %w", filepath.Join(dir, modeljson.ModelFile), err)
		}
	}
	return r, nil
}
