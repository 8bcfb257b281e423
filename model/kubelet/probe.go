package kubelet

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// probeKind is a probe's type.
type probeKind int

const (
	startupProbe probeKind = iota
	readinessProbe
	livenessProbe
)

func (k probeKind) String() string {
	return [...]string{"Startup", "Readiness", "Liveness"}[k]
}

// prober is one probe worker of one container instance. Probes run every
// periodSeconds from the container's start; the result flips only after
// failureThreshold consecutive failures or successThreshold consecutive
// successes. What a probe answers comes from the container's behaviour:
// startup and readiness succeed from readyAfter on, liveness fails from
// livenessFailsAfter on (and readiness with it).
//
// Probes whose answer cannot change are not run: while a probe keeps
// succeeding, the worker sleeps until the first period at or after the
// instant the behaviour says it will fail, so a healthy pod costs no
// events. Every failed probe is run and recorded (Unhealthy), as upstream
// records each one.
type prober struct {
	kind      probeKind
	spec      *model.Probe
	base      sim.Time // the first tick; ticks are base + n·period
	timer     sim.Timer
	result    bool // the current result (readiness and startup start false, liveness true)
	successes int32
	failures  int32
}

func (p *prober) period() time.Duration {
	return time.Duration(max(p.spec.PeriodSeconds, 1)) * time.Second
}

// startProbes creates the container's probe workers. After a kubelet
// restart (adopted), workers first sleep a random fraction of their period.
func (kl *Kubelet) startProbes(ps *podState, c *ctrState, adopted bool) {
	kl.stopProbes(c)
	specs := [3]*model.Probe{c.spec.StartupProbe, c.spec.ReadinessProbe, c.spec.LivenessProbe}
	if specs[startupProbe] == nil {
		c.started = true
	}
	if specs[readinessProbe] == nil && c.started && !adopted {
		c.ready = true
	}
	now := kl.k.Now()
	for kind, spec := range specs {
		if spec == nil {
			continue
		}
		sp := model.DeepCopy(spec)
		model.SetDefaultsProbe(sp)
		p := &prober{kind: probeKind(kind), spec: sp, base: c.startedAt, result: probeKind(kind) == livenessProbe}
		if adopted {
			p.base = now.Add(time.Duration(kl.jitterRand.Float64() * float64(p.period())))
			if probeKind(kind) == readinessProbe {
				p.result = c.ready
			}
			if probeKind(kind) == startupProbe {
				continue // an adopted running container is started
			}
		}
		c.probes[kind] = p
		if p.kind != startupProbe && !c.started {
			continue // woken when the startup probe succeeds
		}
		kl.armProbe(ps, c, p, p.base)
	}
}

func (kl *Kubelet) stopProbes(c *ctrState) {
	for i, p := range c.probes {
		if p != nil {
			kl.k.Cancel(p.timer)
			c.probes[i] = nil
		}
	}
}

// armProbe schedules the probe's first tick at or after at.
func (kl *Kubelet) armProbe(ps *podState, c *ctrState, p *prober, at sim.Time) {
	now := kl.k.Now()
	if at < now {
		at = now
	}
	if at > p.base {
		period := p.period()
		n := (at.Sub(p.base) + period - 1) / period
		at = p.base.Add(n * period)
	} else {
		at = p.base
	}
	kl.k.Cancel(p.timer)
	p.timer = kl.after(at.Sub(now), func(sim.Time) { kl.probe(ps, c, p) })
}

// outcome answers a probe t after the container's start, and says until
// when (after the start) the answer holds, -1 meaning forever.
func (c *ctrState) outcome(kind probeKind, t time.Duration) (ok bool, until time.Duration) {
	a := c.app
	hung := a.livenessFails && t >= a.livenessFailsAfter
	switch kind {
	case livenessProbe:
		if hung {
			return false, -1
		}
		if a.livenessFails {
			return true, a.livenessFailsAfter
		}
		return true, -1
	default:
		if hung {
			return false, -1
		}
		if t < a.readyAfter {
			return false, a.readyAfter
		}
		if a.livenessFails {
			return true, a.livenessFailsAfter
		}
		return true, -1
	}
}

// probe runs one probe and arms the next.
func (kl *Kubelet) probe(ps *podState, c *ctrState, p *prober) {
	if !c.running || c.killing || c.probes[p.kind] != p {
		return
	}
	now := kl.k.Now()
	t := now.Sub(c.startedAt)
	next := now.Add(p.period())
	if int32(t/time.Second) < p.spec.InitialDelaySeconds {
		kl.armProbe(ps, c, p, next)
		return
	}
	ok, until := c.outcome(p.kind, t)
	successThreshold := p.spec.SuccessThreshold
	if p.kind != readinessProbe {
		successThreshold = 1
	}
	if ok {
		p.failures = 0
		p.successes++
		if !p.result && p.successes >= successThreshold {
			p.result = true
			kl.probeSucceeded(ps, c, p)
			if c.probes[p.kind] != p {
				return // the startup worker retires
			}
		}
		if p.result {
			if until < 0 {
				return // nothing will change: sleep for good
			}
			if at := c.startedAt.Add(until); at > next {
				next = at
			}
		}
		kl.armProbe(ps, c, p, next)
		return
	}
	p.successes = 0
	p.failures++
	kl.record("Unhealthy", ps.key, sim.F("container", c.spec.Name),
		sim.F("message", fmt.Sprintf("%s probe failed: %s", p.kind, probeMessage(p.spec, ps.ip))))
	if p.failures >= p.spec.FailureThreshold && (p.result || p.kind == startupProbe) {
		p.result = false
		if kl.probeFailed(ps, c, p) {
			return
		}
	}
	kl.armProbe(ps, c, p, next)
}

// probeSucceeded acts on a result that turned to success.
func (kl *Kubelet) probeSucceeded(ps *podState, c *ctrState, p *prober) {
	switch p.kind {
	case startupProbe:
		c.started = true
		c.probes[startupProbe] = nil
		if c.probes[readinessProbe] == nil {
			c.ready = true
		}
		now := kl.k.Now()
		for _, q := range c.probes {
			if q != nil {
				kl.armProbe(ps, c, q, now)
			}
		}
		kl.syncStatus(ps)
		kl.requestSync(ps) // a started sidecar lets the next init container run
	case readinessProbe:
		c.ready = true
		kl.syncStatus(ps)
	}
}

// probeFailed acts on a result that turned to failure and reports whether
// the worker stops (its container is being killed).
func (kl *Kubelet) probeFailed(ps *podState, c *ctrState, p *prober) bool {
	switch p.kind {
	case readinessProbe:
		c.ready = false
		kl.syncStatus(ps)
		return false
	default:
		grace := deletionGrace(ps.pod)
		if g := p.spec.TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
		kl.kill(ps, c, grace, fmt.Sprintf("Container %s failed %s probe, will be restarted", c.spec.Name, lower(p.kind.String())))
		return true
	}
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
