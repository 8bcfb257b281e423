package kubelet

import (
	"fmt"
	"sort"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Eviction signals (pkg/kubelet/eviction/api).
const (
	SignalMemoryAvailable  = "memory.available"
	SignalNodeFSAvailable  = "nodefs.available"
	SignalImageFSAvailable = "imagefs.available"
)

// evictionState is the eviction manager's memory between rounds.
type evictionState struct {
	lastMet        map[string]sim.Time // signal -> last round its threshold was met
	memoryPressure bool
	diskPressure   bool
}

// startEviction runs the eviction manager every monitoring interval.
func (kl *Kubelet) startEviction() {
	var loop func(sim.Time)
	loop = func(sim.Time) {
		kl.housekeeping()
		kl.synchronizeEviction()
		kl.after(kl.cfg.EvictionMonitoring, loop)
	}
	kl.after(kl.cfg.EvictionMonitoring, loop)
}

// thresholdMet is one hard threshold crossed in this round.
type thresholdMet struct {
	signal    string
	resource  model.ResourceName
	threshold string // as configured: "100Mi", "10%"
	available int64
}

// observe reads the signals and returns the thresholds they cross.
func (kl *Kubelet) observe() []thresholdMet {
	s := kl.machine.Stats()
	var met []thresholdMet
	if t := kl.cfg.EvictionMemoryAvailable; t > 0 && s.MemoryCapacity > 0 && s.MemoryAvailable < t {
		met = append(met, thresholdMet{SignalMemoryAvailable, model.ResourceMemory, model.NewQuantity(t).String(), s.MemoryAvailable})
	}
	if s.DiskCapacity > 0 {
		for _, fs := range []struct {
			signal string
			pct    int64
		}{{SignalNodeFSAvailable, kl.cfg.EvictionNodeFSPercent}, {SignalImageFSAvailable, kl.cfg.EvictionImageFSPercent}} {
			if fs.pct > 0 && s.DiskAvailable*100 < s.DiskCapacity*fs.pct {
				met = append(met, thresholdMet{fs.signal, model.ResourceEphemeralStorage, fmt.Sprintf("%d%%", fs.pct), s.DiskAvailable})
			}
		}
	}
	return met
}

// synchronizeEviction is one round of the eviction manager: update the
// pressure conditions, reclaim node-level resources (unused images) for
// disk, and evict at most one pod.
func (kl *Kubelet) synchronizeEviction() {
	if kl.localStorageEviction() {
		return
	}
	now := kl.k.Now()
	met := kl.observe()
	for _, m := range met {
		kl.eviction.lastMet[m.signal] = now
	}
	if len(met) > 0 && met[len(met)-1].resource == model.ResourceEphemeralStorage {
		kl.reclaimImages()
		met = kl.observe()
	}
	recent := func(signals ...string) bool {
		for _, s := range signals {
			if t, ok := kl.eviction.lastMet[s]; ok && now.Sub(t) < kl.cfg.EvictionPressureTransition {
				return true
			}
		}
		return false
	}
	mem, disk := recent(SignalMemoryAvailable), recent(SignalNodeFSAvailable, SignalImageFSAvailable)
	if mem != kl.eviction.memoryPressure || disk != kl.eviction.diskPressure {
		kl.eviction.memoryPressure, kl.eviction.diskPressure = mem, disk
		kl.syncNodeStatusSoon()
	}
	if len(met) == 0 {
		return
	}
	m := met[0] // memory first, then the filesystems
	for _, c := range kl.rankForEviction(m.resource) {
		if isCritical(c.ps.pod) {
			continue
		}
		kl.evict(c, m)
		return
	}
}

// reclaimImages deletes every image no running container uses.
func (kl *Kubelet) reclaimImages() {
	for _, img := range kl.machine.Images() {
		kl.machine.RemoveImage(img.Names[0])
	}
}

// evictionCandidate is a pod with its use and request of the resource.
type evictionCandidate struct {
	ps       *podState
	usage    int64
	request  int64
	priority int32
	perCtr   []ctrUsage
}

type ctrUsage struct {
	name           string
	usage, request int64
}

// rankForEviction orders the active pods as rankMemoryPressure and
// rankDiskPressure do: pods using more than they request first, then lower
// priority first, then the larger use beyond the request first (ties by
// pod key).
func (kl *Kubelet) rankForEviction(res model.ResourceName) []evictionCandidate {
	var out []evictionCandidate
	for _, uid := range kl.podUIDs() {
		ps := kl.pods[uid]
		if !ps.active() || ps.terminating || ps.terminal {
			continue
		}
		c := evictionCandidate{ps: ps, priority: ps.pod.PriorityValue()}
		if res == model.ResourceMemory {
			c.request = ps.requests.Memory
		} else {
			c.request = ps.requests.EphemeralStorage
		}
		for _, ct := range ps.ctrs {
			if !ct.ran {
				continue
			}
			st, ok := kl.machine.ContainerStats(ct.id)
			if !ok {
				continue
			}
			u := st.Disk
			if res == model.ResourceMemory {
				if !ct.running {
					continue
				}
				u = st.Memory
			}
			c.usage += u
			c.perCtr = append(c.perCtr, ctrUsage{ct.spec.Name, u, ct.spec.Resources.Requests.Value(res)})
		}
		out = append(out, c)
	}
	rankPods(out)
	return out
}

// rankPods sorts candidates into the eviction order.
func rankPods(c []evictionCandidate) {
	sort.SliceStable(c, func(i, j int) bool {
		a, b := c[i], c[j]
		ea, eb := a.usage > a.request, b.usage > b.request
		if ea != eb {
			return ea
		}
		if a.priority != b.priority {
			return a.priority < b.priority
		}
		da, db := a.usage-a.request, b.usage-b.request
		if da != db {
			return da > db
		}
		return a.ps.key < b.ps.key
	})
}

// evict kills a pod with the hard-eviction grace period and fails it with
// reason Evicted.
func (kl *Kubelet) evict(c evictionCandidate, m thresholdMet) {
	ps := c.ps
	msg := fmt.Sprintf("The node was low on resource: %s. Threshold quantity: %s, available: %dKi. ", m.resource, m.threshold, m.available/1024)
	for _, u := range c.perCtr {
		if u.usage > u.request {
			msg += fmt.Sprintf("Container %s was using %dKi, request is %s, has larger consumption of %s. ",
				u.name, u.usage/1024, model.NewQuantity(u.request).String(), m.resource)
		}
	}
	ps.evicted = true
	ps.reason, ps.message = "Evicted", msg
	ps.disruption = &model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue,
		Reason: "TerminationByKubelet", Message: msg, LastTransitionTime: kl.wall(kl.k.Now())}
	kl.record("Evicted", ps.key, sim.F("signal", m.signal), sim.F("usage", c.usage), sim.F("request", c.request), sim.F("message", msg))
	kl.terminate(ps, kl.cfg.EvictionGracePeriod, "")
}

