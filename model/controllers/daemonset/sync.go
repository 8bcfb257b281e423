package daemonset

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// sync is syncDaemonSet: create and delete pods per node, run the rolling
// update when expectations are met, then write the status.
func (c *Controller) sync(key string, done func(error)) {
	ns, name, _ := strings.Cut(key, "/")
	o, ok := c.dss.Get(ns, name)
	if !ok {
		c.exp.Delete(key)
		done(nil)
		return
	}
	ds := o.(*model.DaemonSet)
	if ds.Spec.Selector == nil || (len(ds.Spec.Selector.MatchLabels) == 0 && len(ds.Spec.Selector.MatchExpressions) == 0) {
		c.record("SelectingAll", key, sim.F("message", "This daemon set is selecting all pods. A non-empty selector is required."))
		done(nil)
		return
	}
	if ds.DeletionTimestamp != nil {
		done(nil)
		return
	}
	nodes := c.nodeList()
	hash := ComputeHash(&ds.Spec.Template)
	if !c.exp.Satisfied(key) {
		c.updateStatus(ds, nodes, hash, false, done)
		return
	}
	c.manage(ds, nodes, hash, func(err error) {
		finish := func(err error) {
			c.updateStatus(ds, nodes, hash, true, func(statusErr error) {
				if err != nil {
					done(err)
					return
				}
				done(statusErr)
			})
		}
		if err != nil || !c.exp.Satisfied(key) || ds.Spec.UpdateStrategy.Type != "RollingUpdate" {
			finish(err)
			return
		}
		del, create, err := rollingUpdatePlan(ds, nodes, c.nodeToDaemonPods(ds), hash, c.now())
		if err != nil {
			finish(err)
			return
		}
		c.syncNodes(ds, del, create, hash, finish)
	})
}

// manage creates a pod on every node that should run one and has none,
// and deletes pods that should not run, failed pods (with a per-node
// backoff), succeeded pods, surplus pods, and unscheduled pods pinned to
// nodes that no longer exist.
func (c *Controller) manage(ds *model.DaemonSet, nodes []*model.Node, hash string, done func(error)) {
	byNode := c.nodeToDaemonPods(ds)
	now := c.now()
	var create, del []string
	known := map[string]bool{}
	for _, n := range nodes {
		known[n.Name] = true
		plan := podsShouldBeOnNode(n, byNode[n.Name], ds, hash, now)
		if plan.create {
			create = append(create, n.Name)
		}
		for _, p := range plan.failed {
			bk := fmt.Sprintf("%s/%d/%s", ds.UID, ds.Status.ObservedGeneration, n.Name)
			if in, delay := c.inBackoff(bk); in {
				c.queue.AddAfter(ds.Key(), delay)
				continue
			}
			c.nextBackoff(bk)
			c.record("FailedDaemonPod", ds.Key(), sim.F("pod", p), sim.F("node", n.Name),
				sim.F("message", fmt.Sprintf("Found failed daemon pod %s/%s on node %s, will try to kill it", ds.Namespace, p, n.Name)))
			del = append(del, p)
		}
		for _, p := range plan.succeeded {
			c.record("SucceededDaemonPod", ds.Key(), sim.F("pod", p), sim.F("node", n.Name))
			del = append(del, p)
		}
		del = append(del, plan.delete...)
	}
	for _, node := range model.SortedKeys(byNode) {
		if known[node] {
			continue
		}
		for _, p := range byNode[node] {
			if p.Spec.NodeName == "" {
				del = append(del, p.Name)
			}
		}
	}
	c.syncNodes(ds, del, create, hash, done)
}

