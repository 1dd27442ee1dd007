package train

import (
	"context"
	"fmt"
	"github.com/perceptron-mnist/perceptron/internal/compute"
	"runtime"
	"slices"
	"time"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
)

// BenchResult is the speed of training and evaluation of one configuration,
// as `perceptron bench -json` prints it.
type BenchResult struct {
	SecondsPerEpoch  float64 `json:"seconds_per_epoch"`  // median of the timed epochs
	SamplesPerSecond float64 `json:"samples_per_second"` // training images per second at that median
	EvalSeconds      float64 `json:"eval_seconds"`       // median of the evaluation passes over all EvalImages
	BLAS             string  `json:"blas"`

	GFLOPS        float64   `json:"gflops"`          // model FLOPs of an epoch / SecondsPerEpoch / 1e9
	EvalGFLOPS    float64   `json:"eval_gflops"`     // forward FLOPs of a pass / EvalSeconds / 1e9
	GFLOPPerEpoch float64   `json:"gflop_per_epoch"` // see TrainFLOPs
	EpochSeconds  []float64 `json:"epoch_seconds"`   // each timed epoch, after the warm-up
	EvalPasses    []float64 `json:"eval_pass_seconds"`
	TrainImages   int       `json:"train_images"`
	EvalImages    int       `json:"eval_images"`
	StepsPerEpoch int       `json:"steps_per_epoch"`
	AllocsPerStep float64   `json:"allocs_per_step"` // heap objects allocated per training step
	BytesPerStep  float64   `json:"bytes_per_step"`  // heap bytes allocated per training step
	WarmupSeconds float64   `json:"warmup_seconds"`  // the first, untimed epoch
	GOMAXPROCS    int       `json:"gomaxprocs"`
	Config        Config    `json:"config"`

	// With augmentation (Config.Augment), the timed epochs alternate
	// between augmented ones (EpochSeconds) and the same training without
	// augmentation (PlainEpochSeconds), in pairs whose order alternates
	// too; AugmentRatios are each pair's augmented / plain seconds, and
	// AugmentRatio their median.
	PlainEpochSeconds []float64 `json:"plain_epoch_seconds,omitempty"`
	PlainSeconds      float64   `json:"plain_seconds_per_epoch,omitempty"`
	AugmentRatios     []float64 `json:"augment_ratios,omitempty"`
	AugmentRatio      float64   `json:"augment_ratio,omitempty"`
}

// TrainFLOPs counts the model arithmetic of training on n images: per image
// and per dense layer of I inputs and O outputs, the forward matrix product
// (2·I·O) and the gradient of its weights (2·I·O), and for every layer but
// the first the gradient through it to its inputs (2·I·O); for one hidden
// layer 4·I·H + 6·H·O. The input gradient of the first layer is not
// computed, and element-wise work (biases, activations, dropout, softmax,
// the solver) is left out, as nanoGPT counts its model FLOPs.
func TrainFLOPs(a graph.Arch, n int) float64 {
	w := a.Widths()
	var f float64
	for i := 0; i+1 < len(w); i++ {
		io := float64(w[i]) * float64(w[i+1])
		f += 4 * io
		if i > 0 {
			f += 2 * io
		}
	}
	return float64(n) * f
}

// EvalFLOPs counts the forward matrix products of evaluating n images:
// 2·I·O per image and dense layer.
func EvalFLOPs(a graph.Arch, n int) float64 {
	w := a.Widths()
	var f float64
	for i := 0; i+1 < len(w); i++ {
		f += 2 * float64(w[i]) * float64(w[i+1])
	}
	return float64(n) * f
}

