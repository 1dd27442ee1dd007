package exercise

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/internal/words"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

// Files the study writes into its output directory.
const (
	ReportFile  = "report.md"
	ResultsFile = "results.json"
)

// Results is the content of results.json.
type Results struct {
	Tables       map[string][]sweep.Row `json:"tables"`
	Predictions  []Prediction           `json:"predictions"`
	SaveLoad     Reload                 `json:"save_load"`
	Architecture Architecture           `json:"architecture"`
	BestLR       float64                `json:"best_lr"`
	BestHidden   int                    `json:"best_hidden"`
	Seconds      float64                `json:"wall_seconds"`
	// Seeds is the number of seeds per configuration, when more than one:
	// each table row is then their aggregate, with every seed's row in it.
	Seeds int `json:"seeds,omitempty"`
}

// Architecture answers part 1.1 from the model itself.
type Architecture struct {
	Layers       []Layer `json:"layers"`
	TotalParams  int     `json:"total_params"`
	WeightInit   string  `json:"weight_init"`
	BiasInit     string  `json:"bias_init"`
	Activation   string  `json:"activation"`
	Output       string  `json:"output"`
	Loss         string  `json:"loss"`
	Optimization string  `json:"optimization"`
}

// Layer is one layer of the network.
type Layer struct {
	Name       string `json:"name"`
	Neurons    int    `json:"neurons"`
	Params     int    `json:"params"`
	Activation string `json:"activation"`
}

// formula writes the network as "softmax(sigmoid(x·W1 + b1)·W2 + b2)".
func formula(a graph.Arch) string {
	f := "x"
	for i := range a.Depth() {
		f = fmt.Sprintf("%s(%s·W%d + b%d)", a.LayerActivation(i), f, i+1, i+1)
	}
	return f
}

func architecture(c train.Config) Architecture {
	a := c.Arch()
	layers := []Layer{{Name: "input", Neurons: a.Inputs}}
	lp := a.LayerParams()
	for i, w := range a.Hidden {
		name := "hidden (dense)"
		if len(a.Hidden) > 1 {
			name = fmt.Sprintf("hidden %d (dense)", i+1)
		}
		layers = append(layers, Layer{Name: name, Neurons: w, Params: lp[i], Activation: a.Activation})
	}
	layers = append(layers, Layer{Name: "output (dense)", Neurons: a.Outputs, Params: lp[len(lp)-1], Activation: "softmax"})
	return Architecture{
		Layers:       layers,
		TotalParams:  a.NumParams(),
		WeightInit:   "Glorot (Xavier) uniform: U(±sqrt(6/(fan_in+fan_out))), seeded",
		BiasInit:     "zeros",
		Activation:   a.Activation,
		Output:       "p = " + formula(a),
		Loss:         "categorical cross-entropy, mean over the batch: -1/B Σ_i Σ_k y_ik log p_ik",
		Optimization: fmt.Sprintf("minibatch gradient descent (gorgonia VanillaSolver), lr %g, batch %d, %s", c.LR, c.Batch, words.Count(c.Epochs, "epoch")),
	}
}

func (s *Study) results() Results {
	r := Results{Tables: map[string][]sweep.Row{}, Predictions: s.Predict, SaveLoad: s.Reload,
		Architecture: architecture(s.Base), BestLR: s.BestLR, BestHidden: s.BestH, Seconds: s.Seconds}
	if s.Seeds > 1 {
		r.Seeds = s.Seeds
	}
	for part, groups := range s.Parts {
		r.Tables[part] = sweep.GroupRows(groups)
	}
	return r
}

