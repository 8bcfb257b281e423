package etcd

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/google/btree"
)

// The snapshot format: the whole MVCC state, keys in order, each key's
// records oldest first. Watches and the response cache are local to a member
// and not part of it.
//
//	snapshot = "KSS" version(1) uvarint(applied) varint(rev) varint(compactRev)
//	           varint(size) bool(noSpace) uvarint(nkeys) key*nkeys
//	key      = bytes(key) uvarint(nrecs) rec*nrecs
//	rec      = varint(main) varint(sub) bool(tomb) [bytes(value) varint(created) varint(version)]
const snapshotMagic = "KSS\x01"

// Snapshot encodes the store's state. Two stores that applied the same
// entries produce identical bytes.
func (s *Store) Snapshot() []byte {
	e := enc{b: make([]byte, 0, 64+s.sizeInUse)}
	e.b = append(e.b, snapshotMagic...)
	e.uvarint(s.applied)
	e.varint(s.rev)
	e.varint(s.compactRev)
	e.varint(s.size)
	e.bool1(s.noSpace)
	e.uvarint(uint64(s.tree.Len()))
	s.tree.Ascend(func(ki *keyIndex) bool {
		e.bytes(ki.key)
		e.uvarint(uint64(len(ki.revs)))
		for _, r := range ki.revs {
			e.varint(r.main)
			e.varint(r.sub)
			e.bool1(r.tomb)
			if !r.tomb {
				e.bytes(r.value)
				e.varint(r.created)
				e.varint(r.version)
			}
		}
		return true
	})
	return e.b
}

// Restore replaces the store's state with a snapshot, as a raft member does
// when it installs one. It panics on a corrupt snapshot (etcd treats that as
// fatal); use RestoreSnapshot to get the error instead. Open watches stay:
// each catches up from the restored history, or ends with ErrCompacted when
// that history no longer reaches back to it.
func (s *Store) Restore(data []byte) {
	if err := s.RestoreSnapshot(data); err != nil {
		panic(fmt.Sprintf("etcd: restore: %v", err))
	}
}

// RestoreSnapshot is Restore returning an error; on error the store is
// unchanged.
func (s *Store) RestoreSnapshot(data []byte) error {
	if !bytes.HasPrefix(data, []byte(snapshotMagic)) {
		return errors.New("etcd: not a kubesim etcd snapshot")
	}
	d := dec{b: data[len(snapshotMagic):]}
	applied := d.uvarint()
	rev := d.varint()
	compactRev := d.varint()
	size := d.varint()
	noSpace := d.bool1()
	nkeys := d.count(2)
	tree := btree.NewG[*keyIndex](32, keyLess)
	var log []*record
	var prevKey []byte
	var inUse int64
	live := 0
	for k := 0; k < nkeys && d.err == nil; k++ {
		key := d.bytes()
		if len(key) == 0 || (k > 0 && bytes.Compare(prevKey, key) >= 0) {
			d.fail(errors.New("etcd: snapshot keys out of order"))
			break
		}
		prevKey = key
		ki := &keyIndex{key: key}
		n := d.count(3)
		if n == 0 && d.err == nil {
			d.fail(errors.New("etcd: snapshot key without records"))
		}
		var last *record
		for i := 0; i < n && d.err == nil; i++ {
			r := &record{key: key, main: d.varint(), sub: d.varint(), tomb: d.bool1(), prev: last}
			if !r.tomb {
				r.value = d.bytes()
				r.created = d.varint()
				r.version = d.varint()
			}
			if r.main < 1 || r.main > rev || r.sub < 0 || (last != nil && last.main >= r.main) {
				d.fail(errors.New("etcd: snapshot revisions out of order"))
				break
			}
			ki.revs = append(ki.revs, r)
			log = append(log, r)
			inUse += s.recordCost(r)
			last = r
		}
		if last.live() {
			live++
		}
		tree.ReplaceOrInsert(ki)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail(errors.New("etcd: trailing bytes after snapshot"))
	}
	if d.err == nil && (rev < 1 || compactRev < 0 || compactRev > rev || size < 0) {
		d.fail(errors.New("etcd: snapshot header out of range"))
	}
	if d.err != nil {
		return d.err
	}
	sort.Slice(log, func(i, j int) bool {
		if log[i].main != log[j].main {
			return log[i].main < log[j].main
		}
		return log[i].sub < log[j].sub
	})
	s.tree = tree
	s.log = log
	s.rev = rev
	s.compactRev = compactRev
	s.applied = applied
	s.liveKeys = live
	s.sizeInUse = inUse
	s.size = max(size, inUse)
	wasNoSpace := s.noSpace
	s.noSpace = noSpace
	s.last = nil
	switch {
	case noSpace && !wasNoSpace:
		s.observe(notice{kind: "AlarmRaised", revision: s.rev, before: s.size, after: s.cfg.QuotaBytes})
	case !noSpace && wasNoSpace:
		s.observe(notice{kind: "AlarmDisarmed", revision: s.rev, before: s.size, after: s.cfg.QuotaBytes})
	}
	s.resync()
	return nil
}
