package graph

import (
	"fmt"
)

// Average returns one network whose logits are the mean of the members'
// logits: an ensemble of networks of the same architecture, written as a
// single network of the same depth, each hidden layer as wide as the
// members' together. The first layer's weights are the members' side by
// side, the inner layers' are block-diagonal (member k's neurons see only
// member k's), and the output layer's are the members' stacked and divided
// by their number, with the mean of their biases. Its softmax is the
// normalised geometric mean of the members' probabilities, and it loads,
// evaluates and exports as any network does.
func Average(members []*Params) (*Params, error) {
	if len(members) == 0 {
		return nil, fmt.Errorf("average of no networks")
	}
	a := members[0].Arch
	for k, m := range members {
		if !m.Arch.Equal(a) || len(m.Layers) != a.Depth() {
			return nil, fmt.Errorf("average: network %d is %v %s, network 1 is %v %s", k+1, m.Arch, m.Activation, a, a.Activation)
		}
	}
	wide := a
	wide.Hidden = make(Sizes, len(a.Hidden))
	for i, h := range a.Hidden {
		wide.Hidden[i] = h * len(members)
	}
	if err := wide.Validate(); err != nil {
		return nil, fmt.Errorf("average of %d networks %v: %w", len(members), a, err)
	}
	p := &Params{Arch: wide}
	w := wide.Widths()
	for i := range wide.Depth() {
		p.Layers = append(p.Layers, Dense{W: zeros(w[i], w[i+1]), B: zeros(1, w[i+1]), Activation: wide.LayerActivation(i)})
	}
	if err := AverageInto(p, members); err != nil {
		return nil, err
	}
	return p, nil
}

// AverageInto writes the average of members (see Average) into dst, a
// network that Average returned for members of the same architecture.
// Graphs built on dst see the new weights.
func AverageInto(dst *Params, members []*Params) error {
	n := len(members)
	if n == 0 {
		return fmt.Errorf("average of no networks")
	}
	a := members[0].Arch
	for k, m := range members {
		if !m.Arch.Equal(a) || len(m.Layers) != a.Depth() {
			return fmt.Errorf("average: network %d is %v %s, network 1 is %v %s", k+1, m.Arch, m.Activation, a, a.Activation)
		}
	}
	if len(dst.Layers) != a.Depth() || dst.Inputs != a.Inputs || dst.Outputs != a.Outputs {
		return fmt.Errorf("average: the destination %v is not %d networks %v", dst.Arch, n, a)
	}
	for i, h := range a.Hidden {
		if dst.Hidden[i] != n*h {
			return fmt.Errorf("average: the destination %v is not %d networks %v", dst.Arch, n, a)
		}
	}
	last := a.Depth() - 1
	for i := range a.Depth() {
		d := dst.Layers[i]
		dw, db := F32(d.W), F32(d.B)
		wideOut := d.Out()
		for k, m := range members {
			l := m.Layers[i]
			in, out := l.In(), l.Out()
			mw, mb := F32(l.W), F32(l.B)
			switch {
			case i == last: // rows k·in … stacked, divided by n; biases averaged
				for r := range in {
					row := dw[(k*in+r)*wideOut : (k*in+r+1)*wideOut]
					for c := range out {
						row[c] = mw[r*out+c] / float32(n)
					}
				}
				if k == 0 {
					clear(db)
				}
				for c := range out {
					db[c] += mb[c]
				}
				if k == n-1 {
					for c := range out {
						db[c] /= float32(n)
					}
				}
			default: // columns k·out …; rows k·in … below the first layer (block-diagonal)
				r0 := 0
				if i > 0 {
					r0 = k * in
				}
				if i > 0 && k == 0 {
					clear(dw)
				}
				for r := range in {
					copy(dw[(r0+r)*wideOut+k*out:(r0+r)*wideOut+(k+1)*out], mw[r*out:(r+1)*out])
				}
				copy(db[k*out:(k+1)*out], mb)
			}
		}
	}
	return nil
}
