package apiserver

import (
	"errors"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/storage/etcd"
)

// Stats count the API server's work against its store.
type Stats struct {
	// Writes that committed, and writes that failed because the store
	// could not commit them (no leader, timeouts, quota).
	CommittedWrites, FailedWrites uint64
	// Batches proposed to etcd (group commit).
	Batches uint64
	// WriteLatencies are the seconds from a write's arrival at the server
	// to its answer, in order (only with etcd).
	WriteLatencies []float64
}

// Stats returns the counters.
func (s *Server) Stats() Stats { return s.stats }

// maxBatchChanges keeps a batch's transaction under etcd's MaxTxnOps (128)
// even when the last operation adds a few changes.
const maxBatchChanges = 120

// UseEtcd makes the server commit every client write through an etcd
// server (ideal or raft-backed) before anyone sees it: the API server's
// object store becomes its watch cache, as kube-apiserver's is.
//
// Writes are group-committed: while one batch is in flight to etcd, the
// requests that arrive wait; when it completes, the waiting requests run
// against the cache in arrival order and their changes go to etcd as one
// transaction (an object per key under /registry/<kind>/<namespace>/<name>,
// serialized as YAML). Only when etcd commits are watchers notified and
// callers answered; when it fails (no leader, timeout, quota) the batch's
// changes are rolled back and every caller gets the error. Reads are served
// from the cache. kube-apiserver pipelines writes to etcd concurrently;
// group commit keeps kubesim's cache a prefix of etcd's log while giving
// the same per-write latency under light load and batching under heavy
// load. resourceVersions are the server's own counter, not etcd revisions.
//
// Like kube-apiserver (--etcd-compaction-interval, 5 minutes), the server
// compacts etcd's history every 5 minutes up to the revision it saw at the
// previous compaction, so the MVCC store keeps minutes of history, not
// all of it.
func (s *Server) UseEtcd(e *etcd.Server) {
	s.etcd = e
	var last int64
	var tick sim.HandlerFunc
	tick = func(sim.Time) {
		if last > 0 {
			e.Compact(last, nil)
		}
		last = e.Backend().Store().Rev()
		s.k.After(CompactionInterval, tick)
	}
	s.k.After(CompactionInterval, tick)
}

// CompactionInterval is kube-apiserver's default etcd compaction interval.
const CompactionInterval = 5 * time.Minute

// pendingOp is a client write waiting for its batch.
type pendingOp struct {
	exec    func()
	finish  func(commitErr error)
	arrived sim.Time
	read    bool
}

// batch collects the changes and watch events of the operations it runs.
type batch struct {
	ops     []*pendingOp
	changes []change
	events  []heldEvent
}

type change struct {
	kind, key string
	prior     model.Object // nil: the key did not exist
	final     model.Object // nil: deleted
}

type heldEvent struct {
	kind string
	ev   model.WatchEvent
}

// record notes what a notification says changed.
func (b *batch) record(kind string, ev model.WatchEvent) {
	c := change{kind: kind, key: model.Key(ev.Object)}
	switch ev.Type {
	case model.Added:
		c.final = ev.Object
	case model.Modified:
		c.prior, c.final = ev.Old, ev.Object
	case model.Deleted:
		c.prior = ev.Object
		if ev.Old != nil {
			c.prior = ev.Old
		}
	}
	b.changes = append(b.changes, c)
	b.events = append(b.events, heldEvent{kind: kind, ev: ev})
}

// submit queues a write; it runs when its batch forms.
func (s *Server) submit(op *pendingOp) {
	op.arrived = s.k.Now()
	s.queue = append(s.queue, op)
	if !s.inFlight {
		s.startBatch()
	}
}

// startBatch runs waiting writes against the cache until a batch has
// changes to commit, and proposes it.
func (s *Server) startBatch() {
	for len(s.queue) > 0 {
		b := &batch{}
		s.cur = b
		for len(s.queue) > 0 && len(b.changes) < maxBatchChanges {
			op := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			op.exec()
			b.ops = append(b.ops, op)
		}
		s.cur = nil
		if len(b.changes) == 0 {
			for _, op := range b.ops {
				op.finish(nil) // rejected by validation, or nothing to change
			}
			continue
		}
		s.propose(b)
		return
	}
}

func (s *Server) propose(b *batch) {
	s.inFlight = true
	s.stats.Batches++
	// The last change to each key wins.
	last := map[string]int{}
	var order []string
	for i, c := range b.changes {
		k := "/registry/" + strings.ToLower(c.kind) + "/" + c.key
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = i
	}
	var ops []etcd.RequestOp
	for _, k := range order {
		c := b.changes[last[k]]
		if c.final == nil {
			ops = append(ops, etcd.OpDelete([]byte(k), nil))
			continue
		}
		data, err := yaml.Marshal(c.final)
		if err != nil {
			data = []byte(err.Error())
		}
		ops = append(ops, etcd.OpPut([]byte(k), data))
	}
	s.etcd.Txn(etcd.TxnRequest{Success: ops}, func(_ *etcd.Response, err error) {
		s.inFlight = false
		if err != nil {
			s.rollback(b)
			serr := storeError(err)
			for _, op := range b.ops {
				if op.read {
					op.finish(serr)
					continue
				}
				s.stats.FailedWrites++
				s.stats.WriteLatencies = append(s.stats.WriteLatencies, s.k.Now().Sub(op.arrived).Seconds())
				op.finish(serr)
			}
		} else {
			for _, he := range b.events {
				s.deliver(he.kind, he.ev)
			}
			for _, op := range b.ops {
				if op.read {
					op.finish(nil)
					continue
				}
				s.stats.CommittedWrites++
				s.stats.WriteLatencies = append(s.stats.WriteLatencies, s.k.Now().Sub(op.arrived).Seconds())
				op.finish(nil)
			}
		}
		s.startBatch()
	})
}

// rollback restores the cache as it was before the batch, newest first.
func (s *Server) rollback(b *batch) {
	for i := len(b.changes) - 1; i >= 0; i-- {
		c := b.changes[i]
		if c.prior == nil {
			delete(s.bucket(c.kind), c.key)
		} else {
			s.bucket(c.kind)[c.key] = c.prior
		}
	}
}

// storeError turns an etcd failure into the API error a client sees:
// timeouts and a missing leader as Timeout (kube-apiserver answers 504
// "the server was unable to return a response in the time allotted"),
// the space quota as InternalError.
func storeError(err error) error {
	switch {
	case errors.Is(err, etcd.ErrTimeout), errors.Is(err, etcd.ErrNoLeader):
		return &model.StatusError{Reason: model.ReasonTimeout, Kind: "", Key: "",
			Message: "the server was unable to return a response in the time allotted, but may still be processing the request (" + err.Error() + ")"}
	}
	return &model.StatusError{Reason: model.ReasonInternalError, Message: err.Error()}
}
