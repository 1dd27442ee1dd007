package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"github.com/perceptron-mnist/perceptron/sweep"
	"github.com/perceptron-mnist/perceptron/train"
)

// planFlags are sweep's and exercise's flags for running their runs
// elsewhere: -plan writes the job plan, -collect gathers the finished runs.
type planFlags struct {
	plan    *string
	collect *bool
}

func addPlanFlags(fs *flag.FlagSet) *planFlags {
	return &planFlags{
		plan: fs.String("plan", "", "write the runs as a job plan into `FILE` (- for stdout), one 'perceptron train … -out DIR/<run>' line each, and train nothing"),
		collect: fs.Bool("collect", false, "train nothing: write the tables from the finished runs in -out (after a -plan's lines ran), "+
			"or list the runs that are missing or unfinished and exit 1"),
	}
}

func (p *planFlags) check() error {
	if *p.plan != "" && *p.collect {
		return usagef("-plan and -collect: give one (first -plan, run its lines, then -collect)")
	}
	return nil
}

// lineFlags are the flags given to fs that each plan line passes on to
// train: where the data is, and how runs are watched.
func lineFlags(fs *flag.FlagSet) []string {
	var extra []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "data":
			extra = append(extra, "-data", f.Value.String())
		case "tensorboard", "plots":
			extra = append(extra, "-"+f.Name+"="+f.Value.String())
		}
	})
	return extra
}

// writePlan writes the plan lines of cfgs into out/<run> to path (- for
// stdout) and says on stderr what to do next.
func writePlan(cmd, path string, cfgs []train.Config, out string, extra []string, collect string, stdout, stderr io.Writer, quiet bool) error {
	var n int
	write := func(w io.Writer) error {
		var err error
		n, err = sweep.WritePlan(w, cfgs, out, extra...)
		return err
	}
	if path == "-" {
		if err := write(stdout); err != nil {
			return err
		}
	} else if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("-plan %s: %w", path, err)
	}
	if !quiet {
		where, example := path, path
		if path == "-" {
			where, example = "stdout", "plan.txt"
		}
		fmt.Fprintf(stderr, "%s: %d runs planned (%s), nothing trained; run the lines wherever %s is seen (for instance parallel -j 4 < %s), then collect: %s\n",
			cmd, n, where, out, example, collect)
	}
	return nil
}

// collectLine is the command that collects after a plan: the same
// command line, -plan FILE replaced by -collect.
func collectLine(cmd string, args []string) string {
	words := []string{"perceptron", cmd}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		switch {
		case name == "plan" && i+1 < len(args):
			i++
			continue
		case strings.HasPrefix(name, "plan="):
			continue
		}
		words = append(words, sweep.Quote(a))
	}
	return strings.Join(append(words, "-collect"), " ")
}
