package scenarios

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/kubelet"
	"github.com/kubesim/kubesim/network"
	"github.com/kubesim/kubesim/sim"
)

// scheduleAction arms an action at its time, and again and again when it
// repeats (intervals from the action's own stream, so adding an action
// never shifts another's draws).
func (r *Run) scheduleAction(a *LoadedAction) {
	end := sim.Time(r.Loaded.Scenario.Spec.Duration)
	if a.Until > 0 && sim.Time(a.Until) < end {
		end = sim.Time(a.Until)
	}
	var every sim.Sampler
	if a.Every != nil {
		every, _ = a.Every.Dist().Sampler(r.Kernel.Rand(fmt.Sprintf("timeline/%d/every", a.Index)))
	}
	var fire sim.HandlerFunc
	fire = func(now sim.Time) {
		r.runAction(a)
		if every == nil {
			return
		}
		next := now.Add(time.Duration(every.Sample() * 1e9))
		if next > now && next <= end {
			r.Kernel.At(next, fire)
		}
	}
	r.Kernel.At(sim.Time(a.At), fire)
}

func (r *Run) record(kind, source, object string, fields ...sim.Field) {
	r.Kernel.Journal().Record(sim.Event{T: r.Kernel.Now(), Kind: kind, Source: source, Object: object, Fields: fields})
}

// pickNode resolves a target: the named node, or a random node of the
// pool or zone for which want holds (want nil: any).
func (r *Run) pickNode(t *NodeTarget, idx int, want func(*kubelet.Kubelet) bool) (string, bool) {
	if t.Node != "" {
		_, ok := r.kubelets[t.Node]
		return t.Node, ok
	}
	var names []string
	for _, n := range r.Loaded.Nodes {
		if (t.Pool != "" && n.Labels["kubesim.io/pool"] != t.Pool) || (t.Zone != "" && n.Labels[model.LabelTopologyZone] != t.Zone) {
			continue
		}
		if want != nil && !want(r.kubelets[n.Name]) {
			continue
		}
		names = append(names, n.Name)
	}
	if len(names) == 0 {
		return "", false
	}
	sort.Strings(names)
	return names[r.Kernel.Rand(fmt.Sprintf("timeline/%d/pick", idx)).IntN(len(names))], true
}

func up(kl *kubelet.Kubelet) bool   { return kl.Running() }
func down(kl *kubelet.Kubelet) bool { return !kl.Running() }

