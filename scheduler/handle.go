package scheduler

import (
	"sort"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
)

// handle is what one profile's plugins see of the scheduler.
type handle struct {
	s   *Scheduler
	fwk *Framework
}

var _ framework.Handle = (*handle)(nil)

func (h *handle) SnapshotSharedLister() framework.SharedLister { return h.s.snapshot }
func (h *handle) Objects() framework.ObjectLister              { return h.s.objects }
func (h *handle) Client() model.Client                         { return h.s.client }
func (h *handle) Now() sim.Time                                { return h.s.now() }
func (h *handle) Rand(name string) *sim.Rand                   { return h.s.rand("scheduler/" + name) }
func (h *handle) NominatedPodsForNode(node string) []*framework.PodInfo {
	return h.s.nominator.forNode(node)
}
func (h *handle) RunFilterPluginsWithNominatedPods(state *framework.CycleState, pod *model.Pod, ni *framework.NodeInfo) *framework.Status {
	return h.fwk.RunFilterPluginsWithNominatedPods(state, pod, ni)
}
func (h *handle) RunPreFilterExtensionAddPod(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	return h.fwk.RunPreFilterExtensionAddPod(state, pod, pi, ni)
}
func (h *handle) RunPreFilterExtensionRemovePod(state *framework.CycleState, pod *model.Pod, pi *framework.PodInfo, ni *framework.NodeInfo) *framework.Status {
	return h.fwk.RunPreFilterExtensionRemovePod(state, pod, pi, ni)
}

// objectCache is the scheduler's informer cache of the kinds plugins read
// besides pods and nodes, each kept sorted by key.
type objectCache struct {
	byKind map[string]*sortedObjects
}

type sortedObjects struct {
	keys []string
	objs []model.Object
}

func newObjectCache() *objectCache { return &objectCache{byKind: map[string]*sortedObjects{}} }

func (c *objectCache) set(kind string, o model.Object) {
	so := c.byKind[kind]
	if so == nil {
		so = &sortedObjects{}
		c.byKind[kind] = so
	}
	k := model.Key(o)
	i := sort.SearchStrings(so.keys, k)
	if i < len(so.keys) && so.keys[i] == k {
		so.objs[i] = o
		return
	}
	so.keys = append(so.keys, "")
	so.objs = append(so.objs, nil)
	copy(so.keys[i+1:], so.keys[i:])
	copy(so.objs[i+1:], so.objs[i:])
	so.keys[i], so.objs[i] = k, o
}

func (c *objectCache) remove(kind string, o model.Object) {
	so := c.byKind[kind]
	if so == nil {
		return
	}
	k := model.Key(o)
	i := sort.SearchStrings(so.keys, k)
	if i < len(so.keys) && so.keys[i] == k {
		so.keys = append(so.keys[:i], so.keys[i+1:]...)
		so.objs = append(so.objs[:i], so.objs[i+1:]...)
	}
}

// List returns the objects of a kind sorted by key.
func (c *objectCache) List(kind string) []model.Object {
	if so := c.byKind[kind]; so != nil {
		return so.objs
	}
	return nil
}

// Get returns one object.
func (c *objectCache) Get(kind, namespace, name string) (model.Object, bool) {
	so := c.byKind[kind]
	if so == nil {
		return nil, false
	}
	k := name
	if namespace != "" {
		k = namespace + "/" + name
	}
	i := sort.SearchStrings(so.keys, k)
	if i < len(so.keys) && so.keys[i] == k {
		return so.objs[i], true
	}
	return nil, false
}

// nominator tracks pods that preemption nominated to nodes.
type nominator struct {
	byNode map[string][]*framework.PodInfo
	node   map[string]string // pod key -> node
}

func newNominator() *nominator {
	return &nominator{byNode: map[string][]*framework.PodInfo{}, node: map[string]string{}}
}

func (n *nominator) forNode(node string) []*framework.PodInfo { return n.byNode[node] }

// set records (or clears, with node "") a pod's nomination.
func (n *nominator) set(pi *framework.PodInfo, node string) {
	k := pi.Pod.Key()
	if old, ok := n.node[k]; ok {
		list := n.byNode[old]
		for i, p := range list {
			if p.Pod.Key() == k {
				n.byNode[old] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(n.byNode[old]) == 0 {
			delete(n.byNode, old)
		}
		delete(n.node, k)
	}
	if node == "" {
		return
	}
	n.node[k] = node
	n.byNode[node] = append(n.byNode[node], pi)
}
