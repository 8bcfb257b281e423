package etcd

import (
	"bytes"
	"sort"

	"github.com/google/btree"
)

// record is one stored revision of a key: a put, or a tombstone for a delete.
// Records are immutable once committed; their slices are shared with readers.
type record struct {
	key     []byte
	value   []byte
	main    int64 // revision of the transaction
	sub     int64 // position of the change inside it
	created int64
	version int64
	tomb    bool
	dead    bool    // removed by compaction
	prev    *record // the key's previous record, nil if compacted away or none
}

func (r *record) kv() KeyValue {
	if r.tomb {
		return KeyValue{Key: r.key, ModRevision: r.main}
	}
	return KeyValue{Key: r.key, Value: r.value, CreateRevision: r.created, ModRevision: r.main, Version: r.version}
}

func (r *record) live() bool { return r != nil && !r.tomb }

// keyIndex holds every retained record of one key, oldest first.
type keyIndex struct {
	key  []byte
	revs []*record
}

func keyLess(a, b *keyIndex) bool { return bytes.Compare(a.key, b.key) < 0 }

// at returns the key's record visible at rev (the latest with main <= rev), or
// nil when there is none or it is a tombstone.
func (ki *keyIndex) at(rev int64) *record {
	i := sort.Search(len(ki.revs), func(i int) bool { return ki.revs[i].main > rev }) - 1
	if i < 0 || ki.revs[i].tomb {
		return nil
	}
	return ki.revs[i]
}

func (ki *keyIndex) last() *record {
	if len(ki.revs) == 0 {
		return nil
	}
	return ki.revs[len(ki.revs)-1]
}

// Store is a deterministic MVCC key-value state machine with etcd's semantics
// (server/storage/mvcc): a revision counter advanced once per writing
// transaction, per-key create/mod revisions and versions, reads at past
// revisions, compaction, watches from a revision, the space quota with its
// NOSPACE alarm, and the request size limit.
//
// A Store is pure: no clock, no randomness, no goroutines. Driven by the same
// sequence of Apply calls, two stores reach byte-identical Snapshots. It is
// not safe for concurrent use.
type Store struct {
	cfg  Config
	tree *btree.BTreeG[*keyIndex]
	log  []*record // every retained record, in (main, sub) order
	// sharedValues is set while Apply executes a request decoded from
	// immutable entry data: put keeps values without copying them.
	sharedValues bool

	rev        int64 // revision of the last completed write; a fresh store is at 1, as etcd's
	compactRev int64 // revision of the last compaction (0: none)
	applied    uint64
	liveKeys   int

	sizeInUse int64 // bytes of the retained records
	size      int64 // database size: grows with use, shrinks only on Defrag
	noSpace   bool  // the NOSPACE alarm

	watch watchState

	responses map[uint64]*Response
	respRing  []uint64
	respNext  int
	last      *Response // response of the latest Apply

	observers []func(notice)
	stats     StoreStats
}

// notice tells a backend about a state change worth a journal event.
type notice struct {
	kind     string // AlarmRaised, AlarmDisarmed, Compacted, Defragmented
	revision int64
	before   int64
	after    int64
}

// NewStore returns an empty store at revision 1.
func NewStore(cfg Config) *Store {
	s := &Store{cfg: cfg.withDefaults()}
	s.reset()
	return s
}

func (s *Store) reset() {
	s.tree = btree.NewG[*keyIndex](32, keyLess)
	s.log = nil
	s.rev = 1
	s.compactRev = 0
	s.applied = 0
	s.liveKeys = 0
	s.sizeInUse = 0
	s.size = 0
	s.noSpace = false
	s.responses = make(map[uint64]*Response)
	s.respRing = nil
	s.respNext = 0
	s.last = nil
}

// Config returns the store's configuration with defaults filled in.
func (s *Store) Config() Config { return s.cfg }

// Rev returns the current revision.
func (s *Store) Rev() int64 { return s.rev }

// CompactRevision returns the revision of the last compaction, 0 if none.
func (s *Store) CompactRevision() int64 { return s.compactRev }

