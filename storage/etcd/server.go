package etcd

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Server defaults.
const (
	// DefaultRequestTimeout is etcd's request timeout with default flags:
	// 5 s "for queue waiting, computation and disk IO delay" plus two
	// election timeouts (2 × 1 s) "for possible leader election"
	// (server/config/config.go ReqTimeout).
	DefaultRequestTimeout = 7 * time.Second
	// DefaultReadIndexRetryInterval is how often a linearizable read retries
	// ReadIndex (etcd's readIndexRetryTime, server/etcdserver/v3_server.go).
	DefaultReadIndexRetryInterval = 500 * time.Millisecond
	// DefaultProposalRetryInterval is how often a write that could not be
	// proposed (no leader) is offered again: one heartbeat interval, etcd's
	// default --heartbeat-interval (kubesim's choice of period).
	DefaultProposalRetryInterval = 100 * time.Millisecond
)

// ServerConfig configures a Server. The zero value means the defaults.
type ServerConfig struct {
	// RequestTimeout bounds every request; 0 means DefaultRequestTimeout.
	RequestTimeout sim.Duration
	// ReadIndexRetryInterval: 0 means DefaultReadIndexRetryInterval.
	ReadIndexRetryInterval sim.Duration
	// ProposalRetryInterval: 0 means DefaultProposalRetryInterval.
	ProposalRetryInterval sim.Duration
	// WatchLatency delays each watch delivery, in seconds, drawn from the
	// stream "etcd/watch"; a zero Dist means none. Deliveries of one watch
	// never overtake each other.
	WatchLatency sim.Dist
}

// RangeOptions qualify a Server range.
type RangeOptions struct {
	Revision    int64 // 0 = current
	Limit       int64 // 0 = no limit
	CountOnly   bool
	Consistency Consistency
}

// WatchResponse is one delivery to a Server watch: events, or the end of the
// watch (Canceled, with Err and, for ErrCompacted, the compacted revision).
type WatchResponse struct {
	WatchID         WatchID
	Events          []Event
	Canceled        bool
	Err             error
	CompactRevision int64
}

// ServerStats counts a server's requests by kind and outcome.
type ServerStats struct {
	Puts, Deletes, Txns, Ranges, Compactions, Defrags, AlarmDisarms uint64 // requests received

	Succeeded uint64
	Failed    uint64 // every completion with an error, including the ones below
	Timeouts  uint64 // ErrTimeout
	NoLeader  uint64 // ErrNoLeader
	NoSpace   uint64 // ErrNoSpace
	TooLarge  uint64 // ErrRequestTooLarge

	ProposalRetries  uint64
	ReadIndexRetries uint64
	InFlight         int

	WatchesOpen int
	WatchEvents uint64 // events delivered to watch callbacks

	Store StoreStats // the serving store's
}

// Server is the etcd API a client (the API server) talks to, in simulated
// time: every call returns at once and its callback runs later, as a kernel
// event of its own, never inside the call.
//
// Writes are validated (key, size, transaction shape), checked against the
// quota, encoded and proposed to the backend; they complete when applied, or
// fail after RequestTimeout. Reads are served locally (serializable) or
// behind a read barrier (linearizable); read-only transactions take the read
// path, as in etcd.
//
// Without a leader, a write cannot be proposed. The server keeps it and
// offers it again every ProposalRetryInterval; linearizable reads retry
// ReadIndex every ReadIndexRetryInterval. Whatever has not completed when
// RequestTimeout expires fails with ErrNoLeader if the cluster still has no
// leader then, else ErrTimeout. This is what a client of etcd sees: raft
// drops proposals without a leader, etcd's client retries unavailable
// requests, and etcd's request timeout (7 s) covers two elections, so
// requests queue through a normal election and fail only on a long outage.
type Server struct {
	k        *sim.Kernel
	b        Backend
	cfg      ServerConfig
	watchLat sim.Sampler
	watches  map[WatchID]*serverWatch
	lastW    WatchID
	stats    ServerStats
}

// NewServer returns a server over backend.
func NewServer(k *sim.Kernel, backend Backend, cfg ServerConfig) *Server {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.ReadIndexRetryInterval <= 0 {
		cfg.ReadIndexRetryInterval = DefaultReadIndexRetryInterval
	}
	if cfg.ProposalRetryInterval <= 0 {
		cfg.ProposalRetryInterval = DefaultProposalRetryInterval
	}
	s := &Server{k: k, b: backend, cfg: cfg, watches: make(map[WatchID]*serverWatch)}
	if cfg.WatchLatency.Kind != "" {
		smp, err := cfg.WatchLatency.Sampler(k.Rand("etcd/watch"))
		if err != nil {
			panic("etcd: server watch latency: " + err.Error())
		}
		s.watchLat = smp
	}
	backend.Store() // bind the serving store (and its journal) now
	return s
}

