package namespace

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// Component is the controller's name as an event source and API client.
const Component = "namespace-controller"

// FinalizerKubernetes is the namespace finalizer token the controller owns
// (v1.FinalizerKubernetes), in spec.finalizers.
const FinalizerKubernetes = "kubernetes"

// conflictRetries bounds retryOnConflictError's re-reads.
const conflictRetries = 5

// Controller is the namespace controller: it empties namespaces being
// deleted and then removes their kubernetes finalizer.
type Controller struct {
	k       *sim.Kernel
	cfg     Config
	client  model.Client
	nsInf   *model.Informer
	queue   *model.WorkQueue
	workers *ctrlutil.Workers
}

// New builds the controller; connect opens its API client. Zero fields of
// cfg take DefaultConfig's values.
func New(k *sim.Kernel, connect model.Connect, cfg Config) *Controller {
	cfg = cfg.withDefaults()
	c := &Controller{k: k, cfg: cfg, client: connect(Component, cfg.QPS, cfg.Burst)}
	c.workers = &ctrlutil.Workers{Max: cfg.ConcurrentSyncs, Sync: c.sync, Defer: k}
	// nsControllerRateLimiter: per item 5 ms doubling to 60 s, overall 10
	// qps with a burst of 100.
	limiter := model.NewMaxOfRateLimiter(
		model.NewItemExponentialFailureRateLimiter(5*time.Millisecond, 60*time.Second),
		model.NewBucketRateLimiter(10, 100))
	c.nsInf = model.NewInformer(k, c.client, "Namespace", cfg.ResyncPeriod)
	c.queue = model.NewWorkQueue(k, limiter, ctrlutil.WhenSynced(k, c.nsInf.HasSynced, c.workers.Pump))
	c.workers.Queue = c.queue
	c.nsInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    c.enqueue,
		OnUpdate: func(_, cur model.Object) { c.enqueue(cur) },
	})
	return c
}

// Start begins the list-and-watch of namespaces.
func (c *Controller) Start() { c.nsInf.Start() }

func (c *Controller) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *Controller) event(kind, ns string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: Component, Object: ns, Fields: fields})
}

// enqueue is enqueueNamespace: only namespaces being deleted, after the
// deletion grace period.
func (c *Controller) enqueue(o model.Object) {
	if o.GetObjectMeta().DeletionTimestamp == nil {
		return
	}
	c.queue.AddAfter(model.Key(o), c.cfg.DeletionGracePeriod)
}

// sync is syncNamespaceFromKey with the deleter's Delete: content still
// to go is looked at again after half its estimate.
func (c *Controller) sync(key string, done func(error)) {
	if _, ok := c.nsInf.Get("", key); !ok {
		done(nil)
		return
	}
	c.delete(key, func(remaining time.Duration, err error) {
		if err != nil {
			c.event("NamespaceDeletionContentFailure", key, sim.F("message", err.Error()))
			done(err)
			return
		}
		if remaining > 0 {
			// time.Duration(estimate/2) * time.Second: whole seconds.
			c.queue.AddAfter(key, time.Duration(int64(remaining/time.Second)/2)*time.Second)
		}
		done(nil)
	})
}

// delete is namespacedResourcesDeleter.Delete: read the namespace, mark it
// Terminating, delete its content and, once nothing is left, remove the
// kubernetes finalizer (the API server then deletes the namespace).
// remaining is the estimate of how long content will take to go.
func (c *Controller) delete(name string, done func(remaining time.Duration, err error)) {
	c.client.Get("Namespace", "", name, func(o model.Object, err error) {
		if err != nil {
			if model.IsNotFound(err) {
				err = nil
			}
			done(0, err)
			return
		}
		ns := o.(*model.Namespace)
		if ns.DeletionTimestamp == nil {
			done(0, nil)
			return
		}
		c.retryOnConflict(ns, markTerminating, func(ns *model.Namespace, err error) {
			if err != nil {
				if model.IsNotFound(err) {
					err = nil
				}
				done(0, err)
				return
			}
			if ns.DeletionTimestamp == nil || len(ns.Spec.Finalizers) == 0 {
				done(0, nil)
				return
			}
			c.deleteAllContent(ns, func(estimate time.Duration, n int, err error) {
				if err != nil || estimate > 0 {
					done(estimate, err)
					return
				}
				c.retryOnConflict(ns, removeFinalizer, func(_ *model.Namespace, err error) {
					if model.IsNotFound(err) {
						err = nil
					}
					if err == nil {
						c.event("NamespaceFinalized", name, sim.F("deleted", n),
							sim.F("message", fmt.Sprintf("namespace %s is empty: finalizer %s removed", name, FinalizerKubernetes)))
					}
					done(0, err)
				})
			})
		})
	})
}

// A nsChange edits a copy of the namespace and returns false when there is
// nothing to write; status tells a status write from a spec write.
type nsChange struct {
	apply  func(*model.Namespace) bool
	status bool
}

// markTerminating is updateNamespaceStatusFunc: phase Terminating.
var markTerminating = nsChange{status: true, apply: func(ns *model.Namespace) bool {
	if ns.DeletionTimestamp == nil || ns.Status.Phase == "Terminating" {
		return false
	}
	ns.Status.Phase = "Terminating"
	return true
}}

