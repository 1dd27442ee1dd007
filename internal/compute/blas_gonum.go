//go:build !openblas

package compute

import (
	"runtime"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// baseBLAS is the BLAS the products run on: in the default build gonum's
// pure-Go one (large products split in two, halves.go).
func baseBLAS() G.BLAS { return gonum.Implementation{} }

func blasName() string {
	return "gonum (pure Go, " + runtime.GOARCH + ")"
}