// runFault carries out the node, pod and workload actions.
func (r *Run) runFault(a *LoadedAction, src string) {
	switch {
	case a.NodeCrash != nil:
		r.nodeAction(a, src, a.NodeCrash, up, "NodeCrash", r.crash, "NodeRecover", r.recover)
	case a.NodeRecover != nil:
		r.nodeAction(a, src, a.NodeRecover, down, "NodeRecover", r.recover, "", nil)
	case a.KubeletStop != nil:
		r.nodeAction(a, src, a.KubeletStop, up, "KubeletStop", func(kl *kubelet.Kubelet) { kl.Stop() },
			"KubeletStart", func(kl *kubelet.Kubelet) { kl.Restart() })
	case a.KubeletStart != nil:
		r.nodeAction(a, src, a.KubeletStart, down, "KubeletStart", func(kl *kubelet.Kubelet) { kl.Restart() }, "", nil)
	case a.Cordon != nil:
		if node, ok := r.pickNode(a.Cordon, a.Index, nil); ok {
			r.setUnschedulable(src, node, true)
			if a.Cordon.For > 0 {
				r.Kernel.AfterFunc(a.Cordon.For, func(sim.Time) { r.setUnschedulable(src, node, false) })
			}
		}
	case a.Uncordon != nil:
		if node, ok := r.pickNode(a.Uncordon, a.Index, nil); ok {
			r.setUnschedulable(src, node, false)
		}
	case a.NodeDrain != nil:
		if node, ok := r.pickNode(a.NodeDrain, a.Index, nil); ok {
			r.drain(src, node)
		}
	case a.PodKill != nil:
		r.podKill(a, src)
	case a.ImageRegistryOutage != nil:
		r.registry.SetAvailable(false)
		r.record("RegistryOutage", src, "registry", sim.F("for", a.ImageRegistryOutage.For))
		r.Kernel.AfterFunc(a.ImageRegistryOutage.For, func(sim.Time) {
			r.registry.SetAvailable(true)
			r.record("RegistryRecovered", src, "registry")
		})
	case a.Scale != nil:
		s := a.Scale
		r.mutate(src, s.Kind, s.Namespace, s.Name, "Scale", func(o model.Object) error {
			switch x := o.(type) {
			case *model.Deployment:
				x.Spec.Replicas = model.Ptr(s.Replicas)
			case *model.ReplicaSet:
				x.Spec.Replicas = model.Ptr(s.Replicas)
			case *model.StatefulSet:
				x.Spec.Replicas = model.Ptr(s.Replicas)
			}
			return nil
		}, sim.F("replicas", int64(s.Replicas)))
	case a.Partition != nil:
		pa := a.Partition
		id := r.data.parts.Cut(pa.A, pa.B, pa.OneWay)
		r.record("Partition", src, describeGroups(pa.A, pa.B), sim.F("oneWay", pa.OneWay), sim.F("for", pa.For))
		if pa.For > 0 {
			r.Kernel.AfterFunc(pa.For, func(sim.Time) {
				r.data.parts.Heal(id)
				r.record("Healed", src, describeGroups(pa.A, pa.B))
			})
		}
	case a.Heal != nil:
		r.data.parts.Heal(0)
		r.record("Healed", src, "all")
	case a.LinkDegrade != nil:
		ld := a.LinkDegrade
		id := r.data.parts.Degrade(network.Link{A: ld.A, B: ld.B, Latency: ld.Latency, Loss: ld.Loss})
		r.record("LinkDegraded", src, describeGroups(ld.A, ld.B), sim.F("latency", ld.Latency), sim.F("loss", ld.Loss), sim.F("for", ld.For))
		r.Kernel.AfterFunc(ld.For, func(sim.Time) {
			r.data.parts.Heal(id)
			r.record("LinkRestored", src, describeGroups(ld.A, ld.B))
		})
	case a.ZoneOutage != nil:
		r.zoneOutage(a.ZoneOutage, src)
	case a.NodeTaint != nil:
		r.nodeTaint(a, src)
	case a.ProvisionerOutage != nil:
		o := a.ProvisionerOutage
		r.storage.SetProvisionerDown(o.Driver, true)
		r.record("ProvisionerOutage", src, o.Driver, sim.F("for", o.For))
		r.Kernel.AfterFunc(o.For, func(sim.Time) {
			r.storage.SetProvisionerDown(o.Driver, false)
			r.record("ProvisionerRecovered", src, o.Driver)
		})
	case a.VolumeDetachStuck != nil:
		o := a.VolumeDetachStuck
		r.storage.SetDetachStuck(o.Driver, true)
		r.record("VolumeDetachStuck", src, o.Driver, sim.F("for", o.For))
		r.Kernel.AfterFunc(o.For, func(sim.Time) {
			r.storage.SetDetachStuck(o.Driver, false)
			r.record("VolumeDetachRecovered", src, o.Driver)
		})
	case a.EtcdMemberCrash != nil, a.EtcdMemberRestart != nil, a.EtcdLeaderKill != nil, a.EtcdPartition != nil, a.EtcdDiskStall != nil:
		r.etcdFault(a, src)
	case a.Rollout != nil:
		ro := a.Rollout
		r.mutate(src, ro.Kind, ro.Namespace, ro.Name, "Rollout", func(o model.Object) error {
			var t *model.PodTemplateSpec
			switch x := o.(type) {
			case *model.Deployment:
				t = &x.Spec.Template
			case *model.StatefulSet:
				t = &x.Spec.Template
			case *model.DaemonSet:
				t = &x.Spec.Template
			case *model.ReplicaSet:
				t = &x.Spec.Template
			}
			for i := range t.Spec.Containers {
				if ro.Container == "" && i == 0 || t.Spec.Containers[i].Name == ro.Container {
					t.Spec.Containers[i].Image = ro.Image
					return nil
				}
			}
			return fmt.Errorf("no container %q in the pod template", ro.Container)
		}, sim.F("image", ro.Image))
	}
}

