package scheduler

import (
	"container/heap"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim"
)

// Queue is the scheduling queue (pkg/scheduler/backend/queue): the active
// queue ordered by the QueueSort plugin, the backoff queue ordered by
// backoff expiry, and the unschedulable pool that cluster events drain.
//
// Deviation: upstream's heaps break exact ties by heap internals; kubesim
// breaks them by namespace/name so that the order is a pure function of the
// inputs. Upstream 1.33+ also groups backoff expiries into one-second
// windows; kubesim flushes the backoff queue every second (as the
// flushBackoffQCompleted loop does) and releases every pod whose backoff
// has expired.
type Queue struct {
	less    func(a, b *framework.QueuedPodInfo) bool
	active  podHeap
	backoff podHeap
	// unschedulable holds pods rejected by plugins (and gated pods).
	unschedulable map[string]*framework.QueuedPodInfo
	// inFlight is the pod being scheduled (popped, not yet done).
	inFlight map[string]*framework.QueuedPodInfo

	initialBackoff time.Duration
	maxBackoff     time.Duration
	// maxInUnschedulable is how long a pod may wait in the unschedulable
	// pool before the periodic flush retries it (5 minutes upstream).
	maxInUnschedulable time.Duration

	schedulingCycle  int64
	moveRequestCycle int64

	hints map[string][]framework.ClusterEventWithHint // plugin -> events
	now   func() sim.Time
}

// Upstream queue constants.
const (
	DefaultPodMaxInUnschedulablePodsDuration = 5 * time.Minute
	backoffFlushPeriod                       = time.Second
	unschedulableFlushPeriod                 = 30 * time.Second
)

// NewQueue returns an empty queue.
func NewQueue(less func(a, b *framework.QueuedPodInfo) bool, initialBackoff, maxBackoff time.Duration, now func() sim.Time) *Queue {
	q := &Queue{
		less:               less,
		unschedulable:      map[string]*framework.QueuedPodInfo{},
		inFlight:           map[string]*framework.QueuedPodInfo{},
		initialBackoff:     initialBackoff,
		maxBackoff:         maxBackoff,
		maxInUnschedulable: DefaultPodMaxInUnschedulablePodsDuration,
		hints:              map[string][]framework.ClusterEventWithHint{},
		now:                now,
	}
	q.active.less = func(a, b *framework.QueuedPodInfo) bool {
		if q.less(a, b) {
			return true
		}
		if q.less(b, a) {
			return false
		}
		return a.Key < b.Key
	}
	q.backoff.less = func(a, b *framework.QueuedPodInfo) bool {
		ea, eb := q.backoffExpiry(a), q.backoffExpiry(b)
		if ea != eb {
			return ea < eb
		}
		return q.active.less(a, b)
	}
	return q
}

// RegisterEvents records which cluster events may help pods a plugin
// rejected.
func (q *Queue) RegisterEvents(plugin string, events []framework.ClusterEventWithHint) {
	q.hints[plugin] = append(q.hints[plugin], events...)
}

// backoffDuration is initial·2^(attempts-1), capped at max; 0 attempts
// means no backoff (upstream calculateBackoffDuration).
func (q *Queue) backoffDuration(attempts int) time.Duration {
	if attempts <= 0 {
		return 0
	}
	d := q.initialBackoff
	for i := 1; i < attempts; i++ {
		if d > q.maxBackoff-d {
			return q.maxBackoff
		}
		d += d
	}
	if d > q.maxBackoff {
		return q.maxBackoff
	}
	return d
}

func (q *Queue) backoffExpiry(p *framework.QueuedPodInfo) sim.Time {
	return p.Timestamp.Add(q.backoffDuration(p.Attempts))
}

func (q *Queue) isBackingOff(p *framework.QueuedPodInfo) bool {
	return q.backoffExpiry(p) > q.now()
}

