package main

import (
	"context"
	"fmt"
	"github.com/perceptron-mnist/perceptron/modeljson"
	"io"
	"path/filepath"

	"github.com/perceptron-mnist/perceptron/internal/imagefile"
	"github.com/perceptron-mnist/perceptron/plot"
	"github.com/perceptron-mnist/perceptron/rundir"
)

func init() {
	commands["plot"] = command{"draw the learning curves of one run, or of several to compare them", runPlot}
}

func runPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot", "[-out FILE] [-units] RUN_DIR...",
		"Draws accuracy and loss, train and test, against epoch from each run directory's metrics.csv,\n"+
			"titled with the configuration in its model.json. Several runs are overlaid in one figure, each\n"+
			"in its own colour (train solid, test dashed), labelled by what sets its configuration apart.\n"+
			"The format follows -out's extension: .png, .svg, .pdf, .eps, .jpg or .tif.", stderr)
	out := fs.String("out", "", "image to write (default: RUN_DIR/"+CurvesPNG+" for one run, ./"+CurvesPNG+" for several)")
	units := fs.Bool("units", false, "also redraw each run's "+HiddenUnitsPNG+" from its w1.npy")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no run directory given")
	}
	if *out != "" {
		if _, err := imagefile.Format(*out, imagefile.Figure); err != nil {
			return usagef("-out %w", err)
		}
	}
	runs := make([]*plot.Run, fs.NArg())
	for i, dir := range fs.Args() {
		if err := rundir.CheckRun(dir); err != nil {
			return err
		}
		r, err := plot.ReadRun(dir)
		if err != nil {
			return err
		}
		runs[i] = r
	}
	path := *out
	if path == "" {
		path = CurvesPNG
		if len(runs) == 1 {
			path = filepath.Join(runs[0].Dir, CurvesPNG)
		}
	}
	if err := plot.SaveCurves(runs, path); err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	if *units {
		for _, r := range runs {
			p, _, err := modeljson.Load(r.Dir)
			if err != nil {
				return err
			}
			path := filepath.Join(r.Dir, HiddenUnitsPNG)
			if err := plot.SaveHiddenUnits(path, p.Layers[0].Weights(), p.Inputs, p.Layers[0].Out()); err != nil {
				return err
			}
			fmt.Fprintln(stdout, path)
		}
	}
	return nil
}
