package kubelet

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hardware"
	"github.com/kubesim/kubesim/sim"
)

// podState is the kubelet's view of one pod bound to its node.
type podState struct {
	uid, key string
	pod      *model.Pod // the latest API copy
	gone     bool       // removed from the API

	rejected  bool
	behaviors *model.PodBehaviors
	requests  model.Resources
	qos       model.PodQOSClass
	startTime sim.Time
	ip        string
	sandbox   bool // the sandbox is up
	// volumes tracks the wait for the pod's volumes; volumesReady latches
	// once they are all attached and mounted.
	volumes      *volumeWait
	volumesReady bool
	initialized  bool // every init container has completed (latch)
	ctrs         []*ctrState

	busy   bool      // the pod worker is running an operation
	resync bool      // a sync was asked for while busy
	wake   sim.Timer // the next sync (a backoff ends)
	queued bool      // a sync is scheduled now

	terminal    bool // nothing more will run: the phase is final
	terminating bool // being killed (deleted, evicted, deadline)
	killed      bool // every container stopped after terminating
	evicted     bool
	reason      string
	message     string
	disruption  *model.PodCondition
	deadline    sim.Timer
	finalPhase  model.PodPhase

	conds      map[model.PodConditionType]*model.PodCondition
	statusBusy bool
	statusMore bool
	statusQd   bool
	written    *model.PodStatus
	finalSent  bool
	deleting   bool // the final delete is in flight
}

// ctrState is one container of a pod.
type ctrState struct {
	spec     *model.Container
	init     bool
	sidecar  bool
	behavior model.Behavior
	source   model.BehaviorSource

	id           string // current or last instance on the machine
	attempt      int32
	ran          bool // an instance has existed
	running      bool
	startedAt    sim.Time
	started      bool // the startup probe passed (or there is none)
	ready        bool
	last         *model.ContainerStateTerminated // the last exit
	prev         *model.ContainerStateTerminated // the exit before it
	lastExitAt   sim.Time
	exited       bool // the current instance has exited
	waitReason   string
	waitMessage  string
	killing      bool
	app          appTimes
	probes       [3]*prober
	restartAfter sim.Time // CrashLoopBackOff ends
}

func (c *ctrState) restartable() bool { return c.sidecar }

func formatPod(p *model.Pod) string {
	return fmt.Sprintf("%s_%s(%s)", p.Name, p.Namespace, p.UID)
}

// podAdded handles a pod that appears bound to this node.
func (kl *Kubelet) podAdded(p *model.Pod) {
	if p.Spec.NodeName != kl.name {
		return
	}
	key := p.Key()
	if uid, ok := kl.byKey[key]; ok {
		if uid == string(p.UID) {
			kl.podUpdated(p)
			return
		}
		kl.podDeleted(kl.pods[uid].pod) // replaced by a pod of the same name
	}
	ps := &podState{uid: p.UID, key: key, pod: p, conds: map[model.PodConditionType]*model.PodCondition{}}
	kl.pods[ps.uid] = ps
	kl.byKey[key] = ps.uid
	ps.requests = model.PodRequests(p, false)
	ps.qos = model.QOSClass(p)
	st := p.Status
	ps.written = &st
	if p.IsTerminal() {
		ps.terminal, ps.killed, ps.finalPhase = true, true, p.Status.Phase
		ps.finalSent = true
		return // finished before this kubelet saw it: nothing to run
	}
	kl.buildContainers(ps)
	adopted := kl.adopt(ps)
	if !adopted {
		if reason, msg, ok := kl.admit(ps); !ok {
			ps.rejected, ps.terminal, ps.killed = true, true, true
			ps.reason, ps.message, ps.finalPhase = reason, "Pod was rejected: "+msg, model.PodFailed
			kl.record(reason, key, sim.F("message", msg))
			kl.syncStatus(ps)
			return
		}
	}
	if ps.startTime == 0 {
		ps.startTime = kl.k.Now()
		if p.Status.StartTime != nil {
			ps.startTime = sim.Time(p.Status.StartTime.Sub(kl.cfg.Start))
		}
	}
	if ads := p.Spec.ActiveDeadlineSeconds; ads != nil {
		d := ps.startTime.Add(time.Duration(*ads) * time.Second).Sub(kl.k.Now())
		ps.deadline = kl.after(d, func(sim.Time) { kl.deadlineExceeded(ps) })
	}
	kl.syncStatus(ps)
	if p.DeletionTimestamp != nil {
		kl.terminate(ps, deletionGrace(p), "")
		return
	}
	kl.requestSync(ps)
}

