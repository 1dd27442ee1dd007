//go:build !openblas

package graph

import "runtime"

func blasName() string {
	return "gonum (pure Go, " + runtime.GOARCH + ")"
}
