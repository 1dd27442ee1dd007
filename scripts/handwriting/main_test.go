package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/internal/handwriting"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
)

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-source", "pens", "-out", t.TempDir()}, `-source "pens": want strokes or fonts`},
		{[]string{"-source", "", "-stats"}, `-source "": want strokes or fonts`},
		{[]string{"-n", "0", "-out", t.TempDir()}, "-n 0"},
		{[]string{"-source", "fonts"}, "nothing to do"},
		{[]string{"-misses", "m.png"}, "-misses needs -model"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		err := run(tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %q: error %v, want one saying %q", tc.args, err, tc.want)
		}
	}
}

func TestWritesEitherSource(t *testing.T) {
	for _, tc := range []struct {
		source string
		want   func(t *testing.T, seed uint64, n int) ([]handwriting.Photo, error)
	}{
		{"strokes", func(t *testing.T, seed uint64, n int) ([]handwriting.Photo, error) {
			return handwriting.Generate(seed, n), nil
		}},
		{"fonts", func(t *testing.T, seed uint64, n int) ([]handwriting.Photo, error) {
			return handwriting.GenerateFonts(seed, n, testenv.Fonts(t))
		}},
	} {
		t.Run(tc.source, func(t *testing.T) {
			want, err := tc.want(t, 2, 3)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), tc.source)
			var stdout, stderr bytes.Buffer
			if err := run([]string{"-source", tc.source, "-n", "3", "-seed", "2", "-out", dir}, &stdout, &stderr); err != nil {
				t.Fatalf("-source %s: %v", tc.source, err)
			}
			for i, p := range want {
				b, err := os.ReadFile(filepath.Join(dir, handwriting.Name(p, i)))
				if err != nil || !bytes.Equal(b, p.JPEG) {
					t.Errorf("-source %s: photo %d is not the package's (%v)", tc.source, i, err)
				}
			}
		})
	}
}