// buildContainers creates the container states and resolves behaviours.
func (kl *Kubelet) buildContainers(ps *podState) {
	p := ps.pod
	if text, ok := p.Annotations[model.BehaviorAnnotation]; ok {
		b, err := model.ParseBehaviorAnnotation(text)
		if err != nil {
			kl.record("InvalidBehavior", ps.key, sim.F("message", err.Error()))
		}
		ps.behaviors = b
	}
	add := func(list []model.Container, init bool) {
		for i := range list {
			c := &ctrState{spec: &list[i], init: init, sidecar: init && list[i].IsSidecar()}
			c.behavior, c.source = model.ResolveBehavior(ps.behaviors, kl.resolver, c.spec)
			ps.ctrs = append(ps.ctrs, c)
		}
	}
	add(p.Spec.InitContainers, true)
	add(p.Spec.Containers, false)
	if len(p.Spec.InitContainers) == 0 {
		ps.initialized = true
	}
}

// adopt takes over the containers a previous kubelet process (or the
// machine before a crash) left for this pod, and reports whether there were
// any: such a pod was admitted before and is not admitted again.
func (kl *Kubelet) adopt(ps *podState) bool {
	found := false
	latest := map[string]hardware.ContainerStatus{}
	for _, st := range kl.machine.Containers() {
		if st.PodUID != ps.uid {
			continue
		}
		found = true
		if cur, ok := latest[st.Name]; !ok || st.Attempt > cur.Attempt {
			latest[st.Name] = st
		}
	}
	if !found {
		return false
	}
	ip, hasSandbox := kl.sandboxes[ps.uid]
	if hasSandbox {
		ps.sandbox, ps.ip = true, ip
		ps.volumesReady = true // mounted by the previous process
	}
	ready := map[string]bool{}
	for _, list := range [][]model.ContainerStatus{ps.pod.Status.InitContainerStatuses, ps.pod.Status.ContainerStatuses} {
		for _, s := range list {
			ready[s.Name] = s.Ready
		}
	}
	allInitDone := true
	for _, c := range ps.ctrs {
		st, ok := latest[c.spec.Name]
		if !ok {
			if c.init {
				allInitDone = false
			}
			continue
		}
		c.ran, c.id, c.attempt = true, st.ID, st.Attempt
		if st.Running {
			c.running, c.startedAt, c.started = true, st.StartedAt, true
			c.ready = ready[c.spec.Name]
			c.app = kl.apps[st.ID]
			kl.startProbes(ps, c, true)
			continue
		}
		kl.noteExit(ps, c, st)
		if c.init && !c.sidecar && st.ExitCode != 0 {
			allInitDone = false
		}
	}
	if allInitDone {
		ps.initialized = true
	}
	return true
}

// podUpdated handles a change to a known pod.
func (kl *Kubelet) podUpdated(p *model.Pod) {
	uid, ok := kl.byKey[p.Key()]
	if !ok || uid != p.UID {
		kl.podAdded(p)
		return
	}
	ps := kl.pods[uid]
	ps.pod = p
	if p.DeletionTimestamp != nil && !ps.terminating {
		if ps.terminal && ps.killed {
			kl.finish(ps)
			return
		}
		kl.terminate(ps, deletionGrace(p), "")
	}
}

// podDeleted handles a pod removed from the API: its containers are
// stopped with its grace period, and nothing more is written.
func (kl *Kubelet) podDeleted(p *model.Pod) {
	uid, ok := kl.byKey[p.Key()]
	if !ok || uid != p.UID {
		return
	}
	ps := kl.pods[uid]
	ps.gone = true
	if ps.terminal && ps.killed || ps.rejected {
		kl.forget(ps)
		return
	}
	if !ps.terminating {
		kl.terminate(ps, deletionGrace(p), "")
	}
}

func deletionGrace(p *model.Pod) time.Duration {
	if g := p.DeletionGracePeriodSeconds; g != nil {
		return time.Duration(*g) * time.Second
	}
	return time.Duration(model.Deref(p.Spec.TerminationGracePeriodSeconds, 30)) * time.Second
}

