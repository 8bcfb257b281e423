package etcd

import "bytes"

// KeyValue is one revision of a key, as etcd's mvccpb.KeyValue (without
// leases). Slices returned by the store are shared with it: do not modify them.
type KeyValue struct {
	Key   []byte
	Value []byte
	// CreateRevision is the revision of the put that created the key (the
	// start of its current generation); 0 for a key that does not exist.
	CreateRevision int64
	// ModRevision is the revision of the last change to the key.
	ModRevision int64
	// Version counts the puts since the key was created: 1 on creation,
	// reset by a delete.
	Version int64
}

// EventType says whether an event is a put or a delete.
type EventType uint8

// The event types, as mvccpb.Event_EventType.
const (
	EventPut EventType = iota
	EventDelete
)

func (t EventType) String() string {
	if t == EventDelete {
		return "DELETE"
	}
	return "PUT"
}

// Event is one change seen by a watch. For a delete, KV holds only Key and
// ModRevision (the deleting revision), as etcd's tombstone events do. PrevKV
// is the key's value just before the change, when it existed and its
// revision has not been compacted away.
type Event struct {
	Type   EventType
	KV     KeyValue
	PrevKV *KeyValue
}

// Revision returns the revision of the change.
func (e Event) Revision() int64 { return e.KV.ModRevision }

// CompareTarget names what a compare looks at.
type CompareTarget uint8

// Compare targets, as etcdserverpb.Compare_CompareTarget (without LEASE).
const (
	CompareVersion CompareTarget = iota
	CompareCreate
	CompareMod
	CompareValue
)

// CompareResult is the relation a compare asserts.
type CompareResult uint8

// Compare results, as etcdserverpb.Compare_CompareResult.
const (
	CompareEqual CompareResult = iota
	CompareGreater
	CompareLess
	CompareNotEqual
)

// Compare is one guard of a transaction: the target of every key in
// [Key, RangeEnd) (or of Key alone) must stand in relation Result to Value
// (for CompareValue) or to Int (for the revision and version targets).
//
// A missing key compares as a KeyValue with zero revisions and version, so
// "ModRevision == 0" means "does not exist"; a value compare on a missing key
// is always false (etcd's applyCompare).
type Compare struct {
	Key      []byte
	RangeEnd []byte
	Target   CompareTarget
	Result   CompareResult
	Value    []byte
	Int      int64
}

// ModRevisionIs returns the compare "key's ModRevision == rev"; with rev 0
// it asserts that the key does not exist. It is the compare the API server's
// create (0) and guaranteed update (the object's resourceVersion) use.
func ModRevisionIs(key string, rev int64) Compare {
	return Compare{Key: []byte(key), Target: CompareMod, Result: CompareEqual, Int: rev}
}

// RangeRequest reads keys at a revision (0 = the current one).
type RangeRequest struct {
	Key      []byte
	RangeEnd []byte
	Revision int64
	// Limit caps the number of keys returned (0 = no limit); Count still
	// counts every key in the range.
	Limit     int64
	CountOnly bool
}

// PutRequest writes one key.
type PutRequest struct {
	Key    []byte
	Value  []byte
	PrevKV bool
}

// DeleteRangeRequest deletes every live key in the range.
type DeleteRangeRequest struct {
	Key      []byte
	RangeEnd []byte
	PrevKV   bool
}

// RequestOp is one operation of a transaction branch: exactly one field is
// set. Nested transactions are not supported.
type RequestOp struct {
	Range       *RangeRequest
	Put         *PutRequest
	DeleteRange *DeleteRangeRequest
}

// OpRange builds a range operation for a transaction.
func OpRange(key, end []byte) RequestOp {
	return RequestOp{Range: &RangeRequest{Key: key, RangeEnd: end}}
}

// OpPut builds a put operation.
func OpPut(key, value []byte) RequestOp { return RequestOp{Put: &PutRequest{Key: key, Value: value}} }

// OpDelete builds a delete operation.
func OpDelete(key, end []byte) RequestOp {
	return RequestOp{DeleteRange: &DeleteRangeRequest{Key: key, RangeEnd: end}}
}

// TxnRequest is etcd's mini-transaction: if every compare holds, the success
// ops run, otherwise the failure ops, all at one revision.
type TxnRequest struct {
	Compare []Compare
	Success []RequestOp
	Failure []RequestOp
}

