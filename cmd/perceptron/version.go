package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/perceptron-mnist/perceptron/internal/compute"
)

func init() {
	commands["version"] = command{"show the module version, VCS revision, Go version and BLAS of this build", runVersion}
}

// versionJSON is what `version -json` prints.
type versionJSON struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"` // VCS revision, "+dirty" when modified
	Time     string `json:"revision_time,omitempty"`
	Go       string `json:"go"`
	BLAS     string `json:"blas"`
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "[-json]",
		"Shows the version of the perceptron module this binary was built from, its VCS revision\n"+
			"(from the build information Go records), the Go version and the BLAS the graphs run on.", stderr)
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	v := buildVersion(bi)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(v)
	}
	fmt.Fprintf(stdout, "perceptron %s\nmodule    %s\n", v.Version, v.Module)
	if v.Revision != "" {
		fmt.Fprintf(stdout, "revision  %s", v.Revision)
		if v.Time != "" {
			fmt.Fprintf(stdout, " (%s)", v.Time)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "go        %s\nblas      %s\n", v.Go, v.BLAS)
	return nil
}

// buildVersion reads the build information of a binary (nil: none).
func buildVersion(bi *debug.BuildInfo) versionJSON {
	v := versionJSON{Version: "unknown", BLAS: compute.BLAS()}
	if bi == nil {
		return v
	}
	v.Module, v.Go = bi.Main.Path, bi.GoVersion
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && v.Revision != "" {
		v.Revision += "+dirty"
	}
	return v
}
