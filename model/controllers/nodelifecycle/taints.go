package nodelifecycle

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// updateTaintSteps and updateTaintBackoff are controller.UpdateTaintBackoff
// (5 steps, 100 ms with jitter 1.0) for retries on conflict.
const (
	updateTaintSteps   = 5
	updateTaintBackoff = 100 * time.Millisecond
)

// patchTaints reads the node, applies the taint changes and writes it
// back, retrying on conflicts (upstream patches the taints; kubesim
// updates with the read resourceVersion, so a concurrent status write
// causes a retry instead of being overwritten).
func (c *Controller) patchTaints(name string, add, remove []model.Taint, done func(error)) {
	attempt := 0
	var try func()
	try = func() {
		c.client.Get("Node", "", name, func(o model.Object, err error) {
			if err != nil {
				done(err)
				return
			}
			n := model.DeepCopy(o.(*model.Node))
			taints, changed := applyTaints(n.Spec.Taints, add, remove)
			if !changed {
				done(nil)
				return
			}
			n.Spec.Taints = taints
			c.client.Update(n, func(_ model.Object, err error) {
				if err != nil && model.IsConflict(err) && attempt+1 < updateTaintSteps {
					attempt++
					jitter := time.Duration(c.rand.Float64() * float64(updateTaintBackoff))
					c.k.AfterFunc(updateTaintBackoff+jitter, func(sim.Time) { try() })
					return
				}
				done(err)
			})
		})
	}
	try()
}

// removeTaints is controller.RemoveTaintOffNode: nothing to do when the
// cached node has none of the taints.
func (c *Controller) removeTaints(n *model.Node, taints []model.Taint, done func(error)) {
	match := false
	for i := range taints {
		if taintExists(n.Spec.Taints, &taints[i]) {
			match = true
			break
		}
	}
	if !match {
		done(nil)
		return
	}
	c.patchTaints(n.Name, nil, taints, done)
}

// swapTaints is SwapNodeControllerTaint: stamp timeAdded on the taints to
// add, add them, then remove the others; it reports success.
func (c *Controller) swapTaints(n *model.Node, add, remove []model.Taint, done func(bool)) {
	now := c.now()
	stamped := make([]model.Taint, len(add))
	for i, t := range add {
		t.TimeAdded = &now
		stamped[i] = t
	}
	addStep := func(next func()) {
		if len(stamped) == 0 {
			next()
			return
		}
		c.patchTaints(n.Name, stamped, nil, func(err error) {
			if err != nil {
				done(false)
				return
			}
			next()
		})
	}
	addStep(func() {
		if len(remove) == 0 {
			done(true)
			return
		}
		c.removeTaints(n, remove, func(err error) { done(err == nil) })
	})
}

// schedulePass arms the NoExecute tainting pass. Upstream tries every
// zone queue every NodeEvictionPeriod, 100 ms after the previous pass
// ended; kubesim skips the ticks at which no queue could take a token
// (they change nothing) and stops ticking while every queue is empty.
func (c *Controller) schedulePass() {
	if c.passRunning {
		return
	}
	now := c.k.Now()
	next := sim.Never
	for _, z := range model.SortedKeys(c.tainters) {
		q := c.tainters[z]
		if len(q.items) == 0 {
			continue
		}
		if at := q.limiter.availableAt(now); at < next {
			next = at
		}
	}
	if next == sim.Never {
		if c.k.Active(c.passTimer) {
			c.k.Cancel(c.passTimer)
		}
		return
	}
	period := c.cfg.NodeEvictionPeriod
	base := c.lastPassEnd + sim.Time(period)
	if next > base {
		k := (next.Sub(base) + period - 1) / period
		base = base.Add(k * period)
	}
	for base < now {
		base = base.Add(period)
	}
	if c.k.Active(c.passTimer) {
		if c.passTimer.At() <= base {
			return
		}
		c.k.Cancel(c.passTimer)
	}
	c.passTimer = c.k.At(base, sim.HandlerFunc(func(sim.Time) { c.taintPass() }))
}

// taintPass is doNoExecuteTaintingPass: for each zone, while the limiter
// gives a token and the head is due, taint the head node.
func (c *Controller) taintPass() {
	c.passRunning = true
	zones := model.SortedKeys(c.tainters)
	sequence(len(zones), func(i int, next func()) {
		q := c.tainters[zones[i]]
		var loop func()
		loop = func() {
			if len(q.items) == 0 || !q.limiter.tryAccept(c.k.Now()) {
				next()
				return
			}
			head := q.items[0]
			if c.k.Now() < head.processAt {
				next()
				return
			}
			c.taintNode(head.node, func(ok bool, wait time.Duration) {
				if ok {
					q.removeFromQueue(head.node)
				} else if q.set[head.node] && len(q.items) > 0 && q.items[0] == head {
					q.items = q.items[1:]
					head.processAt = c.k.Now().Add(wait + 1)
					q.insert(head)
				}
				loop()
			})
		}
		loop()
	}, func() {
		c.passRunning = false
		c.lastPassEnd = c.k.Now()
		c.schedulePass()
	})
}

// taintNode adds the NoExecute taint matching the node's Ready condition,
// removing the opposite one.
func (c *Controller) taintNode(name string, done func(ok bool, wait time.Duration)) {
	o, ok := c.nodes.Get("", name)
	if !ok {
		done(true, 0)
		return
	}
	n := o.(*model.Node)
	cond := n.Status.Condition(model.NodeReady)
	if cond == nil {
		done(false, 50*time.Millisecond)
		return
	}
	var add, opposite model.Taint
	switch cond.Status {
	case model.ConditionFalse:
		add, opposite = notReadyTaint, unreachableTaint
	case model.ConditionUnknown:
		add, opposite = unreachableTaint, notReadyTaint
	default:
		done(true, 0)
		return
	}
	c.swapTaints(n, []model.Taint{add}, []model.Taint{opposite}, func(ok bool) {
		if ok {
			c.record("TaintedNode", name, sim.F("taint", add.String()), sim.F("zone", zoneKey(n)))
		}
		done(ok, 0)
	})
}
