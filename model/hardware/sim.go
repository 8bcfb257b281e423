package hardware

import (
	"fmt"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Profile is a machine's hardware beyond its capacity.
type Profile struct {
	// NetworkBandwidth in bytes per second, shared equally by concurrent
	// image pulls. Default DefaultNetworkBandwidth.
	NetworkBandwidth int64
	// DiskBandwidth in bytes per second caps pulls too (unpacking); 0: the
	// network is the bottleneck.
	DiskBandwidth int64
	// PullLatency is each pull's fixed cost: resolving the reference and
	// fetching the manifest from the registry. Default 0.
	PullLatency time.Duration
	// Registry serves the images; nil gives the machine a registry of its
	// own that is always up. Share one among machines for cluster-wide
	// registry outages.
	Registry *Registry
	// Images present at start (the node's status.images).
	Images []model.ContainerImage
	// CgroupV1 uses cpu.shares directly as weights; the default is cgroup
	// v2, whose cpu.weight is derived from the shares (coarser).
	CgroupV1 bool
}

// DefaultNetworkBandwidth is 100 MB/s.
const DefaultNetworkBandwidth int64 = 100_000_000

// SimMachine is the simulated Machine (see the package documentation).
type SimMachine struct {
	k        *sim.Kernel
	name     string
	capacity model.Resources
	profile  Profile
	registry *Registry
	up       bool
	onExit   ExitHandler

	containers map[string]*container
	running    []*container // sorted by ID: the CPU split's order
	claims     []cpuClaim
	shares     []int64
	scratch    []int
	memTimer   sim.Timer

	images map[string]*cachedImage // by every name
	pulls  map[string]*pull        // transfers in flight, by image
	active []*pull                 // in start order
	pullAt sim.Time                // transfers advanced up to here
	pullT  sim.Timer
}

var _ Machine = (*SimMachine)(nil)

type container struct {
	spec   ContainerSpec
	status ContainerStatus

	weight   int64
	quotaCap int64 // millicores the quota allows; 0: none
	cap      int64 // min(demand, quota, capacity)
	alloc    int64 // current share in millicores

	last       sim.Time // CPU accounting advanced up to here
	cpuNanos   int64    // one-core nanoseconds used
	cpuRem     int64    // milli-nanoseconds not yet a whole nanosecond
	throttled  time.Duration
	throttling bool
	workLeft   int64 // milli-nanoseconds of CPU work left; -1: none

	workTimer, runTimer, oomTimer, stopTimer sim.Timer
	stopAt                                   sim.Time
	stopping                                 bool

	memAtExit, diskAtExit int64

	// load is CPU demand added while the container serves requests
	// (AddCPULoad), in millicores.
	load int64
}

type cachedImage struct {
	names []string
	size  int64
}

// NewSimMachine returns a powered-on simulated machine with capacity
// (cpu, memory, ephemeral-storage from a node's status.capacity).
func NewSimMachine(k *sim.Kernel, name string, capacity model.ResourceList, profile Profile) *SimMachine {
	if profile.NetworkBandwidth <= 0 {
		profile.NetworkBandwidth = DefaultNetworkBandwidth
	}
	m := &SimMachine{
		k:          k,
		name:       name,
		capacity:   model.ResourcesFromList(capacity),
		profile:    profile,
		registry:   profile.Registry,
		up:         true,
		containers: map[string]*container{},
		images:     map[string]*cachedImage{},
		pulls:      map[string]*pull{},
	}
	if m.registry == nil {
		m.registry = NewRegistry()
	}
	m.registry.attach(m)
	for _, img := range profile.Images {
		m.addImage(img.Names, img.SizeBytes)
	}
	return m
}

// Name returns the node's name.
func (m *SimMachine) Name() string { return m.name }

// Capacity returns the machine's capacity.
func (m *SimMachine) Capacity() model.Resources { return m.capacity }

// Registry returns the registry the machine pulls from.
func (m *SimMachine) Registry() *Registry { return m.registry }

// SetExitHandler registers the exit handler.
func (m *SimMachine) SetExitHandler(h ExitHandler) { m.onExit = h }

// Up reports whether the machine is powered on.
func (m *SimMachine) Up() bool { return m.up }

// StartContainer starts a container now.
func (m *SimMachine) StartContainer(spec ContainerSpec) error {
	if !m.up {
		return ErrMachineDown
	}
	if old, ok := m.containers[spec.ID]; ok && old != nil {
		return fmt.Errorf("%w: %s", ErrContainerExists, spec.ID)
	}
	if !m.HasImage(spec.Image) {
		return fmt.Errorf("%w: %s", ErrImageNotPresent, spec.Image)
	}
	now := m.k.Now()
	c := &container{spec: spec, last: now, workLeft: -1}
	c.status = ContainerStatus{ID: spec.ID, Pod: spec.Pod, PodUID: spec.PodUID, Name: spec.Name,
		Attempt: spec.Attempt, Image: spec.Image, Running: true, StartedAt: now}
	shares := MilliCPUToShares(spec.Requests.MilliCPU)
	c.weight = SharesToWeight(shares)
	if m.profile.CgroupV1 {
		c.weight = shares
	}
	if q := MilliCPUToQuota(spec.Limits.MilliCPU); q > 0 {
		c.quotaCap = quotaMilli(q)
	}
	w := &spec.Workload
	m.setCap(c)
	m.containers[spec.ID] = c
	i := sort.Search(len(m.running), func(i int) bool { return m.running[i].spec.ID >= spec.ID })
	m.running = append(m.running, nil)
	copy(m.running[i+1:], m.running[i:])
	m.running[i] = c

	switch {
	case w.CPUWork > 0:
		c.workLeft = satMul(int64(w.CPUWork), MilliCPUToCPU)
	case !w.Forever:
		c.runTimer = m.k.After(w.RunFor, sim.HandlerFunc(func(sim.Time) {
			m.exit(c, w.ExitCode, reasonFor(w.ExitCode), false)
		}))
	}
	if lim := spec.Limits.Memory; lim > 0 {
		if d, ok := w.Memory.crossing(lim); ok {
			c.oomTimer = m.k.After(d, sim.HandlerFunc(func(sim.Time) {
				m.exit(c, ExitSIGKILL, ReasonOOMKilled, false)
			}))
		}
	}
	m.advance(now)
	m.reshare(now)
	m.scheduleMemoryCheck(now)
	return nil
}

func reasonFor(code int32) string {
	if code == 0 {
		return ReasonCompleted
	}
	return ReasonError
}

// StopContainer sends SIGTERM, then SIGKILL after grace.
func (m *SimMachine) StopContainer(id string, grace time.Duration) error {
	c, ok := m.containers[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoSuchContainer, id)
	}
	if !c.status.Running {
		return nil
	}
	now := m.k.Now()
	if grace < 0 {
		grace = 0
	}
	code, reason, at := ExitSIGKILL, ReasonError, now.Add(grace)
	w := &c.spec.Workload
	switch {
	case grace == 0:
		at = now
	case !w.HandlesSIGTERM:
		code, at = ExitSIGTERM, now
	case w.ShutdownTime <= grace:
		code, reason, at = 0, ReasonCompleted, now.Add(w.ShutdownTime)
	}
	if c.stopping && c.stopAt <= at {
		return nil // an earlier signal already ends it sooner
	}
	m.k.Cancel(c.stopTimer)
	c.stopping, c.stopAt = true, at
	c.stopTimer = m.k.At(at, sim.HandlerFunc(func(sim.Time) { m.exit(c, code, reason, false) }))
	return nil
}

