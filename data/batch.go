package data

import "math/rand/v2"

// Shuffler deals the indices 0..n-1 in a new seeded order each epoch, so that
// every sample is used once per epoch, the last partial batch included.
type Shuffler struct {
	pcg  *rand.PCG
	rng  *rand.Rand
	perm []int
}

// NewShuffler returns a Shuffler over n samples seeded by seed.
func NewShuffler(n int, seed uint64) *Shuffler {
	pcg := rand.NewPCG(seed, 0x6d6e697374) // second word: "mnist"
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	return &Shuffler{pcg: pcg, rng: rand.New(pcg), perm: perm}
}

// Epoch reshuffles and returns the permutation for the next epoch. The
// slice is reused by the next call.
func (s *Shuffler) Epoch() []int {
	s.rng.Shuffle(len(s.perm), func(i, j int) { s.perm[i], s.perm[j] = s.perm[j], s.perm[i] })
	return s.perm
}

// Batches cuts perm into consecutive batches of size batch (the last one may
// be shorter) and calls f on each; it stops at the first error.
func Batches(perm []int, batch int, f func(idx []int) error) error {
	for lo := 0; lo < len(perm); lo += batch {
		if err := f(perm[lo:min(lo+batch, len(perm))]); err != nil {
			return err
		}
	}
	return nil
}
