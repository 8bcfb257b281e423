package model

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// TokenBucket is client-go's client-side rate limiter
// (k8s.io/client-go/util/flowcontrol NewTokenBucketRateLimiter): tokens
// refill at qps up to burst; each request takes one, waiting for it when
// the bucket is empty. Time is the simulation's.
type TokenBucket struct {
	qps    float64
	burst  float64
	tokens float64
	last   sim.Time
}

// NewTokenBucket returns a full bucket.
func NewTokenBucket(qps float64, burst int) *TokenBucket {
	return &TokenBucket{qps: qps, burst: float64(burst), tokens: float64(burst)}
}

// Reserve takes a token at now and returns how long the caller must wait
// before sending (0 when a token was available).
func (b *TokenBucket) Reserve(now sim.Time) time.Duration {
	if now > b.last {
		b.tokens += b.qps * now.Sub(b.last).Seconds()
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	// The deficit is paid back at qps; round up to a whole nanosecond.
	wait := time.Duration(-b.tokens / b.qps * 1e9)
	if float64(wait) < -b.tokens/b.qps*1e9 {
		wait++
	}
	return wait
}
