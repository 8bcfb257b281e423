package kubelet

import (
	"reflect"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// nodeStatusMaxImages is how many images the node status lists, largest
// first (nodeStatusMaxImages).
const nodeStatusMaxImages = 50

// nodeState is the kubelet's side of its Node and Lease.
type nodeState struct {
	registered  bool
	registering bool
	cur         *model.Node       // the latest API copy
	posted      *model.NodeStatus // the last status posted
	lastPost    sim.Time
	busy        bool
	soon        bool
	ready       *bool
	lease       *model.Lease
	leaseBusy   bool
	taintBusy   bool
}

// currentNode returns the node as last read or written, or the desired one.
func (kl *Kubelet) currentNode() *model.Node {
	if kl.node.cur != nil {
		return kl.node.cur
	}
	return kl.desired
}

// startNode registers the node and starts the status and lease loops.
func (kl *Kubelet) startNode() {
	kl.register()
	var statusLoop func(sim.Time)
	statusLoop = func(sim.Time) {
		kl.syncNodeStatus(false)
		kl.after(kl.jittered(kl.cfg.NodeStatusUpdateFrequency), statusLoop)
	}
	kl.after(kl.jittered(kl.cfg.NodeStatusUpdateFrequency), statusLoop)
	renew := kl.leaseRenewInterval()
	var leaseLoop func(sim.Time)
	leaseLoop = func(sim.Time) {
		kl.renewLease()
		kl.after(kl.jittered(renew), leaseLoop)
	}
	kl.after(0, leaseLoop)
}

func (kl *Kubelet) leaseRenewInterval() time.Duration {
	return time.Duration(kl.cfg.NodeLeaseDurationSeconds) * time.Second / 4
}

// register creates the Node if absent (tryRegisterWithAPIServer), else
// takes the existing one and posts its status.
func (kl *Kubelet) register() {
	if kl.node.registering {
		return
	}
	kl.node.registering = true
	gen := kl.gen
	kl.client.Get("Node", "", kl.name, func(o model.Object, err error) {
		if !kl.alive(gen) {
			return
		}
		if err == nil {
			kl.node.registering, kl.node.registered = false, true
			kl.node.cur = o.(*model.Node)
			kl.syncNodeStatus(true)
			return
		}
		if !model.IsNotFound(err) {
			kl.node.registering = false
			return // retried by the status loop
		}
		n := model.DeepCopy(kl.desired)
		n.ResourceVersion = ""
		n.Status = kl.nodeStatus(n)
		kl.client.Create(n, func(o model.Object, err error) {
			if !kl.alive(gen) {
				return
			}
			kl.node.registering = false
			if err != nil {
				if model.IsAlreadyExists(err) {
					kl.register()
				}
				return
			}
			kl.node.registered = true
			kl.node.cur = o.(*model.Node)
			st := model.DeepCopy(kl.node.cur.Status)
			kl.node.posted, kl.node.lastPost = &st, kl.k.Now()
			kl.noteReady(&st)
		})
	})
}

// nodeStatus computes the node's status (setNodeStatus): capacity,
// allocatable, addresses, images and the conditions, with heartbeats now.
func (kl *Kubelet) nodeStatus(base *model.Node) model.NodeStatus {
	st := model.DeepCopy(base.Status)
	if kl.desired.Status.Capacity != nil {
		st.Capacity = model.DeepCopy(kl.desired.Status.Capacity)
	}
	if kl.desired.Status.Allocatable != nil {
		st.Allocatable = model.DeepCopy(kl.desired.Status.Allocatable)
	} else if st.Allocatable == nil {
		st.Allocatable = model.DeepCopy(st.Capacity)
	}
	if len(st.Addresses) == 0 {
		st.Addresses = []model.NodeAddress{{Type: "InternalIP", Address: nodeIP(kl.name)}, {Type: "Hostname", Address: kl.name}}
	}
	images := kl.machine.Images()
	sort.SliceStable(images, func(i, j int) bool { return images[i].SizeBytes > images[j].SizeBytes })
	if len(images) > nodeStatusMaxImages {
		images = images[:nodeStatusMaxImages]
	}
	st.Images = images
	now := kl.wall(kl.k.Now())
	set := func(t model.NodeConditionType, ok bool, reason, msg string) {
		status := model.ConditionFalse
		if ok {
			status = model.ConditionTrue
		}
		c := st.Condition(t)
		if c == nil {
			st.Conditions = append(st.Conditions, model.NodeCondition{Type: t})
			c = &st.Conditions[len(st.Conditions)-1]
		}
		if c.Status != status || c.LastTransitionTime == nil {
			c.LastTransitionTime = now
		}
		c.Status, c.Reason, c.Message, c.LastHeartbeatTime = status, reason, msg, now
	}
	if kl.eviction.memoryPressure {
		set(model.NodeMemoryPressure, true, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")
	} else {
		set(model.NodeMemoryPressure, false, "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
	}
	if kl.eviction.diskPressure {
		set(model.NodeDiskPressure, true, "KubeletHasDiskPressure", "kubelet has disk pressure")
	} else {
		set(model.NodeDiskPressure, false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure")
	}
	set(model.NodePIDPressure, false, "KubeletHasSufficientPID", "kubelet has sufficient PID available")
	if kl.runtimeUp {
		set(model.NodeReady, true, "KubeletReady", "kubelet is posting ready status")
	} else {
		set(model.NodeReady, false, "KubeletNotReady", "container runtime is down")
	}
	return st
}

// withoutHeartbeats blanks the heartbeat times, for change detection.
func withoutHeartbeats(st model.NodeStatus) model.NodeStatus {
	st.Conditions = append([]model.NodeCondition(nil), st.Conditions...)
	for i := range st.Conditions {
		st.Conditions[i].LastHeartbeatTime = nil
	}
	return st
}

// syncNodeStatusSoon posts the status at once if it changed.
func (kl *Kubelet) syncNodeStatusSoon() {
	if kl.node.soon {
		return
	}
	kl.node.soon = true
	kl.after(0, func(sim.Time) {
		kl.node.soon = false
		kl.syncNodeStatus(false)
	})
}

// syncNodeStatus posts the node status when it changed or when the report
// frequency has passed since the last post (or when forced).
func (kl *Kubelet) syncNodeStatus(force bool) {
	if !kl.node.registered {
		kl.register()
		return
	}
	if kl.node.busy {
		return
	}
	st := kl.nodeStatus(kl.node.cur)
	now := kl.k.Now()
	changed := kl.node.posted == nil || !reflect.DeepEqual(withoutHeartbeats(st), withoutHeartbeats(*kl.node.posted))
	if !force && !changed && now.Sub(kl.node.lastPost) < kl.cfg.NodeStatusReportFrequency {
		kl.syncTaints()
		return
	}
	obj := model.DeepCopy(kl.node.cur)
	obj.Status = st
	kl.node.busy = true
	gen := kl.gen
	finish := func(o model.Object, err error) {
		if !kl.alive(gen) {
			return
		}
		kl.node.busy = false
		if err != nil {
			if model.IsConflict(err) || model.IsNotFound(err) {
				kl.refreshNode(model.IsNotFound(err))
			}
			return
		}
		if n, ok := o.(*model.Node); ok {
			kl.node.cur = n
		}
		kl.node.posted, kl.node.lastPost = &st, now
		kl.noteReady(&st)
		kl.syncTaints()
	}
	if su, ok := kl.client.(StatusUpdater); ok {
		obj.ResourceVersion = ""
		su.UpdateStatus(obj, finish)
		return
	}
	kl.client.Update(obj, finish)
}

// refreshNode re-reads the Node after a conflict, or registers it again
// when it was deleted.
func (kl *Kubelet) refreshNode(gone bool) {
	if gone {
		kl.node.registered, kl.node.cur, kl.node.posted = false, nil, nil
		kl.register()
		return
	}
	gen := kl.gen
	kl.client.Get("Node", "", kl.name, func(o model.Object, err error) {
		if kl.alive(gen) && err == nil {
			kl.node.cur = o.(*model.Node)
			kl.syncNodeStatusSoon()
		}
	})
}

// noteReady journals the node's own Ready transitions.
func (kl *Kubelet) noteReady(st *model.NodeStatus) {
	c := st.Condition(model.NodeReady)
	ready := c != nil && c.Status == model.ConditionTrue
	if kl.node.ready != nil && *kl.node.ready == ready {
		return
	}
	kl.node.ready = &ready
	kind := "NodeNotReady"
	if ready {
		kind = "NodeReady"
	}
	kl.record(kind, kl.name, sim.F("message", "Node "+kl.name+" status is now: "+kind))
}

// syncTaints keeps the pressure taints in step with the conditions
// (TaintNodesByCondition), when the kubelet is configured to.
func (kl *Kubelet) syncTaints() {
	if !*kl.cfg.TaintNodesByCondition || kl.node.taintBusy || kl.node.cur == nil {
		return
	}
	want := map[string]bool{
		model.TaintNodeMemoryPressure: kl.eviction.memoryPressure,
		model.TaintNodeDiskPressure:   kl.eviction.diskPressure,
	}
	n := kl.node.cur
	var taints []model.Taint
	changed := false
	has := map[string]bool{}
	for _, t := range n.Spec.Taints {
		if wanted, managed := want[t.Key]; managed && t.Effect == model.TaintEffectNoSchedule {
			has[t.Key] = true
			if !wanted {
				changed = true
				continue
			}
		}
		taints = append(taints, t)
	}
	for _, key := range model.SortedKeys(want) {
		if want[key] && !has[key] {
			taints = append(taints, model.Taint{Key: key, Effect: model.TaintEffectNoSchedule})
			changed = true
		}
	}
	if !changed {
		return
	}
	obj := model.DeepCopy(n)
	obj.Spec.Taints = taints
	kl.node.taintBusy = true
	gen := kl.gen
	kl.client.Update(obj, func(o model.Object, err error) {
		if !kl.alive(gen) {
			return
		}
		kl.node.taintBusy = false
		if err == nil {
			kl.node.cur = o.(*model.Node)
			return
		}
		if model.IsConflict(err) {
			kl.refreshNode(false)
		}
	})
}

// renewLease creates or renews the node's Lease in kube-node-lease.
func (kl *Kubelet) renewLease() {
	if kl.node.leaseBusy {
		return
	}
	now := kl.wall(kl.k.Now())
	gen := kl.gen
	kl.node.leaseBusy = true
	done := func(o model.Object, err error) {
		if !kl.alive(gen) {
			return
		}
		kl.node.leaseBusy = false
		if err == nil {
			kl.node.lease = o.(*model.Lease)
		} else if model.IsNotFound(err) || model.IsAlreadyExists(err) {
			kl.node.lease = nil
			if model.IsAlreadyExists(err) { // left by an earlier process: take it over
				kl.node.lease = &model.Lease{ObjectMeta: model.ObjectMeta{Name: kl.name, Namespace: model.NamespaceNodeLease}}
				kl.renewLease()
			}
		}
	}
	if kl.node.lease == nil {
		l := &model.Lease{
			ObjectMeta: model.ObjectMeta{Name: kl.name, Namespace: model.NamespaceNodeLease},
			Spec: model.LeaseSpec{HolderIdentity: model.Ptr(kl.name), LeaseDurationSeconds: model.Ptr(kl.cfg.NodeLeaseDurationSeconds),
				RenewTime: now},
		}
		if n := kl.node.cur; n != nil && n.UID != "" {
			l.OwnerReferences = []model.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: n.Name, UID: n.UID}}
		}
		kl.client.Create(l, done)
		return
	}
	l := model.DeepCopy(kl.node.lease)
	l.ResourceVersion = ""
	l.Spec.HolderIdentity = model.Ptr(kl.name)
	l.Spec.LeaseDurationSeconds = model.Ptr(kl.cfg.NodeLeaseDurationSeconds)
	l.Spec.RenewTime = now
	kl.client.Update(l, done)
}
