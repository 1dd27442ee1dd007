//go:build !openblas

package graph

import (
	"runtime"
	"time"

	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// In the default build the graphs multiply matrices with gonum's pure-Go
// BLAS, large products in two halves (halves.go).
func init() { G.Use(newHalves(baseBLAS(), time.Millisecond)) }

// baseBLAS is the BLAS the products run on.
func baseBLAS() G.BLAS { return gonum.Implementation{} }

func blasName() string {
	return "gonum (pure Go, " + runtime.GOARCH + ")"
}
