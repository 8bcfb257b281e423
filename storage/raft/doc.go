// Package raft runs etcd's Raft (go.etcd.io/raft/v3) on kubesim's kernel: a
// cluster of simulated etcd members whose consensus is the real library's,
// and whose disks, network, clocks and failures are modeled in virtual time.
//
// # Usage
//
// The caller supplies a state machine per member and a kernel:
//
//	k := sim.NewKernel(seed)
//	c, err := raft.NewCluster(k, raft.DefaultConfig(), func(id uint64) raft.StateMachine {
//		return newStore(id) // Apply, Snapshot, Restore
//	})
//	k.Run(sim.Time(5 * time.Second))   // the members elect a leader
//	err = c.Propose(data)              // to the leader; applied on every member once committed
//	c.ReadIndex(func(index uint64, err error) { ... })   // linearizable read barrier
//	c.Crash(c.Leader()); k.Run(...)    // and watch the failover in the journal
//
// Everything happens in events: Propose returns at once, and the entry is
// applied on each member at the simulated instant that member's Ready
// handling applies it. Member ids are 1..Config.Members.
//
// # What the kernel does for each member
//
// Each member wraps a RawNode (never raft's Node, which runs goroutines) on
// a MemoryStorage that stands for its WAL and snap files. The kernel:
//
//   - calls Tick every HeartbeatInterval, from a phase drawn per member from
//     stream "etcd/member-<id>/tick", so members never tick in lockstep;
//   - Steps every message the network delivers;
//   - handles every Ready in raft's documented order: persist HardState,
//     Entries and Snapshot; then send Messages; then apply the Snapshot and
//     CommittedEntries to the StateMachine; then Advance. Readys are taken in
//     an event of their own at the current instant, so inputs that arrive at
//     one instant share one Ready and one fsync.
//
// # Where time goes
//
//   - Disk: a Ready that must be durable (raft's MustSync, or a snapshot)
//     waits for an fsync on the member's disk, a FIFO queue whose latency is
//     Config.FsyncLatency (per member: MemberFsyncLatency, SetFsyncLatency;
//     stream "etcd/member-<id>/disk"). Sending, applying and Advance wait for
//     it, and the member takes no other Ready meanwhile: a slow disk delays
//     its heartbeats and acknowledgements, which is how disk latency costs
//     leadership in etcd. Ticks that fire during the write collapse into one,
//     as etcd's raft loop's ticker does. A leader sends its Ready's messages
//     before writing (LeaderSendsBeforeFsync, etcd's behaviour, Raft thesis
//     §10.2.1).
//   - Network: each message takes Config.NetworkLatency one way, drawn per
//     message from stream "etcd/network"; messages on a link stay in order,
//     as on etcd's peer streams. Partitions drop messages between groups,
//     and a send to an unreachable or crashed peer is reported to raft
//     (ReportUnreachable, or ReportSnapshot failure for MsgSnap).
//   - Apply is instantaneous; the StateMachine models its own cost if any.
//
// With the defaults a single client commits in about 1.6 ms (p50) and a
// killed leader is replaced in about 1.25 s (p50): etcd's published 1.6 ms
// and "about an election timeout".
//
// # Snapshots and log compaction
//
// When a member has applied SnapshotCount entries past its last snapshot, it
// asks its StateMachine for a Snapshot, stores it and compacts its log to
// SnapshotCatchUpEntries before it, as etcd does. A follower that falls
// behind the leader's compacted log is sent the snapshot (MsgSnap) and
// Restores from it.
//
// A state machine that implements ImageStateMachine hands out immutable
// in-memory images instead of bytes (storage/etcd's images share values with
// the live store). The snapshot's data is then a marker; the member keeps the
// image with its durable storage, and a MsgSnap carries it to the follower.
// Nothing observable changes, but no member holds a serialized copy of the
// whole state, which would otherwise double the memory of a long run.
//
// # Faults
//
// Crash loses the process: raft's volatile state, the state machine, and the
// write on the disk; the member's fsynced storage remains. Restart builds a
// new RawNode on it and a new StateMachine (newSM again), Restores the latest
// snapshot and re-applies the committed entries after it. Partition, Isolate
// and Heal cut and mend the network; DiskStall freezes a disk;
// SetFsyncLatency degrades one; TransferLeadership moves the leader.
//
// # Determinism
//
// A run depends only on its seed. raft draws its randomized election
// timeouts from crypto/rand.Reader; entropy.go points that reader at the
// calling member's own seeded stream ("etcd/member-<id>/entropy") for the
// duration of every RawNode call, under one process-wide mutex, so even
// clusters running in parallel goroutines reproduce their traces exactly.
// raft's logger is replaced by one that discards everything and panics on
// Fatal and Panic (raft's default prints timestamps and exits the process).
//
// # Journal and counters
//
// The journal records, with source "etcd/member-<id>": LeaderElected,
// LeaderLost, MemberCrashed, MemberRestarted, SnapshotTaken and
// ProposalDropped (aggregated per second). Per-entry work — proposals,
// commits, Readys, fsyncs, messages sent and dropped, reads — is counted in
// Stats rather than journaled.
//
// # Not modeled
//
// Membership changes (learners, add/remove member), message size and
// bandwidth (a snapshot arrives as fast as a heartbeat), CPU cost of raft
// and apply, lease-based reads, clock skew, torn or corrupted writes, and
// the MVCC store, which is storage/etcd's StateMachine.
package raft
