package train

import (
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/modeljson"
)

// earlyStop reports whether the run should stop after its last epoch: with
// Config.EarlyStop N, when the last N epochs brought no better test accuracy.
func (r *Result) earlyStop() bool {
	n := r.Config.EarlyStop
	return n > 0 && r.Final().Epoch-r.History.Best().Epoch >= n && r.Final().Epoch < r.Config.Epochs
}

// endEpoch writes, after the epoch's metrics and model, the best epoch's
// weights (with SaveBest) and the checkpoint to continue from.
func (r *Result) endEpoch(t *trainer, done bool) error {
	e := r.Final()
	if r.Config.SaveBest && r.History.Best().Epoch == e.Epoch {
		m, err := modeljson.NewModel(r.Params, r.Config, r.Summary())
		if err != nil {
			return err
		}
		if err := modeljson.Save(filepath.Join(r.Dir, BestDir), r.Params, m); err != nil {
			return err
		}
	}
	ck, err := t.checkpoint(e.Epoch+1, 0, 0, r.History, r.Params, nil)
	if err != nil {
		return err
	}
	ck.Done, ck.StoppedEarly = done, r.StoppedEarly
	return WriteCheckpoint(filepath.Join(r.Dir, CheckpointFile), ck)
}
