package scenarios

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Latency summarizes a latency sample in seconds. Quantiles use gonum's
// stat.Empirical definition (the smallest value with at least p of the
// sample at or below it), not numpy's linear interpolation.
type Latency struct {
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

func summarize(xs []float64) Latency {
	if len(xs) == 0 {
		return Latency{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	round := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	return Latency{
		Count: len(s),
		Mean:  round(stat.Mean(s, nil)),
		P50:   round(stat.Quantile(0.50, stat.Empirical, s, nil)),
		P90:   round(stat.Quantile(0.90, stat.Empirical, s, nil)),
		P99:   round(stat.Quantile(0.99, stat.Empirical, s, nil)),
		Max:   round(s[len(s)-1]),
	}
}

// podMetrics measures pods from the watch, as a metrics pipeline would:
//   - scheduling latency: creation to the Scheduled event;
//   - pod startup latency as the Kubernetes SLO defines it
//     (sig-scalability's pod_startup_latency): creation to the moment all
//     containers are reported started (phase Running with every container
//     running), observed through the watch;
//   - time pending: creation to binding for pods still unbound at the end
//     count up to the end of the run.
type podMetrics struct {
	k          *sim.Kernel
	created    map[string]sim.Time
	scheduled  map[string]bool
	started    map[string]bool
	scheduling []float64
	startup    []float64
	restarts   map[string]int32
	// lastBound and lastDone are the last binding and the last completion.
	lastBound, lastDone sim.Time
	completed           map[string]bool
}

func newPodMetrics(k *sim.Kernel) *podMetrics {
	return &podMetrics{k: k, created: map[string]sim.Time{}, scheduled: map[string]bool{}, started: map[string]bool{},
		restarts: map[string]int32{}, completed: map[string]bool{}}
}

func (m *podMetrics) onPod(ev model.WatchEvent) {
	p, ok := ev.Object.(*model.Pod)
	if !ok {
		return
	}
	k := p.Key() + "/" + p.UID
	now := m.k.Now()
	switch ev.Type {
	case model.Added:
		if _, seen := m.created[k]; !seen {
			m.created[k] = now
		}
	case model.Deleted:
		delete(m.created, k)
		return
	}
	if p.Status.Phase == model.PodSucceeded && !m.completed[k] {
		m.completed[k] = true
		m.lastDone = now
	}
	if p.Spec.NodeName != "" && !m.scheduled[k] {
		m.scheduled[k] = true
		m.lastBound = now
		if c, ok := m.created[k]; ok {
			m.scheduling = append(m.scheduling, now.Sub(c).Seconds())
		}
	}
	if !m.started[k] && p.Status.Phase == model.PodRunning && allContainersRunning(p) {
		m.started[k] = true
		if c, ok := m.created[k]; ok {
			m.startup = append(m.startup, now.Sub(c).Seconds())
		}
	}
	var r int32
	for _, cs := range p.Status.ContainerStatuses {
		r += cs.RestartCount
	}
	m.restarts[k] = r
}

func allContainersRunning(p *model.Pod) bool {
	if len(p.Status.ContainerStatuses) < len(p.Spec.Containers) {
		return false
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Running == nil {
			return false
		}
	}
	return true
}

// pendingSeconds returns, for pods never scheduled, how long they waited.
func (m *podMetrics) pendingSeconds(end sim.Time) []float64 {
	var out []float64
	for _, k := range model.SortedKeys(m.created) {
		if !m.scheduled[k] {
			out = append(out, end.Sub(m.created[k]).Seconds())
		}
	}
	return out
}

func (m *podMetrics) totalRestarts() int64 {
	var n int64
	for _, k := range model.SortedKeys(m.restarts) {
		n += int64(m.restarts[k])
	}
	return n
}

// PodSummary are the pod-level figures of a run.
type PodSummary struct {
	SchedulingLatency Latency `json:"schedulingLatency"`
	StartupLatency    Latency `json:"startupLatency"`
	// UnscheduledAtEnd counts pods never bound, with how long they waited.
	UnscheduledAtEnd Latency `json:"unscheduledAtEnd"`
	Restarts         int64   `json:"restarts"`
}

// makespan is when the last pod completed, or, if none completed, when
// the last pod was bound: the span a batch of work took.
func (m *podMetrics) makespan() float64 {
	if len(m.completed) > 0 {
		return m.lastDone.Seconds()
	}
	return m.lastBound.Seconds()
}

func (m *podMetrics) summary(end sim.Time) PodSummary {
	return PodSummary{
		SchedulingLatency: summarize(m.scheduling),
		StartupLatency:    summarize(m.startup),
		UnscheduledAtEnd:  summarize(m.pendingSeconds(end)),
		Restarts:          m.totalRestarts(),
	}
}