// RemoveContainer forgets an exited container.
func (m *SimMachine) RemoveContainer(id string) {
	if c, ok := m.containers[id]; ok && !c.status.Running {
		delete(m.containers, id)
	}
}

// exit ends a running container and reports it.
func (m *SimMachine) exit(c *container, code int32, reason string, systemOOM bool) {
	if !c.status.Running {
		return
	}
	now := m.k.Now()
	m.advance(now)
	m.finish(c, now, code, reason)
	c.status.SystemOOM = systemOOM
	m.reshare(now)
	m.scheduleMemoryCheck(now)
	if m.onExit != nil {
		m.onExit(c.status)
	}
}

// finish marks c exited without reporting it or resharing.
func (m *SimMachine) finish(c *container, now sim.Time, code int32, reason string) {
	c.memAtExit = c.spec.Workload.Memory.At(now.Sub(c.status.StartedAt))
	c.diskAtExit = c.spec.Workload.Disk.At(now.Sub(c.status.StartedAt))
	c.status.Running = false
	c.status.FinishedAt = now
	c.status.ExitCode = code
	c.status.Reason = reason
	c.alloc, c.throttling = 0, false
	for _, t := range []sim.Timer{c.workTimer, c.runTimer, c.oomTimer, c.stopTimer} {
		m.k.Cancel(t)
	}
	for i, r := range m.running {
		if r == c {
			m.running = append(m.running[:i], m.running[i+1:]...)
			break
		}
	}
}

// advance brings every running container's CPU accounting and work to now.
func (m *SimMachine) advance(now sim.Time) {
	for _, c := range m.running {
		m.advanceOne(c, now)
	}
}

