package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/modeljson"
)

// ensembleConfig is a short ensemble of three: 1000 images in batches of
// 100 (10 steps an epoch), 3 epochs, augmented so that the seeds count.
func ensembleConfig() Config {
	cfg := resumeConfig(Adam)
	cfg.SaveBest = false
	cfg.Batch, cfg.Epochs, cfg.TrainLimit, cfg.TestLimit, cfg.Ensemble = 100, 3, 1000, 500, 3
	cfg.Augment.Rotate = 10
	return cfg
}

// sameParams reports whether a and b hold the same bits.
func sameParams(a, b *graph.Params) bool {
	if !a.Arch.Equal(b.Arch) {
		return false
	}
	for i, l := range a.Layers {
		if !slices.Equal(l.Weights(), b.Layers[i].Weights()) || !slices.Equal(l.Biases(), b.Layers[i].Biases()) {
			return false
		}
	}
	return true
}

// TestEnsembleIsItsMembersAveraged checks that an ensemble's members are
// the runs of their own configurations, bit for bit, that its network is
// their average, and that its directory holds the merged network as a run.
func TestEnsembleIsItsMembersAveraged(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := ensembleConfig()
	dir := t.TempDir()
	var log bytes.Buffer
	res, err := Run(context.Background(), cfg, d, Options{Dir: dir, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	var members []*graph.Params
	for k := range cfg.Ensemble {
		r, err := Run(context.Background(), cfg.Member(k), d, Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := modeljson.Load(MemberDir(dir, k))
		if err != nil {
			t.Fatal(err)
		}
		if !sameParams(p, r.Params) {
			t.Errorf("member %d's weights differ from a run of seed %d", k+1, cfg.Member(k).Seed)
		}
		members = append(members, r.Params)
	}
	if sameParams(members[0], members[1]) {
		t.Fatal("members 1 and 2 have the same weights")
	}
	avg, err := graph.Average(members)
	if err != nil {
		t.Fatal(err)
	}
	if !sameParams(res.Params, avg) {
		t.Error("the ensemble's network is not its members' average")
	}
	saved, m, err := modeljson.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !sameParams(saved, avg) || m.Architecture.Hidden[0] != 48 {
		t.Errorf("the run directory's network is %v, not the members' average", saved.Arch)
	}
	h, err := ReadHistory(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != cfg.Epochs || h[len(h)-1].TestAcc != res.Final().TestAcc {
		t.Errorf("metrics.csv has %d epochs ending at %v, the result %v", len(h), h[len(h)-1], res.Final())
	}
	ev := graph.NewEvaluator(avg, 0)
	defer ev.Close()
	test := d.Test.Head(cfg.TestLimit)
	if _, acc, err := ev.Evaluate(test.Images, test.Labels); err != nil || acc != res.Final().TestAcc {
		t.Errorf("the average's test accuracy is %v (%v), the ensemble's last epoch says %v", acc, err, res.Final().TestAcc)
	}
	for _, want := range []string{"member 2/3 (seed 6): Epoch 3/3 - ", "Epoch 3/3 - ensemble of 3 - "} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
}

// TestEnsembleResumeIsIdentical interrupts an ensemble in each member's
// epochs and continues it: the same bits as uninterrupted.
func TestEnsembleResumeIsIdentical(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := ensembleConfig()
	want, err := Run(context.Background(), cfg, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 10 steps an epoch, members in turn: step 25 is member 3's epoch 1,
	// 45 member 2's epoch 2, 30 the last of member 3's epoch 1
	for _, at := range []int{5, 25, 30, 45, 88} {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		_, err := Run(ctx, cfg, d, cancelAt(dir, at, cancel))
		cancel()
		var ie *InterruptedError
		if !errors.As(err, &ie) || ie.Dir != dir {
			t.Fatalf("step %d: error %v, want an interruption with its checkpoint in %s", at, err, dir)
		}
		got, err := Resume(context.Background(), d, Options{Dir: dir})
		if err != nil {
			t.Fatalf("step %d: resume: %v", at, err)
		}
		if !sameParams(got.Params, want.Params) {
			t.Errorf("interrupted at step %d: weights differ from the uninterrupted ensemble's", at)
		}
		if len(got.History) != cfg.Epochs {
			t.Fatalf("interrupted at step %d: %d epochs", at, len(got.History))
		}
		for i, e := range got.History {
			w := want.History[i]
			if e.TrainLoss != w.TrainLoss || e.TestAcc != w.TestAcc {
				t.Errorf("interrupted at step %d: epoch %d %+v, want %+v", at, i+1, e, w)
			}
		}
	}
}

func TestEnsembleRefuses(t *testing.T) {
	d := testenv.MNIST(t)
	cfg := ensembleConfig()
	dir := t.TempDir()
	other := cfg
	other.Epochs = 1
	if _, err := Run(context.Background(), other, d, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), cfg, d, Options{Dir: dir})
	if want := "holds an ensemble of another configuration, relu-h16-adam-lr0.001-b100-e1-s5-n1000-t500-aug-ens3"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("another ensemble's directory: error %v, want %q", err, want)
	}
	if err := os.Remove(filepath.Join(MemberDir(dir, 1), CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	_, err = Resume(context.Background(), d, Options{Dir: dir})
	if want := "member 2 has no checkpoint after 1 epochs of the ensemble"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a member's checkpoint gone: error %v, want %q", err, want)
	}
}