// Add enqueues a new pending pod (gated pods go to the unschedulable pool).
func (q *Queue) Add(pi *framework.QueuedPodInfo) {
	k := pi.Key
	if q.has(k) {
		return
	}
	pi.Timestamp = q.now()
	if pi.Gated {
		q.unschedulable[k] = pi
		return
	}
	heap.Push(&q.active, pi)
}

func (q *Queue) has(k string) bool {
	if _, ok := q.unschedulable[k]; ok {
		return true
	}
	if _, ok := q.inFlight[k]; ok {
		return true
	}
	return q.active.index(k) >= 0 || q.backoff.index(k) >= 0
}

// Update replaces a queued pod's object (e.g. labels or gates changed). A
// pod in the unschedulable pool whose update may make it schedulable
// (gates removed, any spec change) is moved to the active or backoff queue.
func (q *Queue) Update(pod *model.Pod, gated bool) {
	k := pod.Key()
	if i := q.active.index(k); i >= 0 {
		q.active.items[i].PodInfo.Update(pod)
		heap.Fix(&q.active, i)
		return
	}
	if i := q.backoff.index(k); i >= 0 {
		q.backoff.items[i].PodInfo.Update(pod)
		heap.Fix(&q.backoff, i)
		return
	}
	if p, ok := q.inFlight[k]; ok {
		p.PodInfo.Update(pod)
		return
	}
	if p, ok := q.unschedulable[k]; ok {
		p.PodInfo.Update(pod)
		wasGated := p.Gated
		p.Gated = gated
		if gated {
			return
		}
		delete(q.unschedulable, k)
		if wasGated {
			p.Timestamp = q.now()
			heap.Push(&q.active, p)
			return
		}
		q.requeue(p)
	}
}

// Delete removes a pod from wherever it is.
func (q *Queue) Delete(k string) {
	if i := q.active.index(k); i >= 0 {
		heap.Remove(&q.active, i)
	}
	if i := q.backoff.index(k); i >= 0 {
		heap.Remove(&q.backoff, i)
	}
	delete(q.unschedulable, k)
	delete(q.inFlight, k)
}

// Pop takes the highest-priority active pod, counting an attempt.
func (q *Queue) Pop() *framework.QueuedPodInfo {
	if q.active.Len() == 0 {
		return nil
	}
	p := heap.Pop(&q.active).(*framework.QueuedPodInfo)
	p.Attempts++
	if p.Attempts == 1 {
		p.InitialAttemptTimestamp = q.now()
	}
	q.schedulingCycle++
	q.inFlight[p.Key] = p
	return p
}

// SchedulingCycle returns the number of pops so far.
func (q *Queue) SchedulingCycle() int64 { return q.schedulingCycle }

// Done marks the in-flight pod as finished (bound, or re-added).
func (q *Queue) Done(k string) { delete(q.inFlight, k) }

// AddUnschedulable puts back a pod that failed in scheduling cycle
// podCycle: to backoff (or active) if a cluster event arrived meanwhile or
// the failure was an error, else to the unschedulable pool
// (upstream AddUnschedulableIfNotPresent).
func (q *Queue) AddUnschedulable(p *framework.QueuedPodInfo, podCycle int64, isError bool) {
	k := p.Key
	delete(q.inFlight, k)
	if q.has(k) {
		return
	}
	p.Timestamp = q.now()
	if isError || q.moveRequestCycle >= podCycle {
		q.requeue(p)
		return
	}
	q.unschedulable[k] = p
}

// requeue sends a pod to backoff or straight to active.
func (q *Queue) requeue(p *framework.QueuedPodInfo) {
	if q.isBackingOff(p) {
		heap.Push(&q.backoff, p)
	} else {
		heap.Push(&q.active, p)
	}
}

// FlushBackoffCompleted moves pods whose backoff expired to the active queue.
func (q *Queue) FlushBackoffCompleted() int {
	n := 0
	now := q.now()
	for q.backoff.Len() > 0 && q.backoffExpiry(q.backoff.items[0]) <= now {
		p := heap.Pop(&q.backoff).(*framework.QueuedPodInfo)
		heap.Push(&q.active, p)
		n++
	}
	return n
}

