package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Activations of the hidden layers.
const (
	Sigmoid = "sigmoid"
	ReLU    = "relu"
	Tanh    = "tanh"
)

// Softmax is the output layer's activation (the graphs compute its log).
const Softmax = "softmax"

// Activations lists the hidden activations, in the order help texts name them.
var Activations = []string{Sigmoid, ReLU, Tanh}

// CheckActivation reports whether a is a hidden activation the graphs know.
func CheckActivation(a string) error {
	for _, k := range Activations {
		if a == k {
			return nil
		}
	}
	return fmt.Errorf("activation %q: want %s", a, ActivationList())
}

// ActivationList names the hidden activations for messages: "sigmoid, relu or tanh".
func ActivationList() string {
	n := len(Activations)
	return strings.Join(Activations[:n-1], ", ") + " or " + Activations[n-1]
}

// Limits of an architecture.
const (
	MaxWidth  = 1 << 16 // neurons in one hidden layer
	MaxLayers = 16      // hidden layers
	MaxParams = 1 << 26 // weights and biases in all
)

// Sizes are the widths of the hidden layers, from the input side, written
// as the MNIST benchmark tables write them: "64" for one hidden layer of 64
// neurons, "512+256" for 784 → 512 → 256 → 10. As a flag.Value it parses
// that notation; in JSON one layer is a number (as files written before
// several layers existed hold it) and several are a list.
type Sizes []int

// ParseSizes parses widths joined by "+", each from 1 to MaxWidth. Its
// errors do not repeat s: the caller names the flag and the value.
func ParseSizes(s string) (Sizes, error) {
	parts := strings.Split(s, "+")
	if len(parts) > MaxLayers {
		return nil, fmt.Errorf("%d hidden layers, at most %d", len(parts), MaxLayers)
	}
	out := make(Sizes, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		n, err := strconv.Atoi(p)
		switch {
		case p == "" && len(parts) == 1:
			return nil, fmt.Errorf("no size; want sizes such as 64 or 512+256")
		case p == "":
			return nil, fmt.Errorf("layer %d has no size; write sizes joined by +, such as 512+256", i+1)
		case err != nil && len(parts) == 1:
			return nil, fmt.Errorf("%q is not a whole number of neurons", p)
		case err != nil:
			return nil, fmt.Errorf("layer %d: %q is not a whole number of neurons", i+1, p)
		case (n < 1 || n > MaxWidth) && len(parts) == 1:
			return nil, fmt.Errorf("want 1 to %d neurons", MaxWidth)
		case n < 1 || n > MaxWidth:
			return nil, fmt.Errorf("layer %d has %d neurons, want 1 to %d", i+1, n, MaxWidth)
		}
		out[i] = n
	}
	return out, nil
}

// String writes the sizes joined by "+".
func (s Sizes) String() string {
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, "+")
}

// MarshalJSON writes one layer as a number and several as a list.
func (s Sizes) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]int(s))
}

// UnmarshalJSON reads a number or a list of numbers.
func (s *Sizes) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var l []int
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*s = Sizes{n}
	return nil
}

// Arch is the shape of the network: Inputs → Hidden[0] → … → Outputs, every
// hidden layer with the same activation, the output layer a softmax.
type Arch struct {
	Inputs     int    `json:"inputs"`     // 784
	Hidden     Sizes  `json:"hidden"`     // the hidden layers' widths
	Outputs    int    `json:"outputs"`    // 10
	Activation string `json:"activation"` // Sigmoid, ReLU or Tanh
}

// NewArch returns the MNIST architecture 784 → hidden… → 10.
func NewArch(hidden []int, activation string) Arch {
	return Arch{Inputs: 784, Hidden: Sizes(hidden), Outputs: 10, Activation: activation}
}

// String writes the architecture as "784 → 512 → 256 → 10".
func (a Arch) String() string {
	parts := make([]string, 0, len(a.Hidden)+2)
	for _, w := range a.Widths() {
		parts = append(parts, strconv.Itoa(w))
	}
	return strings.Join(parts, " → ")
}

// Equal reports whether a and b are the same architecture.
func (a Arch) Equal(b Arch) bool {
	if a.Inputs != b.Inputs || a.Outputs != b.Outputs || a.Activation != b.Activation || len(a.Hidden) != len(b.Hidden) {
		return false
	}
	for i := range a.Hidden {
		if a.Hidden[i] != b.Hidden[i] {
			return false
		}
	}
	return true
}

// Validate reports whether the architecture can be built.
func (a Arch) Validate() error {
	switch {
	case a.Inputs < 1 || a.Inputs > MaxParams || a.Outputs < 2 || a.Outputs > MaxWidth:
		return fmt.Errorf("architecture %v: need at least 1 input and 2 outputs", a)
	case len(a.Hidden) < 1 || len(a.Hidden) > MaxLayers:
		return fmt.Errorf("%d hidden layers: want 1 to %d", len(a.Hidden), MaxLayers)
	}
	for _, h := range a.Hidden {
		if h < 1 || h > MaxWidth {
			return fmt.Errorf("hidden size %d: want 1 to %d neurons", h, MaxWidth)
		}
	}
	if n := a.NumParams(); n > MaxParams {
		return fmt.Errorf("architecture %v has %d parameters, more than the %d allowed", a, n, MaxParams)
	}
	return CheckActivation(a.Activation)
}

// Widths returns the widths of every layer: inputs, hidden layers, outputs.
func (a Arch) Widths() []int {
	return append(append([]int{a.Inputs}, a.Hidden...), a.Outputs)
}

// Depth returns the number of dense layers (the hidden ones and the output).
func (a Arch) Depth() int { return len(a.Hidden) + 1 }

// LayerActivation returns the activation of dense layer i (from 0): the
// hidden activation, or Softmax for the output layer.
func (a Arch) LayerActivation(i int) string {
	if i == len(a.Hidden) {
		return Softmax
	}
	return a.Activation
}

// LayerParams returns the number of weights and biases of each dense layer.
func (a Arch) LayerParams() []int {
	w := a.Widths()
	out := make([]int, len(w)-1)
	for i := range out {
		out[i] = w[i]*w[i+1] + w[i+1]
	}
	return out
}

// NumParams returns the number of weights and biases in all.
func (a Arch) NumParams() int {
	n := 0
	for _, p := range a.LayerParams() {
		n += p
	}
	return n
}

// ParamNames returns the parameters' names in the order of
// Params.Tensors: w1, b1, …, wN, bN; also their file names without ".npy".
func (a Arch) ParamNames() []string {
	out := make([]string, 0, 2*a.Depth())
	for i := range a.Depth() {
		out = append(out, fmt.Sprintf("w%d", i+1), fmt.Sprintf("b%d", i+1))
	}
	return out
}

// ParamShapes returns the shapes of the parameter tensors in the order of
// Params.Tensors: weights In × Out, biases 1 × Out (a row).
func (a Arch) ParamShapes() [][]int {
	w := a.Widths()
	out := make([][]int, 0, 2*a.Depth())
	for i := range a.Depth() {
		out = append(out, []int{w[i], w[i+1]}, []int{1, w[i+1]})
	}
	return out
}
