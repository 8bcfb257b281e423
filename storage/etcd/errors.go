package etcd

import "errors"

// Errors, with etcd's own messages so that logs and reports read like etcd's.
// Sources: server/storage/mvcc/kvstore.go (ErrCompacted, ErrFutureRev),
// server/etcdserver/errors/errors.go and api/v3rpc/rpctypes/error.go (the rest).
var (
	// ErrCompacted: the revision asked for (read, watch or compaction) is at or
	// below the compacted revision and its history is gone.
	ErrCompacted = errors.New("mvcc: required revision has been compacted")
	// ErrFutureRev: the revision asked for is later than the store's revision.
	ErrFutureRev = errors.New("mvcc: required revision is a future revision")
	// ErrNoSpace: the space quota is exhausted (the NOSPACE alarm is raised or
	// the request would cross the quota). Reads, deletes, compaction, defrag
	// and disarming still work.
	ErrNoSpace = errors.New("etcdserver: mvcc: database space exceeded")
	// ErrRequestTooLarge: the encoded request is larger than MaxRequestBytes.
	ErrRequestTooLarge = errors.New("etcdserver: request is too large")
	// ErrEmptyKey: a put, range, delete or compare names the empty key.
	ErrEmptyKey = errors.New("etcdserver: key is not provided")
	// ErrDuplicateKey: a transaction branch writes one key twice (two puts, or
	// a put inside a deleted range).
	ErrDuplicateKey = errors.New("etcdserver: duplicate key given in txn request")
	// ErrTooManyOps: a transaction has more than MaxTxnOps compares, success
	// ops or failure ops.
	ErrTooManyOps = errors.New("etcdserver: too many operations in txn request")
	// ErrTimeout: the request did not complete within the server's request
	// timeout; a write may still commit later (its outcome is unknown).
	ErrTimeout = errors.New("etcdserver: request timed out")
	// ErrNoLeader: the request timed out while the cluster had no leader.
	ErrNoLeader = errors.New("etcdserver: no leader")
	// ErrInvalidRequest: a request with no operation, or more than one.
	ErrInvalidRequest = errors.New("etcd: request must carry exactly one operation")
)
