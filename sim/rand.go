package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Rand is one named random stream. Each component draws from its own stream,
// derived from the run seed and a stable name, so adding a component or a
// draw never shifts anyone else's numbers.
//
// Rand embeds a math/rand/v2 generator (PCG) and is itself a rand.Source, so
// gonum's distributions can take it as their Src.
type Rand struct {
	*rand.Rand
	name string
}

// Name returns the stream's name.
func (r *Rand) Name() string { return r.name }

// Rand returns the stream called name, creating it on first use. Names are
// hierarchical by convention: "scheduler/tiebreak", "kubelet/node-17/imagepull".
func (k *Kernel) Rand(name string) *Rand {
	if r, ok := k.streams[name]; ok {
		return r
	}
	r := NewRand(k.seed, name)
	k.streams[name] = r
	return r
}

// NewRand returns the stream (seed, name) outside a kernel, for tools and
// tests; the same arguments always give the same sequence.
func NewRand(seed uint64, name string) *Rand {
	hi, lo := StreamSeed(seed, name)
	return &Rand{Rand: rand.New(rand.NewPCG(hi, lo)), name: name}
}

// StreamSeed derives the two PCG seed words of stream name under the run
// seed: FNV-1a of the name, mixed with the seed through SplitMix64 so that
// nearby seeds and similar names give unrelated streams.
func StreamSeed(seed uint64, name string) (hi, lo uint64) {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	n := h.Sum64()
	hi = splitmix64(seed ^ splitmix64(n))
	lo = splitmix64(hi ^ n ^ 0x9e3779b97f4a7c15)
	return hi, lo
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Chance reports true with probability num/den, drawn from r. Probabilities
// in scenarios are integer ratios ("3/100"), so runs do not depend on float
// parsing.
func (r *Rand) Chance(num, den uint64) bool {
	if den == 0 || num == 0 {
		return false
	}
	if num >= den {
		return true
	}
	return r.Uint64N(den) < num
}
