// Command perceptron trains, inspects and uses a one-hidden-layer neural
// network (784 → H → 10) for handwritten digit recognition on MNIST.
//
// Usage:
//
//	perceptron <command> [flags]
//
// Run `perceptron help` for the list of commands and `perceptron <command> -h`
// for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/perceptron-mnist/perceptron/rundir"
)

// command is one subcommand of perceptron.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands; each registers itself from its own file.
var commands = map[string]command{}

// errUsage reports a mistake on the command line whose message the command
// has already printed; usagef and asUsage are the way for new code.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// The exit codes of every command: 0 when it did its work (or printed the
// help that was asked for), 1 for a failure while working, 2 for anything
// wrong on the command line: a flag that does not parse, a value out of
// range, a missing or unexpected argument.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		if len(args) > 1 {
			if _, ok := commands[args[1]]; ok {
				return run(ctx, []string{args[1], "-h"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "perceptron help: unknown command %q\nrun 'perceptron help' for the commands\n", args[1])
			return exitUsage
		}
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "perceptron: unknown command %q\nrun 'perceptron help' for the commands\n", args[0])
		return exitUsage
	}
	return exitCode(cmd.run(ctx, args[1:], stdout, stderr), args[0], stdout, stderr)
}

// exitCode reports err, what command name returned, by the convention of
// the exit codes above: help on stdout; a mistake on the command line as
// its message and one line pointing at -h; any other error as its message.
func exitCode(err error, name string, stdout, stderr io.Writer) int {
	var help *helpError
	var bad *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &help):
		io.WriteString(stdout, help.text)
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &bad):
		fmt.Fprintf(stderr, "perceptron %s: %v\n", name, bad.err)
		fallthrough
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "run 'perceptron %s -h' for the flags\n", name)
		return exitUsage
	}
	fmt.Fprintf(stderr, "perceptron %s: %v\n", name, err)
	return exitFailure
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: perceptron <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'perceptron <command> -h' for a command's flags.")
}

// newFlagSet returns the flag set of a subcommand. Parse it with parse,
// which gives every command the same behaviour: -h prints the usage line,
// about and the flags on stdout (exit 0); a flag that does not parse is
// reported in one line and a pointer to -h on stderr (exit 2). Report a
// value out of range, or a missing or extra argument, with usagef or
// asUsage (exit 2); any other error returned is a failure while working
// (exit 1).
func newFlagSet(name, args, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("perceptron "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: perceptron %s %s\n\n%s\n\nFlags:\n", name, args, about)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs: -h gives the help (a *helpError), a bad flag a
// usage error.
func parse(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard) // the flag package would print the whole usage after an error
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		var b strings.Builder
		fs.SetOutput(&b)
		usage()
		fs.SetOutput(out)
		return &helpError{b.String()}
	case err != nil:
		return &usageError{err}
	}
	return nil
}

// noArgs refuses arguments after the flags of a command that takes none.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// helpError carries the help that -h asked for, printed on stdout.
type helpError struct{ text string }

func (e *helpError) Error() string { return "help requested" }
func (e *helpError) Unwrap() error { return flag.ErrHelp }

// usageError is a mistake on the command line (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a mistake on the command line, such as "-jobs 0: want at
// least 1": the command prints it and one line pointing at -h, and exits 2.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// asUsage marks err (such as a configuration's validation error) as a
// mistake on the command line; nil stays nil.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// checkModel reports whether the -model directory holds a trained run, and
// when it does not, what it is instead (a folder of runs: a few of them).
func checkModel(dir string) error {
	if err := rundir.CheckRun(dir); err != nil {
		return fmt.Errorf("-model %w", err)
	}
	return nil
}
