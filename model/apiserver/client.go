package apiserver

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Config sets the API server's latencies, in seconds.
type Config struct {
	// RequestLatency is the server's own handling time per request
	// (admission, serialization). Default 0.
	RequestLatency sim.Dist
	// CommitLatency is how long a write takes to commit in the ideal store:
	// one SSD fsync plus an in-datacenter round trip, ~1 ms (etcd's
	// performance guide: fdatasync often < 1 ms on SSD, RTT several hundred
	// µs). Default constant 1 ms.
	CommitLatency sim.Dist
	// WatchLatency delays each watch delivery (the watch cache's fan-out
	// and the network to the watcher); one value per change, so every
	// watcher of a change hears of it at the same instant and changes stay
	// in order. Default 0.
	WatchLatency sim.Dist
}

// DefaultConfig returns the default latencies.
func DefaultConfig() Config {
	return Config{
		RequestLatency: sim.Dist{Kind: sim.DistConstant, Value: 0},
		CommitLatency:  sim.Dist{Kind: sim.DistConstant, Value: 0.001},
		WatchLatency:   sim.Dist{Kind: sim.DistConstant, Value: 0},
	}
}

// Configure sets the latencies; it fails on an invalid distribution.
func (s *Server) Configure(c Config) error {
	req, err := c.RequestLatency.Sampler(s.k.Rand("apiserver/request-latency"))
	if err != nil {
		return err
	}
	commit, err := c.CommitLatency.Sampler(s.k.Rand("apiserver/commit-latency"))
	if err != nil {
		return err
	}
	if c.WatchLatency.Kind == "" {
		c.WatchLatency = sim.Dist{Kind: sim.DistConstant}
	}
	watch, err := c.WatchLatency.Sampler(s.k.Rand("apiserver/watch-latency"))
	if err != nil {
		return err
	}
	s.reqLatency, s.commitLatency, s.watchLatency = req, commit, watch
	return nil
}

func seconds(sm sim.Sampler) time.Duration {
	if sm == nil {
		return 0
	}
	v := sm.Sample()
	if v <= 0 {
		return 0
	}
	return time.Duration(v * 1e9)
}

// client is one component's connection: its own client-side rate limiter
// (client-go's token bucket), then the server's latencies.
type client struct {
	s       *Server
	name    string
	limiter *model.TokenBucket
}

var _ model.Client = (*client)(nil)

// NewClient returns a client for a component, throttled at qps with burst
// (qps <= 0: unthrottled, like a privileged tool).
func (s *Server) NewClient(component string, qps float64, burst int) model.Client {
	c := &client{s: s, name: component}
	if qps > 0 {
		c.limiter = model.NewTokenBucket(qps, burst)
	}
	return c
}

// call runs op when the request completes: after the rate limiter's wait,
// the request latency and, for writes, the commit latency (ideal store).
func (c *client) call(write bool, op func()) {
	var d time.Duration
	if c.limiter != nil {
		d += c.limiter.Reserve(c.s.k.Now())
	}
	d += seconds(c.s.reqLatency)
	if write && c.s.etcd == nil {
		d += seconds(c.s.commitLatency)
	}
	c.s.requests++
	c.s.k.AfterFunc(d, func(sim.Time) { op() })
}

// write runs a write: at once against the ideal store, or through an etcd
// batch. run performs it against the cache and returns the callback that
// answers the caller; with etcd that callback runs after the commit, or is
// replaced by the commit's error.
func (c *client) write(run func() (answer func(), fail func(error))) { c.do(true, run) }

// read runs a read the same way; with etcd it waits behind the batch in
// flight (see Get).
func (c *client) read(run func() (answer func(), fail func(error))) { c.do(false, run) }

func (c *client) do(write bool, run func() (answer func(), fail func(error))) {
	c.call(write, func() {
		if c.s.etcd == nil {
			answer, _ := run()
			answer()
			return
		}
		var answer func()
		var fail func(error)
		c.s.submit(&pendingOp{
			exec: func() { answer, fail = run() },
			finish: func(err error) {
				if err != nil {
					fail(err)
					return
				}
				answer()
			},
			read: !write,
		})
	})
}

func objAnswer(done func(model.Object, error), r model.Object, err error) (func(), func(error)) {
	return func() {
			if done != nil {
				done(r, err)
			}
		}, func(e error) {
			if done != nil {
				done(nil, e)
			}
		}
}

func errAnswer(done func(error), err error) (func(), func(error)) {
	return func() {
			if done != nil {
				done(err)
			}
		}, func(e error) {
			if done != nil {
				done(e)
			}
		}
}

func (c *client) Create(o model.Object, done func(model.Object, error)) {
	o = model.DeepCopyObject(o)
	c.write(func() (func(), func(error)) { r, err := c.s.Create(o); return objAnswer(done, r, err) })
}

func (c *client) Update(o model.Object, done func(model.Object, error)) {
	o = model.DeepCopyObject(o)
	c.write(func() (func(), func(error)) { r, err := c.s.Update(o); return objAnswer(done, r, err) })
}

func (c *client) Delete(kind, namespace, name string, done func(error)) {
	c.write(func() (func(), func(error)) { return errAnswer(done, c.s.Delete(kind, namespace, name)) })
}

// Get and List read the cache. With etcd they queue behind the writes in
// flight, so a read never sees a write that might still fail: reads are
// linearizable, at the cost of waiting for the current commit.
func (c *client) Get(kind, namespace, name string, done func(model.Object, error)) {
	c.read(func() (func(), func(error)) { r, err := c.s.Get(kind, namespace, name); return objAnswer(done, r, err) })
}

func (c *client) List(kind string, done func([]model.Object, error)) {
	c.read(func() (func(), func(error)) {
		r, err := c.s.List(kind)
		return func() {
				if done != nil {
					done(r, err)
				}
			}, func(e error) {
				if done != nil {
					done(nil, e)
				}
			}
	})
}

func (c *client) Bind(namespace, name, node string, done func(error)) {
	c.write(func() (func(), func(error)) { return errAnswer(done, c.s.Bind(namespace, name, node)) })
}

func (c *client) Watch(kind string, h model.WatchHandler) { c.s.Watch(kind, h) }

// WatchName watches one object by kind and name.
func (c *client) WatchName(kind, name string, h model.WatchHandler) { c.s.WatchName(kind, name, h) }

func (c *client) Evict(namespace, name string, done func(error)) {
	c.write(func() (func(), func(error)) { return errAnswer(done, c.s.Evict(namespace, name)) })
}

func (c *client) DeleteWith(kind, namespace, name string, opts model.DeleteOptions, done func(error)) {
	c.write(func() (func(), func(error)) { return errAnswer(done, c.s.DeleteWith(kind, namespace, name, opts)) })
}

func (c *client) UpdateStatus(o model.Object, done func(model.Object, error)) {
	o = model.DeepCopyObject(o)
	c.write(func() (func(), func(error)) { r, err := c.s.UpdateStatus(o); return objAnswer(done, r, err) })
}

func (c *client) Patch(kind, namespace, name string, patch []byte, done func(model.Object, error)) {
	p := append([]byte(nil), patch...)
	c.write(func() (func(), func(error)) {
		r, err := c.s.Patch(kind, namespace, name, p)
		return objAnswer(done, r, err)
	})
}
