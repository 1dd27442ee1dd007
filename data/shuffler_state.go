package data

import (
	"encoding/binary"
	"fmt"
)

// shufflerMagic starts a Shuffler's binary state.
const shufflerMagic = "shuf1"

// MarshalBinary returns the shuffler's state: its PCG generator's state and
// the current permutation (the next epoch shuffles that permutation, so both
// are needed to deal the same orders again).
func (s *Shuffler) MarshalBinary() ([]byte, error) {
	return s.AppendBinary(make([]byte, 0, len(shufflerMagic)+8+20+4*len(s.perm)))
}

// AppendBinary appends the state MarshalBinary returns to b.
func (s *Shuffler) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, shufflerMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.perm)))
	at := len(b)
	b = binary.LittleEndian.AppendUint32(b, 0) // the generator state's length
	b, err := s.pcg.AppendBinary(b)
	if err != nil {
		return nil, err
	}
	binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	for _, v := range s.perm {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b, nil
}

// maxPCGState bounds the length of the generator's state (20 bytes in Go 1.26).
const maxPCGState = 64

// UnmarshalBinary restores a state written by MarshalBinary. The state must
// be for as many samples as s has, and its permutation must hold each index
// once; otherwise s is left unchanged.
func (s *Shuffler) UnmarshalBinary(b []byte) error {
	if len(b) < len(shufflerMagic)+8 || string(b[:len(shufflerMagic)]) != shufflerMagic {
		return fmt.Errorf("shuffler state: not a state written by this program")
	}
	b = b[len(shufflerMagic):]
	n, plen := int64(binary.LittleEndian.Uint32(b)), int64(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	if n != int64(len(s.perm)) {
		return fmt.Errorf("shuffler state: %d samples, want %d", n, len(s.perm))
	}
	if plen > maxPCGState || int64(len(b)) != plen+4*n {
		return fmt.Errorf("shuffler state: %d bytes, want %d for %d samples and a %d-byte generator state", len(b), plen+4*n, n, plen)
	}
	var pcg = *s.pcg
	if err := pcg.UnmarshalBinary(b[:plen]); err != nil {
		return fmt.Errorf("shuffler state: %w", err)
	}
	b = b[plen:]
	perm := make([]int, n)
	seen := make([]bool, n)
	for i := range perm {
		v := int64(binary.LittleEndian.Uint32(b[4*i:]))
		if v >= n || seen[v] {
			return fmt.Errorf("shuffler state: position %d holds %d, not a permutation of 0..%d", i, v, n-1)
		}
		seen[v] = true
		perm[i] = int(v)
	}
	*s.pcg = pcg
	copy(s.perm, perm)
	return nil
}