// AppliedIndex returns the index of the last entry given to Apply.
func (s *Store) AppliedIndex() uint64 { return s.applied }

// Alarms returns the active alarms.
func (s *Store) Alarms() []AlarmType {
	if s.noSpace {
		return []AlarmType{AlarmNoSpace}
	}
	return nil
}

func (s *Store) observe(n notice) {
	for _, o := range s.observers {
		o(n)
	}
}

// lookup returns the key's index, or nil.
func (s *Store) lookup(key []byte) *keyIndex {
	ki, _ := s.tree.Get(&keyIndex{key: key})
	return ki
}

// ascend visits the key indexes of the range (key, end) in key order until fn
// returns false.
func (s *Store) ascend(key, end []byte, fn func(ki *keyIndex) bool) {
	switch {
	case len(end) == 0:
		if ki := s.lookup(key); ki != nil {
			fn(ki)
		}
	case len(end) == 1 && end[0] == 0:
		s.tree.AscendGreaterOrEqual(&keyIndex{key: key}, fn)
	case bytes.Compare(key, end) < 0:
		s.tree.AscendRange(&keyIndex{key: key}, &keyIndex{key: end}, fn)
	}
}

// checkRev validates a read revision (0 = current) and resolves it.
func (s *Store) checkRev(rev int64) (int64, error) {
	if rev > s.rev {
		return 0, ErrFutureRev
	}
	if rev <= 0 {
		rev = s.rev
	}
	if rev < s.compactRev {
		return 0, ErrCompacted
	}
	return rev, nil
}

// rangeAt reads the range at revision rev (already validated).
func (s *Store) rangeAt(r *RangeRequest, rev int64) *RangeResponse {
	out := &RangeResponse{}
	s.ascend(r.Key, r.RangeEnd, func(ki *keyIndex) bool {
		rec := ki.at(rev)
		if rec == nil {
			return true
		}
		out.Count++
		if !r.CountOnly && (r.Limit <= 0 || int64(len(out.KVs)) < r.Limit) {
			out.KVs = append(out.KVs, rec.kv())
		}
		return true
	})
	if r.CountOnly {
		out.KVs = nil
	}
	out.More = !r.CountOnly && r.Limit > 0 && out.Count > r.Limit
	return out
}

// Range reads the keys in (key, end) as of revision atRev (0 = current):
// end nil is the single key, end "\x00" every key from key on, PrefixEnd(p)
// every key with prefix p. Limit caps the keys returned (0 = all); countOnly
// returns only the count. Reads below the compacted revision fail with
// ErrCompacted, above the current one with ErrFutureRev.
func (s *Store) Range(key, end []byte, atRev, limit int64, countOnly bool) (*RangeResponse, error) {
	resp := s.Do(&Request{Range: &RangeRequest{Key: key, RangeEnd: end, Revision: atRev, Limit: limit, CountOnly: countOnly}})
	return resp.Range, resp.Err
}

// Put writes value under key in a transaction of its own.
func (s *Store) Put(key, value []byte) (*Response, error) {
	resp := s.Do(&Request{Put: &PutRequest{Key: key, Value: value}})
	return resp, resp.Err
}

// DeleteRange deletes the live keys of (key, end) in one transaction. When
// nothing is deleted the revision does not move.
func (s *Store) DeleteRange(key, end []byte) (*Response, error) {
	resp := s.Do(&Request{DeleteRange: &DeleteRangeRequest{Key: key, RangeEnd: end}})
	return resp, resp.Err
}

// Txn runs a transaction: the success ops if every compare holds, else the
// failure ops. The revision moves once, and only if an op changed something.
func (s *Store) Txn(compares []Compare, success, failure []RequestOp) (*Response, error) {
	resp := s.Do(&Request{Txn: &TxnRequest{Compare: compares, Success: success, Failure: failure}})
	return resp, resp.Err
}