// Backend returns the server's backend.
func (s *Server) Backend() Backend { return s.b }

// Stats returns the server's counters and its serving store's.
func (s *Server) Stats() ServerStats {
	st := s.stats
	st.WatchesOpen = len(s.watches)
	st.Store = s.b.Store().Stats()
	return st
}

// call is one request in flight.
type call struct {
	s        *Server
	id       uint64
	req      *Request
	data     []byte
	done     func(*Response, error)
	timer    sim.Timer
	retry    sim.Timer
	finished bool
	read     bool
}

// Put writes key.
func (s *Server) Put(key, value []byte, done func(*Response, error)) {
	s.stats.Puts++
	s.write(&Request{Put: &PutRequest{Key: key, Value: value}}, done)
}

// Delete deletes the keys of (key, end).
func (s *Server) Delete(key, end []byte, done func(*Response, error)) {
	s.stats.Deletes++
	s.write(&Request{DeleteRange: &DeleteRangeRequest{Key: key, RangeEnd: end}}, done)
}

// Txn runs a transaction. One that only reads is served on the read path
// (linearizable) without a proposal.
func (s *Server) Txn(req TxnRequest, done func(*Response, error)) {
	s.stats.Txns++
	r := &Request{Txn: &req}
	if txnReadOnly(&req) {
		s.readReq(r, Linearizable, done)
		return
	}
	s.write(r, done)
}

func txnReadOnly(t *TxnRequest) bool {
	for _, ops := range [][]RequestOp{t.Success, t.Failure} {
		for i := range ops {
			if ops[i].Range == nil {
				return false
			}
		}
	}
	return true
}

// Range reads (key, end) with the given options.
func (s *Server) Range(key, end []byte, opts RangeOptions, done func(*Response, error)) {
	s.stats.Ranges++
	s.readReq(&Request{Range: &RangeRequest{Key: key, RangeEnd: end, Revision: opts.Revision,
		Limit: opts.Limit, CountOnly: opts.CountOnly}}, opts.Consistency, done)
}

// Compact compacts the history up to rev, through the log.
func (s *Server) Compact(rev int64, done func(*Response, error)) {
	s.stats.Compactions++
	s.write(&Request{Compaction: &CompactionRequest{Revision: rev}}, done)
}

// Defrag defragments every member's database, through the log (see
// Store.Defrag for why kubesim replicates it).
func (s *Server) Defrag(done func(*Response, error)) {
	s.stats.Defrags++
	s.write(&Request{Defrag: &DefragRequest{}}, done)
}

// DisarmAlarm clears the NOSPACE alarm, through the log.
func (s *Server) DisarmAlarm(done func(*Response, error)) {
	s.stats.AlarmDisarms++
	s.write(&Request{Alarm: &AlarmRequest{Action: AlarmDeactivate, Alarm: AlarmNoSpace}}, done)
}

// Alarms returns the serving store's active alarms.
func (s *Server) Alarms() []AlarmType { return s.b.Store().Alarms() }

// reply runs done as a kernel event of its own and counts the outcome.
func (s *Server) reply(done func(*Response, error), resp *Response, err error) {
	if err == nil {
		s.stats.Succeeded++
	} else {
		s.stats.Failed++
		switch err {
		case ErrTimeout:
			s.stats.Timeouts++
		case ErrNoLeader:
			s.stats.NoLeader++
		case ErrNoSpace:
			s.stats.NoSpace++
		case ErrRequestTooLarge:
			s.stats.TooLarge++
		}
	}
	if done == nil {
		return
	}
	s.k.AfterFunc(0, func(sim.Time) { done(resp, err) })
}

func (s *Server) write(req *Request, done func(*Response, error)) {
	req.ID = s.b.NewID()
	st := s.b.Store()
	if err := st.validate(req); err != nil {
		s.reply(done, nil, err)
		return
	}
	if !st.QuotaAvailable(req) {
		// etcd's gRPC quota check: refuse before proposing, and raise the
		// alarm cluster-wide if it is not up yet.
		if !st.noSpace {
			alarm := &Request{ID: s.b.NewID(), Alarm: &AlarmRequest{Action: AlarmActivate, Alarm: AlarmNoSpace}}
			if data, err := alarm.Marshal(); err == nil {
				_ = s.b.Propose(alarm.ID, data, nil)
			}
		}
		s.reply(done, nil, ErrNoSpace)
		return
	}
	data, err := req.Marshal()
	if err != nil {
		s.reply(done, nil, err)
		return
	}
	c := &call{s: s, id: req.ID, req: req, data: data, done: done}
	s.stats.InFlight++
	c.timer = s.k.AfterFunc(s.cfg.RequestTimeout, c.timeout)
	c.propose(s.k.Now())
}