// forget drops a pod whose containers are all gone.
func (kl *Kubelet) forget(ps *podState) {
	for _, c := range ps.ctrs {
		kl.stopProbes(c)
	}
	kl.k.Cancel(ps.wake)
	kl.k.Cancel(ps.deadline)
	for _, st := range kl.machine.Containers() {
		if st.PodUID == ps.uid && !st.Running {
			kl.machine.RemoveContainer(st.ID)
			delete(kl.apps, st.ID)
		}
	}
	if ps.ip != "" {
		kl.ipam.release(ps.ip)
	}
	delete(kl.sandboxes, ps.uid)
	if kl.byKey[ps.key] == ps.uid {
		delete(kl.byKey, ps.key)
	}
	delete(kl.pods, ps.uid)
}

// admit runs the kubelet's admission handlers (lifecycle/predicate.go and
// the eviction manager's): resources against allocatable minus the
// admitted pods, node name, node affinity and selector, host ports,
// NoExecute taints, and node pressure.
func (kl *Kubelet) admit(ps *podState) (reason, message string, ok bool) {
	p := ps.pod
	node := kl.currentNode()
	alloc := model.ResourcesFromList(node.Status.Allocatable)
	maxPods := kl.cfg.MaxPods
	if node.Status.Allocatable.Has(model.ResourcePods) {
		maxPods = node.Status.Allocatable.Value(model.ResourcePods)
	}
	var used model.Resources
	count := int64(0)
	ports := map[string]bool{}
	for _, uid := range kl.podUIDs() {
		o := kl.pods[uid]
		if o == ps || !o.active() {
			continue
		}
		count++
		used.Add(&o.requests)
		for _, hp := range hostPorts(o.pod) {
			ports[hp] = true
		}
	}
	if count+1 > maxPods {
		return "OutOfpods", fmt.Sprintf("Node didn't have enough resource: pods, requested: 1, used: %d, capacity: %d", count, maxPods), false
	}
	check := func(name model.ResourceName, req, use, capacity int64) (string, string, bool) {
		if req > 0 && req > capacity-use {
			return "OutOf" + string(name), fmt.Sprintf("Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d", name, req, use, capacity), false
		}
		return "", "", true
	}
	if r, m, ok := check(model.ResourceCPU, ps.requests.MilliCPU, used.MilliCPU, alloc.MilliCPU); !ok {
		return r, m, false
	}
	if r, m, ok := check(model.ResourceMemory, ps.requests.Memory, used.Memory, alloc.Memory); !ok {
		return r, m, false
	}
	if node.Status.Allocatable.Has(model.ResourceEphemeralStorage) {
		if r, m, ok := check(model.ResourceEphemeralStorage, ps.requests.EphemeralStorage, used.EphemeralStorage, alloc.EphemeralStorage); !ok {
			return r, m, false
		}
	}
	for _, s := range ps.requests.Scalars {
		if r, m, ok := check(s.Name, s.Value, used.Scalar(s.Name), alloc.Scalar(s.Name)); !ok {
			return r, m, false
		}
	}
	if match, _ := model.RequiredNodeAffinityMatches(p.Spec.NodeSelector, nodeAffinity(p), node.Name, node.Labels); !match {
		return "NodeAffinity", "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector", false
	}
	for _, hp := range hostPorts(p) {
		if ports[hp] {
			return "NodePorts", "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports", false
		}
	}
	if t, bad := model.FindMatchingUntoleratedTaint(node.Spec.Taints, p.Spec.Tolerations, func(t *model.Taint) bool {
		return t.Effect == model.TaintEffectNoExecute
	}); bad {
		return "TaintToleration", fmt.Sprintf("Predicate TaintToleration failed: node(s) had untolerated taint {%s: %s}", t.Key, t.Value), false
	}
	if !isCritical(p) {
		if kl.eviction.diskPressure {
			return "Evicted", "The node had condition: [DiskPressure]. ", false
		}
		if kl.eviction.memoryPressure && ps.qos == model.PodQOSBestEffort &&
			!model.TolerationsTolerateTaint(p.Spec.Tolerations, &model.Taint{Key: model.TaintNodeMemoryPressure, Effect: model.TaintEffectNoSchedule}) {
			return "Evicted", "The node had condition: [MemoryPressure]. ", false
		}
	}
	return "", "", true
}

