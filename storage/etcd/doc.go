// Package etcd is kubesim's model of etcd v3.6's key-value layer: the MVCC
// store the API server keeps objects in, the requests that are replicated
// through raft, and a server that answers clients in simulated time.
//
// # The store
//
// [Store] is a pure, deterministic state machine with the semantics of
// etcd's server/storage/mvcc:
//
//   - The revision is a store-wide counter. A fresh store is at revision 1;
//     every transaction that changes something advances it by one, whatever
//     the number of keys it touches. A read-only transaction, or a delete
//     that matches nothing, leaves it alone.
//   - Each key carries CreateRevision (the put that created it), ModRevision
//     (its last change) and Version (puts since creation, 1 on creation).
//     A delete writes a tombstone; a later put starts a new generation
//     (Version 1 again, a new CreateRevision).
//   - Ranges take (key, end): end nil for one key, "\x00" for every key
//     from key on, [PrefixEnd] for a prefix. Reads can be made at any
//     revision from the compacted one to the current one; below it they fail
//     with [ErrCompacted], above it with [ErrFutureRev].
//   - [Store.Txn] evaluates compares on value, version, create or mod
//     revision (=, !=, <, >) and runs the success or failure branch at one
//     revision. The API server's optimistic concurrency is
//     "create if ModRevision == 0" and "update if ModRevision == the
//     resourceVersion I read" ([ModRevisionIs]).
//   - [Store.Compact] drops what no read at or after its revision can see.
//   - [Store.Watch] delivers every change in a key range from a start
//     revision, in revision order, with no gaps and no duplicates; history
//     is replayed first. A watch from below the compacted revision fails
//     with ErrCompacted.
//   - The database size grows with every revision written (key + value +
//     256 bytes), stays put when compaction frees space, and shrinks on
//     [Store.Defrag]. A write that would take it to the quota (2 GiB by
//     default) raises the NOSPACE alarm; from then on puts fail with
//     [ErrNoSpace] ("mvcc: database space exceeded") while reads, deletes,
//     compaction and defrag still work, until [Store.DisarmAlarm]. Requests
//     larger than 1.5 MiB fail with [ErrRequestTooLarge].
//
// # Replication
//
// A [Request] (an ID and one operation) has a canonical binary encoding,
// [Request.Marshal] and [Request.Unmarshal]; that is what is proposed to
// raft. Each member feeds committed entries to [Store.Apply], which executes
// them and records the [Response] under the request ID. [Store.Snapshot] and
// [Store.Restore] move the whole state between members, byte for byte.
// Defrag and alarms are replicated requests too, so that every member's
// size, alarm and state stay identical (etcd defragments members one by one
// and raises alarms through a separate proposal; kubesim keeps state
// machines deterministic instead).
//
// # Serving clients
//
// A [Server] is the etcd endpoint in simulated time: every call returns at
// once and its callback runs later as a kernel event. It sits on a
// [Backend]:
//
//	// one store, writes commit after a sampled latency, no consensus
//	b := etcd.NewIdealBackend(k, sim.Dist{Kind: sim.DistConstant, Value: 0.002})
//	// or: etcd over a raft cluster (anything implementing Consensus),
//	// e.g. storage/raft's Cluster built by buildCluster
//	b, err := etcd.NewRaftBackend(k, etcd.RaftConfig{Member: 1}, buildCluster)
//
//	srv := etcd.NewServer(k, b, etcd.ServerConfig{})
//	srv.Txn(etcd.TxnRequest{
//		Compare: []etcd.Compare{etcd.ModRevisionIs("/registry/pods/default/web", 0)},
//		Success: []etcd.RequestOp{etcd.OpPut(key, value)},
//		Failure: []etcd.RequestOp{etcd.OpRange(key, nil)},
//	}, func(resp *etcd.Response, err error) { ... })
//
// Writes complete when the leader's store has applied them. Reads are
// [Linearizable] (ReadIndex, then wait for the serving member to catch up)
// or [Serializable] (the serving member's store as it is). A request not
// done within RequestTimeout (7 s, etcd's default) fails with [ErrTimeout],
// or with [ErrNoLeader] when the cluster has no leader at that moment;
// writes made without a leader are retried until then (see [Server]).
//
// # Journal
//
// The serving store's rare state changes are journalled, source "etcd":
// AlarmRaised and AlarmDisarmed (alarm NOSPACE, dbSizeBytes, quotaBytes),
// Compacted (revision, bytes in use before and after) and Defragmented
// (database size before and after). Everything per request is a counter in
// [Server.Stats] and [Store.Stats].
//
// # Not modelled
//
// Leases and TTLs, nested transactions, sort options, keys-only and
// min/max revision filters on ranges, watch filters, fragments and progress
// notifications, auth, member-level (non-replicated) defragmentation, the
// CORRUPT alarm, and the time a request spends being applied (the backends
// model commit latency; apply is instantaneous).
package etcd
