package raft

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// trace runs a chaos scenario for seed and returns its journal as JSON
// lines, followed by every member's applied entries. Leader elections (and
// so everything after them) depend on raft's randomized election timeouts,
// which come through the entropy shim.
func trace(t testing.TB, seed uint64) []byte {
	var buf bytes.Buffer
	k := sim.NewKernel(seed)
	k.Journal().Subscribe(func(e *sim.Event) {
		buf.Write(e.AppendJSON(nil))
		buf.WriteByte('\n')
	})
	tc := &testCluster{t: t, k: k, sms: map[uint64]*logSM{}, chk: newChecker(), rec: &sim.Recorder{}}
	c, err := NewCluster(k, chaosConfig(), func(id uint64) StateMachine {
		sm := &logSM{id: id, chk: tc.chk}
		tc.sms[id] = sm
		return sm
	})
	if err != nil {
		t.Fatal(err)
	}
	tc.c = c
	ch := &chaos{tc: tc, r: sim.NewRand(seed, "test/chaos"), seed: seed}
	ch.propose(0)
	ch.fault(0)
	tc.run(20 * time.Second)
	for _, id := range c.Members() {
		if sm := tc.sms[id]; sm != nil {
			fmt.Fprintf(&buf, "member %d: %v\n", id, sm.log)
		}
	}
	fmt.Fprintf(&buf, "stats %+v\n", c.Stats())
	return buf.Bytes()
}

func hash(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b))[:16] }

// TestSameSeedSameJournal: a seed reproduces its run byte for byte, and
// different seeds give different runs.
func TestSameSeedSameJournal(t *testing.T) {
	a, b := trace(t, 42), trace(t, 42)
	if !bytes.Equal(a, b) {
		t.Fatalf("seed 42 gave two different journals (%s vs %s)", hash(a), hash(b))
	}
	if bytes.Count(a, []byte(EventLeaderElected)) < 2 {
		t.Fatalf("the trace is too thin to prove anything:\n%s", a)
	}
	seen := map[string]uint64{}
	for seed := uint64(1); seed <= 10; seed++ {
		h := hash(trace(t, seed))
		if prev, ok := seen[h]; ok {
			t.Fatalf("seeds %d and %d gave the same journal %s", prev, seed, h)
		}
		seen[h] = seed
	}
}

// TestEntropyShimParallel runs four clusters at once in separate
// goroutines, two per seed, so their raft calls interleave on the shim's
// mutex in a different order each time. Each must match its seed's
// sequential trace exactly, and the two seeds must differ.
func TestEntropyShimParallel(t *testing.T) {
	seeds := []uint64{7, 8, 7, 8}
	want := map[uint64]string{7: hash(trace(t, 7)), 8: hash(trace(t, 8))}
	if want[7] == want[8] {
		t.Fatal("seeds 7 and 8 gave the same trace")
	}
	for round := range 3 {
		got := make([]string, len(seeds))
		var wg sync.WaitGroup
		for i, seed := range seeds {
			wg.Go(func() { got[i] = hash(trace(t, seed)) })
		}
		wg.Wait()
		for i, seed := range seeds {
			if got[i] != want[seed] {
				t.Errorf("round %d: goroutine %d (seed %d) traced %s, sequential run %s", round, i, seed, got[i], want[seed])
			}
		}
	}
}

// TestEntropyShimRestoresReader: outside a raft call crypto/rand.Reader is
// the system reader, and inside one it is the member's stream.
func TestEntropyShimRestoresReader(t *testing.T) {
	system := rand.Reader
	tc := newTestCluster(t, 1, DefaultConfig())
	tc.waitLeader(30 * time.Second)
	if rand.Reader != system {
		t.Fatal("crypto/rand.Reader was left pointing at a member's stream")
	}
	e := tc.c.members[0].entropy
	e.enter()
	inside := rand.Reader
	e.leave()
	if inside != e || rand.Reader != system {
		t.Fatalf("inside the shim Reader = %T, after = %T", inside, rand.Reader)
	}
	// The shim's reader never fails and fills any length.
	p := make([]byte, 13)
	if n, err := e.Read(p); n != 13 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
}