func nodeAffinity(p *model.Pod) *model.NodeAffinity {
	if p.Spec.Affinity == nil {
		return nil
	}
	return p.Spec.Affinity.NodeAffinity
}

// hostPorts lists a pod's host ports as "protocol/ip/port".
func hostPorts(p *model.Pod) []string {
	var out []string
	for _, list := range [][]model.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, c := range list {
			for _, port := range c.Ports {
				if port.HostPort > 0 {
					ip := port.HostIP
					if ip == "" {
						ip = "0.0.0.0"
					}
					proto := port.Protocol
					if proto == "" {
						proto = model.ProtocolTCP
					}
					out = append(out, fmt.Sprintf("%s/%s/%d", proto, ip, port.HostPort))
				}
			}
		}
	}
	return out
}

// active reports whether a pod holds resources on the node: admitted and
// not finished (terminating pods hold theirs until their containers stop).
func (ps *podState) active() bool {
	return !ps.rejected && !(ps.terminal && ps.killed)
}

// requestSync asks the pod worker to sync the pod now.
func (kl *Kubelet) requestSync(ps *podState) {
	if ps.busy {
		ps.resync = true
		return
	}
	if ps.queued {
		return
	}
	ps.queued = true
	kl.after(0, func(sim.Time) {
		ps.queued = false
		if kl.pods[ps.uid] == ps {
			kl.syncPod(ps)
		}
	})
}

// syncPod is the pod worker's SyncPod: it creates the sandbox, runs the
// init containers in order, then starts every app container that should
// run, one operation at a time (pull, create, start).
func (kl *Kubelet) syncPod(ps *podState) {
	if ps.busy || ps.terminating || ps.terminal {
		return
	}
	kl.k.Cancel(ps.wake)
	ps.wake = sim.Timer{}
	now := kl.k.Now()
	if !kl.runtimeUp {
		return
	}
	if !ps.volumesReady && !ps.sandbox {
		if needsVolumeWait(ps.pod) {
			kl.waitForVolumes(ps)
			return
		}
		ps.volumesReady = true
	}
	if !ps.sandbox {
		ps.busy = true
		kl.after(sampleSeconds(kl.sandboxLatency), func(sim.Time) {
			ps.busy = false
			if ps.terminating {
				kl.checkTerminated(ps)
				return
			}
			ps.sandbox = true
			if ps.pod.Spec.HostNetwork {
				ps.ip = kl.hostIP()
			} else {
				ps.ip = kl.ipam.allocate()
			}
			kl.sandboxes[ps.uid] = ps.ip
			kl.syncStatus(ps)
			kl.syncPod(ps)
		})
		return
	}
	var toStart []*ctrState
	var wakeAt sim.Time
	hadError := false
	consider := func(c *ctrState) bool { // reports whether c may start now
		if c.ran && c.exited {
			key := kl.backoffKey(ps, c)
			if kl.crash.IsInBackOffSince(key, c.lastExitAt, now) {
				c.waitReason = "CrashLoopBackOff"
				c.waitMessage = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", kl.crash.Get(key), c.spec.Name, formatPod(ps.pod))
				c.restartAfter = kl.crash.expiry(key, c.lastExitAt)
				kl.record("BackOff", ps.key, sim.F("container", c.spec.Name),
					sim.F("message", fmt.Sprintf("Back-off restarting failed container %s in pod %s", c.spec.Name, formatPod(ps.pod))))
				if wakeAt == 0 || c.restartAfter < wakeAt {
					wakeAt = c.restartAfter
				}
				hadError = true
				return false
			}
			kl.crash.Next(key, c.lastExitAt, now)
		}
		return true
	}
	initDone := true
	for _, c := range ps.ctrs {
		if !c.init {
			continue
		}
		if c.sidecar {
			if c.running {
				if !c.started {
					initDone = false
					break
				}
				continue
			}
			initDone = false
			if consider(c) {
				toStart = append(toStart, c)
			}
			break
		}
		if c.running {
			initDone = false
			break
		}
		if c.ran && c.exited && c.last != nil && c.last.ExitCode == 0 {
			continue
		}
		if ps.initialized && c.ran {
			continue // already initialized: completed init containers are not rerun
		}
		initDone = false
		if c.ran && c.exited && ps.pod.Spec.RestartPolicy == model.RestartPolicyNever {
			break // the pod failed; syncStatus makes it terminal
		}
		if consider(c) {
			toStart = append(toStart, c)
		}
		break
	}
	if initDone && !ps.initialized {
		ps.initialized = true
	}
	if ps.initialized {
		for _, c := range ps.ctrs {
			if c.init || c.running {
				continue
			}
			if c.ran && c.exited && !kl.shouldRestart(ps, c) {
				continue
			}
			if consider(c) {
				toStart = append(toStart, c)
			}
		}
	}
	kl.syncStatus(ps)
	if ps.terminal {
		return
	}
	if len(toStart) == 0 {
		kl.armWake(ps, wakeAt, hadError)
		return
	}
	ps.busy = true
	kl.startChain(ps, toStart, func(failed bool, wake sim.Time) {
		ps.busy = false
		if ps.terminating {
			kl.checkTerminated(ps)
			return
		}
		kl.syncStatus(ps)
		if wakeAt == 0 || (wake != 0 && wake < wakeAt) {
			wakeAt = wake
		}
		if ps.resync {
			ps.resync = false
			kl.syncPod(ps)
			return
		}
		kl.armWake(ps, wakeAt, hadError || failed)
	})
}

