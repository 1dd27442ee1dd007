//go:build openblas

package compute

/*
#cgo LDFLAGS: -lopenblas
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
*/
import "C"

import (
	"fmt"
	"os"

	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// In a build with the openblas tag, every graph multiplies matrices with
// OpenBLAS (cgo, through gonum's netlib wrapper) instead of gonum's pure-Go
// BLAS. OpenBLAS runs one thread per call unless OPENBLAS_NUM_THREADS says
// otherwise: the matrices here are small, a second OpenBLAS thread was
// measured slower (it competes with the evaluation's second graph and the
// gathering of the next minibatch, which already use the second core).
func init() {
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" {
		C.openblas_set_num_threads(1)
	}
}

// baseBLAS is the BLAS the products run on.
func baseBLAS() G.BLAS { return netlib.Implementation{} }

func blasName() string {
	return fmt.Sprintf("openblas (cgo; %s; %d threads; large products in two halves on two goroutines)", C.GoString(C.openblas_get_config()), int(C.openblas_get_num_threads()))
}

// splitsAnyWay says whether the products of b give the same bits however
// their rows are split: OpenBLAS's do only without Bᵀ and with the first
// part a multiple of 16 rows (halves.go).
func splitsAnyWay(G.BLAS) bool { return false }

func fastProducts() bool { return true }
