package train

import (
	"fmt"
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SolverState is what one of gorgonia's stateful solvers carries from one
// step to the next: Adam's step count and, per parameter (in the order w1,
// b1, …, wN, bN), the moments the optimizer keeps, Moments[k][i] being
// moment k (named by MomentNames) of parameter i: Adam's moving averages
// of the gradients and of their squares, Momentum's velocity, RMSprop's
// moving average of the squared gradients. Before the first step Iter is 0
// and Moments is nil.
//
// gorgonia v0.9.18 keeps these in unexported fields (AdamSolver: iter and
// cache []*dualValue, Value the first moment and d the second; Momentum
// and RMSPropSolver: cache []*dualValue with the state in Value) and offers
// no way to read or set them. There is no sound way around that through
// the public API: a fresh solver can only be brought to a given state by
// replaying every step, and moments cannot be reached bit for bit by
// synthetic gradients. So the state is read and written through reflect and
// unsafe, after checkLayout has verified field by field that the struct is
// the one this code was written against; a gorgonia upgrade that changes it
// makes checkpoints of such runs fail with an error (and
// TestSolverStateLayout fail), never corrupt memory.
type SolverState struct {
	Iter    int
	Moments [][][]float32
}

// MomentNames names the moments an optimizer's state holds per parameter,
// in the order of SolverState.Moments: none for SGD.
func MomentNames(optimizer string) []string {
	switch optimizer {
	case Adam:
		return []string{"m", "v"}
	case Momentum:
		return []string{"velocity"}
	case RMSProp:
		return []string{"mean_square"}
	}
	return nil
}

// solverFields are a solver type's state fields, checked once.
type solverFields struct {
	iter      int          // field index of Adam's iter, -1 for the others
	cache     int          // field index of cache
	cacheType reflect.Type // []*dualValue
	dv        reflect.Type // dualValue
	moments   int          // moments per parameter: 2 for Adam (Value, d), else 1 (Value)
}

// checkLayout verifies that the solver s points to has the fields cache
// []*dualValue, with dualValue{Value; d Value}, and for Adam iter int, as
// in gorgonia v0.9.18.
func checkLayout(s G.Solver) (solverFields, error) {
	f := solverFields{iter: -1, moments: 1}
	switch s.(type) {
	case *G.AdamSolver:
		f.moments = 2
	case *G.Momentum, *G.RMSPropSolver:
	default:
		return f, fmt.Errorf("solver %T keeps no state this program checkpoints", s)
	}
	st := reflect.TypeOf(s).Elem()
	valueType := reflect.TypeOf((*G.Value)(nil)).Elem()
	if f.moments == 2 {
		iter, ok := st.FieldByName("iter")
		if !ok || iter.Type.Kind() != reflect.Int || len(iter.Index) != 1 {
			return f, fmt.Errorf("gorgonia's %v has no field iter int: its layout changed, its state cannot be checkpointed", st)
		}
		f.iter = iter.Index[0]
	}
	cache, ok := st.FieldByName("cache")
	if !ok || len(cache.Index) != 1 {
		return f, fmt.Errorf("gorgonia's %v has no field cache: its layout changed, its state cannot be checkpointed", st)
	}
	ct := cache.Type
	if ct.Kind() != reflect.Slice || ct.Elem().Kind() != reflect.Pointer || ct.Elem().Elem().Kind() != reflect.Struct {
		return f, fmt.Errorf("gorgonia's %v.cache is %v, want []*dualValue: its layout changed", st, ct)
	}
	dv := ct.Elem().Elem()
	if dv.Name() != "dualValue" || dv.NumField() != 2 ||
		dv.Field(0).Name != "Value" || !dv.Field(0).Anonymous || dv.Field(0).Type != valueType ||
		dv.Field(1).Name != "d" || dv.Field(1).Type != valueType {
		return f, fmt.Errorf("gorgonia's dualValue is %v, want struct{Value; d Value}: its layout changed", dv)
	}
	f.cache, f.cacheType, f.dv = cache.Index[0], ct, dv
	return f, nil
}

// field returns a settable view of the unexported field i of the struct v
// (addressable).
func field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// Stateful reports whether the solver keeps state between steps that a
// checkpoint must hold.
func Stateful(s G.Solver) bool {
	switch s.(type) {
	case *G.AdamSolver, *G.Momentum, *G.RMSPropSolver:
		return true
	}
	return false
}

// GetSolverState returns a copy of the state of s (Adam, Momentum or
// RMSprop).
func GetSolverState(s G.Solver) (*SolverState, error) {
	f, err := checkLayout(s)
	if err != nil {
		return nil, err
	}
	v := reflect.ValueOf(s).Elem()
	st := &SolverState{}
	if f.iter >= 0 {
		st.Iter = int(field(v, f.iter).Int())
	}
	cache := field(v, f.cache)
	if cache.Len() == 0 {
		return st, nil
	}
	st.Moments = make([][][]float32, f.moments)
	for i := range cache.Len() {
		p := cache.Index(i)
		if p.IsNil() {
			return nil, fmt.Errorf("solver state: parameter %d has no moments after a step", i)
		}
		dv := p.Elem()
		for k := range f.moments {
			m, err := f32Copy(field(dv, k).Interface())
			if err != nil {
				return nil, fmt.Errorf("solver state of parameter %d: %v", i, err)
			}
			st.Moments[k] = append(st.Moments[k], m)
		}
	}
	return st, nil
}

func f32Copy(v any) ([]float32, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("moment is %T, want *tensor.Dense", v)
	}
	x, ok := d.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("moment holds %T, want []float32", d.Data())
	}
	return append([]float32(nil), x...), nil
}

// SetSolverState gives s (Adam, Momentum or RMSprop) the state st, for
// parameters of the given shapes (the shapes of the weight tensors, in the
// order of the moments).
func SetSolverState(s G.Solver, st *SolverState, shapes [][]int) error {
	f, err := checkLayout(s)
	if err != nil {
		return err
	}
	started := len(st.Moments) > 0
	if st.Iter < 0 || (f.iter >= 0 && (st.Iter > 0) != started) || (f.iter < 0 && st.Iter != 0) {
		return fmt.Errorf("solver state: %d steps with %d moments", st.Iter, len(st.Moments))
	}
	cache := reflect.Zero(f.cacheType)
	if started {
		if len(st.Moments) != f.moments {
			return fmt.Errorf("solver state: %d moments per parameter, want %d", len(st.Moments), f.moments)
		}
		cache = reflect.MakeSlice(f.cacheType, len(shapes), len(shapes))
		for i, shape := range shapes {
			n := 1
			for _, d := range shape {
				n *= d
			}
			dv := reflect.New(f.dv)
			for k := range 2 {
				x := make([]float32, n) // d stays zero where the solver does not use it
				if k < f.moments {
					if len(st.Moments[k]) != len(shapes) || len(st.Moments[k][i]) != n {
						return fmt.Errorf("solver state: moment %d of parameter %d does not have the %d values of shape %v", k, i, n, shape)
					}
					copy(x, st.Moments[k][i])
				}
				field(dv.Elem(), k).Set(reflect.ValueOf(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))))
			}
			cache.Index(i).Set(dv)
		}
	}
	v := reflect.ValueOf(s).Elem()
	if f.iter >= 0 {
		field(v, f.iter).SetInt(int64(st.Iter))
	}
	field(v, f.cache).Set(cache)
	return nil
}
