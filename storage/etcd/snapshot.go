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

// Image is an immutable copy of a store's state: what a snapshot encodes,
// kept in memory. It shares keys and values with the store, which never
// changes a key or value it holds, so an image costs a few dozen bytes per
// record rather than a copy of every value. A raft member keeps its latest
// snapshot as an Image and sends it to lagging followers as one.
type Image struct {
	applied    uint64
	rev        int64
	compactRev int64
	size       int64
	noSpace    bool
	keys       []imageKey
}

type imageKey struct {
	key  []byte
	recs []imageRecord // oldest first
}

type imageRecord struct {
	value   []byte
	main    int64
	sub     int64
	created int64
	version int64
	tomb    bool
}

// Image returns the store's state as an Image.
func (s *Store) Image() *Image {
	img := &Image{applied: s.applied, rev: s.rev, compactRev: s.compactRev, size: s.size, noSpace: s.noSpace,
		keys: make([]imageKey, 0, s.tree.Len())}
	s.tree.Ascend(func(ki *keyIndex) bool {
		recs := make([]imageRecord, len(ki.revs))
		for i, r := range ki.revs {
			recs[i] = imageRecord{value: r.value, main: r.main, sub: r.sub, created: r.created, version: r.version, tomb: r.tomb}
		}
		img.keys = append(img.keys, imageKey{key: ki.key, recs: recs})
		return true
	})
	return img
}

// Snapshot encodes the store's state. Two stores that applied the same
// entries produce identical bytes.
func (s *Store) Snapshot() []byte { return s.Image().Encode(s.sizeInUse) }

// Encode writes the image in the snapshot format; sizeHint presizes the
// buffer.
func (img *Image) Encode(sizeHint int64) []byte {
	e := enc{b: make([]byte, 0, 64+max(sizeHint, 0))}
	e.b = append(e.b, snapshotMagic...)
	e.uvarint(img.applied)
	e.varint(img.rev)
	e.varint(img.compactRev)
	e.varint(img.size)
	e.bool1(img.noSpace)
	e.uvarint(uint64(len(img.keys)))
	for _, k := range img.keys {
		e.bytes(k.key)
		e.uvarint(uint64(len(k.recs)))
		for _, r := range k.recs {
			e.varint(r.main)
			e.varint(r.sub)
			e.bool1(r.tomb)
			if !r.tomb {
				e.bytes(r.value)
				e.varint(r.created)
				e.varint(r.version)
			}
		}
	}
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
	img, err := decodeImage(data)
	if err != nil {
		return err
	}
	s.RestoreImage(img)
	return nil
}

// decodeImage reads and checks a snapshot.
func decodeImage(data []byte) (*Image, error) {
	if !bytes.HasPrefix(data, []byte(snapshotMagic)) {
		return nil, errors.New("etcd: not a kubesim etcd snapshot")
	}
	d := dec{b: data[len(snapshotMagic):]}
	img := &Image{applied: d.uvarint(), rev: d.varint(), compactRev: d.varint(), size: d.varint(), noSpace: d.bool1()}
	nkeys := d.count(2)
	img.keys = make([]imageKey, 0, nkeys)
	var prevKey []byte
	for k := 0; k < nkeys && d.err == nil; k++ {
		key := d.bytes()
		if len(key) == 0 || (k > 0 && bytes.Compare(prevKey, key) >= 0) {
			d.fail(errors.New("etcd: snapshot keys out of order"))
			break
		}
		prevKey = key
		n := d.count(3)
		if n == 0 && d.err == nil {
			d.fail(errors.New("etcd: snapshot key without records"))
		}
		recs := make([]imageRecord, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			r := imageRecord{main: d.varint(), sub: d.varint(), tomb: d.bool1()}
			if !r.tomb {
				r.value = d.bytes()
				r.created = d.varint()
				r.version = d.varint()
			}
			if r.main < 1 || r.main > img.rev || r.sub < 0 || (i > 0 && recs[i-1].main >= r.main) {
				d.fail(errors.New("etcd: snapshot revisions out of order"))
				break
			}
			recs = append(recs, r)
		}
		img.keys = append(img.keys, imageKey{key: key, recs: recs})
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail(errors.New("etcd: trailing bytes after snapshot"))
	}
	if d.err == nil && (img.rev < 1 || img.compactRev < 0 || img.compactRev > img.rev || img.size < 0) {
		d.fail(errors.New("etcd: snapshot header out of range"))
	}
	if d.err != nil {
		return nil, d.err
	}
	return img, nil
}

// RestoreImage replaces the store's state with an image, like Restore. The
// image is not changed and may be restored again.
func (s *Store) RestoreImage(img *Image) {
	tree := btree.NewG[*keyIndex](32, keyLess)
	var log []*record
	var inUse int64
	live := 0
	for _, k := range img.keys {
		ki := &keyIndex{key: k.key, revs: make([]*record, 0, len(k.recs))}
		var last *record
		for _, ir := range k.recs {
			r := &record{key: k.key, value: ir.value, main: ir.main, sub: ir.sub, created: ir.created,
				version: ir.version, tomb: ir.tomb, prev: last}
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
	sort.Slice(log, func(i, j int) bool {
		if log[i].main != log[j].main {
			return log[i].main < log[j].main
		}
		return log[i].sub < log[j].sub
	})
	s.tree = tree
	s.log = log
	s.rev = img.rev
	s.compactRev = img.compactRev
	s.applied = img.applied
	s.liveKeys = live
	s.sizeInUse = inUse
	s.size = max(img.size, inUse)
	wasNoSpace := s.noSpace
	noSpace := img.noSpace
	s.noSpace = noSpace
	s.last = nil
	switch {
	case noSpace && !wasNoSpace:
		s.observe(notice{kind: "AlarmRaised", revision: s.rev, before: s.size, after: s.cfg.QuotaBytes})
	case !noSpace && wasNoSpace:
		s.observe(notice{kind: "AlarmDisarmed", revision: s.rev, before: s.size, after: s.cfg.QuotaBytes})
	}
	s.resync()
}