func (r *Run) nodeAction(a *LoadedAction, src string, t *NodeTarget, want func(*kubelet.Kubelet) bool,
	kind string, do func(*kubelet.Kubelet), undoKind string, undo func(*kubelet.Kubelet)) {
	node, ok := r.pickNode(t, a.Index, want)
	if !ok {
		r.record("ActionSkipped", src, kind, sim.F("reason", "no matching node in the required state"))
		return
	}
	kl := r.kubelets[node]
	do(kl)
	r.record(kind, src, node)
	if t.For > 0 && undo != nil {
		r.Kernel.AfterFunc(t.For, func(sim.Time) {
			undo(kl)
			r.record(undoKind, src, node)
		})
	}
}

// mutate reads an object, changes it and writes it back, through kubectl.
func (r *Run) mutate(src, kind, namespace, name, what string, change func(model.Object) error, fields ...sim.Field) {
	info, err := model.LookupKind(kindAPIVersion(kind), kind)
	if err == nil && info.Namespaced && namespace == "" {
		namespace = "default"
	}
	obj := kind + "/" + name
	if namespace != "" {
		obj = kind + "/" + namespace + "/" + name
	}
	r.kubectl.Get(kind, namespace, name, func(o model.Object, err error) {
		if err != nil {
			r.record("ActionFailed", src, obj, sim.F("action", what), sim.F("error", err.Error()))
			return
		}
		c := model.DeepCopyObject(o)
		if err := change(c); err != nil {
			r.record("ActionFailed", src, obj, sim.F("action", what), sim.F("error", err.Error()))
			return
		}
		r.kubectl.Update(c, func(_ model.Object, err error) {
			if model.IsConflict(err) {
				// Someone wrote in between (a node's status, a controller):
				// read again and redo the change, as kubectl edit would.
				r.mutate(src, kind, namespace, name, what, change, fields...)
				return
			}
			if err != nil {
				r.record("ActionFailed", src, obj, sim.F("action", what), sim.F("error", err.Error()))
				return
			}
			r.record(what, src, obj, fields...)
		})
	})
}

func (r *Run) setUnschedulable(src, node string, v bool) {
	what := "Cordon"
	if !v {
		what = "Uncordon"
	}
	r.mutate(src, "Node", "", node, what, func(o model.Object) error {
		o.(*model.Node).Spec.Unschedulable = v
		return nil
	})
}

// drain cordons the node and evicts its pods (not DaemonSet pods, as
// kubectl drain --ignore-daemonsets), retrying refused evictions every
// 5 s (kubectl drain's interval) until the run ends.
func (r *Run) drain(src, node string) {
	r.setUnschedulable(src, node, true)
	r.kubectl.List("Pod", func(objs []model.Object, err error) {
		if err != nil {
			r.record("ActionFailed", src, node, sim.F("action", "NodeDrain"), sim.F("error", err.Error()))
			return
		}
		n := 0
		for _, o := range objs {
			p := o.(*model.Pod)
			if p.Spec.NodeName != node || p.IsTerminal() || p.DeletionTimestamp != nil {
				continue
			}
			if ref := p.ControllerRef(); ref != nil && ref.Kind == "DaemonSet" {
				continue
			}
			n++
			r.evict(src, p.Namespace, p.Name)
		}
		r.record("NodeDrain", src, node, sim.F("pods", n))
	})
}

func (r *Run) evict(src, namespace, name string) {
	r.kubectl.Evict(namespace, name, func(err error) {
		switch {
		case err == nil || model.IsNotFound(err):
		case model.IsTooManyRequests(err):
			r.Kernel.AfterFunc(5*time.Second, func(sim.Time) { r.evict(src, namespace, name) })
		default:
			r.record("ActionFailed", src, namespace+"/"+name, sim.F("action", "Evict"), sim.F("error", err.Error()))
		}
	})
}

