package etcd

import (
	"bytes"
	"sort"
)

// Do executes one request against the store directly (not through a log): a
// single-store deployment, tests, and Apply all come here. It never panics
// on a malformed request; the error is in the response.
func (s *Store) Do(req *Request) *Response {
	resp := &Response{ID: req.ID}
	if err := s.validate(req); err != nil {
		resp.Err = err
		if err == ErrNoSpace {
			s.stats.NoSpace++
		}
		resp.Revision = s.rev
		return resp
	}
	switch {
	case req.Range != nil:
		s.stats.Ranges++
		rev, err := s.checkRev(req.Range.Revision)
		if err != nil {
			resp.Err = err
			break
		}
		resp.Range = s.rangeAt(req.Range, rev)
	case req.Put != nil:
		ok := s.available(s.putCost(req.Put))
		w := s.begin()
		resp.Put = s.put(w, req.Put)
		s.commit(w)
		s.quotaResult(resp, ok)
	case req.DeleteRange != nil:
		w := s.begin()
		resp.DeleteRange = s.deleteRange(w, req.DeleteRange)
		s.commit(w)
	case req.Txn != nil:
		s.txn(req.Txn, resp)
	case req.Compaction != nil:
		resp.Err = s.compact(req.Compaction.Revision)
	case req.Alarm != nil:
		s.alarm(req.Alarm)
		resp.Alarms = s.Alarms()
	case req.Defrag != nil:
		before := s.size
		s.size = s.sizeInUse
		s.stats.Defrags++
		s.observe(notice{kind: "Defragmented", revision: s.rev, before: before, after: s.size})
	}
	resp.Revision = s.rev
	return resp
}

// validate applies the checks etcd makes before a request reaches the store
// (api/v3rpc key.go, the request size limit, the capped applier while NOSPACE
// is raised). A Server runs it before proposing; Apply runs it again so that
// the state machine stands on its own.
func (s *Store) validate(req *Request) error {
	n := req.Size()
	if n == 0 {
		return ErrInvalidRequest
	}
	if n > s.cfg.MaxRequestBytes {
		return ErrRequestTooLarge
	}
	switch {
	case req.Range != nil:
		if len(req.Range.Key) == 0 {
			return ErrEmptyKey
		}
	case req.Put != nil:
		if len(req.Put.Key) == 0 {
			return ErrEmptyKey
		}
		if s.noSpace {
			return ErrNoSpace
		}
	case req.DeleteRange != nil:
		if len(req.DeleteRange.Key) == 0 {
			return ErrEmptyKey
		}
	case req.Txn != nil:
		if err := s.validateTxn(req.Txn); err != nil {
			return err
		}
		if s.noSpace && s.txnCost(req.Txn) > 0 {
			return ErrNoSpace
		}
	}
	return nil
}

func (s *Store) validateTxn(t *TxnRequest) error {
	max := s.cfg.MaxTxnOps
	if len(t.Compare) > max || len(t.Success) > max || len(t.Failure) > max {
		return ErrTooManyOps
	}
	for i := range t.Compare {
		if len(t.Compare[i].Key) == 0 {
			return ErrEmptyKey
		}
	}
	for _, ops := range [][]RequestOp{t.Success, t.Failure} {
		for i := range ops {
			op := &ops[i]
			switch {
			case op.Range != nil:
				if len(op.Range.Key) == 0 {
					return ErrEmptyKey
				}
			case op.Put != nil:
				if len(op.Put.Key) == 0 {
					return ErrEmptyKey
				}
			case op.DeleteRange != nil:
				if len(op.DeleteRange.Key) == 0 {
					return ErrEmptyKey
				}
			}
		}
		if err := checkDupKeys(ops); err != nil {
			return err
		}
	}
	return nil
}

