package train

import (
	"fmt"
	"strings"
)

// A Preset is a named set of `perceptron train` flags: a recommended model.
// The flags given beside -preset override its values.
type Preset struct {
	Name  string
	About string
	// Flags are the flag names (without the dash) and values, in the order
	// they are printed.
	Flags [][2]string
}

// Presets are the presets `perceptron train -preset` knows.
var Presets = []Preset{
	{
		Name: "handwriting",
		About: "the recommended model for reading people's photographed handwriting: " +
			"three 784-512-10 relu networks trained by Adam for 30 epochs on distorted digits, elastic distortion included (-augment -elastic), " +
			"merged into one 784-1536-10 network that averages their logits (-ensemble 3); " +
			"chosen by measurement on synthetic photos of handwriting unlike MNIST's (three seeds) and on MNIST's test set",
		Flags: [][2]string{
			{"hidden", "512"}, {"activation", "relu"}, {"optimizer", "adam"},
			{"batch", "100"}, {"epochs", "30"}, {"augment", "true"}, {"elastic", "true"}, {"ensemble", "3"},
		},
	},
}

// LookupPreset returns the preset of the given name.
func LookupPreset(name string) (Preset, error) {
	var names []string
	for _, p := range Presets {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Preset{}, fmt.Errorf("-preset %q: want one of %s", name, strings.Join(names, ", "))
}

// Args returns the preset's flags as they would be typed:
// "-hidden 512 -activation relu … -augment -elastic".
func (p Preset) Args() string {
	var b strings.Builder
	for i, f := range p.Flags {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("-" + f[0])
		if f[1] != "true" {
			b.WriteString(" " + f[1])
		}
	}
	return b.String()
}
