package raft

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestJournalEvents: leadership, crash, restart and dropped proposals are
// journaled with the documented fields, and drops are aggregated rather
// than recorded one by one.
func TestJournalEvents(t *testing.T) {
	tc := newTestCluster(t, 6, DefaultConfig())
	leader := tc.waitLeader(30 * time.Second)
	tc.run(time.Millisecond) // the Ready announcing it is handled at the same instant
	elected := tc.rec.Kinds(EventLeaderElected)
	if len(elected) != 1 || elected[0].Field("member") != leader || elected[0].Source != fmt.Sprintf("etcd/member-%d", leader) ||
		elected[0].Object != fmt.Sprintf("member-%d", leader) || elected[0].Field("term").(uint64) < 2 {
		t.Fatalf("LeaderElected events: %+v", elected)
	}

	// A transfer to an isolated member cannot complete; until raft gives
	// up on it (an election timeout) the leader drops every proposal.
	to := leader%3 + 1
	if err := tc.c.Isolate(to); err != nil {
		t.Fatal(err)
	}
	if err := tc.c.TransferLeadership(to); err != nil {
		t.Fatal(err)
	}
	tc.run(time.Millisecond)
	dropped := 0
	for range 50 {
		if err := tc.c.Propose([]byte("x")); errors.Is(err, ErrProposalDropped) {
			dropped++
		}
		tc.run(10 * time.Millisecond)
	}
	tc.run(2 * time.Second)
	if dropped == 0 {
		t.Fatal("no proposal was dropped during the leadership transfer")
	}
	events := tc.rec.Kinds(EventProposalDropped)
	var total uint64
	for _, e := range events {
		total += e.Field("count").(uint64)
	}
	if len(events) > 2 || total != uint64(dropped) || tc.c.Stats().ProposalsDropped != uint64(dropped) {
		t.Fatalf("%d drops reported as %d events totalling %d (stats %d)", dropped, len(events), total, tc.c.Stats().ProposalsDropped)
	}

	tc.c.Heal()
	tc.run(time.Second)
	l := tc.c.Leader()
	if err := tc.c.Crash(l); err != nil {
		t.Fatal(err)
	}
	lost := tc.rec.Kinds(EventLeaderLost)
	last := lost[len(lost)-1]
	if last.Field("member") != l || last.Field("reason") != "crashed" {
		t.Fatalf("LeaderLost on crash: %+v", last)
	}
	if err := tc.c.Restart(l); err != nil {
		t.Fatal(err)
	}
	if n := len(tc.rec.Kinds(EventMemberCrashed)); n != 1 {
		t.Fatalf("%d MemberCrashed events", n)
	}
	if n := len(tc.rec.Kinds(EventMemberRestarted)); n != 1 {
		t.Fatalf("%d MemberRestarted events", n)
	}
}
