package sweep

import (
	"fmt"
	"math"

	"github.com/perceptron-mnist/perceptron/train"
)

// Stats summarises one figure (say the final test accuracy) over the seeds
// of a configuration. SD is the sample standard deviation, with n-1 in the
// denominator (0 for a single seed).
type Stats struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Summarize returns the mean, sample standard deviation, minimum and
// maximum of xs (all zero when xs is empty).
func Summarize(xs []float64) Stats {
	if len(xs) == 0 {
		return Stats{}
	}
	s := Stats{N: len(xs), Min: xs[0], Max: xs[0]}
	for _, x := range xs {
		s.Mean += x
		s.Min, s.Max = min(s.Min, x), max(s.Max, x)
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(ss / float64(len(xs)-1))
	}
	return s
}

// WithSeeds returns every configuration of cfgs n times, with seeds
// c.Seed, c.Seed+1, …, c.Seed+n-1, the seeds of one configuration next to
// each other (so runs listed longest first stay so). With n ≤ 1 it returns
// cfgs.
func WithSeeds(cfgs []train.Config, n int) []train.Config {
	if n <= 1 {
		return cfgs
	}
	out := make([]train.Config, 0, n*len(cfgs))
	for _, c := range cfgs {
		for k := range n {
			s := c
			s.Seed += uint64(k)
			out = append(out, s)
		}
	}
	return out
}

// Group is one configuration trained with one or more seeds: every seed's
// run and, embedded, their aggregate. With one seed the aggregate is that
// run itself. With more, the aggregate has the configuration and directory
// of the first seed; its summary holds the means over the seeds of the
// final accuracies, losses and training seconds, with the best epoch (and
// its test accuracy) of the mean curve; its history is the mean curve
// (each epoch averaged over the seeds that reached it); it is Reused when
// every seed was.
type Group struct {
	Run
	Seeds []Run
}

// Groups cuts runs, trained from WithSeeds(cfgs, n), into one group per
// configuration of cfgs.
func Groups(runs []Run, n int) ([]Group, error) {
	n = max(n, 1)
	if len(runs)%n != 0 {
		return nil, fmt.Errorf("%d runs do not make groups of %d seeds", len(runs), n)
	}
	groups := make([]Group, 0, len(runs)/n)
	for i := 0; i < len(runs); i += n {
		groups = append(groups, NewGroup(runs[i:i+n]))
	}
	return groups, nil
}

// NewGroup returns the group of the runs of one configuration with
// different seeds (the first seed first).
func NewGroup(seeds []Run) Group {
	g := Group{Run: seeds[0], Seeds: seeds}
	if len(seeds) == 1 {
		return g
	}
	mean := func(f func(r Run) float64) float64 {
		var s float64
		for _, r := range seeds {
			s += f(r)
		}
		return s / float64(len(seeds))
	}
	sum := &g.Run.Summary
	sum.TrainAcc = mean(func(r Run) float64 { return r.Summary.TrainAcc })
	sum.TestAcc = mean(func(r Run) float64 { return r.Summary.TestAcc })
	sum.TrainLoss = mean(func(r Run) float64 { return r.Summary.TrainLoss })
	sum.TestLoss = mean(func(r Run) float64 { return r.Summary.TestLoss })
	sum.TrainSeconds = mean(func(r Run) float64 { return r.Summary.TrainSeconds })
	g.History = MeanHistory(seeds)
	for _, r := range seeds {
		sum.Epochs = max(sum.Epochs, r.Summary.Epochs)
		sum.StoppedEarly = sum.StoppedEarly || r.Summary.StoppedEarly
		g.Reused = g.Reused && r.Reused
	}
	if len(g.History) > 0 {
		b := g.History.Best()
		sum.BestTestAcc, sum.BestEpoch = b.TestAcc, b.Epoch
	}
	return g
}

// MeanHistory averages the runs' histories epoch by epoch; an epoch that
// only some runs reached (early stopping) is the mean of those.
func MeanHistory(runs []Run) train.History {
	var h train.History
	for e := 0; ; e++ {
		var m train.Epoch
		k := 0
		for _, r := range runs {
			if e < len(r.History) {
				x := r.History[e]
				m.TrainLoss += x.TrainLoss
				m.TrainAcc += x.TrainAcc
				m.TestLoss += x.TestLoss
				m.TestAcc += x.TestAcc
				m.Seconds += x.Seconds
				k++
			}
		}
		if k == 0 {
			return h
		}
		f := float64(k)
		m.Epoch = e + 1
		m.TrainLoss, m.TrainAcc, m.TestLoss, m.TestAcc, m.Seconds = m.TrainLoss/f, m.TrainAcc/f, m.TestLoss/f, m.TestAcc/f, m.Seconds/f
		h = append(h, m)
	}
}

// TestAcc returns the final test accuracy over the group's seeds.
func (g Group) TestAcc() Stats {
	return g.stats(func(r Run) float64 { return r.Summary.TestAcc })
}

// TrainAcc returns the final training accuracy over the group's seeds.
func (g Group) TrainAcc() Stats {
	return g.stats(func(r Run) float64 { return r.Summary.TrainAcc })
}

func (g Group) stats(f func(Run) float64) Stats {
	seeds := g.Seeds
	if len(seeds) == 0 {
		seeds = []Run{g.Run}
	}
	xs := make([]float64, len(seeds))
	for i, r := range seeds {
		xs[i] = f(r)
	}
	return Summarize(xs)
}

// SeedList returns the seeds of the group's runs.
func (g Group) SeedList() []uint64 {
	if len(g.Seeds) == 0 {
		return []uint64{g.Config.Seed}
	}
	out := make([]uint64, len(g.Seeds))
	for i, r := range g.Seeds {
		out[i] = r.Config.Seed
	}
	return out
}

// Single returns the groups of runs trained with one seed each.
func Single(runs []Run) []Group {
	g, _ := Groups(runs, 1)
	return g
}
