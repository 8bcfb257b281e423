package nodelifecycle

import (
	"math"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// ZoneState is a zone's health as the controller sees it.
type ZoneState string

// Zone states.
const (
	StateInitial           ZoneState = "Initial"
	StateNormal            ZoneState = "Normal"
	StateFullDisruption    ZoneState = "FullDisruption"
	StatePartialDisruption ZoneState = "PartialDisruption"
)

// zoneKey is component-helpers' GetZoneKey: region and zone labels joined
// by ":\x00:", "" when the node has neither.
func zoneKey(n *model.Node) string {
	zone, region := n.Labels[model.LabelTopologyZone], n.Labels[model.LabelTopologyRegion]
	if zone == "" {
		zone = n.Labels["failure-domain.beta.kubernetes.io/zone"]
	}
	if region == "" {
		region = n.Labels["failure-domain.beta.kubernetes.io/region"]
	}
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

// ComputeZoneState counts the nodes whose Ready condition is not True: a
// zone is FullDisruption when none is ready, PartialDisruption when more
// than two are not ready and they are at least unhealthyThreshold of the
// zone, Normal otherwise.
func ComputeZoneState(ready []*model.NodeCondition, unhealthyThreshold float32) (int, ZoneState) {
	readyNodes, notReady := 0, 0
	for _, c := range ready {
		if c != nil && c.Status == model.ConditionTrue {
			readyNodes++
		} else {
			notReady++
		}
	}
	switch {
	case readyNodes == 0 && notReady > 0:
		return notReady, StateFullDisruption
	case notReady > 2 && float32(notReady)/float32(notReady+readyNodes) >= unhealthyThreshold:
		return notReady, StatePartialDisruption
	default:
		return notReady, StateNormal
	}
}

// zoneQPS is the tainting rate a zone gets in a state: the normal rate,
// the secondary rate for a partially disrupted zone larger than the
// large-cluster threshold (0 for smaller ones: tainting stops), and the
// normal rate for a fully disrupted zone (ReducedQPSFunc, HealthyQPSFunc).
func (c *Controller) zoneQPS(state ZoneState, zoneSize int) float32 {
	switch state {
	case StatePartialDisruption:
		if int32(zoneSize) > c.cfg.LargeClusterSizeThreshold {
			return c.cfg.SecondaryEvictionLimiterQPS
		}
		return 0
	default:
		return c.cfg.EvictionLimiterQPS
	}
}

// tokenBucket is client-go's token bucket rate limiter with TryAccept,
// burst 1 (scheduler.EvictionRateLimiterBurst); qps 0 never accepts
// (NewFakeNeverRateLimiter). The rate is the float32 upstream passes in.
type tokenBucket struct {
	qps    float32
	rate   float64
	tokens float64
	last   sim.Time
}

func newTokenBucket(qps float32, now sim.Time) *tokenBucket {
	return &tokenBucket{qps: qps, rate: float64(qps), tokens: 1, last: now}
}

func (b *tokenBucket) advance(now sim.Time) {
	if now > b.last {
		b.tokens = math.Min(1, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// tryAccept takes a token if one is available.
func (b *tokenBucket) tryAccept(now sim.Time) bool {
	if b.qps <= 0 {
		return false
	}
	b.advance(now)
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// availableAt is when the next token will be there (Never at rate 0).
func (b *tokenBucket) availableAt(now sim.Time) sim.Time {
	if b.qps <= 0 {
		return sim.Never
	}
	b.advance(now)
	if b.tokens >= 1 {
		return now
	}
	return now.Add(time.Duration(math.Ceil((1 - b.tokens) / b.rate * 1e9)))
}

// timedValue is a node waiting in a zone's tainting queue.
type timedValue struct {
	node      string
	uid       string
	addedAt   sim.Time
	processAt sim.Time
	seq       uint64
}

// tainterQueue is scheduler.RateLimitedTimedQueue over a UniqueQueue: a
// node is queued once; after it is processed it stays in the set (and is
// not queued again) until removed.
type tainterQueue struct {
	items   []*timedValue // ordered by processAt, then insertion
	set     map[string]bool
	seq     uint64
	limiter *tokenBucket
	timer   sim.Timer
}

func newTainterQueue(qps float32, now sim.Time) *tainterQueue {
	return &tainterQueue{set: map[string]bool{}, limiter: newTokenBucket(qps, now)}
}

// add queues a node unless it is already in the set.
func (q *tainterQueue) add(node, uid string, now sim.Time) bool {
	if q.set[node] {
		return false
	}
	q.set[node] = true
	q.seq++
	q.insert(&timedValue{node: node, uid: uid, addedAt: now, processAt: now, seq: q.seq})
	return true
}

func (q *tainterQueue) insert(v *timedValue) {
	i := 0
	for i < len(q.items) && (q.items[i].processAt < v.processAt || (q.items[i].processAt == v.processAt && q.items[i].seq < v.seq)) {
		i++
	}
	q.items = append(q.items, nil)
	copy(q.items[i+1:], q.items[i:])
	q.items[i] = v
}

// remove drops a node from the queue and the set.
func (q *tainterQueue) remove(node string) bool {
	had := q.set[node]
	delete(q.set, node)
	for i, v := range q.items {
		if v.node == node {
			q.items = append(q.items[:i], q.items[i+1:]...)
			return true
		}
	}
	return had
}

// swapLimiter changes the rate, draining the new bucket when the old one
// was empty (RateLimitedTimedQueue.SwapLimiter).
func (q *tainterQueue) swapLimiter(qps float32, now sim.Time) {
	if q.limiter.qps == qps {
		return
	}
	nb := newTokenBucket(qps, now)
	if qps > 0 && !q.limiter.tryAccept(now) {
		nb.tryAccept(now)
	}
	q.limiter = nb
}

// removeFromQueue drops a node from the queue but keeps it in the set, so
// it is not queued again until removed (UniqueQueue.RemoveFromQueue).
func (q *tainterQueue) removeFromQueue(node string) {
	for i, v := range q.items {
		if v.node == node {
			q.items = append(q.items[:i], q.items[i+1:]...)
			return
		}
	}
}
