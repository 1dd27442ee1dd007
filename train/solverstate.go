package train

import (
	"fmt"
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AdamState is what gorgonia's AdamSolver carries from one step to the next:
// its step count and, per parameter, the moving averages of the gradients
// (M) and of their squares (V), in the order w1, b1, w2, b2. Before the
// first step Iter is 0 and M and V are nil.
//
// gorgonia v0.9.18 keeps these in the unexported fields iter and
// cache []*dualValue (Value: the first moment, d: the second) and offers no
// way to read or set them. There is no sound way around that through the
// public API: a fresh solver can only be brought to a given state by
// replaying every step, and moments cannot be reached bit for bit by
// synthetic gradients. So the state is read and written through reflect and
// unsafe, after checkAdamLayout has verified field by field that the struct
// is the one this code was written against; a gorgonia upgrade that changes
// it makes checkpoints of Adam runs fail with an error (and
// TestAdamStateLayout fail), never corrupt memory.
type AdamState struct {
	Iter int
	M, V [][]float32
}

// adamFields are the AdamSolver's state fields, checked once.
type adamFields struct {
	iter, cache int          // field indexes in AdamSolver
	cacheType   reflect.Type // []*dualValue
	dv          reflect.Type // dualValue
}

// checkAdamLayout verifies that AdamSolver has the fields iter int and
// cache []*dualValue, with dualValue{Value; d Value}, as in gorgonia v0.9.18.
func checkAdamLayout() (adamFields, error) {
	var f adamFields
	st := reflect.TypeOf(G.AdamSolver{})
	valueType := reflect.TypeOf((*G.Value)(nil)).Elem()
	iter, ok1 := st.FieldByName("iter")
	cache, ok2 := st.FieldByName("cache")
	if !ok1 || !ok2 || iter.Type.Kind() != reflect.Int || len(iter.Index) != 1 || len(cache.Index) != 1 {
		return f, fmt.Errorf("gorgonia's AdamSolver has no fields iter int and cache: its layout changed, Adam state cannot be checkpointed")
	}
	ct := cache.Type
	if ct.Kind() != reflect.Slice || ct.Elem().Kind() != reflect.Pointer || ct.Elem().Elem().Kind() != reflect.Struct {
		return f, fmt.Errorf("gorgonia's AdamSolver.cache is %v, want []*dualValue: its layout changed", ct)
	}
	dv := ct.Elem().Elem()
	if dv.Name() != "dualValue" || dv.NumField() != 2 ||
		dv.Field(0).Name != "Value" || !dv.Field(0).Anonymous || dv.Field(0).Type != valueType ||
		dv.Field(1).Name != "d" || dv.Field(1).Type != valueType {
		return f, fmt.Errorf("gorgonia's dualValue is %v, want struct{Value; d Value}: its layout changed", dv)
	}
	return adamFields{iter: iter.Index[0], cache: cache.Index[0], cacheType: ct, dv: dv}, nil
}

// field returns a settable view of the unexported field i of the struct v
// (addressable).
func field(v reflect.Value, i int) reflect.Value {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// GetAdamState returns a copy of s's state.
func GetAdamState(s *G.AdamSolver) (*AdamState, error) {
	f, err := checkAdamLayout()
	if err != nil {
		return nil, err
	}
	v := reflect.ValueOf(s).Elem()
	st := &AdamState{Iter: int(field(v, f.iter).Int())}
	cache := field(v, f.cache)
	if cache.Len() == 0 {
		return st, nil
	}
	for i := range cache.Len() {
		p := cache.Index(i)
		if p.IsNil() {
			return nil, fmt.Errorf("adam state: parameter %d has no moments after %d steps", i, st.Iter)
		}
		dv := p.Elem()
		m, err1 := f32Copy(field(dv, 0).Interface())
		vv, err2 := f32Copy(field(dv, 1).Interface())
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("adam state of parameter %d: %v %v", i, err1, err2)
		}
		st.M, st.V = append(st.M, m), append(st.V, vv)
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

// SetAdamState gives s the state st, for parameters of the given shapes
// (the shapes of the weight tensors, in the order of st.M).
func SetAdamState(s *G.AdamSolver, st *AdamState, shapes [][]int) error {
	f, err := checkAdamLayout()
	if err != nil {
		return err
	}
	if len(st.M) != len(st.V) || (len(st.M) != 0 && len(st.M) != len(shapes)) || (st.Iter > 0) != (len(st.M) > 0) || st.Iter < 0 {
		return fmt.Errorf("adam state: %d first and %d second moments after %d steps, want %d of each", len(st.M), len(st.V), st.Iter, len(shapes))
	}
	cache := reflect.Zero(f.cacheType)
	if len(st.M) > 0 {
		cache = reflect.MakeSlice(f.cacheType, len(st.M), len(st.M))
		for i := range st.M {
			n := 1
			for _, d := range shapes[i] {
				n *= d
			}
			if len(st.M[i]) != n || len(st.V[i]) != n {
				return fmt.Errorf("adam state of parameter %d: %d and %d values, want %d", i, len(st.M[i]), len(st.V[i]), n)
			}
			dv := reflect.New(f.dv)
			m := tensor.New(tensor.WithShape(shapes[i]...), tensor.WithBacking(append([]float32(nil), st.M[i]...)))
			v := tensor.New(tensor.WithShape(shapes[i]...), tensor.WithBacking(append([]float32(nil), st.V[i]...)))
			field(dv.Elem(), 0).Set(reflect.ValueOf(m))
			field(dv.Elem(), 1).Set(reflect.ValueOf(v))
			cache.Index(i).Set(dv)
		}
	}
	v := reflect.ValueOf(s).Elem()
	field(v, f.iter).SetInt(int64(st.Iter))
	field(v, f.cache).Set(cache)
	return nil
}