// Messages of the local storage limits (pkg/kubelet/eviction/helpers.go).
const (
	emptyDirMessageFmt                  = "Usage of EmptyDir volume %q exceeds the limit %q. "
	podEphemeralStorageMessageFmt       = "Pod ephemeral local storage usage exceeds the total limit of containers %s. "
	containerEphemeralStorageMessageFmt = "Container %s exceeded its local ephemeral storage limit %q. "
)

// localStorageEviction is the eviction manager's first step
// (LocalStorageCapacityIsolation): a pod whose disk-backed emptyDir
// outgrew its sizeLimit, whose containers' writes exceed the sum of their
// ephemeral-storage limits, or one of whose containers exceeds its own, is
// evicted at once, whatever the node's pressure. It reports whether it
// evicted.
func (kl *Kubelet) localStorageEviction() bool {
	evicted := false
	for _, uid := range kl.podUIDs() {
		ps := kl.pods[uid]
		if ps.terminating || ps.terminal || isCritical(ps.pod) {
			continue
		}
		volumes := map[string]int64{} // emptyDir -> bytes written
		var podUsage, podLimit int64
		msg, ctrMsg := "", ""
		for _, c := range ps.ctrs {
			st, ok := kl.machine.ContainerStats(c.id)
			if !ok || c.id == "" {
				continue
			}
			limit := model.ResourcesFromList(c.spec.Resources.Limits).EphemeralStorage
			podLimit += limit
			if v := emptyDirOf(ps.pod, c.behavior.EmptyDir); v != nil {
				if v.Medium != "Memory" {
					volumes[c.behavior.EmptyDir] += st.Disk
					podUsage += st.Disk
				}
				continue
			}
			podUsage += st.Disk
			if limit > 0 && st.Disk > limit && ctrMsg == "" {
				ctrMsg = fmt.Sprintf(containerEphemeralStorageMessageFmt, c.spec.Name, model.NewQuantity(limit).String())
			}
		}
		for i := range ps.pod.Spec.Volumes {
			v := &ps.pod.Spec.Volumes[i]
			if v.EmptyDir == nil || v.EmptyDir.SizeLimit == nil || v.EmptyDir.Medium == "Memory" {
				continue
			}
			if used := volumes[v.Name]; used > v.EmptyDir.SizeLimit.Value() {
				msg = fmt.Sprintf(emptyDirMessageFmt, v.Name, v.EmptyDir.SizeLimit.String())
				break
			}
		}
		// Upstream sums the limits the containers have (PodLimits).
		if msg == "" && podLimit > 0 && podUsage > podLimit {
			msg = fmt.Sprintf(podEphemeralStorageMessageFmt, model.NewQuantity(podLimit).String())
		}
		if msg == "" {
			msg = ctrMsg
		}
		if msg == "" {
			continue
		}
		ps.evicted = true
		ps.reason, ps.message = "Evicted", msg
		ps.disruption = &model.PodCondition{Type: model.DisruptionTarget, Status: model.ConditionTrue,
			Reason: "TerminationByKubelet", Message: msg, LastTransitionTime: kl.wall(kl.k.Now())}
		kl.record("Evicted", ps.key, sim.F("signal", "ephemeral-storage"), sim.F("usage", podUsage), sim.F("message", msg))
		kl.terminate(ps, 0, "")
		evicted = true
	}
	return evicted
}
