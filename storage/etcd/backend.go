package etcd

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Backend is what a Server needs from the replication layer below it: a way
// to order writes, a read barrier, and the store its reads and watches are
// served from. NewIdealBackend and NewRaftBackend make the two kinds.
//
// A backend calls back from kernel events (a commit, an apply); it never
// calls a callback from inside the call that registered it, except
// ReadIndex's when the barrier is already satisfied.
type Backend interface {
	// Store returns the store this backend serves reads and watches from (a
	// raft cluster: the member the client is connected to).
	Store() *Store
	// NewID returns a request ID not used before on this backend.
	NewID() uint64
	// Propose submits an encoded request. done is called at most once, with
	// the response, when the request has been applied. An error means the
	// request was not accepted (e.g. there is no leader); it may be retried.
	Propose(id uint64, data []byte, done func(*Response)) error
	// Forget drops the callback of a request the caller gave up on, and
	// returns its response if the request is in fact known to be applied.
	Forget(id uint64) *Response
	// ReadIndex calls done(nil) once the serving store has applied every
	// entry committed when ReadIndex was called, or done(err) if the barrier
	// could not be established (e.g. no leader); it may never call done if
	// the cluster loses its leader meanwhile.
	ReadIndex(done func(err error))
	// HasLeader reports whether writes can currently commit.
	HasLeader() bool
}

// journal records the serving store's aggregate state changes.
func journal(k *sim.Kernel, object string, st *Store) {
	st.observers = append(st.observers, func(n notice) {
		ev := sim.Event{T: k.Now(), Kind: n.kind, Source: "etcd", Object: object}
		switch n.kind {
		case "AlarmRaised", "AlarmDisarmed":
			ev.Fields = []sim.Field{sim.F("alarm", AlarmNoSpace.String()), sim.F("revision", n.revision),
				sim.F("dbSizeBytes", n.before), sim.F("quotaBytes", n.after)}
		case "Compacted":
			ev.Fields = []sim.Field{sim.F("revision", n.revision), sim.F("inUseBeforeBytes", n.before),
				sim.F("inUseAfterBytes", n.after)}
		case "Defragmented":
			ev.Fields = []sim.Field{sim.F("revision", n.revision), sim.F("dbSizeBeforeBytes", n.before),
				sim.F("dbSizeAfterBytes", n.after)}
		}
		k.Journal().Record(ev)
	})
}

// IdealBackend is one store behind a modelled commit latency, with no
// consensus: the "ideal" control-plane fidelity for sweeps where etcd is not
// the subject. Writes commit in the order they were proposed, each after a
// latency drawn from the stream "etcd/ideal/commit" (later proposals never
// overtake earlier ones); reads are immediate; there is always a leader.
type IdealBackend struct {
	k       *sim.Kernel
	store   *Store
	latency sim.Sampler
	last    sim.Time
	index   uint64
	ids     uint64
	waiting map[uint64]func(*Response)
}

var _ Backend = (*IdealBackend)(nil)

// NewIdealBackend returns an ideal backend over a new store with etcd's
// default configuration. commitLatency is in seconds; a zero Dist (empty
// Kind) means no latency. An invalid distribution panics: validate scenario
// input before building.
func NewIdealBackend(k *sim.Kernel, commitLatency sim.Dist) *IdealBackend {
	return NewIdealBackendWithStore(k, commitLatency, NewStore(Config{}))
}

// NewIdealBackendWithStore is NewIdealBackend over a given store.
func NewIdealBackendWithStore(k *sim.Kernel, commitLatency sim.Dist, st *Store) *IdealBackend {
	b := &IdealBackend{k: k, store: st, waiting: make(map[uint64]func(*Response))}
	if commitLatency.Kind != "" {
		smp, err := commitLatency.Sampler(k.Rand("etcd/ideal/commit"))
		if err != nil {
			panic(fmt.Sprintf("etcd: ideal backend commit latency: %v", err))
		}
		b.latency = smp
	}
	journal(k, "", st)
	return b
}

// seconds converts a sampled value in seconds to a non-negative Duration.
func seconds(v float64) sim.Duration {
	if !(v > 0) {
		return 0
	}
	if v > float64(1<<62)/float64(time.Second) {
		return sim.Duration(1 << 62)
	}
	return sim.Duration(v * float64(time.Second))
}

// Store returns the store.
func (b *IdealBackend) Store() *Store { return b.store }

// NewID returns the next request ID.
func (b *IdealBackend) NewID() uint64 { b.ids++; return b.ids }

// HasLeader is always true.
func (b *IdealBackend) HasLeader() bool { return true }

// ReadIndex calls done(nil) at once: the single store is always current.
func (b *IdealBackend) ReadIndex(done func(error)) { done(nil) }

// Propose schedules the commit of data after the modelled latency.
func (b *IdealBackend) Propose(id uint64, data []byte, done func(*Response)) error {
	at := b.k.Now()
	if b.latency != nil {
		at = at.Add(seconds(b.latency.Sample()))
	}
	if at < b.last {
		at = b.last
	}
	b.last = at
	if done != nil {
		b.waiting[id] = done
	}
	b.k.At(at, &idealCommit{b: b, id: id, data: data})
	return nil
}

// Forget drops a request's callback. The ideal store keeps no response of a
// request it has not committed, so there is nothing to return early.
func (b *IdealBackend) Forget(id uint64) *Response {
	delete(b.waiting, id)
	if r, ok := b.store.Response(id); ok {
		return r
	}
	return nil
}

type idealCommit struct {
	b    *IdealBackend
	id   uint64
	data []byte
}

func (c *idealCommit) Fire(sim.Time) {
	b := c.b
	b.index++
	b.store.Apply(b.index, c.data)
	if done, ok := b.waiting[c.id]; ok {
		delete(b.waiting, c.id)
		resp := b.store.last
		if resp == nil {
			resp = &Response{ID: c.id, Revision: b.store.Rev(), Err: ErrInvalidRequest}
		}
		done(resp)
	}
}
