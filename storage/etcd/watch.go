package etcd

import "sort"

// WatchID names a watch on one store.
type WatchID int64

// watchBatchMaxRevs caps the revisions of history handed to a watch in one
// call while it catches up (etcd's watchBatchMaxRevs in mvcc/watcher_group.go).
const watchBatchMaxRevs = 1000

type watcher struct {
	id       WatchID
	key, end []byte
	next     int64 // the first revision not yet delivered
	fn       func([]Event)
	ended    func(error)
	gone     bool
}

type batch struct {
	rev     int64
	changes []*record
}

type watchState struct {
	list       []*watcher // in id order
	byID       map[WatchID]*watcher
	lastID     WatchID
	queue      []batch
	delivering bool
}

// Watch delivers every change to the keys of (key, end) from revision
// startRev on, in revision order, without gaps or duplicates: fn receives the
// events of one revision (or, while catching up on history, of up to 1000
// revisions) at a time. startRev 0 means "changes after now"; a startRev at
// or below the current revision first replays the history, before Watch
// returns; a future startRev waits for it. A startRev below the compacted
// revision fails with ErrCompacted.
//
// fn runs inside the call that made the change (Apply, Put, ...). It may
// write to the store: the nested changes are delivered after the current
// ones, still in order.
func (s *Store) Watch(key, end []byte, startRev int64, fn func([]Event)) (WatchID, error) {
	return s.WatchWithEnd(key, end, startRev, fn, nil)
}

// WatchWithEnd is Watch with a callback for when the store ends the watch
// itself: after Restore moved the compacted revision past what the watch has
// seen, ended(ErrCompacted) is called and the watch is gone (etcd sends a
// WatchResponse with CompactRevision set and cancels).
func (s *Store) WatchWithEnd(key, end []byte, startRev int64, fn func([]Event), ended func(error)) (WatchID, error) {
	if startRev > 0 && startRev < s.compactRev {
		return 0, ErrCompacted
	}
	ws := &s.watch
	if ws.byID == nil {
		ws.byID = make(map[WatchID]*watcher)
	}
	ws.lastID++
	w := &watcher{id: ws.lastID, key: clone(key), end: clone(end), next: startRev, fn: fn, ended: ended}
	if startRev <= 0 {
		w.next = s.rev + 1
	}
	ws.list = append(ws.list, w)
	ws.byID[w.id] = w
	if w.next <= s.rev {
		s.deliver(func() { s.replay(w) })
	}
	return w.id, nil
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// Cancel ends a watch and reports whether it existed. No event is delivered
// to it afterwards, even from a change being delivered right now.
func (s *Store) Cancel(id WatchID) bool {
	ws := &s.watch
	w, ok := ws.byID[id]
	if !ok {
		return false
	}
	s.dropWatcher(w)
	return true
}

func (s *Store) dropWatcher(w *watcher) {
	ws := &s.watch
	w.gone = true
	delete(ws.byID, w.id)
	i := sort.Search(len(ws.list), func(i int) bool { return ws.list[i].id >= w.id })
	if i < len(ws.list) && ws.list[i] == w {
		ws.list = append(ws.list[:i], ws.list[i+1:]...)
	}
}

// notify queues the changes of one committed revision for the watchers.
func (s *Store) notify(rev int64, changes []*record) {
	if len(s.watch.list) == 0 {
		return
	}
	s.watch.queue = append(s.watch.queue, batch{rev: rev, changes: changes})
	s.deliver(nil)
}

// deliver runs f, then hands queued revisions to the watchers in order. A
// change made by a watcher's callback lands in the queue and is delivered by
// the outermost call, after the revision being delivered: never out of order.
func (s *Store) deliver(f func()) {
	ws := &s.watch
	if ws.delivering {
		if f != nil {
			f()
		}
		return
	}
	ws.delivering = true
	defer func() { ws.delivering = false }()
	if f != nil {
		f()
	}
	for len(ws.queue) > 0 {
		b := ws.queue[0]
		ws.queue[0] = batch{}
		ws.queue = ws.queue[1:]
		list := append([]*watcher(nil), ws.list...)
		for _, w := range list {
			if w.gone || w.next > b.rev {
				continue
			}
			evs := eventsFor(w, b.changes)
			w.next = b.rev + 1
			if len(evs) > 0 {
				s.stats.Events += uint64(len(evs))
				w.fn(evs)
			}
		}
	}
	ws.queue = nil
}

func eventsFor(w *watcher, changes []*record) []Event {
	var evs []Event
	for _, rec := range changes {
		if inRange(rec.key, w.key, w.end) {
			evs = append(evs, eventOf(rec))
		}
	}
	return evs
}

func eventOf(rec *record) Event {
	ev := Event{KV: rec.kv()}
	if rec.tomb {
		ev.Type = EventDelete
	}
	if rec.prev.live() {
		p := rec.prev.kv()
		ev.PrevKV = &p
	}
	return ev
}

// replay hands w the retained history from w.next to the current revision,
// in batches of at most watchBatchMaxRevs revisions.
func (s *Store) replay(w *watcher) {
	upto := s.rev
	i := sort.Search(len(s.log), func(i int) bool { return s.log[i].main >= w.next })
	var evs []Event
	revs := 0
	var lastRev int64
	flush := func() {
		if len(evs) > 0 && !w.gone {
			s.stats.Events += uint64(len(evs))
			w.fn(evs)
		}
		evs, revs = nil, 0
	}
	for ; i < len(s.log) && s.log[i].main <= upto && !w.gone; i++ {
		rec := s.log[i]
		if !inRange(rec.key, w.key, w.end) {
			continue
		}
		if rec.main != lastRev {
			if revs == watchBatchMaxRevs {
				w.next = lastRev + 1
				flush()
			}
			revs++
			lastRev = rec.main
		}
		evs = append(evs, eventOf(rec))
	}
	w.next = upto + 1
	flush()
}

// resync runs after Restore: watches that fell below the new compacted
// revision end with ErrCompacted; the others catch up from the new history.
func (s *Store) resync() {
	list := append([]*watcher(nil), s.watch.list...)
	s.deliver(func() {
		for _, w := range list {
			if w.gone {
				continue
			}
			if w.next < s.compactRev {
				s.dropWatcher(w)
				if w.ended != nil {
					w.ended(ErrCompacted)
				}
				continue
			}
			if w.next <= s.rev {
				s.replay(w)
			}
		}
	})
}

// adopt takes over old's watches and observers: a member restarted with a
// fresh store keeps serving the watches opened on it. Each resumes from the
// revision it had reached, as the new store is rebuilt (Restore, Apply).
func (s *Store) adopt(old *Store) {
	s.watch = old.watch
	s.watch.queue = nil
	s.watch.delivering = false
	old.watch = watchState{}
	s.observers = old.observers
	old.observers = nil
}
