package nodelifecycle

import (
	"time"

	"github.com/kubesim/kubesim/model"
)

// nodeHealth is what the controller last observed of a node, with its own
// timestamps (nodeHealthData): upstream trusts its own clock, not the
// kubelet's heartbeat times.
type nodeHealth struct {
	probeTimestamp           time.Time
	readyTransitionTimestamp time.Time
	status                   *model.NodeStatus
	lease                    *model.Lease
}

// healthResult is tryUpdateNodeHealth's outcome for one node.
type healthResult struct {
	gracePeriod time.Duration
	observed    model.NodeCondition  // Ready as the node reported it
	current     *model.NodeCondition // Ready after the controller's update
	health      *nodeHealth          // to store if the write succeeds (or none is needed)
	stale       *nodeHealth          // to store if the write fails
	write       bool                 // node.Status changed and must be written
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// tryUpdateNodeHealth mirrors upstream: it refreshes the probe timestamp
// when the Ready heartbeat or the Lease renewTime moved, and once nothing
// moved for the grace period (nodeMonitorGracePeriod, or
// nodeStartupGracePeriod for a node that never posted Ready) it sets
// Ready, MemoryPressure, DiskPressure and PIDPressure to Unknown in node
// (a copy the caller owns) and asks for a status write.
func tryUpdateNodeHealth(node *model.Node, lease *model.Lease, prev *nodeHealth, now time.Time, monitorGrace, startupGrace time.Duration) healthResult {
	var r healthResult
	h := prev
	created := time.Time{}
	if node.CreationTimestamp != nil {
		created = *node.CreationTimestamp
	}
	current := node.Status.Condition(model.NodeReady)
	if current == nil {
		r.observed = model.NodeCondition{Type: model.NodeReady, Status: model.ConditionUnknown,
			LastHeartbeatTime: &created, LastTransitionTime: &created}
		r.gracePeriod = startupGrace
		if h != nil {
			h = &nodeHealth{probeTimestamp: h.probeTimestamp, readyTransitionTimestamp: h.readyTransitionTimestamp,
				status: &node.Status, lease: h.lease}
		} else {
			h = &nodeHealth{status: &node.Status, probeTimestamp: created, readyTransitionTimestamp: created}
		}
	} else {
		r.observed = *current
		r.gracePeriod = monitorGrace
	}
	var saved *model.NodeCondition
	var savedLease *model.Lease
	if h != nil {
		saved = h.status.Condition(model.NodeReady)
		savedLease = h.lease
	}
	switch {
	case h == nil:
		h = &nodeHealth{status: &node.Status, probeTimestamp: now, readyTransitionTimestamp: now}
	case saved == nil && current != nil:
		h = &nodeHealth{status: &node.Status, probeTimestamp: now, readyTransitionTimestamp: now}
	case saved != nil && current == nil:
		h = &nodeHealth{status: &node.Status, probeTimestamp: now, readyTransitionTimestamp: now}
	case saved != nil && current != nil && !sameTime(saved.LastHeartbeatTime, current.LastHeartbeatTime):
		transition := h.readyTransitionTimestamp
		if !sameTime(saved.LastTransitionTime, current.LastTransitionTime) {
			transition = now
		}
		h = &nodeHealth{status: &node.Status, probeTimestamp: now, readyTransitionTimestamp: transition}
	}
	if lease != nil && lease.Spec.RenewTime != nil &&
		(savedLease == nil || savedLease.Spec.RenewTime == nil || savedLease.Spec.RenewTime.Before(*lease.Spec.RenewTime)) {
		h = &nodeHealth{probeTimestamp: now, readyTransitionTimestamp: h.readyTransitionTimestamp, status: h.status, lease: lease}
	}
	r.health, r.stale = h, h
	r.current = current
	if !now.After(h.probeTimestamp.Add(r.gracePeriod)) {
		return r
	}
	// No heartbeat for the grace period: everything the kubelet reports
	// becomes Unknown (NetworkUnavailable is the network's business).
	for _, t := range []model.NodeConditionType{model.NodeReady, model.NodeMemoryPressure, model.NodeDiskPressure, model.NodePIDPressure} {
		c := node.Status.Condition(t)
		if c == nil {
			n := now
			node.Status.Conditions = append(node.Status.Conditions, model.NodeCondition{Type: t, Status: model.ConditionUnknown,
				Reason: "NodeStatusNeverUpdated", Message: "Kubelet never posted node status.",
				LastHeartbeatTime: &created, LastTransitionTime: &n})
		} else if c.Status != model.ConditionUnknown {
			n := now
			c.Status, c.Reason, c.Message, c.LastTransitionTime = model.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", &n
		}
	}
	r.current = node.Status.Condition(model.NodeReady)
	if r.current.Status != r.observed.Status || r.current.Reason != r.observed.Reason || r.current.Message != r.observed.Message ||
		!sameTime(r.current.LastTransitionTime, r.observed.LastTransitionTime) || !sameTime(r.current.LastHeartbeatTime, r.observed.LastHeartbeatTime) {
		r.write = true
		r.health = &nodeHealth{status: &node.Status, probeTimestamp: h.probeTimestamp, readyTransitionTimestamp: now, lease: lease}
	}
	return r
}

// Well-known NoExecute taints the controller manages.
var (
	unreachableTaint = model.Taint{Key: model.TaintNodeUnreachable, Effect: model.TaintEffectNoExecute}
	notReadyTaint    = model.Taint{Key: model.TaintNodeNotReady, Effect: model.TaintEffectNoExecute}
)

// conditionTaints maps node conditions to the NoSchedule taints of
// TaintNodesByCondition (nodeConditionToTaintKeyStatusMap).
func conditionTaintKey(t model.NodeConditionType, s model.ConditionStatus) string {
	switch t {
	case model.NodeReady:
		switch s {
		case model.ConditionFalse:
			return model.TaintNodeNotReady
		case model.ConditionUnknown:
			return model.TaintNodeUnreachable
		}
	case model.NodeMemoryPressure:
		if s == model.ConditionTrue {
			return model.TaintNodeMemoryPressure
		}
	case model.NodeDiskPressure:
		if s == model.ConditionTrue {
			return model.TaintNodeDiskPressure
		}
	case model.NodeNetworkUnavailable:
		if s == model.ConditionTrue {
			return model.TaintNodeNetworkUnavailable
		}
	case model.NodePIDPressure:
		if s == model.ConditionTrue {
			return model.TaintNodePIDPressure
		}
	}
	return ""
}

func isConditionTaintKey(key string) bool {
	switch key {
	case model.TaintNodeNotReady, model.TaintNodeUnreachable, model.TaintNodeNetworkUnavailable,
		model.TaintNodeMemoryPressure, model.TaintNodeDiskPressure, model.TaintNodePIDPressure:
		return true
	}
	return false
}

// noScheduleTaintDiff is doNoScheduleTaintingPass's decision: the
// NoSchedule taints the node's conditions and unschedulable flag call
// for, against those the controller manages on it (matched by key and
// effect).
func noScheduleTaintDiff(node *model.Node) (add, remove []model.Taint) {
	var want []model.Taint
	for _, c := range node.Status.Conditions {
		if key := conditionTaintKey(c.Type, c.Status); key != "" {
			want = append(want, model.Taint{Key: key, Effect: model.TaintEffectNoSchedule})
		}
	}
	if node.Spec.Unschedulable {
		want = append(want, model.Taint{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule})
	}
	var have []model.Taint
	for _, t := range node.Spec.Taints {
		if t.Effect == model.TaintEffectNoSchedule && (t.Key == model.TaintNodeUnschedulable || isConditionTaintKey(t.Key)) {
			have = append(have, t)
		}
	}
	return taintSetDiff(want, have)
}

// taintSetDiff returns the taints of want not in have and of have not in
// want, matched by key and effect (taintutils.TaintSetDiff).
func taintSetDiff(want, have []model.Taint) (add, remove []model.Taint) {
	for i := range want {
		if !taintExists(have, &want[i]) {
			add = append(add, want[i])
		}
	}
	for i := range have {
		if !taintExists(want, &have[i]) {
			remove = append(remove, have[i])
		}
	}
	return add, remove
}

func taintExists(taints []model.Taint, t *model.Taint) bool {
	for i := range taints {
		if taints[i].MatchTaint(t) {
			return true
		}
	}
	return false
}

// applyTaints adds (replacing a same key-and-effect taint unless equal)
// and removes taints, reporting whether anything changed
// (taintutils.AddOrUpdateTaint, RemoveTaint).
func applyTaints(taints []model.Taint, add, remove []model.Taint) ([]model.Taint, bool) {
	out := append([]model.Taint(nil), taints...)
	changed := false
	for _, t := range add {
		found := false
		for i := range out {
			if out[i].MatchTaint(&t) {
				found = true
				if out[i].Value != t.Value || !sameTime(out[i].TimeAdded, t.TimeAdded) {
					out[i] = t
					changed = true
				}
				break
			}
		}
		if !found {
			out = append(out, t)
			changed = true
		}
	}
	for _, t := range remove {
		for i := range out {
			if out[i].MatchTaint(&t) {
				out = append(out[:i], out[i+1:]...)
				changed = true
				break
			}
		}
	}
	return out, changed
}
