package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/perceptron-mnist/perceptron/data"
)

func init() {
	commands["data"] = command{"show where the MNIST data is and what it holds", runData}
}

func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("data", "[-data DIR] [-json]", "Locates the MNIST files and counts their images and labels.", stderr)
	dir := dataFlag(fs, "")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dirOnly := fs.Bool("dir", false, "print only the directory (for scripts: --data \"$(perceptron data -dir)\")")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *dirOnly {
		where, err := data.Locate(*dir)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, where)
		return nil
	}
	d, err := loadData(*dir)
	if err != nil {
		return err
	}
	counts := func(s *data.Set) [data.Classes]int {
		var c [data.Classes]int
		for _, l := range s.Labels {
			c[l]++
		}
		return c
	}
	if *asJSON {
		tc, sc := counts(d.Train), counts(d.Test)
		return json.NewEncoder(stdout).Encode(map[string]any{
			"dir": d.Dir, "train": d.Train.Len(), "test": d.Test.Len(),
			"train_per_digit": tc[:], "test_per_digit": sc[:],
		})
	}
	fmt.Fprintf(stdout, "dir:   %s\ntrain: %d images\ntest:  %d images\n", d.Dir, d.Train.Len(), d.Test.Len())
	fmt.Fprintf(stdout, "digit  train   test\n")
	tc, sc := counts(d.Train), counts(d.Test)
	for k := range tc {
		fmt.Fprintf(stdout, "%5d %6d %6d\n", k, tc[k], sc[k])
	}
	return nil
}

// loadData locates and reads the data set.
func loadData(dir string) (*data.MNIST, error) {
	dir, err := data.Locate(dir)
	if err != nil {
		return nil, err
	}
	return data.Load(dir)
}

// dataFlag adds the -data flag, naming the directory of the MNIST files;
// what says what the command reads them for.
func dataFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("data", "", "directory of the MNIST *-ubyte(.gz) files"+what+" (default: $MNIST_DIR, else the GoMNIST module's copy)")
}
