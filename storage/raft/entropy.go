package raft

// The deterministic entropy shim.
//
// go.etcd.io/raft draws each randomized election timeout, a value in
// [ElectionTick, 2·ElectionTick), from the package variable crypto/rand.Reader
// (raft.go: globalRand.Intn → crypto/rand.Int(crypto/rand.Reader, n)), and has
// no hook to seed it. Left alone, every run would elect different leaders at
// different times, and a seed would not reproduce a run.
//
// crypto/rand.Int reads through the io.Reader it is handed at call time, and
// raft hands it the variable's current value, so pointing the variable at a
// seeded reader redirects raft's draws. This file is the one place in kubesim
// that touches crypto/rand (sim/determinism_test.go enforces that), and it
// does exactly this:
//
//   - Every call into a RawNode (construction, Tick, Step, Propose, Ready,
//     Advance, …) is bracketed by enter and leave. enter takes one
//     package-level mutex and points crypto/rand.Reader at the calling
//     member's own stream, "etcd/member-<id>/entropy"; leave puts back the
//     reader it found (the system reader) and releases the mutex.
//   - Each member has its own stream, so a member's election timeouts depend
//     only on the seed and on its own history, not on how calls of other
//     members or other runs interleave.
//   - The mutex serialises raft calls across every cluster in the process, so
//     many runs can share it (a sweep runs several kernels in parallel
//     goroutines) and each still sees only its own stream. Calls are short;
//     the cost is the uncontended lock, about 20 ns.
//
// What it does not protect: code outside this package that reads
// crypto/rand.Reader concurrently with a raft call would, for that moment,
// read a seeded stream instead of system entropy (and the race detector would
// flag it). A simulation makes no other use of crypto/rand; a process that
// also serves TLS should not run simulations in the same address space.

import (
	"crypto/rand"
	"io"
	"sync"

	"github.com/kubesim/kubesim/sim"
)

// entropyMu is held for the duration of every RawNode call in the process.
var entropyMu sync.Mutex

// entropy is one member's replacement for crypto/rand.Reader.
type entropy struct {
	stream *sim.Rand
	saved  io.Reader // the reader enter found, restored by leave
}

func newEntropy(stream *sim.Rand) *entropy { return &entropy{stream: stream} }

// Read fills p from the member's seeded stream. It never fails: raft ignores
// the error of crypto/rand.Int and would dereference a nil result.
func (e *entropy) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := e.stream.Uint64()
		for j := 0; j < 8 && i+j < len(p); j++ {
			p[i+j] = byte(v >> (8 * j))
		}
	}
	return len(p), nil
}

// enter takes the shim's lock and installs e as crypto/rand.Reader. Always
// pair it with a deferred leave, so a panic inside raft restores the reader.
func (e *entropy) enter() {
	entropyMu.Lock()
	e.saved = rand.Reader
	rand.Reader = e
}

// leave restores the reader enter found and releases the lock.
func (e *entropy) leave() {
	rand.Reader = e.saved
	e.saved = nil
	entropyMu.Unlock()
}
