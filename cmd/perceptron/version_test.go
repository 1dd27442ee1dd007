package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/compute"
)

func TestVersion(t *testing.T) {
	code, out, errOut := perceptron(t, "version", "-json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if v["go"] != runtime.Version() || v["blas"] != compute.BLAS() || v["version"] == "" {
		t.Errorf("version -json %s; want go %s, blas %s", out, runtime.Version(), compute.BLAS())
	}
	code, out, _ = perceptron(t, "version")
	if code != 0 || !strings.HasPrefix(out, "perceptron ") || !strings.Contains(out, "\ngo        "+runtime.Version()+"\n") ||
		!strings.Contains(out, "\nblas      "+compute.BLAS()+"\n") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

func TestBuildVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/perceptron-mnist/perceptron", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "58d402df"}, {Key: "vcs.time", Value: "2026-12-02T19:44:00Z"},
			{Key: "vcs.modified", Value: "true"}}}
	v := buildVersion(bi)
	want := versionJSON{Module: "github.com/perceptron-mnist/perceptron", Version: "v0.3.0", Revision: "58d402df+dirty",
		Time: "2026-12-02T19:44:00Z", Go: "go1.26.8", BLAS: compute.BLAS()}
	if v != want {
		t.Errorf("buildVersion: %+v, want %+v", v, want)
	}
	if v := buildVersion(nil); v.Version != "unknown" || v.BLAS != compute.BLAS() {
		t.Errorf("without build information: %+v", v)
	}
}

// A binary built from the repository records its module (and its revision
// where the go command stamps one: GOFLAGS=-buildvcs=false turns it off).
func TestVersionOfABuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "perceptron")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "module    github.com/perceptron-mnist/perceptron\n") {
		t.Errorf("version of a build:\n%s\nwant the module", out)
	}
	m, _ := exec.Command("go", "version", "-m", bin).Output()
	if strings.Contains(string(m), "vcs.revision=") && !strings.Contains(string(out), "\nrevision  ") {
		t.Errorf("the build records a revision, version does not show it:\n%s", out)
	}
}
