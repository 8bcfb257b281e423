package model

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// RateLimiter decides how long an item waits before it is retried
// (client-go util/workqueue rate limiters).
type RateLimiter interface {
	// When returns the delay for the item's next retry and counts it.
	When(item string, now sim.Time) time.Duration
	// Forget resets the item's failure count.
	Forget(item string)
	// NumRequeues returns how many times the item was rate-limited.
	NumRequeues(item string) int
}

// ItemExponentialFailureRateLimiter waits base·2^failures, capped at max
// (client-go NewItemExponentialFailureRateLimiter).
type ItemExponentialFailureRateLimiter struct {
	Base, Max time.Duration
	failures  map[string]int
}

// NewItemExponentialFailureRateLimiter returns the limiter.
func NewItemExponentialFailureRateLimiter(base, max time.Duration) *ItemExponentialFailureRateLimiter {
	return &ItemExponentialFailureRateLimiter{Base: base, Max: max, failures: map[string]int{}}
}

// When returns base·2^n for the n-th failure (n from 0), capped at Max.
func (r *ItemExponentialFailureRateLimiter) When(item string, _ sim.Time) time.Duration {
	n := r.failures[item]
	r.failures[item] = n + 1
	d := r.Base
	for i := 0; i < n; i++ {
		if d >= r.Max/2 {
			return r.Max
		}
		d *= 2
	}
	if d > r.Max {
		return r.Max
	}
	return d
}

// Forget resets the item.
func (r *ItemExponentialFailureRateLimiter) Forget(item string) { delete(r.failures, item) }

// NumRequeues returns the item's failures.
func (r *ItemExponentialFailureRateLimiter) NumRequeues(item string) int { return r.failures[item] }

// BucketRateLimiter spaces all items by a shared token bucket
// (client-go BucketRateLimiter over x/time/rate).
type BucketRateLimiter struct{ b *TokenBucket }

// NewBucketRateLimiter returns the limiter.
func NewBucketRateLimiter(qps float64, burst int) *BucketRateLimiter {
	return &BucketRateLimiter{b: NewTokenBucket(qps, burst)}
}

// When takes a token.
func (r *BucketRateLimiter) When(_ string, now sim.Time) time.Duration { return r.b.Reserve(now) }

// Forget does nothing.
func (r *BucketRateLimiter) Forget(string) {}

// NumRequeues is always 0.
func (r *BucketRateLimiter) NumRequeues(string) int { return 0 }

// MaxOfRateLimiter waits for the longest of its limiters.
type MaxOfRateLimiter struct{ limiters []RateLimiter }

// NewMaxOfRateLimiter combines limiters.
func NewMaxOfRateLimiter(ls ...RateLimiter) *MaxOfRateLimiter { return &MaxOfRateLimiter{limiters: ls} }

// When returns the longest delay (every limiter counts the request).
func (r *MaxOfRateLimiter) When(item string, now sim.Time) time.Duration {
	var d time.Duration
	for _, l := range r.limiters {
		if x := l.When(item, now); x > d {
			d = x
		}
	}
	return d
}

// Forget forgets the item everywhere.
func (r *MaxOfRateLimiter) Forget(item string) {
	for _, l := range r.limiters {
		l.Forget(item)
	}
}

// NumRequeues returns the largest count.
func (r *MaxOfRateLimiter) NumRequeues(item string) int {
	n := 0
	for _, l := range r.limiters {
		n = max(n, l.NumRequeues(item))
	}
	return n
}

// DefaultControllerRateLimiter is client-go's default for controllers:
// per-item exponential 5 ms doubling to 1000 s, and overall 10 qps with a
// burst of 100.
func DefaultControllerRateLimiter() RateLimiter {
	return NewMaxOfRateLimiter(
		NewItemExponentialFailureRateLimiter(5*time.Millisecond, 1000*time.Second),
		NewBucketRateLimiter(10, 100),
	)
}

// WorkQueue is client-go's rate-limited work queue in simulated time: an
// item added while queued is not queued twice, and an item added while
// being processed is queued again only when its processing is Done.
type WorkQueue struct {
	k          *sim.Kernel
	limiter    RateLimiter
	queue      []string
	dirty      map[string]bool
	processing map[string]bool
	waiting    map[string]sim.Timer
	// onReady is called (as a kernel event) when an item becomes available.
	onReady  func()
	notified bool
}

// NewWorkQueue returns a queue; onReady is told when items are waiting.
func NewWorkQueue(k *sim.Kernel, limiter RateLimiter, onReady func()) *WorkQueue {
	return &WorkQueue{k: k, limiter: limiter, dirty: map[string]bool{}, processing: map[string]bool{},
		waiting: map[string]sim.Timer{}, onReady: onReady}
}

// Add queues an item now.
func (q *WorkQueue) Add(item string) {
	if q.dirty[item] {
		return
	}
	q.dirty[item] = true
	if q.processing[item] {
		return
	}
	q.queue = append(q.queue, item)
	q.notify()
}

func (q *WorkQueue) notify() {
	if q.onReady == nil || q.notified {
		return
	}
	q.notified = true
	q.k.AfterFunc(0, func(sim.Time) {
		q.notified = false
		if len(q.queue) > 0 {
			q.onReady()
		}
	})
}

// AddAfter queues an item after d; an earlier pending AddAfter wins.
func (q *WorkQueue) AddAfter(item string, d time.Duration) {
	if d <= 0 {
		q.Add(item)
		return
	}
	at := q.k.Now().Add(d)
	if t, ok := q.waiting[item]; ok && q.k.Active(t) {
		if t.At() <= at {
			return
		}
		q.k.Cancel(t)
	}
	q.waiting[item] = q.k.At(at, sim.HandlerFunc(func(sim.Time) {
		delete(q.waiting, item)
		q.Add(item)
	}))
}

// AddRateLimited queues an item after the rate limiter's delay.
func (q *WorkQueue) AddRateLimited(item string) {
	q.AddAfter(item, q.limiter.When(item, q.k.Now()))
}

// Forget clears the item's retry history.
func (q *WorkQueue) Forget(item string) { q.limiter.Forget(item) }

// NumRequeues returns the item's retries.
func (q *WorkQueue) NumRequeues(item string) int { return q.limiter.NumRequeues(item) }

// Get takes the next item to process.
func (q *WorkQueue) Get() (string, bool) {
	if len(q.queue) == 0 {
		return "", false
	}
	item := q.queue[0]
	q.queue[0] = ""
	q.queue = q.queue[1:]
	q.processing[item] = true
	delete(q.dirty, item)
	return item, true
}

// Done finishes processing an item, requeueing it if it was added meanwhile.
func (q *WorkQueue) Done(item string) {
	delete(q.processing, item)
	if q.dirty[item] {
		q.queue = append(q.queue, item)
		q.notify()
	}
}

// Len returns the number of items ready to process.
func (q *WorkQueue) Len() int { return len(q.queue) }
