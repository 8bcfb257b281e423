package raft

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// chaos drives a cluster through a random schedule of crashes, restarts,
// partitions, heals and disk stalls while a client proposes steadily, then
// heals everything and lets it converge (safety first, then liveness).
type chaos struct {
	tc      *testCluster
	r       *sim.Rand
	seed    uint64
	next    int // proposal counter
	stopped bool
}

// chaosConfig exercises snapshots and MsgSnap: a member that misses more
// than a few dozen entries must be caught up by a snapshot.
func chaosConfig() Config {
	cfg := DefaultConfig()
	cfg.SnapshotCount = 40
	cfg.SnapshotCatchUpEntries = 10
	return cfg
}

// Odd seeds keep snapshots as images (ImageStateMachine), even ones as bytes.
func runChaos(t testing.TB, seed uint64, cfg Config, chaosFor time.Duration) *testCluster {
	tc := newTestClusterImages(t, seed, cfg, seed%2 == 1)
	ch := &chaos{tc: tc, r: sim.NewRand(seed, "test/chaos"), seed: seed}
	ch.propose(0)
	ch.fault(0)
	tc.run(chaosFor)
	ch.stopped = true

	// Liveness: heal, restart everyone, and require a fresh proposal to
	// reach every member.
	tc.c.Heal()
	for _, id := range tc.c.Members() {
		if st, _ := tc.c.Status(id); !st.Up {
			if err := tc.c.Restart(id); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
	}
	marker := fmt.Sprintf("final-%d", seed)
	allHave := func() bool {
		for _, id := range tc.c.Members() {
			if sm := tc.sms[id]; len(sm.log) == 0 || sm.log[len(sm.log)-1].data != marker {
				return false
			}
		}
		return true
	}
	// Re-propose every 500 ms until some attempt commits: proposals to a
	// leader that is about to be deposed are lost, as in etcd.
	var retry func(sim.Time)
	retry = func(sim.Time) {
		if !slices.Contains(tc.data(1), marker) {
			_ = tc.c.Propose([]byte(marker))
			tc.k.AfterFunc(500*time.Millisecond, retry)
		}
	}
	retry(0)
	tc.runUntil(30*time.Second, allHave)
	tc.run(2 * time.Second) // let a duplicate marker in flight settle everywhere
	for _, id := range tc.c.Members() {
		if !slices.Contains(tc.data(id), marker) {
			t.Fatalf("seed %d: member %d never applied the final proposal after healing (stats %+v)", seed, id, tc.c.Stats())
		}
	}
	return tc
}

// propose is the client: one proposal every 50 ms to whoever leads.
func (ch *chaos) propose(sim.Time) {
	if ch.stopped {
		return
	}
	ch.next++
	_ = ch.tc.c.Propose(fmt.Appendf(nil, "s%d-%d", ch.seed, ch.next))
	ch.tc.k.AfterFunc(50*time.Millisecond, ch.propose)
}

// fault injects one random fault, then schedules the next after an
// exponential gap (mean 1.5 s).
func (ch *chaos) fault(sim.Time) {
	if ch.stopped {
		return
	}
	c, r := ch.tc.c, ch.r
	ids := c.Members()
	var up, down []uint64
	for _, id := range ids {
		if st, _ := c.Status(id); st.Up {
			up = append(up, id)
		} else {
			down = append(down, id)
		}
	}
	switch r.IntN(7) {
	case 0, 1: // crash a member, the leader half the time
		victim := c.Leader()
		if victim == 0 || r.IntN(2) == 0 {
			if len(up) > 0 {
				victim = up[r.IntN(len(up))]
			}
		}
		if victim != 0 {
			_ = c.Crash(victim)
		}
	case 2: // restart a member
		if len(down) > 0 {
			_ = c.Restart(down[r.IntN(len(down))])
		}
	case 3: // random two-way split
		var a, b []uint64
		for _, id := range ids {
			if r.IntN(2) == 0 {
				a = append(a, id)
			} else {
				b = append(b, id)
			}
		}
		_ = c.Partition(a, b)
	case 4: // isolate the leader
		if l := c.Leader(); l != 0 {
			_ = c.Isolate(l)
		}
	case 5:
		c.Heal()
	case 6: // stall a disk for up to 3 s
		_ = c.DiskStall(ids[r.IntN(len(ids))], time.Duration(r.Int64N(int64(3*time.Second))))
	}
	gap := time.Duration(r.ExpFloat64() * 1.5 * float64(time.Second))
	ch.tc.k.AfterFunc(gap, ch.fault)
}

// checkConverged asserts durability: every entry any member ever applied is
// in every member's final state, in index order, and all agree.
func (tc *testCluster) checkConverged(seed uint64) {
	tc.t.Helper()
	var want []applied
	for idx, d := range tc.chk.byIndex {
		want = append(want, applied{idx, d})
	}
	slices.SortFunc(want, func(a, b applied) int { return int(a.index) - int(b.index) })
	for _, id := range tc.c.Members() {
		got := tc.sms[id].log
		if !slices.Equal(got, want) {
			tc.t.Errorf("seed %d: member %d holds %d entries, want all %d ever applied (first difference at %d)",
				seed, id, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []applied) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestChaosSafety: over 200 seeds of random crashes, restarts, partitions,
// heals and disk stalls, there is at most one leader per term, no two
// members apply different entries at one index, each applies in order, and
// after healing every entry ever applied (committed) is on every member:
// nothing committed is lost across leader changes, crashes or partitions.
func TestChaosSafety(t *testing.T) {
	hdd := chaosConfig()
	hdd.FsyncLatency = HDDFsyncLatency()
	five := chaosConfig()
	five.Members = 5
	for _, tt := range []struct {
		name  string
		cfg   Config
		seeds uint64
	}{
		{"3 members SSD", chaosConfig(), 200},
		{"3 members HDD", hdd, 50},
		{"5 members SSD", five, 50},
	} {
		if testing.Short() {
			tt.seeds /= 5
		}
		t.Run(tt.name, func(t *testing.T) {
			var snaps, snapSent, elections, commits, crashes uint64
			for seed := uint64(1); seed <= tt.seeds; seed++ {
				tc := runChaos(t, seed, tt.cfg, 60*time.Second)
				tc.checkSafety(seed)
				tc.checkConverged(seed)
				st := tc.c.Stats()
				snaps += st.SnapshotsTaken
				snapSent += st.SnapshotsSent
				elections += st.LeaderChanges
				commits += st.Committed
				crashes += uint64(len(tc.rec.Kinds(EventMemberCrashed)))
				if t.Failed() {
					t.Fatalf("seed %d failed; reproduce with this seed", seed)
				}
			}
			t.Logf("%d seeds: %d commits, %d elections, %d crashes, %d snapshots taken, %d sent",
				tt.seeds, commits, elections, crashes, snaps, snapSent)
			if snaps == 0 || snapSent == 0 {
				t.Errorf("the chaos schedule never exercised snapshots (taken %d, sent %d)", snaps, snapSent)
			}
		})
	}
}