// syncNodes deletes pods and creates pods pinned to nodes, at most
// BurstReplicas of each, with expectations set first; creations go in
// slow-start batches (1, 2, 4, ...) and stop after a batch with a failure.
func (c *Controller) syncNodes(ds *model.DaemonSet, del, create []string, hash string, done func(error)) {
	key := ds.Key()
	if len(create) > c.cfg.BurstReplicas {
		create = create[:c.cfg.BurstReplicas]
	}
	if len(del) > c.cfg.BurstReplicas {
		del = del[:c.cfg.BurstReplicas]
	}
	c.exp.SetExpectations(key, len(create), len(del))
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	template := model.DeepCopy(ds.Spec.Template)
	AddOrUpdateDaemonPodTolerations(&template.Spec)
	if template.Labels == nil {
		template.Labels = map[string]string{}
	}
	template.Labels[LabelRevisionHash] = hash

	deletes := func() {
		b := ctrlutil.NewBarrier(len(del), func() { done(firstErr) })
		for _, name := range del {
			name := name
			c.client.Delete("Pod", ds.Namespace, name, func(err error) {
				if err != nil {
					c.exp.DeletionObserved(key)
					if !model.IsNotFound(err) {
						fail(err)
						c.record("FailedDelete", key, sim.F("pod", name), sim.F("error", err.Error()))
					}
				} else {
					c.record("SuccessfulDelete", key, sim.F("pod", name))
				}
				b.Done()
			})
		}
	}
	ctrlutil.SlowStart(len(create), ctrlutil.SlowStartInitialBatchSize, func(i int, created func(error)) {
		node := create[i]
		pod := &model.Pod{ObjectMeta: model.ObjectMeta{
			GenerateName: ds.Name + "-", Namespace: ds.Namespace,
			Labels: model.DeepCopy(template.Labels), Annotations: model.DeepCopy(template.Annotations),
			Finalizers:      append([]string(nil), template.Finalizers...),
			OwnerReferences: []model.OwnerReference{ctrlutil.NewControllerRef(ds, "apps/v1", "DaemonSet")},
		}, Spec: model.DeepCopy(template.Spec)}
		pod.Spec.Affinity = ReplaceNodeNameNodeAffinity(pod.Spec.Affinity, node)
		c.client.Create(pod, func(o model.Object, err error) {
			if err != nil {
				c.exp.CreationObserved(key)
				fail(err)
				c.record("FailedCreate", key, sim.F("node", node), sim.F("error", err.Error()))
			} else {
				c.record("SuccessfulCreate", key, sim.F("pod", o.GetObjectMeta().Name), sim.F("node", node))
			}
			created(err)
		})
	}, func(_, skipped int, err error) {
		if err != nil && skipped > 0 {
			// The pods of the batches never started will not show up.
			c.exp.LowerExpectations(key, skipped, 0)
		}
		deletes()
	})
}

// updateStatus writes the status counts when they changed (one retry
// after a fresh GET on failure, StatusUpdateRetries = 1), and requeues
// after minReadySeconds while ready pods are not yet available.
func (c *Controller) updateStatus(ds *model.DaemonSet, nodes []*model.Node, hash string, observedGen bool, done func(error)) {
	s := computeStatus(ds, nodes, c.nodeToDaemonPods(ds), hash, c.now())
	requeue := func() {
		if ds.Spec.MinReadySeconds > 0 && s.ready != s.available {
			c.queue.AddAfter(ds.Key(), time.Duration(ds.Spec.MinReadySeconds)*time.Second)
		}
	}
	st := ds.Status
	if st.DesiredNumberScheduled == s.desired && st.CurrentNumberScheduled == s.current && st.NumberMisscheduled == s.misscheduled &&
		st.NumberReady == s.ready && st.UpdatedNumberScheduled == s.updated && st.NumberAvailable == s.available &&
		st.NumberUnavailable == s.unavailable && st.ObservedGeneration >= ds.Generation {
		requeue()
		done(nil)
		return
	}
	apply := func(to *model.DaemonSet) *model.DaemonSet {
		to = model.DeepCopy(to)
		if observedGen {
			to.Status.ObservedGeneration = ds.Generation
		}
		to.Status.DesiredNumberScheduled, to.Status.CurrentNumberScheduled = s.desired, s.current
		to.Status.NumberMisscheduled, to.Status.NumberReady = s.misscheduled, s.ready
		to.Status.UpdatedNumberScheduled, to.Status.NumberAvailable, to.Status.NumberUnavailable = s.updated, s.available, s.unavailable
		return to
	}
	c.client.Update(apply(ds), func(_ model.Object, err error) {
		if err == nil {
			requeue()
			done(nil)
			return
		}
		c.client.Get("DaemonSet", ds.Namespace, ds.Name, func(o model.Object, getErr error) {
			if getErr != nil {
				done(getErr)
				return
			}
			c.client.Update(apply(o.(*model.DaemonSet)), func(_ model.Object, err error) {
				if err == nil {
					requeue()
				}
				done(err)
			})
		})
	})
}
