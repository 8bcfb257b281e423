package scenarios

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// StopWhen ends a run early once a condition holds; spec.duration stays
// the upper bound. Conditions are checked once per simulated second; with
// several, the first to hold (in the order below) names the stop reason.
type StopWhen struct {
	// AllJobsComplete: every Job has a Complete or Failed condition.
	AllJobsComplete bool `yaml:"allJobsComplete,omitempty"`
	// AllPodsRunning: every pod is Running and every Deployment and
	// ReplicaSet has all its replicas.
	AllPodsRunning bool `yaml:"allPodsRunning,omitempty"`
	// SteadyState: no pod created, deleted or changing phase for For.
	SteadyState *SteadyState `yaml:"steadyState,omitempty"`
}

// SteadyState is how long the pods must stay unchanged.
type SteadyState struct {
	For time.Duration `yaml:"for"`
}

// Stop reasons of StopWhen.
const (
	StopAllJobsComplete = "allJobsComplete"
	StopAllPodsRunning  = "allPodsRunning"
	StopSteadyState     = "steadyState"
)

// stopCheckInterval is how often stop conditions are checked.
const stopCheckInterval = time.Second

func (v *scenarioValidator) validateStopWhen(sc *Scenario) {
	sw := sc.Spec.StopWhen
	if sw == nil {
		return
	}
	if !sw.AllJobsComplete && !sw.AllPodsRunning && sw.SteadyState == nil {
		v.d.ErrorAt("spec.stopWhen", "set one of allJobsComplete: true, allPodsRunning: true or steadyState: {for: DURATION}")
	}
	if ss := sw.SteadyState; ss != nil && ss.For <= 0 {
		v.d.ErrorAt("spec.stopWhen.steadyState.for", "required: how long nothing may change, e.g. 2m")
	}
}

// stopWatch follows pods, Jobs, ReplicaSets and Deployments with
// counters (never iterating maps) for the stop conditions.
type stopWatch struct {
	k           *sim.Kernel
	podPhase    map[string]model.PodPhase
	notRunning  int
	jobDone     map[string]bool
	jobsOpen    int
	short       map[string]bool // workload key → fewer replicas than wanted
	shortCount  int
	lastChange  sim.Time
	quietAfter  sim.Time // no scheduled apply (timeline or generator) after this
	genPending  *int
	podsEverSet bool
}

func newStopWatch(k *sim.Kernel) *stopWatch {
	return &stopWatch{k: k, podPhase: map[string]model.PodPhase{}, jobDone: map[string]bool{}, short: map[string]bool{}}
}

func (w *stopWatch) onPod(ev model.WatchEvent) {
	p, ok := ev.Object.(*model.Pod)
	if !ok {
		return
	}
	key := p.Key() + "/" + p.UID
	old, seen := w.podPhase[key]
	switch ev.Type {
	case model.Deleted:
		if seen {
			if old != model.PodRunning {
				w.notRunning--
			}
			delete(w.podPhase, key)
			w.lastChange = w.k.Now()
		}
		return
	case model.Added, model.Modified:
	default:
		return
	}
	ph := p.Status.Phase
	if seen && old == ph {
		return
	}
	w.podsEverSet = true
	w.lastChange = w.k.Now()
	if seen && old != model.PodRunning {
		w.notRunning--
	}
	if ph != model.PodRunning {
		w.notRunning++
	}
	w.podPhase[key] = ph
}

func (w *stopWatch) onJob(ev model.WatchEvent) {
	j, ok := ev.Object.(*model.Job)
	if !ok {
		return
	}
	key := j.Key() + "/" + j.UID
	done, seen := w.jobDone[key]
	switch ev.Type {
	case model.Deleted:
		if seen {
			if !done {
				w.jobsOpen--
			}
			delete(w.jobDone, key)
		}
		return
	case model.Added, model.Modified:
	default:
		return
	}
	now := false
	for _, c := range j.Status.Conditions {
		if (c.Type == "Complete" || c.Type == "Failed") && c.Status == model.ConditionTrue {
			now = true
		}
	}
	if seen && done == now {
		return
	}
	if seen && !done {
		w.jobsOpen--
	}
	if !now {
		w.jobsOpen++
	}
	w.jobDone[key] = now
}

func (w *stopWatch) setShort(key string, deleted, short bool) {
	was := w.short[key]
	if deleted {
		short = false
	}
	if was == short {
		return
	}
	if short {
		w.short[key] = true
		w.shortCount++
	} else {
		delete(w.short, key)
		w.shortCount--
	}
}

func (w *stopWatch) onReplicaSet(ev model.WatchEvent) {
	if rs, ok := ev.Object.(*model.ReplicaSet); ok && ev.Type != model.Synced {
		w.setShort("rs/"+rs.Key()+"/"+rs.UID, ev.Type == model.Deleted, rs.Status.Replicas != model.Deref(rs.Spec.Replicas, 1))
	}
}

func (w *stopWatch) onDeployment(ev model.WatchEvent) {
	if d, ok := ev.Object.(*model.Deployment); ok && ev.Type != model.Synced {
		w.setShort("deploy/"+d.Key()+"/"+d.UID, ev.Type == model.Deleted, d.Status.Replicas < model.Deref(d.Spec.Replicas, 1))
	}
}

// quiet reports whether nothing the scenario scheduled is still to come.
func (w *stopWatch) quiet(now sim.Time) bool {
	return now >= w.quietAfter && (w.genPending == nil || *w.genPending == 0)
}

// check returns the stop reason that holds, or "".
func (w *stopWatch) check(sw *StopWhen, now sim.Time) string {
	if !w.quiet(now) {
		return ""
	}
	if sw.AllJobsComplete && len(w.jobDone) > 0 && w.jobsOpen == 0 {
		return StopAllJobsComplete
	}
	if sw.AllPodsRunning && len(w.podPhase) > 0 && w.notRunning == 0 && w.shortCount == 0 {
		return StopAllPodsRunning
	}
	if ss := sw.SteadyState; ss != nil && w.podsEverSet && now.Sub(w.lastChange) >= ss.For {
		return StopSteadyState
	}
	return ""
}

// installStopWhen watches the cluster and checks spec.stopWhen every
// simulated second, stopping the kernel when a condition holds.
func (r *Run) installStopWhen() {
	sc := r.Loaded.Scenario
	sw := sc.Spec.StopWhen
	if sw == nil {
		return
	}
	w := newStopWatch(r.Kernel)
	w.genPending = &r.genPending
	end := sim.Time(sc.Spec.Duration)
	for _, a := range r.Loaded.Timeline {
		if a.Apply == nil {
			continue
		}
		last := sim.Time(a.At)
		if a.Every != nil {
			last = end
			if a.Until > 0 && sim.Time(a.Until) < end {
				last = sim.Time(a.Until)
			}
		}
		if last > w.quietAfter {
			w.quietAfter = last
		}
	}
	r.API.Watch("Pod", w.onPod)
	r.API.Watch("Job", w.onJob)
	r.API.Watch("ReplicaSet", w.onReplicaSet)
	r.API.Watch("Deployment", w.onDeployment)
	var tick sim.HandlerFunc
	tick = func(now sim.Time) {
		if reason := w.check(sw, now); reason != "" {
			r.Kernel.Stop(reason)
			return
		}
		if now.Add(stopCheckInterval) <= end {
			r.Kernel.After(stopCheckInterval, tick)
		}
	}
	r.Kernel.After(stopCheckInterval, tick)
}
