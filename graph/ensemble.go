package graph

import "fmt"

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
	a, err := sameArch(members)
	if err != nil {
		return nil, err
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
	return p, AverageInto(p, members)
}

// sameArch returns the members' architecture, or an error if they have
// none in common.
func sameArch(members []*Params) (Arch, error) {
	if len(members) == 0 {
		return Arch{}, fmt.Errorf("average of no networks")
	}
	a := members[0].Arch
	for k, m := range members {
		if !m.Arch.Equal(a) || len(m.Layers) != a.Depth() {
			return Arch{}, fmt.Errorf("average: network %d is %v %s, network 1 is %v %s", k+1, m.Arch, m.Activation, a, a.Activation)
		}
	}
	return a, nil
}

// AverageInto writes the average of members (see Average) into dst, a
// network that Average returned for members of the same architecture.
// Graphs built on dst see the new weights.
func AverageInto(dst *Params, members []*Params) error {
	a, err := sameArch(members)
	if err != nil {
		return err
	}
	n := len(members)
	if len(dst.Layers) != a.Depth() || dst.Inputs != a.Inputs || dst.Outputs != a.Outputs {
		return fmt.Errorf("average: the destination %v is not %d networks %v", dst.Arch, n, a)
	}
	for i, h := range a.Hidden {
		if dst.Hidden[i] != n*h {
			return fmt.Errorf("average: the destination %v is not %d networks %v", dst.Arch, n, a)
		}
	}
	last := a.Depth() - 1
	for i, d := range dst.Layers {
		dw, db, wideOut := d.Weights(), d.Biases(), d.Out()
		clear(dw) // the inner layers' blocks off the diagonal stay zero
		clear(db)
		for k, m := range members {
			l := m.Layers[i]
			in, out, mw, mb := l.In(), l.Out(), l.Weights(), l.Biases()
			// member k's block: rows k·in… (all rows for the first layer),
			// columns k·out… (all columns for the output layer)
			r0, c0 := k*in, k*out
			if i == 0 {
				r0 = 0
			}
			if i == last {
				c0 = 0
			}
			for r := range in {
				row := dw[(r0+r)*wideOut+c0 : (r0+r)*wideOut+c0+out]
				if i == last {
					for c := range row {
						row[c] = mw[r*out+c] / float32(n)
					}
				} else {
					copy(row, mw[r*out:(r+1)*out])
				}
			}
			if i == last {
				for c := range out {
					db[c] += mb[c]
				}
			} else {
				copy(db[c0:c0+out], mb)
			}
		}
		if i == last {
			for c := range db {
				db[c] /= float32(n)
			}
		}
	}
	return nil
}