// save writes report.md and results.json into dir.
func (s *Study) save(dir string) error {
	b, err := json.MarshalIndent(s.results(), "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ResultsFile), append(b, '\n')); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, ReportFile), s.WriteReport)
}

// totals counts the distinct runs of the parts (every seed), those of them
// reused from an earlier invocation, and their seconds of training. A run
// shared by two parts is trained by one and reused by the other: it counts
// as reused only if no part of this invocation trained it.
func totals(parts map[string][]sweep.Group) (runs, reused int, seconds float64) {
	trainedHere := map[string]bool{}
	secs := map[string]float64{}
	for _, gs := range parts {
		for _, g := range gs {
			for _, r := range g.Seeds {
				trainedHere[r.Dir] = trainedHere[r.Dir] || !r.Reused
				secs[r.Dir] = r.Summary.TrainSeconds
			}
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(trainedHere)) { // a sum in a fixed order
		seconds += secs[dir]
		if !trainedHere[dir] {
			reused++
		}
	}
	return len(trainedHere), reused, seconds
}

// WriteReport writes the study's report in markdown.
func (s *Study) WriteReport(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	table := func(part string) {
		sweep.WriteMarkdown(&b, sweep.GroupRows(s.Parts[part]))
		if note := s.seedNote(s.Parts[part]); note != "" {
			p("\n%s\n", note)
		}
		if f, ok := s.Figures[part]; ok {
			p("\n![%s](%s)\n", title(part), f)
		}
		p("\n")
	}
	base := s.Base
	p("# The MNIST perceptron study\n\n")
	total, reused, train := totals(s.Parts)
	p("Every number below was measured by `perceptron exercise`: %s", words.Count(total, "run"))
	if s.Seeds > 1 {
		p(" (%d configurations × %d seeds)", total/s.Seeds, s.Seeds)
	}
	p(", %.0f s of training in all", train)
	if reused > 0 {
		p(" (%d of them finished by an earlier invocation and reused; this one took %.0f s of wall time)", reused, s.Seconds)
	} else {
		p(", %.0f s of wall time", s.Seconds)
	}
	if base.TrainLimit > 0 || base.TestLimit > 0 {
		p(" on a **scaled-down** data set (%d training, %d test images)", n(base.TrainLimit, 60000), n(base.TestLimit, 10000))
	}
	p(". Accuracies are on the whole training set and the whole test set after the last epoch; training time excludes evaluation. ")
	if s.Seeds > 1 {
		p("Every configuration was trained with seeds %s: a row gives the mean over them ± the sample standard deviation (n−1) and the lowest–highest seed; training seconds and the best epoch are those of the mean. ",
			sweep.SeedRange(s.seedList()))
	}
	p("Starting point: %s.\n\n", s.describe(base))

	a := architecture(base)
	p("## The network\n\n| layer | neurons | parameters | activation |\n|---|---|---|---|\n")
	for _, l := range a.Layers {
		p("| %s | %d | %d | %s |\n", l.Name, l.Neurons, l.Params, or(l.Activation, "—"))
	}
	p("\n- Parameters in all: **%d** (784·%d + %d weights and biases into the hidden layer, %d·10 + 10 into the output).\n",
		a.TotalParams, base.Hidden[0], base.Hidden[0], base.Hidden[0])
	p("- Initialisation: weights %s; biases %s.\n", a.WeightInit, a.BiasInit)
	p("- Output: `%s`, ten probabilities that sum to 1.\n- Loss: %s.\n- Training: %s.\n\n", a.Output, a.Loss, a.Optimization)

	lr := s.Parts[PartLR]
	p("## 1. Learning rate\n\n")
	table(PartLR)
	lo, hi := lr[0], lr[1]
	p("%s\n\n", s.compare(hi, lo, "learning rate", func(r sweep.Group) string { return fmt.Sprintf("%g", r.Config.LR) }))
	p("With lr %g each step moves the weights %.0f× less than with %g: after the same %s the small rate is still far from a minimum.\n\n",
		lo.Config.LR, hi.Config.LR/lo.Config.LR, hi.Config.LR, words.Count(lo.Updates(), "update"))

	p("## 2. Hidden neurons (lr %g)\n\n", s.BestLR)
	table(PartHidden)
	hs := s.Parts[PartHidden]
	p("Test accuracy with 50, 20 and 5 hidden neurons: %s. ", s.accs(hs))
	p("Fewer neurons leave fewer features to separate ten digits: from %d to %d neurons the test accuracy falls by %.2f points, while the training time changes from %.1f s to %.1f s. ",
		hs[0].Config.Hidden[0], hs[len(hs)-1].Config.Hidden[0], 100*(hs[0].Summary.TestAcc-hs[len(hs)-1].Summary.TestAcc), hs[0].Summary.TrainSeconds, hs[len(hs)-1].Summary.TrainSeconds)
	p("The best hidden size of parts 1 and 2 is **%d**.\n\n", s.BestH)

	p("## 3. The best network of parts 1 and 2: SGD and Adam (lr %g, hidden %d)\n\n", s.BestLR, s.BestH)
	table(PartKeras)
	k := s.Parts[PartKeras]
	p("%s\n\n", s.compare(k[1], k[0], "optimizer", func(r sweep.Group) string { return r.Config.Optimizer }))

	p("## 4. Adam, 20 hidden neurons, relu: batch size and epochs\n\n")
	table(PartAdam)
	p("Each epoch makes ⌈%d / batch⌉ weight updates, so the number of updates, not of epochs, decides how far training gets:\n\n", n(base.TrainLimit, 60000))
	for _, r := range s.Parts[PartAdam] {
		p("- batch %d, %s: %s → %s test accuracy in %.1f s", r.Config.Batch, words.Count(r.Config.Epochs, "epoch"), words.Count(r.Updates(), "update"), s.acc(r), r.Summary.TrainSeconds)
		if s.sensitive(r) {
			p(" — **seed-sensitive**: another seed moves this by several points (`-seeds 5` shows the spread)")
		}
		p("\n")
	}
	p("\n%s\n\n", s.updatesComment(s.Parts[PartAdam]))

	p("## 5. Learning curves, train against test\n\n")
	table(PartCurves)
	for i, r := range s.Parts[PartCurves] {
		p("**Batch %d, %s.** %s", r.Config.Batch, words.Count(r.Config.Epochs, "epoch"), overfitting(r.History))
		if s.sensitive(r) {
			p(" With %s this curve is one seed's: others end several points away (`perceptron exercise -seeds 5` draws the mean with a band).", words.Count(r.Updates(), "update"))
		} else if len(r.Seeds) > 1 {
			p(" (The mean curve over %d seeds; final test accuracy %s.)", len(r.Seeds), s.acc(r))
		}
		p("\n")
		if f, ok := s.Figures[fmt.Sprintf("%s_%d", PartCurves, i+1)]; ok {
			p("\n![batch %d, %s](%s)\n", r.Config.Batch, words.Count(r.Config.Epochs, "epoch"), f)
		}
		p("\n")
	}
	p("The curves are also in each run's `curves.png`, `metrics.csv` (the `.history`) and `logs/` (TensorBoard: `tensorboard --logdir %s`).\n\n", "runs")

	p("## 6. Predictions of the first five test images\n\nModel: `%s` (%s).\n\n| image | label | prediction | confidence |\n|---|---|---|---|\n", s.rel(s.Model.Dir), describe(s.Model.Config))
	right := 0
	for _, pr := range s.Predict {
		mark := "✓"
		if pr.Digit != pr.Label {
			mark = "✗"
		} else {
			right++
		}
		p("| test[%d] | %d | %d %s | %.4f |\n", pr.Index, pr.Label, pr.Digit, mark, pr.Confidence)
	}
	p("\n%d of %d right.\n\n", right, len(s.Predict))

	rl := s.Reload
	p("## 7. Save and load\n\nThe model was saved as `w1.npy b1.npy w2.npy b2.npy model.json` in `%s` and loaded back: ", s.rel(rl.Dir))
	p("test accuracy %.4f saved, %.4f loaded; test loss %.6f saved, %.6f loaded — ", rl.SavedAcc, rl.LoadedAcc, rl.SavedLoss, rl.LoadedLoss)
	if rl.Identical {
		p("**identical**.\n")
	} else {
		p("**they differ** (loss difference %.3g).\n", rl.LossDelta)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rel returns path relative to the report's directory, as links in it are.
func (s *Study) rel(path string) string {
	if r, err := filepath.Rel(s.Out, path); err == nil {
		return r
	}
	return path
}

func n(limit, all int) int {
	if limit > 0 && limit < all {
		return limit
	}
	return all
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func describe(c train.Config) string {
	return fmt.Sprintf("%v, %s, %s lr %g, batch %d, %s, seed %d", c.Arch(), c.Activation, c.Optimizer, c.LR, c.Batch, words.Count(c.Epochs, "epoch"), c.Seed)
}

// describe describes a configuration of the study, with its seeds.
func (s *Study) describe(c train.Config) string {
	d := describe(c)
	if s.Seeds > 1 {
		d = strings.TrimSuffix(d, fmt.Sprintf("seed %d", c.Seed)) + "seeds " + sweep.SeedRange(s.seedList())
	}
	return d
}

// seedList returns the seeds every configuration was trained with.
func (s *Study) seedList() []uint64 {
	seeds := make([]uint64, max(s.Seeds, 1))
	for i := range seeds {
		seeds[i] = s.Base.Seed + uint64(i)
	}
	return seeds
}

// SeedSensitive is the number of weight updates below which a run's final
// accuracy depends on the seed about as much as on its settings: at (batch
// 20000, 10 epochs), 30 updates, seeds 1-5 gave 59.9 to 72.5% test accuracy.
const SeedSensitive = 100

// sensitive reports whether the study shows r from one seed although its
// few updates make that seed's number unreliable.
func (s *Study) sensitive(r sweep.Group) bool { return s.Seeds <= 1 && r.Updates() < SeedSensitive }

// seedNote marks the rows of a table that one seed cannot be trusted for,
// and says how to see their spread; empty when there are none or the study
// has several seeds.
func (s *Study) seedNote(groups []sweep.Group) string {
	var rows []string
	for _, g := range groups {
		if s.sensitive(g) {
			rows = append(rows, fmt.Sprintf("batch %d, %s (%s)", g.Config.Batch, words.Count(g.Config.Epochs, "epoch"), words.Count(g.Updates(), "update")))
		}
	}
	if len(rows) == 0 {
		return ""
	}
	return fmt.Sprintf("**Seed-sensitive:** %s. With fewer than %d updates the seed decides almost as much as the settings: such a row moves by several points from one seed to the next, so one seed's number says little about the setting. Run `perceptron exercise -seeds 5` to see mean ± sd and min–max over seeds.",
		strings.Join(rows, "; "), SeedSensitive)
}

// acc writes the group's final test accuracy: one seed's, or the mean ± sd
// (min–max) over several.
func (s *Study) acc(g sweep.Group) string {
	if len(g.Seeds) <= 1 {
		return fmt.Sprintf("%.2f%%", 100*g.Summary.TestAcc)
	}
	st := g.TestAcc()
	return fmt.Sprintf("%.2f%% ± %.2f (%.2f–%.2f%%)", 100*st.Mean, 100*st.SD, 100*st.Min, 100*st.Max)
}

func (s *Study) accs(groups []sweep.Group) string {
	var parts []string
	for _, g := range groups {
		parts = append(parts, s.acc(g))
	}
	return strings.Join(parts, ", ")
}

// compare says which of two configurations is better on the test set, and
// by how much.
func (s *Study) compare(a, b sweep.Group, what string, label func(sweep.Group) string) string {
	if b.Summary.TestAcc > a.Summary.TestAcc {
		a, b = b, a
	}
	return fmt.Sprintf("With %s %s the network reaches %s test accuracy (%.2f%% on training), %.2f points above %s %s (%s); training took %.1f s against %.1f s.",
		what, label(a), s.acc(a), 100*a.Summary.TrainAcc, 100*(a.Summary.TestAcc-b.Summary.TestAcc),
		what, label(b), s.acc(b), a.Summary.TrainSeconds, b.Summary.TrainSeconds)
}

// updatesComment relates the batch-size results to the number of updates.
func (s *Study) updatesComment(runs []sweep.Group) string {
	var most, least sweep.Group
	for i, r := range runs {
		if i == 0 || r.Updates() > most.Updates() {
			most = r
		}
		if i == 0 || r.Updates() < least.Updates() {
			least = r
		}
	}
	c := fmt.Sprintf("The run with the most updates (batch %d, %s: %d) reaches %s; the one with the fewest (batch %d, %s: %d) only %s.",
		most.Config.Batch, words.Count(most.Config.Epochs, "epoch"), most.Updates(), s.acc(most),
		least.Config.Batch, words.Count(least.Config.Epochs, "epoch"), least.Updates(), s.acc(least))
	if s.sensitive(least) {
		c += fmt.Sprintf(" That last figure is one seed's: with %s the seed moves it by several points, as much as the batch size does, so the update count alone does not explain it; `-seeds 5` gives its mean and spread.", words.Count(least.Updates(), "update"))
	} else if len(least.Seeds) > 1 && least.Updates() < SeedSensitive {
		st := least.TestAcc()
		c += fmt.Sprintf(" Over its %d seeds that figure spans %.2f points (sd %.2f): with few updates the seed matters almost as much as the batch size.", st.N, 100*(st.Max-st.Min), 100*st.SD)
	}
	// Runs with the same number of updates but different batch sizes.
	for i, a := range runs {
		for _, b := range runs[i+1:] {
			if a.Updates() == b.Updates() && a.Config.Batch != b.Config.Batch {
				c += fmt.Sprintf(" Batch %d for %s and batch %d for %s both make %s and reach %s and %s: the larger batch gives each update a less noisy gradient but costs %.1f× the time.",
					a.Config.Batch, words.Count(a.Config.Epochs, "epoch"), b.Config.Batch, words.Count(b.Config.Epochs, "epoch"),
					words.Count(a.Updates(), "update"), s.acc(a), s.acc(b),
					b.Summary.TrainSeconds/math.Max(a.Summary.TrainSeconds, 1e-9))
			}
		}
	}
	return c
}

// overfitting finds where the test loss starts rising while the training loss
// still falls.
func overfitting(h train.History) string {
	if len(h) < 2 {
		return "Too few epochs for a curve."
	}
	minE := h[0]
	for _, e := range h {
		if e.TestLoss < minE.TestLoss {
			minE = e
		}
	}
	last := h[len(h)-1]
	s := fmt.Sprintf("Training loss %.4f → %.4f, test loss %.4f → %.4f, test accuracy %.2f%% → %.2f%% (best %.2f%% at epoch %d).",
		h[0].TrainLoss, last.TrainLoss, h[0].TestLoss, last.TestLoss, 100*h[0].TestAcc, 100*last.TestAcc,
		100*h.Best().TestAcc, h.Best().Epoch)
	// Overfitting: the test loss has risen clearly (5%) over several epochs
	// from its minimum while the training loss kept falling.
	if last.Epoch-minE.Epoch >= 3 && last.TestLoss > minE.TestLoss*1.05 && last.TrainLoss < minE.TrainLoss {
		return s + fmt.Sprintf(" The test loss is lowest at epoch %d (%.4f) and then rises to %.4f while the training loss keeps falling (%.4f → %.4f): the network overfits from epoch %d on.",
			minE.Epoch, minE.TestLoss, last.TestLoss, minE.TrainLoss, last.TrainLoss, minE.Epoch)
	}
	if last.TestLoss > h[0].TestLoss*0.98 && last.TrainAcc < 0.5 {
		return s + " Training has barely started: too few updates."
	}
	return s + fmt.Sprintf(" The test loss is lowest at epoch %d (%.4f) and ends within 5%% of it: no clear overfitting yet; at the end the training accuracy is %.2f%% against %.2f%% on the test set.",
		minE.Epoch, minE.TestLoss, 100*last.TrainAcc, 100*last.TestAcc)
}
