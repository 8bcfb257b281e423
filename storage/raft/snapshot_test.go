package raft

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestLaggingFollowerCatchesUpBySnapshot: a follower cut off while the
// others commit far more than SnapshotCount entries finds the leader's log
// compacted past its position and is sent a snapshot (MsgSnap); it restores
// from it and converges. A restart then restores from its own snapshot.
// It runs with snapshots as bytes and as images (ImageStateMachine).
func TestLaggingFollowerCatchesUpBySnapshot(t *testing.T) {
	for _, images := range []bool{false, true} {
		t.Run(fmt.Sprintf("images=%v", images), func(t *testing.T) { testLaggingFollowerCatchesUpBySnapshot(t, images) })
	}
}

func testLaggingFollowerCatchesUpBySnapshot(t *testing.T, images bool) {
	cfg := DefaultConfig()
	cfg.SnapshotCount = 20
	cfg.SnapshotCatchUpEntries = 5
	tc := newTestClusterImages(t, 11, cfg, images)
	leader := tc.waitLeader(30 * time.Second)
	lagger := leader%3 + 1
	if err := tc.c.Isolate(lagger); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := tc.c.Propose(fmt.Appendf(nil, "e%d", i)); err != nil {
			t.Fatalf("proposal %d: %v", i, err)
		}
		tc.run(10 * time.Millisecond)
	}
	tc.run(time.Second)
	if got := len(tc.data(leader)); got != 100 {
		t.Fatalf("leader applied %d of 100 entries", got)
	}
	st, _ := tc.c.Status(leader)
	if st.SnapshotIndex < 80 {
		t.Fatalf("leader's latest snapshot is at %d; want one past index 80 with SnapshotCount 20", st.SnapshotIndex)
	}
	if n := len(tc.rec.Kinds(EventSnapshotTaken)); n == 0 {
		t.Fatal("no SnapshotTaken event")
	}
	tc.c.Heal()
	if !tc.runUntil(10*time.Second, func() bool { return tc.c.AppliedIndex(lagger) == tc.c.AppliedIndex(leader) }) {
		t.Fatalf("lagging member %d stuck at %d, leader at %d", lagger, tc.c.AppliedIndex(lagger), tc.c.AppliedIndex(leader))
	}
	if tc.c.Stats().SnapshotsSent == 0 {
		t.Fatal("the lagging member caught up without a snapshot; the log should have been compacted past it")
	}
	if !slices.Equal(tc.data(lagger), tc.data(leader)) {
		t.Fatalf("after the snapshot, member %d holds %v; leader holds %v", lagger, tc.data(lagger), tc.data(leader))
	}

	// Crash and restart: the member restores from its latest snapshot and
	// re-applies the entries after it.
	before := tc.data(lagger)
	if err := tc.c.Crash(lagger); err != nil {
		t.Fatal(err)
	}
	if got := tc.c.AppliedIndex(lagger); got != 0 {
		t.Fatalf("a crashed member reports applied index %d", got)
	}
	if err := tc.c.Restart(lagger); err != nil {
		t.Fatal(err)
	}
	restarted := tc.rec.Kinds(EventMemberRestarted)
	if len(restarted) != 1 || restarted[0].Field("snapshotIndex").(uint64) <= bootstrapIndex {
		t.Fatalf("restart did not restore from a snapshot: %+v", restarted)
	}
	tc.run(2 * time.Second)
	if !slices.Equal(tc.data(lagger), before) {
		t.Fatalf("after restart member %d holds %d entries, want %d", lagger, len(tc.data(lagger)), len(before))
	}
	tc.checkSafety(11)
}

// TestCrashLosesOnlyUnpersistedEntries: a crash drops the write on the disk
// (a follower's entries that were never fsynced), but what a quorum had
// persisted commits and survives.
func TestCrashLosesOnlyUnpersistedEntries(t *testing.T) {
	tc := newTestCluster(t, 5, DefaultConfig())
	leader := tc.waitLeader(30 * time.Second)
	for i := range 20 {
		_ = tc.c.Propose(fmt.Appendf(nil, "a%d", i))
	}
	tc.run(time.Second)
	// Stall a follower's disk, propose, and crash it while the write is
	// still on the disk: its copy is lost, the other two commit.
	f := leader%3 + 1
	if err := tc.c.DiskStall(f, time.Second); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		_ = tc.c.Propose(fmt.Appendf(nil, "b%d", i))
	}
	tc.run(10 * time.Millisecond)
	if st, _ := tc.c.Status(f); !st.Writing {
		t.Fatalf("member %d has no write on its stalled disk", f)
	}
	if err := tc.c.Crash(f); err != nil {
		t.Fatal(err)
	}
	crashed := tc.rec.Kinds(EventMemberCrashed)
	if n := crashed[0].Field("unpersistedEntries").(int); n == 0 {
		t.Fatal("MemberCrashed reports no unpersisted entries")
	}
	st, _ := tc.c.Status(f)
	if st.LastIndex >= tc.c.CommittedIndex() {
		t.Fatalf("crashed member's storage reaches %d, beyond what it fsynced (commit %d)", st.LastIndex, tc.c.CommittedIndex())
	}
	if err := tc.c.Restart(f); err != nil {
		t.Fatal(err)
	}
	tc.run(3 * time.Second)
	if !slices.Equal(tc.data(f), tc.data(leader)) || len(tc.data(f)) != 25 {
		t.Fatalf("member %d holds %d entries after restart, leader %d; want 25 each", f, len(tc.data(f)), len(tc.data(leader)))
	}
	tc.checkSafety(5)
}
