package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/perceptron-mnist/perceptron/augment"
	"github.com/perceptron-mnist/perceptron/rundir"
	"github.com/perceptron-mnist/perceptron/train"
)

// Line returns the command that trains cfg into dir, for a job plan:
// "perceptron train -hidden 64 -activation sigmoid … -out DIR". The flags are
// the configuration's JSON keys (the flag names of train, "_" written "-"),
// every one of them, so that the line trains the same run whatever train's
// defaults become; extra flags (such as "-data", DIR) come before -out.
// Words that the shell would split or expand are single-quoted.
func Line(cfg train.Config, dir string, extra ...string) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	words := []string{"perceptron", "train"}
	if _, err := dec.Token(); err != nil { // {
		return "", err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return "", err
		}
		flag := "-" + strings.ReplaceAll(key.(string), "_", "-")
		if key == "augment" { // train's -augment and -elastic stand for two recipes
			words, err = augmentFlags(words, cfg)
			if err != nil {
				return "", err
			}
			continue
		}
		switch v := v.(type) {
		case bool:
			if v {
				words = append(words, flag)
			} else {
				words = append(words, flag+"=false")
			}
		case json.Number:
			words = append(words, flag, v.String())
		case string:
			words = append(words, flag, v)
		case []any: // a list (layer sizes): 512+256
			parts := make([]string, len(v))
			for i, x := range v {
				parts[i] = fmt.Sprint(x)
			}
			words = append(words, flag, strings.Join(parts, "+"))
		default:
			return "", fmt.Errorf("plan line of %s: setting %s (%v) has no flag form", cfg.Name(), key, v)
		}
	}
	words = append(words, extra...)
	words = append(words, "-out", dir)
	for i, w := range words {
		words[i] = Quote(w)
	}
	return strings.Join(words, " "), nil
}

// augmentFlags appends the train flags of cfg's augmentation recipe.
func augmentFlags(words []string, cfg train.Config) ([]string, error) {
	elastic := augment.Default()
	elastic.Elastic = augment.DefaultElastic
	switch cfg.Augment {
	case augment.Recipe{}:
		return words, nil
	case augment.Default():
		return append(words, "-augment"), nil
	case elastic:
		return append(words, "-elastic"), nil
	}
	return nil, fmt.Errorf("plan line of %s: its augmentation recipe is not one of train's flags (-augment, -elastic)", cfg.Name())
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// Quote returns w as one word of a POSIX shell command line.
func Quote(w string) string {
	if shellSafe.MatchString(w) {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// WritePlan writes the job plan of cfgs: one Line per run, into
// out/<name>, in the order given; a run listed twice is written once.
// Every line is a complete command: run them in any order, anywhere that
// sees out, as often as wanted (see Sweep for why that is safe).
func WritePlan(w io.Writer, cfgs []train.Config, out string, extra ...string) (int, error) {
	seen := map[string]bool{}
	var b strings.Builder
	n := 0
	for _, c := range cfgs {
		dir := filepath.Join(out, c.Name())
		if seen[dir] {
			continue
		}
		seen[dir] = true
		line, err := Line(c, dir, extra...)
		if err != nil {
			return 0, err
		}
		b.WriteString(line + "\n")
		n++
	}
	_, err := io.WriteString(w, b.String())
	return n, err
}

// Missing is a run of a collect that is not finished.
type Missing struct {
	Config train.Config
	Dir    string
	State  string // "missing", "interrupted after epoch 3 of 10", "running (locked by …)", …
}

// IncompleteError lists the runs a collect did not find finished.
type IncompleteError struct {
	Missing []Missing
	Of      int // runs looked for
}

func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d runs are not finished; run their plan lines, then collect again:", len(e.Missing), e.Of)
	for _, m := range e.Missing {
		fmt.Fprintf(&b, "\n  %s: %s", m.Dir, m.State)
	}
	return b.String()
}

// Collect returns the finished runs of cfgs in out (each in out/<name>),
// in the order of cfgs, training nothing; when some are not finished the
// error is an *IncompleteError listing each of those once, with its state.
func Collect(cfgs []train.Config, out string) ([]Run, error) {
	runs := make([]Run, len(cfgs))
	var missing []Missing
	seen := map[string]bool{}
	for i, c := range cfgs {
		dir := filepath.Join(out, c.Name())
		r, ok := Finished(dir, c)
		if ok {
			runs[i] = r
			continue
		}
		if !seen[dir] {
			seen[dir] = true
			missing = append(missing, Missing{Config: c, Dir: dir, State: state(dir, c)})
		}
	}
	if len(missing) > 0 {
		dirs := map[string]bool{}
		for _, c := range cfgs {
			dirs[c.Name()] = true
		}
		return runs, &IncompleteError{Missing: missing, Of: len(dirs)}
	}
	return runs, nil
}

// state says why dir holds no finished run of cfg.
func state(dir string, cfg train.Config) string {
	h, locked := rundir.Locked(dir)
	ck, err := train.ReadCheckpoint(filepath.Join(dir, train.CheckpointFile))
	switch {
	case locked:
		s := "running (locked by " + h.String() + ")"
		if err == nil && ck.Config.Equal(cfg) {
			s += fmt.Sprintf(", %d of %d epochs done", len(ck.History), cfg.Epochs)
		}
		return s
	case err == nil && ck.Config.Equal(cfg):
		return fmt.Sprintf("interrupted after epoch %d of %d (its plan line resumes it)", len(ck.History), cfg.Epochs)
	case err == nil:
		return "holds another run (" + ck.Config.Name() + ")"
	}
	if k, _, _ := rundir.Holds(dir); k == rundir.Empty {
		return "missing"
	}
	return "no finished run of this configuration"
}