// armWake schedules the pod's next sync: when a backoff ends, and after a
// sync that hit an error no later than the pod worker's back-off period.
func (kl *Kubelet) armWake(ps *podState, at sim.Time, hadError bool) {
	now := kl.k.Now()
	if hadError {
		if limit := now.Add(kl.cfg.PodWorkerBackOff); at == 0 || limit < at {
			at = limit
		}
	}
	if at == 0 {
		return
	}
	if at < now {
		at = now
	}
	kl.k.Cancel(ps.wake)
	ps.wake = kl.after(at.Sub(now), func(sim.Time) { kl.requestSync(ps) })
}

// shouldRestart applies the restart policy to an exited container.
func (kl *Kubelet) shouldRestart(ps *podState, c *ctrState) bool {
	if c.sidecar {
		return true
	}
	switch ps.pod.Spec.RestartPolicy {
	case model.RestartPolicyNever:
		return false
	case model.RestartPolicyOnFailure:
		return c.last != nil && c.last.ExitCode != 0
	}
	return true
}

func (kl *Kubelet) backoffKey(ps *podState, c *ctrState) string {
	return ps.pod.Name + "_" + ps.pod.Namespace + "_" + ps.uid + "_" + c.spec.Name
}

// startChain pulls, creates and starts containers one after another.
// done gets whether any failed and the earliest pull back-off end.
func (kl *Kubelet) startChain(ps *podState, list []*ctrState, done func(failed bool, wake sim.Time)) {
	failed := false
	var wake sim.Time
	var step func(i int)
	step = func(i int) {
		if i == len(list) || ps.terminating {
			done(failed, wake)
			return
		}
		c := list[i]
		kl.ensureImage(ps, c, func(ok bool, retryAt sim.Time) {
			if !ok {
				failed = true
				if retryAt != 0 && (wake == 0 || retryAt < wake) {
					wake = retryAt
				}
				kl.syncStatus(ps)
				step(i + 1)
				return
			}
			if ps.terminating {
				done(failed, wake)
				return
			}
			c.waitReason, c.waitMessage = "", ""
			kl.after(sampleSeconds(kl.createLatency), func(sim.Time) {
				if ps.terminating || !kl.runtimeUp {
					done(failed, wake)
					return
				}
				kl.record("Created", ps.key, sim.F("container", c.spec.Name), sim.F("message", "Created container: "+c.spec.Name))
				if err := kl.startContainer(ps, c); err != nil {
					failed = true
					c.waitReason, c.waitMessage = "CreateContainerError", err.Error()
					kl.record("Failed", ps.key, sim.F("container", c.spec.Name), sim.F("message", "Error: "+err.Error()))
				} else {
					kl.record("Started", ps.key, sim.F("container", c.spec.Name), sim.F("message", "Started container "+c.spec.Name))
				}
				kl.syncStatus(ps)
				step(i + 1)
			})
		})
	}
	step(0)
}