// FlushUnschedulableLeftover retries pods that waited in the unschedulable
// pool longer than the limit (gated pods stay).
func (q *Queue) FlushUnschedulableLeftover() int {
	now := q.now()
	var move []*framework.QueuedPodInfo
	for _, k := range sortedKeys(q.unschedulable) {
		p := q.unschedulable[k]
		if !p.Gated && now.Sub(p.Timestamp) > q.maxInUnschedulable {
			move = append(move, p)
		}
	}
	for _, p := range move {
		delete(q.unschedulable, p.Key)
		q.requeue(p)
	}
	return len(move)
}

// MoveOnEvent moves every unschedulable pod that a rejecting plugin says
// the event may help (upstream MoveAllToActiveOrBackoffQueue with queueing
// hints). Pods rejected by no registered plugin (or with no plugin
// recorded) move on any event.
func (q *Queue) MoveOnEvent(ev framework.ClusterEvent, oldObj, newObj model.Object) int {
	q.moveRequestCycle = q.schedulingCycle
	if len(q.unschedulable) == 0 {
		return 0
	}
	var move []*framework.QueuedPodInfo
	for _, k := range sortedKeys(q.unschedulable) {
		p := q.unschedulable[k]
		if p.Gated {
			continue
		}
		if q.eventHelps(p, ev, oldObj, newObj) {
			move = append(move, p)
		}
	}
	for _, p := range move {
		delete(q.unschedulable, p.Key)
		q.requeue(p)
	}
	return len(move)
}

func (q *Queue) eventHelps(p *framework.QueuedPodInfo, ev framework.ClusterEvent, oldObj, newObj model.Object) bool {
	if len(p.UnschedulablePlugins) == 0 && len(p.PendingPlugins) == 0 {
		return true
	}
	plugins := make([]string, 0, len(p.UnschedulablePlugins)+len(p.PendingPlugins))
	for name := range p.UnschedulablePlugins {
		plugins = append(plugins, name)
	}
	for name := range p.PendingPlugins {
		plugins = append(plugins, name)
	}
	sort.Strings(plugins)
	for _, name := range plugins {
		events, ok := q.hints[name]
		if !ok {
			return true // a plugin that registers nothing: any event may help
		}
		for _, e := range events {
			if !e.Event.Match(ev) {
				continue
			}
			if e.QueueingHintFn == nil {
				return true
			}
			h, err := e.QueueingHintFn(p.Pod, oldObj, newObj)
			if err != nil || h == framework.Queue {
				return true
			}
		}
	}
	return false
}

// Lens returns the sizes of the active, backoff and unschedulable queues.
func (q *Queue) Lens() (active, backoff, unschedulable int) {
	return q.active.Len(), q.backoff.Len(), len(q.unschedulable)
}

// Pending returns every pod waiting in the queue (not in flight), sorted
// by key.
func (q *Queue) Pending() []*framework.QueuedPodInfo {
	var out []*framework.QueuedPodInfo
	out = append(out, q.active.items...)
	out = append(out, q.backoff.items...)
	for _, p := range q.unschedulable {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// podHeap is a heap of queued pods with an index by key.
type podHeap struct {
	items []*framework.QueuedPodInfo
	pos   map[string]int
	less  func(a, b *framework.QueuedPodInfo) bool
}

func (h *podHeap) Len() int           { return len(h.items) }
func (h *podHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *podHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i].Key] = i
	h.pos[h.items[j].Key] = j
}
func (h *podHeap) Push(x any) {
	if h.pos == nil {
		h.pos = map[string]int{}
	}
	p := x.(*framework.QueuedPodInfo)
	h.pos[p.Key] = len(h.items)
	h.items = append(h.items, p)
}
func (h *podHeap) Pop() any {
	n := len(h.items) - 1
	p := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	delete(h.pos, p.Key)
	return p
}
func (h *podHeap) index(k string) int {
	if i, ok := h.pos[k]; ok {
		return i
	}
	return -1
}