func (m *SimMachine) advanceOne(c *container, now sim.Time) {
	dt := int64(now - c.last)
	if dt <= 0 {
		return
	}
	c.last = now
	if c.throttling {
		c.throttled += time.Duration(dt)
	}
	if c.alloc == 0 {
		return
	}
	used := satMul(c.alloc, dt) // milli-nanoseconds
	c.cpuRem += used % MilliCPUToCPU
	c.cpuNanos += used/MilliCPUToCPU + c.cpuRem/MilliCPUToCPU
	c.cpuRem %= MilliCPUToCPU
	if c.workLeft > 0 {
		c.workLeft = max(c.workLeft-used, 0)
	}
}

// setCap sets a container's CPU cap: its demand (with the load it
// serves) bounded by the machine and its CFS quota.
func (m *SimMachine) setCap(c *container) {
	demand := c.spec.Workload.CPUDemand
	if demand != CPUUnbounded {
		demand += c.load
	}
	if demand == CPUUnbounded || demand > m.capacity.MilliCPU {
		demand = m.capacity.MilliCPU
	}
	c.cap = max(demand, 0)
	if c.quotaCap > 0 && c.cap > c.quotaCap {
		c.cap = c.quotaCap
	}
}

// AddCPULoad changes a running container's CPU demand by delta
// millicores (requests it is serving: each one CPU-bound on a core) and
// reshares the node's CPU. It returns the container's slowdown after the
// change, demand over the share it gets (1 when it gets all it asks
// for), and false if the container does not run.
func (m *SimMachine) AddCPULoad(id string, delta int64) (float64, bool) {
	c, ok := m.containers[id]
	if !ok || !m.up || !c.status.Running {
		return 1, false
	}
	now := m.k.Now()
	m.advance(now)
	c.load = max(c.load+delta, 0)
	m.setCap(c)
	m.reshare(now)
	demand := c.spec.Workload.CPUDemand
	if demand == CPUUnbounded || c.alloc <= 0 {
		return 1, true
	}
	demand += c.load
	if demand <= c.alloc {
		return 1, true
	}
	return float64(demand) / float64(c.alloc), true
}

// reshare recomputes every running container's CPU share and re-arms the
// completion of those doing CPU work whose share changed. Call it after
// advance, whenever the running set or a demand changes.
func (m *SimMachine) reshare(now sim.Time) {
	n := len(m.running)
	if cap(m.claims) < n {
		m.claims = make([]cpuClaim, n)
		m.shares = make([]int64, n)
		m.scratch = make([]int, n)
	}
	claims, shares := m.claims[:n], m.shares[:n]
	for i, c := range m.running {
		claims[i] = cpuClaim{weight: c.weight, cap: c.cap}
	}
	shareCPU(m.capacity.MilliCPU, claims, shares, m.scratch[:n])
	for i, c := range m.running {
		c.last = now
		old := c.alloc
		c.alloc = shares[i]
		demand := c.spec.Workload.CPUDemand
		c.throttling = c.quotaCap > 0 && c.alloc >= c.quotaCap &&
			(demand == CPUUnbounded || demand > c.quotaCap)
		if c.workLeft < 0 || (old == c.alloc && m.k.Active(c.workTimer)) {
			continue
		}
		m.k.Cancel(c.workTimer)
		if c.workLeft == 0 {
			c.workTimer = m.k.After(0, sim.HandlerFunc(func(sim.Time) { m.workDone(c) }))
			continue
		}
		if c.alloc == 0 {
			continue
		}
		d := (c.workLeft + c.alloc - 1) / c.alloc
		c.workTimer = m.k.After(time.Duration(d), sim.HandlerFunc(func(sim.Time) { m.workDone(c) }))
	}
}

func (m *SimMachine) workDone(c *container) {
	m.advanceOne(c, m.k.Now())
	if c.workLeft > 0 { // rounding: a nanosecond short
		m.reshareAt()
		return
	}
	m.exit(c, c.spec.Workload.ExitCode, reasonFor(c.spec.Workload.ExitCode), false)
}

func (m *SimMachine) reshareAt() {
	now := m.k.Now()
	m.advance(now)
	for _, c := range m.running {
		if c.workLeft > 0 {
			m.k.Cancel(c.workTimer)
			c.workTimer = sim.Timer{}
		}
	}
	m.reshare(now)
}

// memoryUse returns the node's memory use now.
func (m *SimMachine) memoryUse(now sim.Time) (total, ramp int64) {
	for _, c := range m.running {
		g := c.spec.Workload.Memory
		d := now.Sub(c.status.StartedAt)
		u := g.At(d)
		total = satAdd(total, u)
		if g.PerSecond > 0 && (g.Max == 0 || u < g.Max) {
			ramp = satAdd(ramp, g.PerSecond)
		}
	}
	return total, ramp
}

