package raft

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// applied is one entry a test state machine applied.
type applied struct {
	index uint64
	data  string
}

// checker watches every state machine of a cluster, across restarts, for
// state-machine safety: no two members ever apply different data at the
// same index, and each instance applies indices in increasing order.
type checker struct {
	byIndex map[uint64]string
	errs    []string
}

func newChecker() *checker { return &checker{byIndex: map[uint64]string{}} }

func (c *checker) failf(format string, args ...any) {
	if len(c.errs) < 20 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

// logSM is a state machine whose state is the list of entries it applied;
// its snapshot is that list, so a restored member must end up with exactly
// the same list as everyone else.
type logSM struct {
	id   uint64
	chk  *checker
	log  []applied
	last uint64
}

func (s *logSM) Apply(index uint64, data []byte) {
	if index <= s.last {
		s.chk.failf("member %d applied index %d after %d", s.id, index, s.last)
	}
	s.last = index
	if prev, ok := s.chk.byIndex[index]; ok && prev != string(data) {
		s.chk.failf("index %d: member %d applied %q, another member %q", index, s.id, data, prev)
	}
	s.chk.byIndex[index] = string(data)
	s.log = append(s.log, applied{index, string(data)})
}

func (s *logSM) Snapshot() []byte {
	var b []byte
	for _, e := range s.log {
		b = binary.BigEndian.AppendUint64(b, e.index)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e.data)))
		b = append(b, e.data...)
	}
	return b
}

func (s *logSM) Restore(b []byte) {
	s.log, s.last = nil, 0
	for len(b) > 0 {
		idx := binary.BigEndian.Uint64(b)
		n := binary.BigEndian.Uint32(b[8:])
		s.log = append(s.log, applied{idx, string(b[12 : 12+n])})
		b = b[12+n:]
		s.last = idx
	}
}

// testCluster bundles a kernel, a cluster, its state machines (the latest
// instance per member) and a recorder of the journal.
type testCluster struct {
	t   testing.TB
	k   *sim.Kernel
	c   *Cluster
	sms map[uint64]*logSM
	chk *checker
	rec *sim.Recorder
}

// imageSM is a logSM whose snapshots are in-memory images (an
// ImageStateMachine): the path storage/etcd takes.
type imageSM struct{ *logSM }

type logImage struct {
	log  []applied
	last uint64
}

func (s imageSM) SnapshotImage() any { return &logImage{log: slices.Clone(s.log), last: s.last} }

func (s imageSM) RestoreImage(image any) {
	img := image.(*logImage)
	s.log, s.last = slices.Clone(img.log), img.last
}

func newTestCluster(t testing.TB, seed uint64, cfg Config) *testCluster {
	return newTestClusterImages(t, seed, cfg, false)
}

// newTestClusterImages is newTestCluster whose state machines keep their
// snapshots as images when images is set.
func newTestClusterImages(t testing.TB, seed uint64, cfg Config, images bool) *testCluster {
	t.Helper()
	tc := &testCluster{t: t, k: sim.NewKernel(seed), sms: map[uint64]*logSM{}, chk: newChecker(), rec: &sim.Recorder{}}
	tc.k.Journal().Subscribe(tc.rec.Subscriber())
	c, err := NewCluster(tc.k, cfg, func(id uint64) StateMachine {
		sm := &logSM{id: id, chk: tc.chk}
		tc.sms[id] = sm
		if images {
			return imageSM{sm}
		}
		return sm
	})
	if err != nil {
		t.Fatalf("seed %d: NewCluster: %v", seed, err)
	}
	tc.c = c
	return tc
}

// run advances the simulation by d.
func (tc *testCluster) run(d time.Duration) { tc.k.Run(tc.k.Now().Add(d)) }

// runUntil advances until cond holds or limit passes; it reports whether
// cond held.
func (tc *testCluster) runUntil(limit time.Duration, cond func() bool) bool {
	end := tc.k.Now().Add(limit)
	if cond() {
		return true
	}
	tc.k.RunUntil(end, cond)
	return cond()
}

// waitLeader runs until some member leads, and returns it (0 on timeout).
func (tc *testCluster) waitLeader(limit time.Duration) uint64 {
	tc.runUntil(limit, func() bool { return tc.c.Leader() != 0 })
	return tc.c.Leader()
}

// checkSafety fails the test on any state-machine or election safety
// violation seen so far.
func (tc *testCluster) checkSafety(seed uint64) {
	tc.t.Helper()
	for _, e := range tc.chk.errs {
		tc.t.Errorf("seed %d: %s", seed, e)
	}
	leaders := map[uint64]uint64{}
	for _, e := range tc.rec.Kinds(EventLeaderElected) {
		term, member := e.Field("term").(uint64), e.Field("member").(uint64)
		if prev, ok := leaders[term]; ok && prev != member {
			tc.t.Errorf("seed %d: term %d has two leaders: %d and %d", seed, term, prev, member)
		}
		leaders[term] = member
	}
}

// data returns the proposals a member's state machine holds, in order.
func (tc *testCluster) data(id uint64) []string {
	var out []string
	for _, e := range tc.sms[id].log {
		out = append(out, e.data)
	}
	return out
}

func quantile(xs []time.Duration, q float64) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}