// checkDupKeys rejects a branch that puts one key twice or puts a key that a
// delete of the same branch covers (etcd's checkRequestDupKeys). Overlapping
// deletes are allowed.
func checkDupKeys(ops []RequestOp) error {
	var puts [][]byte
	for i := range ops {
		if p := ops[i].Put; p != nil {
			puts = append(puts, p.Key)
		}
	}
	if len(puts) == 0 {
		return nil
	}
	sort.Slice(puts, func(i, j int) bool { return bytes.Compare(puts[i], puts[j]) < 0 })
	for i := 1; i < len(puts); i++ {
		if bytes.Equal(puts[i-1], puts[i]) {
			return ErrDuplicateKey
		}
	}
	for i := range ops {
		d := ops[i].DeleteRange
		if d == nil {
			continue
		}
		for _, k := range puts {
			if inRange(k, d.Key, d.RangeEnd) {
				return ErrDuplicateKey
			}
		}
	}
	return nil
}

// writeTxn collects the changes of one transaction, all at revision rev.
type writeTxn struct {
	rev     int64
	changes []*record
}

func (s *Store) begin() *writeTxn { return &writeTxn{rev: s.rev + 1} }

// readRev is the revision reads inside w see: its own changes included.
func (s *Store) readRev(w *writeTxn) int64 {
	if len(w.changes) > 0 {
		return w.rev
	}
	return s.rev
}

func (s *Store) put(w *writeTxn, p *PutRequest) *PutResponse {
	ki := s.lookup(p.Key)
	if ki == nil {
		ki = &keyIndex{key: bytes.Clone(p.Key)}
		s.tree.ReplaceOrInsert(ki)
	}
	last := ki.last()
	value := p.Value
	if !s.sharedValues {
		value = bytes.Clone(value) // the caller's buffer
	}
	rec := &record{
		key:   ki.key,
		value: value,
		main:  w.rev,
		sub:   int64(len(w.changes)),
		prev:  last,
	}
	if last.live() {
		rec.created, rec.version = last.created, last.version+1
	} else {
		rec.created, rec.version = w.rev, 1
	}
	ki.revs = append(ki.revs, rec)
	w.changes = append(w.changes, rec)
	out := &PutResponse{}
	if p.PrevKV && last.live() {
		kv := last.kv()
		out.PrevKV = &kv
	}
	return out
}

func (s *Store) deleteRange(w *writeTxn, d *DeleteRangeRequest) *DeleteRangeResponse {
	rev := s.readRev(w)
	var victims []*keyIndex
	s.ascend(d.Key, d.RangeEnd, func(ki *keyIndex) bool {
		if ki.at(rev) != nil {
			victims = append(victims, ki)
		}
		return true
	})
	out := &DeleteRangeResponse{Deleted: int64(len(victims))}
	for _, ki := range victims {
		last := ki.last()
		if d.PrevKV {
			out.PrevKVs = append(out.PrevKVs, last.kv())
		}
		rec := &record{key: ki.key, main: w.rev, sub: int64(len(w.changes)), tomb: true, prev: last}
		ki.revs = append(ki.revs, rec)
		w.changes = append(w.changes, rec)
	}
	return out
}

// commit ends a write transaction: the revision moves only if something
// changed; the size grows; watchers hear of the changes.
func (s *Store) commit(w *writeTxn) {
	if len(w.changes) == 0 {
		return
	}
	s.rev = w.rev
	for _, rec := range w.changes {
		s.log = append(s.log, rec)
		s.sizeInUse += s.recordCost(rec)
		if rec.tomb {
			s.liveKeys--
			s.stats.Deletes++
		} else {
			if !rec.prev.live() {
				s.liveKeys++
			}
			s.stats.Puts++
		}
	}
	if s.sizeInUse > s.size {
		s.size = s.sizeInUse
	}
	s.notify(w.rev, w.changes)
}