func (c *call) propose(sim.Time) {
	if c.finished {
		return
	}
	if err := c.s.b.Propose(c.id, c.data, c.applied); err != nil {
		c.s.stats.ProposalRetries++
		c.retry = c.s.k.AfterFunc(c.s.cfg.ProposalRetryInterval, c.propose)
	}
}

func (c *call) applied(resp *Response) { c.finish(resp, resp.Err) }

func (c *call) finish(resp *Response, err error) {
	if c.finished {
		return
	}
	c.finished = true
	c.s.stats.InFlight--
	c.s.k.Cancel(c.timer)
	c.s.k.Cancel(c.retry)
	c.s.reply(c.done, resp, err)
}

func (c *call) timeout(sim.Time) {
	if c.finished {
		return
	}
	if !c.read {
		if resp := c.s.b.Forget(c.id); resp != nil {
			c.finish(resp, resp.Err)
			return
		}
	}
	if !c.s.b.HasLeader() {
		c.finish(nil, ErrNoLeader)
		return
	}
	c.finish(nil, ErrTimeout)
}

func (s *Server) readReq(req *Request, cons Consistency, done func(*Response, error)) {
	if err := s.b.Store().validate(req); err != nil {
		s.reply(done, nil, err)
		return
	}
	c := &call{s: s, req: req, done: done, read: true}
	s.stats.InFlight++
	if cons == Serializable {
		s.k.AfterFunc(0, c.readNow)
		return
	}
	c.timer = s.k.AfterFunc(s.cfg.RequestTimeout, c.timeout)
	c.readIndex(s.k.Now())
}

func (c *call) readIndex(sim.Time) {
	if c.finished {
		return
	}
	c.s.b.ReadIndex(func(err error) {
		if c.finished {
			return
		}
		if err != nil {
			c.s.stats.ReadIndexRetries++
			c.retry = c.s.k.AfterFunc(c.s.cfg.ReadIndexRetryInterval, c.readIndex)
			return
		}
		c.readNow(c.s.k.Now())
	})
}

func (c *call) readNow(sim.Time) {
	if c.finished {
		return
	}
	resp := c.s.b.Store().Do(c.req)
	c.finish(resp, resp.Err)
}

// serverWatch is one watch opened through a Server.
type serverWatch struct {
	s       *Server
	id      WatchID
	storeID WatchID
	fn      func(WatchResponse)
	last    sim.Time
	// cancelled: closed by the client, nothing more is delivered. A watch
	// the store ended still delivers what was queued, then the end.
	cancelled bool
}

// Watch opens a watch on the serving store (see Store.Watch for the
// semantics of startRev). fn receives each batch of events as a kernel event
// after WatchLatency; a watch refused (ErrCompacted) or ended by the store
// gets one last response with Canceled set.
func (s *Server) Watch(key, end []byte, startRev int64, fn func(WatchResponse)) WatchID {
	s.lastW++
	w := &serverWatch{s: s, id: s.lastW, fn: fn}
	s.watches[w.id] = w
	id, err := s.b.Store().WatchWithEnd(key, end, startRev, w.events, w.ended)
	if err != nil {
		w.ended(err)
		return w.id
	}
	w.storeID = id
	return w.id
}

// CancelWatch closes a watch; nothing more is delivered to it.
func (s *Server) CancelWatch(id WatchID) bool {
	w, ok := s.watches[id]
	if !ok {
		return false
	}
	w.cancelled = true
	delete(s.watches, id)
	s.b.Store().Cancel(w.storeID)
	return true
}

func (w *serverWatch) events(evs []Event) {
	w.send(WatchResponse{WatchID: w.id, Events: evs})
}

func (w *serverWatch) ended(err error) {
	resp := WatchResponse{WatchID: w.id, Canceled: true, Err: err}
	if err == ErrCompacted {
		resp.CompactRevision = w.s.b.Store().CompactRevision()
	}
	delete(w.s.watches, w.id)
	w.send(resp)
}

func (w *serverWatch) send(resp WatchResponse) {
	at := w.s.k.Now()
	if w.s.watchLat != nil {
		at = at.Add(seconds(w.s.watchLat.Sample()))
	}
	if at < w.last {
		at = w.last
	}
	w.last = at
	w.s.k.At(at, sim.HandlerFunc(func(sim.Time) {
		if w.cancelled {
			return
		}
		w.s.stats.WatchEvents += uint64(len(resp.Events))
		if w.fn != nil {
			w.fn(resp)
		}
	}))
}
