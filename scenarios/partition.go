package scenarios

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/network"
	"github.com/kubesim/kubesim/sim"
)

// clientRequestTimeout is how long a node's component waits for an API
// answer that a partition swallowed (client-go's default request timeout
// for the kubelet's status calls is of this order; the informers notice
// through their watch).
const clientRequestTimeout = 10 * time.Second

// nodeClient is the API client of a component on a node, behind the
// network model: a request the partition cuts on the way to the control
// plane is lost (the caller times out, nothing is written); one whose
// answer is cut is applied but the caller still times out. Watch events
// the partition cuts are lost, and on healing the watch breaks so the
// informer lists again, as a real watch would after a dropped connection.
type nodeClient struct {
	model.Client
	node    string
	d       *dataPlane
	watches []*cutWatch
}

type cutWatch struct {
	h      model.WatchHandler
	active bool
	lost   bool
	// relist: the watch breaks on healing (informers); a name watch just
	// resumes.
	relist bool
}

// nodeConnect returns the Connect of the components of node.
func (d *dataPlane) nodeConnect(node string) model.Connect {
	return func(component string, qps float64, burst int) model.Client {
		c := &nodeClient{Client: d.r.API.NewClient(component, qps, burst), node: node, d: d}
		d.nodeClients = append(d.nodeClients, c)
		return c
	}
}

func (c *nodeClient) up() bool   { return c.d.parts.Reachable(c.node, network.ControlPlane) }
func (c *nodeClient) down() bool { return c.d.parts.Reachable(network.ControlPlane, c.node) }

func (c *nodeClient) timeout(kind, name string) error {
	return &model.StatusError{Reason: model.ReasonTimeout, Kind: kind, Key: name,
		Message: "the request timed out: the control plane is unreachable from node " + c.node}
}

// guard runs a request through the partition: send is the real call with
// its answer handler; lost answers become timeouts.
func (c *nodeClient) guard(kind, name string, send func(answer func(err error) bool), fail func(error)) {
	if !c.up() {
		c.d.r.Kernel.AfterFunc(clientRequestTimeout, func(sim.Time) { fail(c.timeout(kind, name)) })
		return
	}
	send(func(err error) bool {
		if c.down() {
			return true
		}
		c.d.r.Kernel.AfterFunc(clientRequestTimeout, func(sim.Time) { fail(c.timeout(kind, name)) })
		return false
	})
}

func objDone(done func(model.Object, error)) func(error) {
	return func(err error) {
		if done != nil {
			done(nil, err)
		}
	}
}

func errDone(done func(error)) func(error) {
	return func(err error) {
		if done != nil {
			done(err)
		}
	}
}

func (c *nodeClient) objCall(kind, name string, call func(func(model.Object, error)), done func(model.Object, error)) {
	c.guard(kind, name, func(answer func(error) bool) {
		call(func(o model.Object, err error) {
			if answer(err) && done != nil {
				done(o, err)
			}
		})
	}, objDone(done))
}

func (c *nodeClient) errCall(kind, name string, call func(func(error)), done func(error)) {
	c.guard(kind, name, func(answer func(error) bool) {
		call(func(err error) {
			if answer(err) && done != nil {
				done(err)
			}
		})
	}, errDone(done))
}

// Create implements model.Client.
func (c *nodeClient) Create(o model.Object, done func(model.Object, error)) {
	c.objCall("", model.Key(o), func(d func(model.Object, error)) { c.Client.Create(o, d) }, done)
}

// Update implements model.Client.
func (c *nodeClient) Update(o model.Object, done func(model.Object, error)) {
	c.objCall("", model.Key(o), func(d func(model.Object, error)) { c.Client.Update(o, d) }, done)
}

// UpdateStatus implements model.Client.
func (c *nodeClient) UpdateStatus(o model.Object, done func(model.Object, error)) {
	c.objCall("", model.Key(o), func(d func(model.Object, error)) { c.Client.UpdateStatus(o, d) }, done)
}

// Patch implements model.Client.
func (c *nodeClient) Patch(kind, ns, name string, patch []byte, done func(model.Object, error)) {
	c.objCall(kind, name, func(d func(model.Object, error)) { c.Client.Patch(kind, ns, name, patch, d) }, done)
}

// Get implements model.Client.
func (c *nodeClient) Get(kind, ns, name string, done func(model.Object, error)) {
	c.objCall(kind, name, func(d func(model.Object, error)) { c.Client.Get(kind, ns, name, d) }, done)
}

// List implements model.Client.
func (c *nodeClient) List(kind string, done func([]model.Object, error)) {
	c.guard(kind, "", func(answer func(error) bool) {
		c.Client.List(kind, func(objs []model.Object, err error) {
			if answer(err) {
				done(objs, err)
			}
		})
	}, func(err error) { done(nil, err) })
}

// Delete implements model.Client.
func (c *nodeClient) Delete(kind, ns, name string, done func(error)) {
	c.errCall(kind, name, func(d func(error)) { c.Client.Delete(kind, ns, name, d) }, done)
}

// DeleteWith implements model.Client.
func (c *nodeClient) DeleteWith(kind, ns, name string, opts model.DeleteOptions, done func(error)) {
	c.errCall(kind, name, func(d func(error)) { c.Client.DeleteWith(kind, ns, name, opts, d) }, done)
}

// Bind implements model.Client.
func (c *nodeClient) Bind(ns, name, node string, done func(error)) {
	c.errCall("Pod", name, func(d func(error)) { c.Client.Bind(ns, name, node, d) }, done)
}

// Evict implements model.Client.
func (c *nodeClient) Evict(ns, name string, done func(error)) {
	c.errCall("Pod", name, func(d func(error)) { c.Client.Evict(ns, name, d) }, done)
}

func (c *nodeClient) wrap(h model.WatchHandler, relist bool) model.WatchHandler {
	w := &cutWatch{h: h, active: true, relist: relist}
	c.watches = append(c.watches, w)
	return func(ev model.WatchEvent) {
		if !w.active {
			return
		}
		if !c.down() {
			w.lost = true
			return
		}
		h(ev)
	}
}

// Watch implements model.Client.
func (c *nodeClient) Watch(kind string, h model.WatchHandler) { c.Client.Watch(kind, c.wrap(h, true)) }

// WatchName lets the kubelet watch its own Node through the partition.
func (c *nodeClient) WatchName(kind, name string, h model.WatchHandler) {
	if nw, ok := c.Client.(interface {
		WatchName(kind, name string, h model.WatchHandler)
	}); ok {
		nw.WatchName(kind, name, c.wrap(h, false))
	}
}

// healed breaks the watches that lost events while the node was cut off,
// once the control plane can reach it again: the informers relist.
func (c *nodeClient) healed() {
	if !c.down() {
		return
	}
	for _, w := range c.watches {
		if w.active && w.lost && !w.relist {
			w.lost = false
			continue
		}
		if w.active && w.lost {
			w.active = false
			h := w.h
			c.d.r.Kernel.AfterFunc(0, func(sim.Time) { h(model.WatchEvent{Type: model.Error}) })
		}
	}
}
