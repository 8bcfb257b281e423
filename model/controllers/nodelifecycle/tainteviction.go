package nodelifecycle

import (
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/internal/ctrlutil"
	"github.com/kubesim/kubesim/sim"
)

// TaintEvictionSource is the taint eviction controller's component name
// (SeparateTaintEvictionController, GA in 1.34).
const TaintEvictionSource = "taint-eviction-controller"

// deleteRetries is how often a pod deletion is tried (retries = 5), 10 ms
// apart.
const deleteRetries = 5

// TaintEvictionController deletes pods from nodes with NoExecute taints
// they do not tolerate: at once, or after the smallest tolerationSeconds
// of the tolerations used (pkg/controller/tainteviction/taint_eviction.go).
type TaintEvictionController struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client
	nodes  *model.Informer
	pods   *model.Informer

	tainted    map[string][]model.Taint // node -> its NoExecute taints
	podsOnNode ctrlutil.KeySets
	// work is the TimedWorkerQueue: a scheduled deletion per pod key; a nil
	// entry marks a deletion already done (kept so it is not re-added).
	work map[string]*evictionWork
}

type evictionWork struct {
	createdAt time.Time
	fireAt    time.Time
	timer     sim.Timer
}

// NewTaintEviction returns the taint eviction controller with its own
// client.
func NewTaintEviction(k *sim.Kernel, connect model.Connect, cfg Config) *TaintEvictionController {
	c := &TaintEvictionController{k: k, cfg: cfg, client: connect(TaintEvictionSource, cfg.QPS, cfg.Burst),
		tainted: map[string][]model.Taint{}, podsOnNode: ctrlutil.KeySets{}, work: map[string]*evictionWork{}}
	c.nodes = model.NewInformer(k, c.client, "Node", 0)
	c.pods = model.NewInformer(k, c.client, "Pod", 0)
	c.nodes.AddEventHandler(model.ResourceEventHandler{
		OnAdd: func(o model.Object) { c.nodeUpdated(nil, o.(*model.Node)) },
		OnUpdate: func(oldObj, newObj model.Object) {
			c.nodeUpdated(oldObj.(*model.Node), newObj.(*model.Node))
		},
		OnDelete: func(o model.Object) { c.nodeUpdated(o.(*model.Node), nil) },
	})
	c.pods.AddEventHandler(model.ResourceEventHandler{
		OnAdd: func(o model.Object) { c.podUpdated(nil, o.(*model.Pod)) },
		OnUpdate: func(oldObj, newObj model.Object) {
			c.podUpdated(oldObj.(*model.Pod), newObj.(*model.Pod))
		},
		OnDelete: func(o model.Object) { c.podUpdated(o.(*model.Pod), nil) },
	})
	return c
}

// Start begins watching nodes and pods.
func (c *TaintEvictionController) Start() {
	c.nodes.Start()
	c.pods.Start()
}

func (c *TaintEvictionController) now() time.Time { return c.k.Now().Wall(c.cfg.Start) }

func (c *TaintEvictionController) record(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: TaintEvictionSource, Object: object, Fields: fields})
}

