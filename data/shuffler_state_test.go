package data

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestShufflerStateRoundTrip(t *testing.T) {
	a := NewShuffler(1000, 7)
	a.Epoch()
	a.Epoch()
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := NewShuffler(1000, 99) // another seed: everything must come from the state
	if err := b.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	for e := range 3 {
		if pa, pb := a.Epoch(), b.Epoch(); !slices.Equal(pa, pb) {
			t.Fatalf("epoch %d after restore: orders differ", e+1)
		}
	}
	// the permutation matters, not only the generator: the same generator
	// state over the identity order deals another order
	c := NewShuffler(1000, 7)
	c.Epoch()
	c.Epoch()
	state, _ = c.MarshalBinary()
	identity, _ := NewShuffler(1000, 7).MarshalBinary()
	copy(state[len(state)-4000:], identity[len(identity)-4000:])
	d := NewShuffler(1000, 7)
	if err := d.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(d.Epoch(), c.Epoch()) {
		t.Fatal("the permutation in the state made no difference")
	}
}

func TestShufflerStateRefusesCorrupt(t *testing.T) {
	a := NewShuffler(10, 1)
	a.Epoch()
	good, _ := a.MarshalBinary()
	dup := bytes.Clone(good)
	copy(dup[len(dup)-4:], dup[len(dup)-8:len(dup)-4])
	big := bytes.Clone(good)
	big[len(big)-4] = 200
	tests := []struct {
		name  string
		state []byte
		n     int
		want  string
	}{
		{"empty", nil, 10, "not a state written by this program"},
		{"other magic", append([]byte("xxxx1"), good[5:]...), 10, "not a state written by this program"},
		{"other size", good, 11, "10 samples, want 11"},
		{"truncated", good[:len(good)-1], 10, "want 60 for 10 samples"},
		{"trailing", append(bytes.Clone(good), 0), 10, "want 60 for 10 samples"},
		{"repeated index", dup, 10, "not a permutation of 0..9"},
		{"index out of range", big, 10, "holds 200, not a permutation"},
		{"bad generator", append(append(bytes.Clone(good[:13]), "xxxx"...), good[17:]...), 10, "shuffler state:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewShuffler(tc.n, 3)
			before, _ := s.MarshalBinary()
			err := s.UnmarshalBinary(tc.state)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if after, _ := s.MarshalBinary(); !bytes.Equal(before, after) {
				t.Fatal("a refused state changed the shuffler")
			}
		})
	}
}

func FuzzShufflerState(f *testing.F) {
	a := NewShuffler(5, 1)
	a.Epoch()
	good, _ := a.MarshalBinary()
	f.Add(good)
	f.Add(good[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		s := NewShuffler(5, 2)
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		p := slices.Clone(s.Epoch())
		slices.Sort(p)
		if !slices.Equal(p, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("restored state deals %v", p)
		}
	})
}
