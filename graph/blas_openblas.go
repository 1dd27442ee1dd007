//go:build openblas

package graph

/*
#cgo LDFLAGS: -lopenblas
char *openblas_get_config(void);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"fmt"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// In a build with the openblas tag, every graph multiplies matrices with
// OpenBLAS (cgo, through gonum's netlib wrapper) instead of gonum's pure-Go
// BLAS. OpenBLAS reads OPENBLAS_NUM_THREADS and OPENBLAS_CORETYPE from the
// environment when the program starts.
func init() { G.Use(netlib.Implementation{}) }

func blasName() string {
	return fmt.Sprintf("openblas (cgo; %s; %d threads)", C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}