func (r *Run) podKill(a *LoadedAction, src string) {
	k := a.PodKill
	ns := k.Namespace
	if ns == "" {
		ns = "default"
	}
	opts := model.DeleteOptions{GracePeriodSeconds: k.GracePeriodSeconds}
	kill := func(name string) {
		r.kubectl.DeleteWith("Pod", ns, name, opts, func(err error) {
			if err != nil {
				r.record("ActionFailed", src, ns+"/"+name, sim.F("action", "PodKill"), sim.F("error", err.Error()))
				return
			}
			r.record("PodKill", src, ns+"/"+name)
		})
	}
	if k.Name != "" {
		kill(k.Name)
		return
	}
	sel := model.SelectorFromSet(k.Selector)
	r.kubectl.List("Pod", func(objs []model.Object, err error) {
		var names []string
		for _, o := range objs {
			p := o.(*model.Pod)
			if p.Namespace == ns && p.DeletionTimestamp == nil && !p.IsTerminal() && sel.Matches(p.Labels) {
				names = append(names, p.Name)
			}
		}
		if len(names) == 0 {
			r.record("ActionSkipped", src, "PodKill", sim.F("reason", "no matching pod"))
			return
		}
		kill(names[r.Kernel.Rand(fmt.Sprintf("timeline/%d/pick", a.Index)).IntN(len(names))])
	})
}

// etcdFault acts on the Raft cluster.
func (r *Run) etcdFault(a *LoadedAction, src string) {
	c := r.raft
	member := func(t *EtcdTarget) uint64 {
		if t.Leader {
			return c.Leader()
		}
		return t.Member
	}
	fail := func(what string, err error) {
		r.record("ActionFailed", src, "etcd", sim.F("action", what), sim.F("error", err.Error()))
	}
	name := func(id uint64) string { return fmt.Sprintf("etcd/member-%d", id) }
	crash := func(what string, t *EtcdTarget, id uint64) {
		if id == 0 {
			r.record("ActionSkipped", src, what, sim.F("reason", "no leader at this moment"))
			return
		}
		if err := c.Crash(id); err != nil {
			fail(what, err)
			return
		}
		r.record(what, src, name(id))
		if t.For > 0 {
			r.Kernel.AfterFunc(t.For, func(sim.Time) {
				if err := c.Restart(id); err != nil {
					fail("EtcdMemberRestart", err)
					return
				}
				r.record("EtcdMemberRestart", src, name(id))
			})
		}
	}
	switch {
	case a.EtcdMemberCrash != nil:
		crash("EtcdMemberCrash", a.EtcdMemberCrash, member(a.EtcdMemberCrash))
	case a.EtcdLeaderKill != nil:
		crash("EtcdLeaderKill", a.EtcdLeaderKill, c.Leader())
	case a.EtcdMemberRestart != nil:
		id := member(a.EtcdMemberRestart)
		if err := c.Restart(id); err != nil {
			fail("EtcdMemberRestart", err)
			return
		}
		r.record("EtcdMemberRestart", src, name(id))
	case a.EtcdPartition != nil:
		p := a.EtcdPartition
		if err := c.Partition(p.Members); err != nil {
			fail("EtcdPartition", err)
			return
		}
		var ids []string
		for _, m := range p.Members {
			ids = append(ids, fmt.Sprint(m))
		}
		r.record("EtcdPartition", src, "etcd", sim.F("isolated", ids))
		if p.For > 0 {
			r.Kernel.AfterFunc(p.For, func(sim.Time) {
				c.Heal()
				r.record("EtcdHeal", src, "etcd")
			})
		}
	case a.EtcdDiskStall != nil:
		id := member(a.EtcdDiskStall)
		if err := c.DiskStall(id, a.EtcdDiskStall.For); err != nil {
			fail("EtcdDiskStall", err)
			return
		}
		r.record("EtcdDiskStall", src, name(id), sim.F("for", a.EtcdDiskStall.For))
	}
}

