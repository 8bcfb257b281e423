package kubelet

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hardware"
	"github.com/kubesim/kubesim/sim"
)

// ensureImage is the image puller's EnsureImageExists: it applies the
// container's pull policy, the per-pod-and-image pull back-off, and pulls
// through the machine, one image at a time when pulls are serialized.
// done gets whether the image is there and, after a failure, when the
// back-off ends.
func (kl *Kubelet) ensureImage(ps *podState, c *ctrState, done func(ok bool, retryAt sim.Time)) {
	img := c.spec.Image
	policy := c.spec.ImagePullPolicy
	if policy == "" {
		policy = model.PullIfNotPresent
	}
	ctr := sim.F("container", c.spec.Name)
	present := kl.machine.HasImage(img)
	switch {
	case policy == model.PullNever && !present:
		msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", img)
		c.waitReason, c.waitMessage = "ErrImageNeverPull", msg
		kl.record("ErrImageNeverPull", ps.key, ctr, sim.F("message", msg))
		kl.record("Failed", ps.key, ctr, sim.F("message", "Error: ErrImageNeverPull"))
		done(false, 0)
		return
	case present && policy != model.PullAlways:
		kl.record("Pulled", ps.key, ctr, sim.F("image", img), sim.F("message", fmt.Sprintf("Container image %q already present on machine", img)))
		done(true, 0)
		return
	}
	key := ps.uid + "_" + img
	now := kl.k.Now()
	if kl.pull.IsInBackOffSinceUpdate(key, now) {
		msg := fmt.Sprintf("Back-off pulling image %q", img)
		c.waitReason, c.waitMessage = "ImagePullBackOff", msg
		kl.record("BackOff", ps.key, ctr, sim.F("image", img), sim.F("message", msg))
		kl.record("Failed", ps.key, ctr, sim.F("message", "Error: ImagePullBackOff"))
		done(false, kl.pull.updateExpiry(key))
		return
	}
	kl.record("Pulling", ps.key, ctr, sim.F("image", img), sim.F("message", fmt.Sprintf("Pulling image %q", img)))
	gen := kl.gen
	queued := now
	kl.enqueuePull(func(release func()) {
		began := kl.k.Now()
		kl.machine.PullImage(img, c.behavior.ImageSize(), func(r hardware.PullResult) {
			release()
			if !kl.alive(gen) {
				return
			}
			t := kl.k.Now()
			if r.Err != nil {
				msg := fmt.Sprintf("Failed to pull image %q: rpc error: code = Unavailable desc = %v", img, r.Err)
				kl.record("Failed", ps.key, ctr, sim.F("image", img), sim.F("message", msg))
				kl.pull.Next(key, t, t)
				c.waitReason, c.waitMessage = "ErrImagePull", msg
				kl.record("Failed", ps.key, ctr, sim.F("message", "Error: ErrImagePull"))
				done(false, kl.pull.updateExpiry(key))
				return
			}
			pulling, total := t.Sub(began), t.Sub(queued)
			kl.record("Pulled", ps.key, ctr, sim.F("image", img), sim.F("bytes", r.Bytes), sim.F("duration", pulling),
				sim.F("message", fmt.Sprintf("Successfully pulled image %q in %s (%s including waiting). Image size: %d bytes.",
					img, pulling.Round(time.Millisecond), total.Round(time.Millisecond), r.Size)))
			done(true, 0)
		})
	})
}

// enqueuePull runs pull now, or when the pulls before it are done if
// pulls are serialized (serializeImagePulls).
func (kl *Kubelet) enqueuePull(pull func(release func())) {
	if !*kl.cfg.SerializeImagePulls {
		pull(func() {})
		return
	}
	kl.pullQ = append(kl.pullQ, func() {
		gen := kl.gen
		released := false
		pull(func() {
			if released || kl.gen != gen {
				return
			}
			released = true
			kl.pulling = false
			kl.nextPull()
		})
	})
	kl.nextPull()
}

func (kl *Kubelet) nextPull() {
	if kl.pulling || len(kl.pullQ) == 0 {
		return
	}
	next := kl.pullQ[0]
	kl.pullQ = kl.pullQ[1:]
	kl.pulling = true
	next()
}