// Compact discards every revision older than rev that a read at rev or later
// cannot see. rev must be above the last compaction (else ErrCompacted) and
// not above the current revision (else ErrFutureRev).
func (s *Store) Compact(rev int64) error {
	return s.Do(&Request{Compaction: &CompactionRequest{Revision: rev}}).Err
}

// Defrag models etcd's defragmentation: the database shrinks to the bytes in
// use, returning what compaction freed.
func (s *Store) Defrag() { s.Do(&Request{Defrag: &DefragRequest{}}) }

// DisarmAlarm clears the NOSPACE alarm. If the database is still over the
// quota, the next write raises it again.
func (s *Store) DisarmAlarm() {
	s.Do(&Request{Alarm: &AlarmRequest{Action: AlarmDeactivate, Alarm: AlarmNoSpace}})
}

// Apply applies one committed raft entry: data is an encoded Request. An
// index at or below the applied index is ignored (already applied, e.g. after
// Restore); index 0 applies without index bookkeeping. An empty or
// undecodable entry only advances the index. The response is kept for
// Response(req.ID) when the ID is not zero.
//
// data must never be modified afterwards: the store keeps the values it
// carries as sub-slices of it rather than copies, so the members of a raft
// cluster, which are handed the same committed bytes, share one copy of
// every value. Committed raft entries and proposals are immutable.
func (s *Store) Apply(index uint64, data []byte) {
	s.last = nil
	if index != 0 {
		if index <= s.applied {
			return
		}
		s.applied = index
	}
	if len(data) == 0 {
		return
	}
	var req Request
	if err := req.unmarshal(data, true); err != nil {
		s.stats.Undecodable++
		return
	}
	s.sharedValues = true
	resp := s.Do(&req)
	s.sharedValues = false
	s.last = resp
	if req.ID != 0 {
		s.remember(resp)
	}
}

func (s *Store) remember(resp *Response) {
	if _, dup := s.responses[resp.ID]; dup {
		// The same ID applied twice (a re-proposal): keep the first outcome.
		return
	}
	s.responses[resp.ID] = resp
	if len(s.respRing) < s.cfg.ResponseCacheSize {
		s.respRing = append(s.respRing, resp.ID)
		return
	}
	delete(s.responses, s.respRing[s.respNext])
	s.respRing[s.respNext] = resp.ID
	s.respNext = (s.respNext + 1) % len(s.respRing)
}

// Response returns the response Apply recorded for a request ID, while it is
// among the last ResponseCacheSize.
func (s *Store) Response(id uint64) (*Response, bool) {
	r, ok := s.responses[id]
	return r, ok
}

// StoreStats are a store's gauges and counters.
type StoreStats struct {
	Revision         int64
	CompactRevision  int64
	AppliedIndex     uint64
	Keys             int   // live keys
	Revisions        int   // retained records, tombstones included
	DBSizeBytes      int64 // etcd_mvcc_db_total_size_in_bytes
	DBSizeInUseBytes int64 // etcd_mvcc_db_total_size_in_use_in_bytes
	QuotaBytes       int64 // etcd_server_quota_backend_bytes (negative: disabled)
	NoSpaceAlarm     bool
	Watchers         int

	Puts        uint64 // keys written
	Deletes     uint64 // keys deleted
	Txns        uint64
	Ranges      uint64
	Compactions uint64
	Defrags     uint64
	NoSpace     uint64 // requests answered ErrNoSpace
	Events      uint64 // events handed to watchers
	Undecodable uint64 // entries Apply could not decode
}

// Stats returns the store's gauges and counters.
func (s *Store) Stats() StoreStats {
	st := s.stats
	st.Revision = s.rev
	st.CompactRevision = s.compactRev
	st.AppliedIndex = s.applied
	st.Keys = s.liveKeys
	st.Revisions = len(s.log)
	st.DBSizeBytes = s.size
	st.DBSizeInUseBytes = s.sizeInUse
	st.QuotaBytes = s.cfg.QuotaBytes
	st.NoSpaceAlarm = s.noSpace
	st.Watchers = len(s.watch.list)
	return st
}
