package raft

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

type readResult struct {
	index uint64
	err   error
	done  bool
}

func (r *readResult) callback(index uint64, err error) { *r = readResult{index, err, true} }

// TestReadIndexIsLinearizable: a read issued after a write committed is
// served at an index at or past that write, once the leader has applied it.
func TestReadIndexIsLinearizable(t *testing.T) {
	tc := newTestCluster(t, 2, DefaultConfig())
	leader := tc.waitLeader(30 * time.Second)
	for i := range 10 {
		if err := tc.c.Propose(fmt.Appendf(nil, "w%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	tc.runUntil(time.Second, func() bool { return len(tc.data(leader)) == 10 })
	written := tc.c.CommittedIndex()

	var r readResult
	var appliedAtServe uint64
	tc.c.ReadIndex(func(index uint64, err error) {
		r.callback(index, err)
		appliedAtServe = tc.c.AppliedIndex(leader)
	})
	if !tc.runUntil(time.Second, func() bool { return r.done }) {
		t.Fatal("read not served within 1 s")
	}
	if r.err != nil || r.index < written || appliedAtServe < r.index {
		t.Fatalf("read = %+v (leader applied %d); want index >= %d, applied", r, appliedAtServe, written)
	}
	if s := tc.c.Stats(); s.ReadsServed != 1 {
		t.Fatalf("ReadsServed = %d", s.ReadsServed)
	}

	// The leader crashes before confirming: the read fails, and there is
	// no leader for the next one.
	var lost readResult
	tc.c.ReadIndex(lost.callback)
	if err := tc.c.Crash(leader); err != nil {
		t.Fatal(err)
	}
	tc.run(time.Millisecond)
	if !errors.Is(lost.err, ErrLeaderChanged) {
		t.Fatalf("read on a crashed leader: %+v, want ErrLeaderChanged", lost)
	}
	var none readResult
	tc.c.ReadIndex(none.callback)
	tc.run(time.Millisecond)
	if !errors.Is(none.err, ErrNoLeader) {
		t.Fatalf("read without a leader: %+v, want ErrNoLeader", none)
	}
}

// TestReadIndexWithoutQuorumFails: a leader that cannot reach a quorum
// never confirms a read; it steps down (CheckQuorum) and the read fails.
func TestReadIndexWithoutQuorumFails(t *testing.T) {
	tc := newTestCluster(t, 4, DefaultConfig())
	leader := tc.waitLeader(30 * time.Second)
	tc.run(time.Second)
	if err := tc.c.Isolate(leader); err != nil {
		t.Fatal(err)
	}
	var r readResult
	tc.c.ReadIndex(r.callback)
	if !tc.runUntil(10*time.Second, func() bool { return r.done }) {
		t.Fatal("read on an isolated leader never finished")
	}
	if !errors.Is(r.err, ErrLeaderChanged) && !errors.Is(r.err, ErrReadTimeout) {
		t.Fatalf("read on an isolated leader: %+v, want ErrLeaderChanged or ErrReadTimeout", r)
	}
}