func noExecuteTaints(taints []model.Taint) []model.Taint {
	out := []model.Taint{}
	for _, t := range taints {
		if t.Effect == model.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

// matchingTolerations returns whether every taint is tolerated and, per
// taint, the first toleration that does (v1helper.GetMatchingTolerations).
func matchingTolerations(taints []model.Taint, tols []model.Toleration) (bool, []model.Toleration) {
	if len(taints) == 0 {
		return true, nil
	}
	var used []model.Toleration
	for i := range taints {
		found := false
		for j := range tols {
			if tols[j].ToleratesTaint(&taints[i]) {
				used = append(used, tols[j])
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, used
}

// minTolerationTime is the smallest tolerationSeconds of the tolerations
// (0 when any is <= 0 or there are none), or -1 when all tolerate forever.
func minTolerationTime(tols []model.Toleration) time.Duration {
	if len(tols) == 0 {
		return 0
	}
	m := int64(math.MaxInt64)
	for _, t := range tols {
		if t.TolerationSeconds != nil {
			if *t.TolerationSeconds <= 0 {
				return 0
			}
			m = min(m, *t.TolerationSeconds)
		}
	}
	if m == math.MaxInt64 {
		return -1
	}
	return time.Duration(m) * time.Second
}

func (c *TaintEvictionController) nodeUpdated(old, cur *model.Node) {
	var oldT, curT []model.Taint
	name := ""
	if old != nil {
		name, oldT = old.Name, noExecuteTaints(old.Spec.Taints)
	}
	if cur != nil {
		name, curT = cur.Name, noExecuteTaints(cur.Spec.Taints)
	}
	if old != nil && cur != nil && reflect.DeepEqual(oldT, curT) {
		return
	}
	if cur == nil {
		delete(c.tainted, name)
		return
	}
	if len(curT) == 0 {
		delete(c.tainted, name)
	} else {
		c.tainted[name] = curT
	}
	pods := c.podsAssigned(name)
	if len(curT) == 0 {
		for _, p := range pods {
			c.cancel(p.Key())
		}
		return
	}
	now := c.now()
	for _, p := range pods {
		c.processPodOnNode(p.Key(), p.Spec.Tolerations, curT, now)
	}
}

func (c *TaintEvictionController) index(p *model.Pod, add bool) {
	if p.Spec.NodeName == "" {
		return
	}
	c.podsOnNode.Set(p.Spec.NodeName, p.Key(), add)
}

func (c *TaintEvictionController) podsAssigned(node string) []*model.Pod {
	return ctrlutil.Cached[*model.Pod](c.podsOnNode, node, c.pods)
}

func (c *TaintEvictionController) podUpdated(old, cur *model.Pod) {
	if old != nil {
		c.index(old, false)
	}
	if cur != nil {
		c.index(cur, true)
	}
	if old != nil && cur != nil && reflect.DeepEqual(old.Spec.Tolerations, cur.Spec.Tolerations) && old.Spec.NodeName == cur.Spec.NodeName {
		return
	}
	if cur == nil {
		c.cancel(old.Key())
		return
	}
	if cur.Spec.NodeName == "" {
		return
	}
	taints, ok := c.tainted[cur.Spec.NodeName]
	if !ok {
		return
	}
	c.processPodOnNode(cur.Key(), cur.Spec.Tolerations, taints, c.now())
}

// processPodOnNode schedules, keeps or cancels a pod's deletion for the
// node's NoExecute taints.
func (c *TaintEvictionController) processPodOnNode(key string, tols []model.Toleration, taints []model.Taint, now time.Time) {
	if len(taints) == 0 {
		c.cancel(key)
	}
	all, used := matchingTolerations(taints, tols)
	if !all {
		c.cancel(key)
		c.addWork(key, now, now)
		return
	}
	d := minTolerationTime(used)
	if d < 0 {
		c.cancel(key)
		return
	}
	startAt, trigger := now, now.Add(d)
	if w, ok := c.work[key]; ok && w != nil {
		startAt = w.createdAt
		if startAt.Add(d).Before(trigger) {
			return
		}
		c.cancel(key)
	}
	c.addWork(key, startAt, startAt.Add(d))
}

// cancel drops a scheduled deletion, with a TaintManagerEviction
// "Cancelling deletion" event if one was pending.
func (c *TaintEvictionController) cancel(key string) {
	w, ok := c.work[key]
	if !ok {
		return
	}
	delete(c.work, key)
	if w != nil {
		c.k.Cancel(w.timer)
		c.record("TaintManagerEviction", key, sim.F("message", "Cancelling deletion of Pod "+key))
	}
}

func (c *TaintEvictionController) addWork(key string, createdAt, fireAt time.Time) {
	if _, ok := c.work[key]; ok {
		return
	}
	w := &evictionWork{createdAt: createdAt, fireAt: fireAt}
	d := fireAt.Sub(c.now())
	w.timer = c.k.AfterFunc(max(d, 0), func(sim.Time) { c.fire(key) })
	c.work[key] = w
}

// fire deletes the pod: event, DisruptionTarget condition (reason
// DeletionByTaintManager), delete; five tries 10 ms apart.
func (c *TaintEvictionController) fire(key string) {
	c.record("TaintManagerEviction", key, sim.F("message", "Marking for deletion Pod "+key))
	ns, name, _ := strings.Cut(key, "/")
	attempt := 0
	var try func()
	try = func() {
		c.addConditionAndDelete(ns, name, func(err error) {
			if err == nil {
				if _, ok := c.work[key]; ok {
					c.work[key] = nil // keep the key: no second deletion
				}
				return
			}
			attempt++
			if attempt < deleteRetries {
				c.k.AfterFunc(10*time.Millisecond, func(sim.Time) { try() })
				return
			}
			delete(c.work, key)
		})
	}
	try()
}

func (c *TaintEvictionController) addConditionAndDelete(ns, name string, done func(error)) {
	c.client.Get("Pod", ns, name, func(o model.Object, err error) {
		if err != nil {
			done(err)
			return
		}
		p := o.(*model.Pod)
		del := func() { c.client.Delete("Pod", ns, name, done) }
		if cond := p.Status.Condition(model.DisruptionTarget); cond != nil && cond.Status == model.ConditionTrue &&
			cond.Reason == "DeletionByTaintManager" {
			del()
			return
		}
		cp := model.DeepCopy(p)
		now := c.now()
		cp.Status.SetCondition(model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue,
			Reason: "DeletionByTaintManager", Message: "Taint manager: deleting due to NoExecute taint", LastTransitionTime: &now})
		c.client.Update(cp, func(_ model.Object, err error) {
			if err != nil {
				done(err)
				return
			}
			del()
		})
	})
}
