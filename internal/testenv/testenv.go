// Package testenv holds what the tests of several packages share: the MNIST
// data set, read once per test binary, Debian's python3 with the modules a
// test needs, and PNG/JPEG helpers.
package testenv

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/perceptron-mnist/perceptron/data"
)

var (
	once  sync.Once
	mnist *data.MNIST
	err   error
)

// MNIST returns the real data set (found as `perceptron train` finds it),
// read once per test binary, or fails the test.
func MNIST(tb testing.TB) *data.MNIST {
	tb.Helper()
	once.Do(func() {
		var dir string
		if dir, err = data.Locate(""); err == nil {
			mnist, err = data.Load(dir)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return mnist
}

// Python is Debian's interpreter, which has the python3-numpy,
// python3-matplotlib and python3-pil packages; the python3 first on PATH
// may not.
const Python = "/usr/bin/python3"

// NeedPython returns Python when it imports every module, or skips the test,
// except in CI (CI=true), where .ci/run installs them and the test fails.
func NeedPython(tb testing.TB, modules ...string) string {
	tb.Helper()
	if err := exec.Command(Python, "-c", "import "+strings.Join(modules, ", ")).Run(); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("CI=true but %s cannot import %s: %v (.ci/run installs them)", Python, strings.Join(modules, ", "), err)
		}
		tb.Skipf("%s cannot import %s: %v", Python, strings.Join(modules, ", "), err)
	}
	return Python
}
