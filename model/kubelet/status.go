package kubelet

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// PodReadyToStartContainers is the condition set once the sandbox is up
// (beta and on by default since 1.29).
const PodReadyToStartContainers model.PodConditionType = "PodReadyToStartContainers"

// syncStatus recomputes the pod's phase, makes the pod terminal when its
// regular containers are done for good, and queues a status write.
func (kl *Kubelet) syncStatus(ps *podState) {
	if !ps.rejected && !ps.terminal && !ps.terminating {
		if ph := kl.computePhase(ps); ph == model.PodSucceeded || ph == model.PodFailed {
			kl.terminate(ps, deletionGrace(ps.pod), "") // stops the sidecars
			return
		}
	}
	if ps.statusQd || ps.gone {
		return
	}
	ps.statusQd = true
	kl.after(0, func(sim.Time) { kl.flushStatus(ps) })
}

// updateInitialized latches the pod's initialization once every regular
// init container has succeeded and every sidecar has started.
func updateInitialized(ps *podState) {
	if ps.initialized {
		return
	}
	for _, c := range ps.ctrs {
		if !c.init {
			continue
		}
		if c.sidecar && !(c.running && c.started) {
			return
		}
		if !c.sidecar && !(c.ran && c.exited && c.last != nil && c.last.ExitCode == 0) {
			return
		}
	}
	ps.initialized = true
}

// computePhase returns the pod's phase now.
func (kl *Kubelet) computePhase(ps *podState) model.PodPhase {
	updateInitialized(ps)
	if ps.rejected {
		return model.PodFailed
	}
	final := ps.terminal && ps.killed
	if final && (ps.evicted || ps.reason == "DeadlineExceeded") {
		return model.PodFailed
	}
	init, regular := map[string]containerView{}, map[string]containerView{}
	for _, c := range ps.ctrs {
		if !c.ran {
			continue
		}
		s := kl.containerStatus(ps, c)
		if c.init {
			init[c.spec.Name] = containerView{Status: &s, Started: c.started}
		} else {
			regular[c.spec.Name] = containerView{Status: &s, Started: c.started}
		}
	}
	return getPhase(&ps.pod.Spec, init, regular, final, ps.initialized)
}

// containerStatus renders one container's API status.
func (kl *Kubelet) containerStatus(ps *podState, c *ctrState) model.ContainerStatus {
	s := model.ContainerStatus{Name: c.spec.Name, Image: c.spec.Image, Ready: c.ready && c.running}
	if c.ran {
		s.RestartCount = c.attempt
	}
	switch {
	case c.running:
		s.State.Running = &model.ContainerStateRunning{StartedAt: kl.wall(c.startedAt)}
		if c.last != nil {
			s.LastTerminationState.Terminated = c.last
		}
	case c.ran && c.exited && c.waitReason == "":
		s.State.Terminated = c.last
		if c.attempt > 0 && c.prev != nil {
			s.LastTerminationState.Terminated = c.prev
		}
	case c.ran && c.exited:
		s.State.Waiting = &model.ContainerStateWaiting{Reason: c.waitReason, Message: c.waitMessage}
		s.LastTerminationState.Terminated = c.last
	default:
		reason := c.waitReason
		msg := c.waitMessage
		if reason == "" {
			reason = "ContainerCreating"
			if len(ps.pod.Spec.InitContainers) > 0 && (!ps.initialized || c.init) {
				reason = "PodInitializing"
			}
		}
		s.State.Waiting = &model.ContainerStateWaiting{Reason: reason, Message: msg}
	}
	return s
}

// buildStatus renders the pod's status from the API copy, replacing what
// the kubelet owns and keeping the rest (PodScheduled, other components'
// conditions, nominatedNodeName).
func (kl *Kubelet) buildStatus(ps *podState) model.PodStatus {
	st := model.DeepCopy(ps.pod.Status)
	st.Phase = kl.computePhase(ps)
	if ps.rejected {
		st.Reason, st.Message = ps.reason, ps.message
		return st
	}
	if ps.reason != "" {
		st.Reason, st.Message = ps.reason, ps.message
	}
	st.HostIP = kl.hostIP()
	st.PodIP = ps.ip
	st.StartTime = kl.wall(ps.startTime)
	st.InitContainerStatuses, st.ContainerStatuses = nil, nil
	var notInit, notReady []string
	for _, c := range ps.ctrs {
		s := kl.containerStatus(ps, c)
		if c.init {
			st.InitContainerStatuses = append(st.InitContainerStatuses, s)
			done := c.ran && c.exited && c.last != nil && c.last.ExitCode == 0
			if (c.sidecar && !(c.running && c.started)) || (!c.sidecar && !done) {
				notInit = append(notInit, c.spec.Name)
			}
			if c.sidecar && !s.Ready {
				notReady = append(notReady, c.spec.Name)
			}
			continue
		}
		st.ContainerStatuses = append(st.ContainerStatuses, s)
		if !s.Ready {
			notReady = append(notReady, c.spec.Name)
		}
	}
	terminal := st.Phase == model.PodSucceeded || st.Phase == model.PodFailed
	kl.setCondition(ps, &st, PodReadyToStartContainers, ps.sandbox && !(terminal && ps.killed), "", "")
	if ps.initialized {
		kl.setCondition(ps, &st, model.PodInitialized, true, "", "")
	} else {
		kl.setCondition(ps, &st, model.PodInitialized, false, "ContainersNotInitialized",
			fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(notInit, " ")))
	}
	switch {
	case terminal:
		kl.setCondition(ps, &st, model.PodReady, false, "PodCompleted", "")
		kl.setCondition(ps, &st, model.ContainersReady, false, "PodCompleted", "")
	case len(notReady) == 0:
		kl.setCondition(ps, &st, model.PodReady, true, "", "")
		kl.setCondition(ps, &st, model.ContainersReady, true, "", "")
	default:
		msg := fmt.Sprintf("containers with unready status: [%s]", strings.Join(notReady, " "))
		kl.setCondition(ps, &st, model.PodReady, false, "ContainersNotReady", msg)
		kl.setCondition(ps, &st, model.ContainersReady, false, "ContainersNotReady", msg)
	}
	if ps.disruption != nil {
		st.SetCondition(*ps.disruption)
	}
	return st
}

