package train

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fusedAdam is gorgonia's AdamSolver (without regularisation, clipping or
// batch scaling, as NewSolver configures it) computed in one loop over each
// parameter, with the moment estimates kept in slices allocated once.
// gorgonia's AdamSolver makes four new tensors per parameter and step and
// walks each of them eight times; this one allocates nothing after the
// first step. Every element goes through the same float32 operations in the
// same order as gorgonia's, so the weights come out bit for bit the same
// (TestFusedAdamMatchesGorgonia).
type fusedAdam struct {
	eta, beta1, beta2, eps float64
	iter                   int
	m, v                   [][]float32 // first and second moments, per parameter
}

func newFusedAdam(lr, beta1, beta2, eps float64) *fusedAdam {
	return &fusedAdam{eta: lr, beta1: beta1, beta2: beta2, eps: eps}
}

// Step applies one Adam update to each parameter of model with its
// gradient, and zeroes the gradient, as gorgonia's solvers do.
func (s *fusedAdam) Step(model []G.ValueGrad) error {
	if s.m == nil {
		s.m, s.v = make([][]float32, len(model)), make([][]float32, len(model))
	}
	if len(model) != len(s.m) {
		return fmt.Errorf("adam: %d parameters, the first step had %d", len(model), len(s.m))
	}
	s.iter++
	correction1 := 1 - math.Pow(s.beta1, float64(s.iter))
	correction2 := 1 - math.Pow(s.beta2, float64(s.iter))
	// the float32 constants exactly as gorgonia's AdamSolver derives them
	beta1, beta2 := float32(s.beta1), float32(s.beta2)
	omβ1, omβ2 := float32(1)-float32(s.beta1), float32(1)-float32(s.beta2)
	eps, negEta := float32(s.eps), -float32(s.eta)
	corr1, corr2 := float32(1)/float32(correction1), float32(1)/float32(correction2)

	for i, n := range model {
		w, g, err := weightGrad(n)
		if err != nil {
			return err
		}
		if s.m[i] == nil {
			s.m[i], s.v[i] = make([]float32, len(w)), make([]float32, len(w))
		}
		m, v := s.m[i], s.v[i]
		if len(m) != len(w) || len(g) != len(w) {
			return fmt.Errorf("adam: parameter %d has %d values and %d gradients, want %d", i, len(w), len(g), len(m))
		}
		for j, gj := range g {
			t1 := gj * omβ1                // t1 = g·(1-β1)
			g2 := gj * gj                  // g²
			g2 *= omβ2                     // g²·(1-β2)
			mj := t1 + float32(m[j]*beta1) // m = β1·m + t1
			vj := g2 + float32(v[j]*beta2) // v = β2·v + g²·(1-β2)
			m[j], v[j] = mj, vj
			mHat := mj * corr1
			vHat := vj * corr2
			vHat = float32(math.Sqrt(float64(vHat)))
			vHat += eps
			mHat *= negEta
			mHat /= vHat
			w[j] += mHat
			g[j] = 0
		}
	}
	return nil
}

// weightGrad returns the float32 values and gradient of a parameter.
func weightGrad(n G.ValueGrad) (w, g []float32, err error) {
	name := "parameter"
	if nm, ok := n.(interface{ Name() string }); ok {
		name = nm.Name()
	}
	gv, err := n.Grad()
	if err != nil {
		return nil, nil, fmt.Errorf("adam: no gradient for %s: %w", name, err)
	}
	wd, ok1 := n.Value().(*tensor.Dense)
	gd, ok2 := gv.(*tensor.Dense)
	if !ok1 || !ok2 || wd.Dtype() != tensor.Float32 || gd.Dtype() != tensor.Float32 {
		return nil, nil, fmt.Errorf("adam: %s is not a float32 tensor", name)
	}
	return wd.Data().([]float32), gd.Data().([]float32), nil
}