// removeFinalizer is finalizeNamespace: drop the kubernetes token from
// spec.finalizers (the namespaces/finalize subresource).
var removeFinalizer = nsChange{apply: func(ns *model.Namespace) bool {
	out := ns.Spec.Finalizers[:0:0]
	for _, f := range ns.Spec.Finalizers {
		if f != FinalizerKubernetes {
			out = append(out, f)
		}
	}
	changed := len(out) != len(ns.Spec.Finalizers)
	ns.Spec.Finalizers = out
	return changed
}}

// retryOnConflict is retryOnConflictError: apply and write; on a conflict
// read the namespace again and retry.
func (c *Controller) retryOnConflict(ns *model.Namespace, ch nsChange, done func(*model.Namespace, error)) {
	var attempt func(cur *model.Namespace, n int)
	attempt = func(cur *model.Namespace, n int) {
		cp := model.DeepCopy(cur)
		if !ch.apply(cp) {
			done(cur, nil)
			return
		}
		write := c.client.Update
		if ch.status {
			write = c.client.UpdateStatus
		}
		write(cp, func(o model.Object, err error) {
			if err == nil {
				if o == nil { // deleted by the write (the last finalizer)
					done(cp, nil)
					return
				}
				done(o.(*model.Namespace), nil)
				return
			}
			if !model.IsConflict(err) || n+1 >= conflictRetries {
				done(nil, err)
				return
			}
			c.client.Get("Namespace", "", ns.Name, func(fresh model.Object, gerr error) {
				if gerr != nil {
					done(nil, gerr)
					return
				}
				attempt(fresh.(*model.Namespace), n+1)
			})
		})
	}
	attempt(ns, 0)
}

// deleteAllContent deletes the namespace's objects kind after kind and
// returns the longest estimate of what remains, the number of deletions
// issued and the errors of all kinds.
func (c *Controller) deleteAllContent(ns *model.Namespace, done func(estimate time.Duration, deleted int, err error)) {
	var estimate time.Duration
	var errs []error
	deleted := 0
	var next func(i int)
	next = func(i int) {
		if i == len(c.cfg.Kinds) {
			done(estimate, deleted, errors.Join(errs...))
			return
		}
		c.deleteKind(ns, c.cfg.Kinds[i], func(est time.Duration, n int, err error) {
			estimate = max(estimate, est)
			deleted += n
			if err != nil {
				errs = append(errs, err)
			}
			next(i + 1)
		})
	}
	next(0)
}

// listIn lists one kind's objects of a namespace (kubesim's List has no
// namespace scope).
func (c *Controller) listIn(kind, ns string, done func([]model.Object, error)) {
	c.client.List(kind, func(objs []model.Object, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		var out []model.Object
		for _, o := range objs {
			if o.GetObjectMeta().Namespace == ns {
				out = append(out, o)
			}
		}
		done(out, nil)
	})
}

// deleteKind is deleteAllContentForGroupVersionResource: estimate the
// graceful termination (pods: the longest terminationGracePeriodSeconds of
// the unfinished ones, 0 once the namespace has been deleting that long),
// delete every object with background propagation, and list again: nothing
// left is done; what is left waits for the estimate, or for
// FinalizerEstimate when it has finalizers; anything else is an error.
func (c *Controller) deleteKind(ns *model.Namespace, kind string, done func(time.Duration, int, error)) {
	c.listIn(kind, ns.Name, func(items []model.Object, err error) {
		if err != nil {
			done(0, 0, err)
			return
		}
		var estimate time.Duration
		if kind == "Pod" {
			var grace int64
			for _, o := range items {
				p := o.(*model.Pod)
				if p.IsTerminal() {
					continue
				}
				if g := p.Spec.TerminationGracePeriodSeconds; g != nil && *g > grace {
					grace = *g
				}
			}
			estimate = time.Duration(grace) * time.Second
			if c.now().Sub(*ns.DeletionTimestamp) >= estimate {
				estimate = 0
			}
		}
		var victims []model.Object
		for _, o := range items {
			if o.GetObjectMeta().DeletionTimestamp == nil {
				victims = append(victims, o)
			}
		}
		var errs []error
		bg := model.DeletePropagationBackground
		b := ctrlutil.NewBarrier(len(victims), func() {
			if len(errs) > 0 {
				done(0, len(victims), errors.Join(errs...))
				return
			}
			c.listIn(kind, ns.Name, func(left []model.Object, err error) {
				switch {
				case err != nil:
					done(0, len(victims), err)
				case len(left) == 0:
					done(0, len(victims), nil)
				case estimate > 0:
					done(estimate, len(victims), nil)
				default:
					for _, o := range left {
						if len(o.GetObjectMeta().Finalizers) > 0 {
							done(c.cfg.FinalizerEstimate, len(victims), nil)
							return
						}
					}
					done(0, len(victims), fmt.Errorf("unexpected items still remain in namespace: %s for kind: %s", ns.Name, kind))
				}
			})
		})
		for _, o := range victims {
			m := o.GetObjectMeta()
			c.client.DeleteWith(kind, m.Namespace, m.Name, model.DeleteOptions{PropagationPolicy: &bg}, func(err error) {
				if err != nil && !model.IsNotFound(err) {
					errs = append(errs, err)
				}
				b.Done()
			})
		}
	})
}