// startContainer realizes the container's behaviour and starts it.
func (kl *Kubelet) startContainer(ps *podState, c *ctrState) error {
	attempt := int32(0)
	if c.ran {
		attempt = c.attempt + 1
	}
	w, app := kl.realize(ps, c)
	id := fmt.Sprintf("%s/%s/%d", ps.uid, c.spec.Name, attempt)
	spec := hardware.ContainerSpec{
		ID: id, Pod: ps.key, PodUID: ps.uid, Name: c.spec.Name, Attempt: attempt, Image: c.spec.Image,
		Requests: model.ResourcesFromList(c.spec.Resources.Requests), Limits: model.ResourcesFromList(c.spec.Resources.Limits),
		OOMScoreAdj: OOMScoreAdj(ps.pod, c.spec, kl.machine.Capacity().Memory), Workload: w,
	}
	if err := kl.machine.StartContainer(spec); err != nil {
		return err
	}
	if c.ran && c.id != "" {
		kl.machine.RemoveContainer(c.id) // keep one dead instance at most
		delete(kl.apps, c.id)
	}
	c.id, c.attempt, c.ran = id, attempt, true
	c.running, c.exited, c.killing = true, false, false
	c.startedAt = kl.k.Now()
	c.started, c.ready = false, false
	c.waitReason, c.waitMessage = "", ""
	c.app = app
	kl.apps[id] = app
	kl.startProbes(ps, c, false)
	return nil
}

// onExit receives the machine's exit reports; the kubelet notices them at
// its next PLEG relist.
func (kl *Kubelet) onExit(st hardware.ContainerStatus) {
	if !kl.running {
		return
	}
	ps, ok := kl.pods[st.PodUID]
	if !ok {
		return
	}
	var c *ctrState
	for _, x := range ps.ctrs {
		if x.id == st.ID {
			c = x
		}
	}
	if c == nil || !c.running {
		return
	}
	delay := time.Duration(0)
	if p := kl.cfg.PLEGRelistPeriod; p > 0 {
		since := kl.k.Now().Sub(kl.started)
		delay = (p - since%p) % p
	}
	kl.after(delay, func(sim.Time) {
		if c.id != st.ID || !c.running {
			return
		}
		kl.noteExit(ps, c, st)
		kl.containerExited(ps, c, st)
	})
}

// noteExit records an instance's exit in the container's state.
func (kl *Kubelet) noteExit(ps *podState, c *ctrState, st hardware.ContainerStatus) {
	c.running, c.exited, c.ready, c.killing = false, true, false, false
	c.lastExitAt = st.FinishedAt
	c.prev = c.last
	c.last = &model.ContainerStateTerminated{ExitCode: st.ExitCode, Reason: st.Reason,
		StartedAt: kl.wall(st.StartedAt), FinishedAt: kl.wall(st.FinishedAt)}
	kl.stopProbes(c)
}

func (kl *Kubelet) containerExited(ps *podState, c *ctrState, st hardware.ContainerStatus) {
	if st.Reason == hardware.ReasonOOMKilled {
		msg := fmt.Sprintf("Container %s was OOM-killed", c.spec.Name)
		if lim := c.spec.Resources.Limits.Memory(); lim > 0 && !st.SystemOOM {
			msg += fmt.Sprintf(" (memory limit %d bytes)", lim)
		} else if st.SystemOOM {
			msg += " by the node's OOM killer"
		}
		kl.record("OOMKilled", ps.key, sim.F("container", c.spec.Name), sim.F("exitCode", st.ExitCode), sim.F("message", msg))
	} else if st.ExitCode == 0 && !c.sidecar && ps.pod.Spec.RestartPolicy != model.RestartPolicyAlways && !ps.terminating {
		kl.record("Completed", ps.key, sim.F("container", c.spec.Name), sim.F("message", fmt.Sprintf("Container %s completed", c.spec.Name)))
	}
	if ps.terminating {
		kl.checkTerminated(ps)
		return
	}
	kl.syncStatus(ps)
	kl.requestSync(ps)
}