// CompactionRequest discards the history before Revision.
type CompactionRequest struct {
	Revision int64
}

// AlarmAction says whether an alarm request raises or clears the alarm.
type AlarmAction uint8

// Alarm actions. Get lists the alarms.
const (
	AlarmGet AlarmAction = iota
	AlarmActivate
	AlarmDeactivate
)

// AlarmType names an alarm. Only NOSPACE is modelled.
type AlarmType uint8

// Alarm types, as etcdserverpb.AlarmType.
const (
	AlarmNone AlarmType = iota
	AlarmNoSpace
)

func (a AlarmType) String() string {
	if a == AlarmNoSpace {
		return "NOSPACE"
	}
	return "NONE"
}

// AlarmRequest raises, clears or lists alarms.
type AlarmRequest struct {
	Action AlarmAction
	Alarm  AlarmType
}

// DefragRequest rewrites the database, returning the space freed by
// compaction (see Store.Defrag).
type DefragRequest struct{}

// Request is one replicated command, etcd's InternalRaftRequest in small:
// an ID (unique per proposer, so the proposer can find its response) and
// exactly one operation.
type Request struct {
	ID          uint64
	Range       *RangeRequest
	Put         *PutRequest
	DeleteRange *DeleteRangeRequest
	Txn         *TxnRequest
	Compaction  *CompactionRequest
	Alarm       *AlarmRequest
	Defrag      *DefragRequest
}

func (r *Request) ops() int {
	n := 0
	for _, set := range []bool{r.Range != nil, r.Put != nil, r.DeleteRange != nil, r.Txn != nil,
		r.Compaction != nil, r.Alarm != nil, r.Defrag != nil} {
		if set {
			n++
		}
	}
	return n
}

// RangeResponse is the result of a range.
type RangeResponse struct {
	KVs []KeyValue
	// More is true when Limit cut the result short.
	More bool
	// Count is the number of keys in the range, regardless of Limit.
	Count int64
}

// PutResponse is the result of a put.
type PutResponse struct {
	PrevKV *KeyValue
}

// DeleteRangeResponse is the result of a delete.
type DeleteRangeResponse struct {
	Deleted int64
	PrevKVs []KeyValue
}

// OpResponse is the result of one transaction operation.
type OpResponse struct {
	Range       *RangeResponse
	Put         *PutResponse
	DeleteRange *DeleteRangeResponse
}

// TxnResponse is the result of a transaction.
type TxnResponse struct {
	Succeeded bool
	Responses []OpResponse
}

// Response is the outcome of one Request. Revision is the store's revision
// after the request (etcd's response header revision). Err is set when the
// request failed; note that a put or transaction that crosses the quota is
// applied and still reports ErrNoSpace, as etcd's quota applier does.
type Response struct {
	ID          uint64
	Revision    int64
	Err         error
	Range       *RangeResponse
	Put         *PutResponse
	DeleteRange *DeleteRangeResponse
	Txn         *TxnResponse
	Alarms      []AlarmType
}

// PrefixEnd returns the range end that makes [prefix, end) cover every key
// starting with prefix (clientv3.GetPrefixRangeEnd): the prefix with its last
// byte below 0xff incremented and what follows dropped; "\x00" (every key
// from prefix on) when the prefix is all 0xff or empty.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return []byte{0}
}

// inRange reports whether key lies in the range etcd's API means by
// (start, end): end empty is the single key start, end "\x00" is every key
// from start on, otherwise the half-open interval [start, end).
func inRange(key, start, end []byte) bool {
	switch {
	case len(end) == 0:
		return bytes.Equal(key, start)
	case len(end) == 1 && end[0] == 0:
		return bytes.Compare(key, start) >= 0
	default:
		return bytes.Compare(key, start) >= 0 && bytes.Compare(key, end) < 0
	}
}

// Consistency selects how a read is served.
type Consistency uint8

// Read consistency levels, as clientv3's.
const (
	// Linearizable reads confirm with the leader (ReadIndex) and wait for the
	// serving member to catch up: they see every write completed before they
	// started. etcd's default.
	Linearizable Consistency = iota
	// Serializable reads are served from the serving member's local store at
	// once and may be stale.
	Serializable
)
