package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"

	"github.com/perceptron-mnist/perceptron/train"
)

func init() {
	commands["bench"] = command{"time training epochs and evaluation passes of a configuration", runBench}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "[flags]",
		"Trains a configuration for one warm-up epoch and -epochs timed epochs (no evaluation in\n"+
			"between), then times -evals passes of evaluation over the training and test sets (70,000\n"+
			"images). Reports the median seconds per epoch, training images per second, the model\n"+
			"FLOP rate (matrix products of forward and backward, GFLOP/s), heap allocations per step\n"+
			"and the BLAS the graphs ran on. With -augment, each timed epoch is paired with one without\n"+
			"augmentation (alternating which comes first) and the ratio of each pair is reported.\n"+
			"Nothing is written.", stderr)
	tf := addTrainFlags(fs)
	tf.addLimitFlags()
	const defEpochs = 5
	tf.cfg.Epochs = defEpochs
	ef := fs.Lookup("epochs")
	ef.DefValue, ef.Usage = strconv.Itoa(defEpochs), "timed epochs after the warm-up epoch"
	evals := fs.Int("evals", 5, "timed evaluation passes over the 70,000 images")
	dataDir := dataFlag(fs, "")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole benchmark to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	cfg, err := tf.config()
	if err != nil {
		return err
	}
	if cfg.Ensemble > 1 { // its members train one after the other: one of them is the measure
		fmt.Fprintf(stderr, "bench: timing one network of the ensemble of %d (its training takes %d times as long)\n", cfg.Ensemble, cfg.Ensemble)
		cfg.Ensemble = 0
	}
	if *evals < 1 {
		return usagef("-evals %d: want at least 1", *evals)
	}
	d, err := loadData(*dataDir)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile %s: %w", *cpuProfile, err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(stderr, "bench %s (architecture %v, batch %d): 1 warm-up + %d timed epochs, %d evaluation passes\n",
		cfg.Name(), cfg.Arch(), cfg.Batch, cfg.Epochs, *evals)
	r, err := train.Bench(ctx, cfg, d, cfg.Epochs, *evals, func(what string, s float64) {
		fmt.Fprintf(stderr, "  %-16s %.3f s\n", what, s)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "blas               %s\n", r.BLAS)
	fmt.Fprintf(stdout, "GOMAXPROCS         %d\n", r.GOMAXPROCS)
	fmt.Fprintf(stdout, "seconds per epoch  %.4f (median of %d; %d images, %d steps)\n", r.SecondsPerEpoch, len(r.EpochSeconds), r.TrainImages, r.StepsPerEpoch)
	if r.AugmentRatio > 0 {
		fmt.Fprintf(stdout, "plain seconds      %.4f (median of %d epochs without -augment, alternated with those above)\n", r.PlainSeconds, len(r.PlainEpochSeconds))
		fmt.Fprintf(stdout, "augment cost       %.3f× (median of %d pairs; min %.3f, max %.3f)\n", r.AugmentRatio, len(r.AugmentRatios),
			slices.Min(r.AugmentRatios), slices.Max(r.AugmentRatios))
	}
	fmt.Fprintf(stdout, "samples per second %.0f\n", r.SamplesPerSecond)
	fmt.Fprintf(stdout, "GFLOP/s            %.2f (%.3f GFLOP per epoch)\n", r.GFLOPS, r.GFLOPPerEpoch)
	fmt.Fprintf(stdout, "allocs per step    %.1f (%.0f bytes)\n", r.AllocsPerStep, r.BytesPerStep)
	fmt.Fprintf(stdout, "eval seconds       %.4f (median of %d passes over %d images; %.2f GFLOP/s)\n", r.EvalSeconds, len(r.EvalPasses), r.EvalImages, r.EvalGFLOPS)
	return nil
}
