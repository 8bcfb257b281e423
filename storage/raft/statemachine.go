package raft

// StateMachine is the replicated state one member applies committed entries
// to; the caller implements it (storage/etcd's MVCC store, a test's log).
// NewCluster asks for one instance per member, and Restart asks for a fresh
// one: a crash loses the member's in-memory state, and the new instance is
// rebuilt from the member's persisted snapshot and log.
//
// The methods run inside the member's Ready handling, at the simulated
// instant its disk write completed. They must not call back into the
// Cluster, and they must be deterministic: no wall clock, no goroutines.
type StateMachine interface {
	// Apply applies the committed entry at index. Entries arrive in
	// increasing index order, each once per state-machine instance; indices
	// may skip entries that carry no data (the no-op every new leader
	// appends). data belongs to raft's log: read it, copy what you keep,
	// never modify it.
	Apply(index uint64, data []byte)
	// Snapshot returns the state as of the last applied entry. The member
	// stores it with its log, compacts the log behind it, and ships it to
	// followers too far behind to catch up from the log.
	Snapshot() []byte
	// Restore replaces the whole state with a snapshot's: on Restart, and on
	// a follower that receives a snapshot from the leader. Apply calls that
	// follow continue from the snapshot's index.
	Restore(snapshot []byte)
}
