// Package sweep trains grids of perceptron configurations, in parallel, each
// in its own run directory, reusing runs that are already finished, and
// tabulates their results as markdown, CSV and JSON.
package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/train"
)

// Grid holds, for each training setting, the list of values to try. Configs
// is the cartesian product, in the order hidden, activation, optimizer, lr,
// batch, epochs, seed (the last varies fastest).
type Grid struct {
	Hidden     []graph.Sizes // each one network: "64", "512+512"
	Activation []string
	Optimizer  []string
	LR         []float64 // empty: each optimizer's default
	Batch      []int
	Epochs     []int
	Seed       []uint64
	TrainLimit int
	TestLimit  int
}

// Configs returns every configuration of the grid.
func (g Grid) Configs() []train.Config {
	var out []train.Config
	lrs := g.LR
	if len(lrs) == 0 {
		lrs = []float64{0}
	}
	for _, h := range g.Hidden {
		for _, a := range g.Activation {
			for _, o := range g.Optimizer {
				for _, lr := range lrs {
					for _, b := range g.Batch {
						for _, e := range g.Epochs {
							for _, s := range g.Seed {
								c := train.Config{Hidden: h, Activation: a, Optimizer: o, LR: lr, Batch: b, Epochs: e, Seed: s,
									TrainLimit: g.TrainLimit, TestLimit: g.TestLimit}
								if c.LR == 0 {
									c.LR = train.DefaultLR(o)
								}
								out = append(out, c)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// ParseSizes parses a comma-separated list of hidden layer sizes given to
// flag name, each as -hidden of train takes it: "64,512+512" is two
// networks, one with a hidden layer of 64 neurons, one with two of 512.
func ParseSizes(name, s string) ([]graph.Sizes, error) {
	var out []graph.Sizes
	for _, f := range strings.Split(s, ",") {
		v, err := graph.ParseSizes(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-%s %q: %w", name, s, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseInts parses a comma-separated list of integers given to flag name.
func ParseInts(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-%s %q: %q is not an integer", name, s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseUints parses a comma-separated list of unsigned integers given to flag name.
func ParseUints(name, s string) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("-%s %q: %q is not a non-negative integer", name, s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseFloats parses a comma-separated list of numbers given to flag name.
func ParseFloats(name, s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("-%s %q: %q is not a number", name, s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseStrings splits a comma-separated list given to a flag.
func ParseStrings(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

// maxConfigFile bounds the size of a sweep configuration file.
const maxConfigFile = 1 << 20

// ReadConfigs reads a sweep configuration file: a JSON array of runs, each an
// object whose keys are train flags (hidden, activation, optimizer, lr, batch,
// epochs, seed, train_limit, test_limit). Missing keys take train's defaults
// (lr: the optimizer's default). Every run is validated.
//
//	[{"lr": 0.005}, {"lr": 0.5}, {"optimizer": "adam", "hidden": 20, "activation": "relu"}]
func ReadConfigs(path string) ([]train.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxConfigFile {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, maxConfigFile)
	}
	cfgs, err := parseConfigs(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return cfgs, nil
}

func parseConfigs(b []byte) ([]train.Config, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return nil, fmt.Errorf("want a JSON array of runs: %w", err)
	}
	if len(raws) == 0 {
		return nil, fmt.Errorf("no runs listed")
	}
	var out []train.Config
	for i, raw := range raws {
		c := train.DefaultConfig()
		c.LR = 0
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		if c.LR == 0 {
			c.LR = train.DefaultLR(c.Optimizer)
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}