// kill stops one container: preStop hook, SIGTERM, SIGKILL after grace.
func (kl *Kubelet) kill(ps *podState, c *ctrState, grace time.Duration, message string) {
	if !c.running || c.killing {
		return
	}
	c.killing = true
	kl.stopProbes(c)
	if message == "" {
		message = "Stopping container " + c.spec.Name
	}
	kl.record("Killing", ps.key, sim.F("container", c.spec.Name), sim.F("message", message))
	preStop := time.Duration(0)
	if l := c.spec.Lifecycle; l != nil && l.PreStop != nil && grace > 0 {
		if s := l.PreStop.Sleep; s != nil {
			preStop = min(time.Duration(s.Seconds)*time.Second, grace)
		}
	}
	id := c.id
	kl.after(preStop, func(sim.Time) {
		left := max(grace-preStop, MinimumGracePeriod)
		_ = kl.machine.StopContainer(id, left)
	})
}

// terminate kills every container of the pod (deletion, eviction,
// deadline) and makes the pod terminal once they have stopped.
func (kl *Kubelet) terminate(ps *podState, grace time.Duration, message string) {
	if ps.terminating {
		return
	}
	ps.terminating = true
	kl.k.Cancel(ps.wake)
	kl.k.Cancel(ps.deadline)
	for _, c := range ps.ctrs {
		kl.kill(ps, c, grace, message)
	}
	kl.checkTerminated(ps)
}

// checkTerminated finishes termination once nothing runs and the worker is
// idle.
func (kl *Kubelet) checkTerminated(ps *podState) {
	if ps.busy || ps.killed && ps.terminal {
		return
	}
	for _, c := range ps.ctrs {
		if c.running {
			return
		}
	}
	ps.killed, ps.terminal = true, true
	kl.syncStatus(ps)
	kl.finish(ps)
}

// finish deletes a terminated pod for good (grace period 0) once its
// final status is written, when the API server is waiting for the kubelet
// (the pod has a deletionTimestamp).
func (kl *Kubelet) finish(ps *podState) {
	if ps.gone {
		kl.forget(ps)
		return
	}
	if ps.pod.DeletionTimestamp == nil || ps.statusBusy || ps.statusQd || !ps.finalSent || ps.deleting {
		return
	}
	ps.deleting = true
	gen := kl.gen
	zero := int64(0)
	kl.client.DeleteWith("Pod", ps.pod.Namespace, ps.pod.Name, model.DeleteOptions{GracePeriodSeconds: &zero}, func(err error) {
		if !kl.alive(gen) {
			return
		}
		ps.deleting = false
		if err == nil || model.IsNotFound(err) {
			ps.gone = true
			kl.forget(ps)
		}
	})
}

func (kl *Kubelet) deadlineExceeded(ps *podState) {
	if ps.terminal || ps.terminating {
		return
	}
	ps.reason = "DeadlineExceeded"
	ps.message = "Pod was active on the node longer than the specified deadline"
	kl.record("DeadlineExceeded", ps.key, sim.F("message", ps.message))
	kl.terminate(ps, deletionGrace(ps.pod), "")
}

// stopSidecars stops the restartable init containers of a pod whose
// regular containers are all done.
func (kl *Kubelet) stopSidecars(ps *podState) {
	for i := len(ps.ctrs) - 1; i >= 0; i-- {
		if c := ps.ctrs[i]; c.sidecar && c.running {
			kl.kill(ps, c, deletionGrace(ps.pod), "")
		}
	}
}

func (kl *Kubelet) hostIP() string {
	n := kl.currentNode()
	for _, a := range n.Status.Addresses {
		if a.Type == "InternalIP" {
			return a.Address
		}
	}
	return nodeIP(kl.name)
}

// probeMessage is what a failing probe reports, by handler.
func probeMessage(p *model.Probe, podIP string) string {
	switch {
	case p.HTTPGet != nil:
		return "HTTP probe failed with statuscode: 503"
	case p.TCPSocket != nil:
		return fmt.Sprintf("dial tcp %s:%s: connect: connection refused", podIP, p.TCPSocket.Port.String())
	case p.GRPC != nil:
		return `service unhealthy (responded with "NOT_SERVING")`
	case p.Exec != nil:
		return fmt.Sprintf("command %q exited with 1", strings.Join(p.Exec.Command, " "))
	}
	return "probe failed"
}