// scheduleMemoryCheck runs the kernel's OOM killer if the node is out of
// memory, and arms a check for when, at the current slopes, it next would
// be. Slopes only fall (curves reach their maximum), so the check comes no
// later than the real crossing; it re-arms itself.
func (m *SimMachine) scheduleMemoryCheck(now sim.Time) {
	m.k.Cancel(m.memTimer)
	m.memTimer = sim.Timer{}
	capacity := m.capacity.Memory
	if capacity <= 0 || !m.up {
		return
	}
	for range len(m.running) + 1 {
		total, ramp := m.memoryUse(now)
		if total <= capacity {
			if ramp > 0 {
				d := mulDivCeil(uint64(capacity-total+1), uint64(time.Second), uint64(ramp))
				m.memTimer = m.k.After(time.Duration(d), sim.HandlerFunc(func(t sim.Time) { m.scheduleMemoryCheck(t) }))
			}
			return
		}
		victim := m.oomVictim(now)
		if victim == nil {
			return
		}
		m.advance(now)
		m.finish(victim, now, ExitSIGKILL, ReasonOOMKilled)
		victim.status.SystemOOM = true
		m.reshare(now)
		st := victim.status
		m.k.After(0, sim.HandlerFunc(func(sim.Time) {
			if m.onExit != nil {
				m.onExit(st)
			}
		}))
	}
}

// oomVictim is the running container with the highest OOM badness: its
// memory use plus oom_score_adj thousandths of the node's memory (the
// kernel's oom_badness). Ties go to the first by ID.
func (m *SimMachine) oomVictim(now sim.Time) *container {
	var best *container
	var bestScore int64
	for _, c := range m.running {
		score := c.spec.Workload.Memory.At(now.Sub(c.status.StartedAt)) + int64(c.spec.OOMScoreAdj)*(m.capacity.Memory/1000)
		if best == nil || score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// Container returns one container's state.
func (m *SimMachine) Container(id string) (ContainerStatus, bool) {
	c, ok := m.containers[id]
	if !ok {
		return ContainerStatus{}, false
	}
	return c.status, true
}

// Containers lists every container sorted by ID.
func (m *SimMachine) Containers() []ContainerStatus {
	out := make([]ContainerStatus, 0, len(m.containers))
	for _, id := range model.SortedKeys(m.containers) {
		out = append(out, m.containers[id].status)
	}
	return out
}

// ContainerStats reads one container's use now.
func (m *SimMachine) ContainerStats(id string) (ContainerStats, bool) {
	c, ok := m.containers[id]
	if !ok {
		return ContainerStats{}, false
	}
	now := m.k.Now()
	if c.status.Running {
		m.advanceOne(c, now)
		d := now.Sub(c.status.StartedAt)
		return ContainerStats{ID: id, CPU: c.alloc, CPUTime: time.Duration(c.cpuNanos), ThrottledTime: c.throttled,
			Memory: c.spec.Workload.Memory.At(d), Disk: c.spec.Workload.Disk.At(d)}, true
	}
	return ContainerStats{ID: id, CPUTime: time.Duration(c.cpuNanos), ThrottledTime: c.throttled, Disk: c.diskAtExit}, true
}

// Stats reads the node's use now.
func (m *SimMachine) Stats() NodeStats {
	now := m.k.Now()
	s := NodeStats{CPUCapacity: m.capacity.MilliCPU, MemoryCapacity: m.capacity.Memory, DiskCapacity: m.capacity.EphemeralStorage}
	for _, c := range m.running {
		s.CPUUsage += c.alloc
	}
	s.MemoryUsage, _ = m.memoryUse(now)
	s.MemoryAvailable = s.MemoryCapacity - s.MemoryUsage
	for _, img := range m.imageSet() {
		s.ImageBytes += img.size
	}
	s.DiskUsage = s.ImageBytes
	for _, c := range m.containers {
		if c.status.Running {
			s.DiskUsage = satAdd(s.DiskUsage, c.spec.Workload.Disk.At(now.Sub(c.status.StartedAt)))
		} else {
			s.DiskUsage = satAdd(s.DiskUsage, c.diskAtExit)
		}
	}
	s.DiskAvailable = s.DiskCapacity - s.DiskUsage
	return s
}

// Crash loses every running container and pull without a report.
func (m *SimMachine) Crash() {
	if !m.up {
		return
	}
	now := m.k.Now()
	m.advance(now)
	for len(m.running) > 0 {
		m.finish(m.running[0], now, ExitUnknown, ReasonUnknown)
	}
	m.k.Cancel(m.memTimer)
	m.abandonPulls()
	m.up = false
}

// Boot powers the machine on.
func (m *SimMachine) Boot() { m.up = true }

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	p := a * b
	if p/b != a || (a > 0) != (b > 0) && p > 0 {
		return 1<<63 - 1
	}
	return p
}