// txn runs a transaction (already validated).
func (s *Store) txn(t *TxnRequest, resp *Response) {
	s.stats.Txns++
	ok := s.available(s.txnCost(t))
	succeeded := true
	for i := range t.Compare {
		if !s.compare(&t.Compare[i]) {
			succeeded = false
			break
		}
	}
	ops := t.Success
	if !succeeded {
		ops = t.Failure
	}
	// Ranges with an explicit revision are checked before anything is
	// written, against the revision the transaction starts from (etcd's
	// checkRequestRange), so a failing transaction changes nothing.
	for i := range ops {
		if r := ops[i].Range; r != nil && r.Revision > 0 {
			if r.Revision > s.rev {
				resp.Err = ErrFutureRev
				return
			}
			if r.Revision < s.compactRev {
				resp.Err = ErrCompacted
				return
			}
		}
	}
	out := &TxnResponse{Succeeded: succeeded, Responses: make([]OpResponse, len(ops))}
	w := s.begin()
	for i := range ops {
		op := &ops[i]
		switch {
		case op.Range != nil:
			rev := op.Range.Revision
			if rev <= 0 {
				rev = s.readRev(w)
			}
			out.Responses[i].Range = s.rangeAt(op.Range, rev)
		case op.Put != nil:
			out.Responses[i].Put = s.put(w, op.Put)
		case op.DeleteRange != nil:
			out.Responses[i].DeleteRange = s.deleteRange(w, op.DeleteRange)
		}
	}
	s.commit(w)
	resp.Txn = out
	s.quotaResult(resp, ok)
}

// compare evaluates one guard at the current revision (etcd's applyCompare).
func (s *Store) compare(c *Compare) bool {
	var kvs []*record
	s.ascend(c.Key, c.RangeEnd, func(ki *keyIndex) bool {
		if rec := ki.at(s.rev); rec != nil {
			kvs = append(kvs, rec)
		}
		return true
	})
	if len(kvs) == 0 {
		if c.Target == CompareValue {
			return false // a missing key has no value to compare
		}
		return compareKV(c, &record{})
	}
	for _, rec := range kvs {
		if !compareKV(c, rec) {
			return false
		}
	}
	return true
}

func compareKV(c *Compare, rec *record) bool {
	var r int
	switch c.Target {
	case CompareValue:
		r = bytes.Compare(rec.value, c.Value)
	case CompareVersion:
		r = cmpInt(rec.version, c.Int)
	case CompareCreate:
		r = cmpInt(rec.created, c.Int)
	case CompareMod:
		r = cmpInt(rec.main, c.Int)
	}
	switch c.Result {
	case CompareEqual:
		return r == 0
	case CompareNotEqual:
		return r != 0
	case CompareGreater:
		return r > 0
	case CompareLess:
		return r < 0
	}
	return false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compact removes what no read at or after rev can see. For each key it
// keeps the latest record at or below rev, and the records after it; that
// record goes too when it is a tombstone older than rev. A tombstone exactly
// at rev stays until the next compaction, so a watch from rev still sees the
// delete (the fix of etcd#18089).
func (s *Store) compact(rev int64) error {
	if rev <= s.compactRev {
		return ErrCompacted
	}
	if rev > s.rev {
		return ErrFutureRev
	}
	s.compactRev = rev
	s.stats.Compactions++
	before := s.sizeInUse
	var empty []*keyIndex
	s.tree.Ascend(func(ki *keyIndex) bool {
		i := sort.Search(len(ki.revs), func(i int) bool { return ki.revs[i].main > rev }) - 1
		if i < 0 {
			return true
		}
		keep := i
		if ki.revs[i].tomb && ki.revs[i].main < rev {
			keep = i + 1
		}
		if keep == 0 {
			return true
		}
		for _, r := range ki.revs[:keep] {
			r.dead = true
			r.prev = nil
			s.sizeInUse -= s.recordCost(r)
		}
		ki.revs = append([]*record(nil), ki.revs[keep:]...)
		if len(ki.revs) == 0 {
			empty = append(empty, ki)
		} else {
			ki.revs[0].prev = nil
		}
		return true
	})
	for _, ki := range empty {
		s.tree.Delete(ki)
	}
	// A fresh slice, not an in-place filter: a replay in progress may still
	// be reading the old one.
	kept := make([]*record, 0, len(s.log))
	for _, r := range s.log {
		if !r.dead {
			kept = append(kept, r)
		}
	}
	s.log = kept
	s.observe(notice{kind: "Compacted", revision: rev, before: before, after: s.sizeInUse})
	return nil
}