// setCondition sets a kubelet-owned condition, keeping its transition time
// while its status does not change.
func (kl *Kubelet) setCondition(ps *podState, st *model.PodStatus, t model.PodConditionType, ok bool, reason, msg string) {
	status := model.ConditionFalse
	if ok {
		status = model.ConditionTrue
	}
	cur := ps.conds[t]
	if cur == nil {
		if old := ps.pod.Status.Condition(t); old != nil {
			c := *old
			cur = &c
		}
	}
	if cur == nil || cur.Status != status {
		cur = &model.PodCondition{Type: t, Status: status, LastTransitionTime: kl.wall(kl.k.Now())}
	}
	cur.Reason, cur.Message = reason, msg
	ps.conds[t] = cur
	st.SetCondition(*cur)
}

// flushStatus writes the pod's status if it changed, one write at a time.
func (kl *Kubelet) flushStatus(ps *podState) {
	ps.statusQd = false
	if ps.gone || kl.pods[ps.uid] != ps {
		return
	}
	if ps.statusBusy {
		ps.statusMore = true
		return
	}
	st := kl.buildStatus(ps)
	final := ps.terminal && ps.killed
	if reflect.DeepEqual(&st, ps.written) {
		if final {
			ps.finalSent = true
			kl.finish(ps)
		}
		return
	}
	if st.Phase != ps.written.Phase || kl.readyChanged(ps.written, &st) {
		fields := []sim.Field{sim.F("phase", string(st.Phase)), sim.F("ready", isReady(&st))}
		if st.Reason != "" {
			fields = append(fields, sim.F("reason", st.Reason))
		}
		kl.record("PodStatus", ps.key, fields...)
	}
	ps.statusBusy = true
	gen := kl.gen
	kl.writePodStatus(ps, st, 0, func(err error) {
		if !kl.alive(gen) {
			return
		}
		ps.statusBusy = false
		switch {
		case err == nil:
			ps.written = &st
			if final {
				ps.finalSent = true
			}
		case model.IsNotFound(err):
			ps.gone = true
			if ps.terminal && ps.killed {
				kl.forget(ps)
			}
			return
		default:
			ps.statusMore = true
		}
		if ps.statusMore {
			ps.statusMore = false
			kl.syncStatus(ps)
			return
		}
		if final {
			kl.finish(ps)
		}
	})
}

func isReady(st *model.PodStatus) bool {
	c := st.Condition(model.PodReady)
	return c != nil && c.Status == model.ConditionTrue
}

func (kl *Kubelet) readyChanged(a, b *model.PodStatus) bool { return isReady(a) != isReady(b) }

// writePodStatus sends a status through the status subresource when the
// client has one, else as an update at the cached resourceVersion,
// re-reading the pod after a conflict.
func (kl *Kubelet) writePodStatus(ps *podState, st model.PodStatus, attempt int, done func(error)) {
	obj := model.DeepCopy(ps.pod)
	obj.Status = st
	gen := kl.gen
	if su, ok := kl.client.(StatusUpdater); ok {
		obj.ResourceVersion = ""
		su.UpdateStatus(obj, func(_ model.Object, err error) { done(err) })
		return
	}
	kl.client.Update(obj, func(o model.Object, err error) {
		if !kl.alive(gen) {
			return
		}
		if err == nil {
			if p, ok := o.(*model.Pod); ok {
				ps.pod = p
			}
			done(nil)
			return
		}
		if !model.IsConflict(err) || attempt >= 5 {
			done(err)
			return
		}
		kl.client.Get("Pod", ps.pod.Namespace, ps.pod.Name, func(o model.Object, gerr error) {
			if !kl.alive(gen) {
				return
			}
			if gerr != nil {
				done(gerr)
				return
			}
			p := o.(*model.Pod)
			if p.UID != ps.uid {
				done(&model.StatusError{Reason: model.ReasonNotFound, Kind: "Pod", Key: ps.key, Message: "pod was replaced"})
				return
			}
			ps.pod = p
			kl.writePodStatus(ps, st, attempt+1, done)
		})
	})
}