// Bench trains cfg on d's training set (cfg.Epochs is ignored) for one
// untimed warm-up epoch and then the given number of timed epochs, and
// times evals passes of evaluation over the training and test sets
// (loss and accuracy of each, as Run does after every epoch). Nothing is
// written. progress, if set, is called after each timed part.
//
// With augmentation, each timed epoch is paired with one without it (the
// pairs alternate which comes first, so that drift in the machine's speed
// falls on both), and the result holds both and their ratios.
func Bench(ctx context.Context, cfg Config, d *data.MNIST, epochs, evals int, progress func(what string, seconds float64)) (*BenchResult, error) {
	if epochs < 1 || evals < 1 {
		return nil, fmt.Errorf("bench: want at least 1 timed epoch and 1 evaluation pass, have %d and %d", epochs, evals)
	}
	cfg.Epochs = 1 + epochs
	if !cfg.Augment.IsZero() {
		cfg.Epochs = 1 + 2*epochs
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trainSet, testSet := d.Train.Head(cfg.TrainLimit), d.Test.Head(cfg.TestLimit)
	params, err := graph.NewParams(cfg.Arch(), cfg.Seed)
	if err != nil {
		return nil, err
	}
	tr, err := newTrainer(cfg, trainSet, params)
	if err != nil {
		return nil, err
	}
	defer tr.close()
	eval := graph.NewEvaluator(params, 0)
	defer eval.Close()
	if progress == nil {
		progress = func(string, float64) {}
	}

	r := &BenchResult{BLAS: compute.BLAS(), Config: cfg, GOMAXPROCS: runtime.GOMAXPROCS(0),
		TrainImages: trainSet.Len(), EvalImages: trainSet.Len() + testSet.Len(), StepsPerEpoch: tr.steps}
	start := time.Now()
	if err := tr.epoch(ctx, 1, nil); err != nil {
		return nil, err
	}
	r.WarmupSeconds = time.Since(start).Seconds()
	progress("warm-up epoch", r.WarmupSeconds)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	timed := func(e int, recipe augment.Recipe) (float64, error) {
		tr.recipe = recipe
		start := time.Now()
		err := tr.epoch(ctx, e, nil)
		return time.Since(start).Seconds(), err
	}
	aug := !cfg.Augment.IsZero()
	e := 2 // the epoch number: every epoch draws its own distortions
	for k := range epochs {
		if !aug {
			s, err := timed(e, cfg.Augment)
			if err != nil {
				return nil, err
			}
			e++
			r.EpochSeconds = append(r.EpochSeconds, s)
			progress(fmt.Sprintf("epoch %d/%d", k+1, epochs), s)
			continue
		}
		// pair k: augmented then plain, or plain then augmented for odd k
		var s, p float64
		for j := range 2 {
			var err error
			if (j == 0) == (k%2 == 0) {
				s, err = timed(e, cfg.Augment)
				progress(fmt.Sprintf("augmented %d/%d", k+1, epochs), s)
			} else {
				p, err = timed(e, augment.Recipe{})
				progress(fmt.Sprintf("plain %d/%d", k+1, epochs), p)
			}
			if err != nil {
				return nil, err
			}
			e++
		}
		r.EpochSeconds = append(r.EpochSeconds, s)
		r.PlainEpochSeconds = append(r.PlainEpochSeconds, p)
		r.AugmentRatios = append(r.AugmentRatios, s/p)
	}
	tr.recipe = cfg.Augment
	runtime.ReadMemStats(&after)
	steps := float64((e - 2) * tr.steps)
	r.AllocsPerStep = float64(after.Mallocs-before.Mallocs) / steps
	r.BytesPerStep = float64(after.TotalAlloc-before.TotalAlloc) / steps

	for i := 0; i < evals; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		if _, _, err := eval.Evaluate(trainSet.Images, trainSet.Labels); err != nil {
			return nil, err
		}
		if _, _, err := eval.Evaluate(testSet.Images, testSet.Labels); err != nil {
			return nil, err
		}
		r.EvalPasses = append(r.EvalPasses, time.Since(start).Seconds())
		progress(fmt.Sprintf("evaluation %d/%d", i+1, evals), r.EvalPasses[i])
	}

	r.SecondsPerEpoch = median(r.EpochSeconds)
	r.SamplesPerSecond = float64(r.TrainImages) / r.SecondsPerEpoch
	r.GFLOPPerEpoch = TrainFLOPs(params.Arch, r.TrainImages) / 1e9
	r.GFLOPS = r.GFLOPPerEpoch / r.SecondsPerEpoch
	if aug {
		r.PlainSeconds = median(r.PlainEpochSeconds)
		r.AugmentRatio = median(r.AugmentRatios)
	}
	r.EvalSeconds = median(r.EvalPasses)
	r.EvalGFLOPS = EvalFLOPs(params.Arch, r.EvalImages) / 1e9 / r.EvalSeconds
	return r, nil
}

// median returns the median of v (the mean of the middle two for an even
// count).
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
