package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/serve"
)

func init() {
	commands["serve"] = command{
		summary: "serve a page to draw or photograph a digit, and a JSON API, for a trained model",
		run:     runServe,
	}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "-model DIR [-addr 127.0.0.1:8080]",
		"Serves a web page where you draw a digit (mouse or touch) or drop a photo and\n"+
			"see the 28×28 image the network received and its ten probabilities, and a JSON API:\n"+
			"  POST /api/predict  an image ("+infer.Formats+") as the body, or the one file of a\n"+
			"                     multipart/form-data form (curl -F file=@digit.png) →\n"+
			"                     {\"digit\", \"confidence\", \"probabilities\", \"input28\", \"runner_up\", \"runner_up_confidence\"}\n"+
			"  GET  /api/model    architecture, parameter count, test accuracy, training, metrics\n"+
			"Images are prepared as `perceptron predict` prepares them. Every request is logged on stderr\n"+
			"(method, path, status, bytes, duration). Stop with Ctrl-C.", stderr)
	model := fs.String("model", "", "run directory of a trained model (with model.json)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	maxBytes := fs.Int64("max-bytes", serve.DefaultMaxBytes, "largest request body accepted, in bytes")
	quiet := fs.Bool("quiet", false, "no request log on stderr")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *model == "":
		return usagef("-model DIR is required (a run directory written by `perceptron train`)")
	case *maxBytes < 1:
		return usagef("-max-bytes %d: want at least 1", *maxBytes)
	}

	if err := checkModel(*model); err != nil {
		return err
	}
	m, err := infer.Load(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	opt := serve.Options{MaxBytes: *maxBytes}
	if !*quiet {
		opt.Log = stderr
	}
	h, err := serve.New(m, opt)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", *addr, err)
	}
	describeModel(stderr, *model, m, true)
	fmt.Fprintf(stdout, "serving on http://%s/\n", ln.Addr())
	if err := serve.Serve(ctx, ln, h, 10*time.Second); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "stopped")
	return nil
}