// zoneNodes lists the nodes of a zone, by name.
func (r *Run) zoneNodes(zone string) []string {
	var out []string
	for _, n := range r.Loaded.Nodes {
		if n.Labels[model.LabelTopologyZone] == zone {
			out = append(out, n.Name)
		}
	}
	sort.Strings(out)
	return out
}

// zoneOutage crashes every node of the zone and makes its storage
// unusable; with For, the zone comes back and its nodes boot again.
func (r *Run) zoneOutage(z *ZoneOutage, src string) {
	nodes := r.zoneNodes(z.Zone)
	r.storage.SetZoneDown(z.Zone, true)
	crashed := 0
	for _, name := range nodes {
		if kl := r.kubelets[name]; kl.Running() {
			r.crash(kl)
			crashed++
		}
	}
	r.record("ZoneOutage", src, z.Zone, sim.F("nodes", int64(crashed)), sim.F("for", z.For))
	if z.For <= 0 {
		return
	}
	r.Kernel.AfterFunc(z.For, func(sim.Time) {
		r.storage.SetZoneDown(z.Zone, false)
		for _, name := range nodes {
			if kl := r.kubelets[name]; !kl.Running() {
				r.recover(kl)
			}
		}
		r.record("ZoneRecovered", src, z.Zone, sim.F("nodes", int64(len(nodes))))
	})
}

// nodeTaint adds a taint to the target node (or every node of the pool or
// zone with all), removing it after For.
func (r *Run) nodeTaint(a *LoadedAction, src string) {
	nt := a.NodeTaint
	var nodes []string
	if nt.All {
		for _, n := range r.Loaded.Nodes {
			if (nt.Pool != "" && n.Labels["kubesim.io/pool"] == nt.Pool) || (nt.Zone != "" && n.Labels[model.LabelTopologyZone] == nt.Zone) {
				nodes = append(nodes, n.Name)
			}
		}
		sort.Strings(nodes)
	} else if node, ok := r.pickNode(&nt.NodeTarget, a.Index, nil); ok {
		nodes = []string{node}
	}
	taint := model.Taint{Key: nt.Key, Value: nt.Value, Effect: nt.Effect}
	set := func(node string, on bool) {
		what := "Taint"
		if !on {
			what = "Untaint"
		}
		r.mutate(src, "Node", "", node, what, func(o model.Object) error {
			n := o.(*model.Node)
			n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(t model.Taint) bool { return t.Key == taint.Key && t.Effect == taint.Effect })
			if on {
				t := taint
				if t.Effect == model.TaintEffectNoExecute {
					now := r.Kernel.Now().Wall(r.start)
					t.TimeAdded = &now
				}
				n.Spec.Taints = append(n.Spec.Taints, t)
			}
			return nil
		}, sim.F("taint", taint.Key+"="+taint.Value+":"+string(taint.Effect)))
	}
	for _, node := range nodes {
		set(node, true)
	}
	if nt.For > 0 {
		r.Kernel.AfterFunc(nt.For, func(sim.Time) {
			for _, node := range nodes {
				set(node, false)
			}
		})
	}
}

// crash kills a node: its machine, kubelet and kube-proxy.
func (r *Run) crash(kl *kubelet.Kubelet) {
	kl.Crash()
	r.data.nodeDown(kl.Name())
}

// recover boots a crashed node again.
func (r *Run) recover(kl *kubelet.Kubelet) {
	kl.Recover()
	r.data.nodeUp(kl.Name())
}

// describeGroups names the two sides of a cut or link for the journal.
func describeGroups(a, b network.Group) string {
	return describeGroup(a) + " | " + describeGroup(b)
}

func describeGroup(g network.Group) string {
	var parts []string
	if g.ControlPlane {
		parts = append(parts, network.ControlPlane)
	}
	if g.Zone != "" {
		parts = append(parts, "zone "+g.Zone)
	}
	parts = append(parts, g.Nodes...)
	return strings.Join(parts, ",")
}
