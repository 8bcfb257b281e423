package kubelet

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// The volume manager's wait (pkg/kubelet/volumemanager/volume_manager.go):
// SyncPod waits for a pod's volumes to be attached and mounted, checking
// every podAttachAndMountRetryInterval, and gives up after
// podAttachAndMountTimeout with a FailedMount event; the pod worker then
// tries again.
const (
	podAttachAndMountRetryInterval = 300 * time.Millisecond
	podAttachAndMountTimeout       = 2*time.Minute + 3*time.Second
)

// defaultMountLatency is NodeStage plus NodePublish for a driver the
// configuration does not name.
const defaultMountLatency = 500 * time.Millisecond

// volumeWait is one pod's progress through WaitForAttachAndMount.
type volumeWait struct {
	since    sim.Time          // the current wait began
	mounted  map[string]bool   // volumes set up
	reported map[string]string // the last error reported per volume
}

// volumeCheck is the outcome of one pass over a pod's volumes.
type volumeCheck struct {
	unmounted, unattached []string
	// errs are SetUp errors, reported at once as FailedMount (a missing
	// ConfigMap or Secret); unprocessed are the volumes the populator
	// could not resolve (an unbound claim), named only when the wait
	// times out.
	errs        map[string]string
	unprocessed []string
	mountAfter  time.Duration // the slowest mount of this pass
}

// needsVolumeWait reports whether any of the pod's volumes depends on an
// API object: a claim, a ConfigMap or a Secret that is not optional.
func needsVolumeWait(p *model.Pod) bool {
	for i := range p.Spec.Volumes {
		v := &p.Spec.Volumes[i]
		switch {
		case v.PersistentVolumeClaim != nil:
			return true
		case v.ConfigMap != nil && !optional(v.ConfigMap.Optional), v.Secret != nil && !optional(v.Secret.Optional):
			return true
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if s.ConfigMap != nil && !optional(s.ConfigMap.Optional) || s.Secret != nil && !optional(s.Secret.Optional) {
					return true
				}
			}
		}
	}
	return false
}

func optional(b *bool) bool { return b != nil && *b }

// waitForVolumes runs one pass of the wait and, until every volume is
// mounted, the next pass after the retry interval. It holds the pod
// worker (ps.busy) while a pass is in flight.
func (kl *Kubelet) waitForVolumes(ps *podState) {
	now := kl.k.Now()
	if ps.volumes == nil {
		ps.volumes = &volumeWait{since: now, mounted: map[string]bool{}, reported: map[string]string{}}
	}
	w := ps.volumes
	ps.busy = true
	gen := kl.gen
	kl.checkVolumes(ps, func(res volumeCheck) {
		if !kl.alive(gen) {
			return
		}
		finish := func() {
			ps.busy = false
			if ps.terminating {
				kl.checkTerminated(ps)
				return
			}
			if len(res.unmounted) == 0 {
				ps.volumesReady = true
				kl.syncPod(ps)
				return
			}
			if kl.k.Now().Sub(w.since) >= podAttachAndMountTimeout {
				msg := fmt.Sprintf("Unable to attach or mount volumes: unmounted volumes=[%s], unattached volumes=[%s]",
					strings.Join(res.unmounted, " "), strings.Join(res.unattached, " "))
				if len(res.unprocessed) > 0 {
					msg += fmt.Sprintf(", failed to process volumes=[%s]", strings.Join(res.unprocessed, " "))
				}
				msg += ": timed out waiting for the condition"
				kl.record("FailedMount", ps.key, sim.F("message", msg))
				w.since = kl.k.Now()
			}
			ps.wake = kl.after(podAttachAndMountRetryInterval, func(sim.Time) {
				if kl.pods[ps.uid] == ps && !ps.busy {
					kl.syncPod(ps)
				}
			})
		}
		for _, name := range model.SortedKeys(res.errs) {
			if msg := res.errs[name]; w.reported[name] != msg {
				w.reported[name] = msg
				kl.record("FailedMount", ps.key, sim.F("volume", name), sim.F("message", fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s", name, msg)))
			}
		}
		if res.mountAfter > 0 {
			kl.after(res.mountAfter, func(sim.Time) { finish() })
			return
		}
		finish()
	})
}

// checkVolumes looks each of the pod's unmounted volumes up through the
// API, in spec order, one request after another, and mounts those whose
// objects are ready: a claim must be bound to a volume, and a CSI volume
// whose driver requires attaching must have an attached
// VolumeAttachment for this node; ConfigMaps and Secrets must exist.
func (kl *Kubelet) checkVolumes(ps *podState, done func(volumeCheck)) {
	res := volumeCheck{errs: map[string]string{}}
	vols := ps.pod.Spec.Volumes
	var step func(i int)
	notReady := func(i int, attached bool, err string) {
		name := vols[i].Name
		res.unmounted = append(res.unmounted, name)
		if !attached {
			res.unattached = append(res.unattached, name)
		}
		switch {
		case err == "":
		case vols[i].PersistentVolumeClaim != nil:
			res.unprocessed = append(res.unprocessed, name)
		default:
			res.errs[name] = err
		}
		step(i + 1)
	}
	mounted := func(i int, latency time.Duration) {
		ps.volumes.mounted[vols[i].Name] = true
		delete(ps.volumes.reported, vols[i].Name)
		res.mountAfter = max(res.mountAfter, latency)
		step(i + 1)
	}
	step = func(i int) {
		if i == len(vols) {
			done(res)
			return
		}
		v := &vols[i]
		if ps.volumes.mounted[v.Name] {
			step(i + 1)
			return
		}
		switch {
		case v.PersistentVolumeClaim != nil:
			kl.checkClaim(ps, v.PersistentVolumeClaim.ClaimName, func(latency time.Duration, attached bool, err string, ok bool) {
				if ok {
					mounted(i, latency)
					return
				}
				notReady(i, attached, err)
			})
		default:
			refs := objectRefs(v)
			var next func(j int)
			next = func(j int) {
				if j == len(refs) {
					mounted(i, 0)
					return
				}
				r := refs[j]
				kl.client.Get(r.kind, ps.pod.Namespace, r.name, func(_ model.Object, err error) {
					switch {
					case err == nil:
						next(j + 1)
					case model.IsNotFound(err):
						notReady(i, true, fmt.Sprintf("%s %q not found", strings.ToLower(r.kind), r.name))
					default:
						notReady(i, true, err.Error())
					}
				})
			}
			next(0)
		}
	}
	step(0)
}

type objectRef struct{ kind, name string }

// objectRefs lists the ConfigMaps and Secrets a volume needs to exist.
func objectRefs(v *model.Volume) []objectRef {
	var out []objectRef
	if v.ConfigMap != nil && !optional(v.ConfigMap.Optional) {
		out = append(out, objectRef{"ConfigMap", v.ConfigMap.Name})
	}
	if v.Secret != nil && !optional(v.Secret.Optional) {
		out = append(out, objectRef{"Secret", v.Secret.SecretName})
	}
	if v.Projected != nil {
		for _, s := range v.Projected.Sources {
			if s.ConfigMap != nil && !optional(s.ConfigMap.Optional) {
				out = append(out, objectRef{"ConfigMap", s.ConfigMap.Name})
			}
			if s.Secret != nil && !optional(s.Secret.Optional) {
				out = append(out, objectRef{"Secret", s.Secret.Name})
			}
		}
	}
	return out
}

// checkClaim follows a claim to its volume and, for an attachable CSI
// volume, to its attachment on this node. ok means it can be mounted,
// after latency.
func (kl *Kubelet) checkClaim(ps *podState, claimName string, done func(latency time.Duration, attached bool, err string, ok bool)) {
	ns := ps.pod.Namespace
	kl.client.Get("PersistentVolumeClaim", ns, claimName, func(o model.Object, err error) {
		if err != nil {
			done(0, false, fmt.Sprintf("persistentvolumeclaim %q not found", claimName), false)
			return
		}
		pvc := o.(*model.PersistentVolumeClaim)
		if pvc.Spec.VolumeName == "" || pvc.Status.Phase != model.ClaimBound {
			done(0, false, fmt.Sprintf("PVC %s/%s has non-bound phase (%q) or empty pvc.Spec.VolumeName (%q)", ns, claimName, pvc.Status.Phase, pvc.Spec.VolumeName), false)
			return
		}
		kl.client.Get("PersistentVolume", "", pvc.Spec.VolumeName, func(o model.Object, err error) {
			if err != nil {
				done(0, false, fmt.Sprintf("persistentvolume %q not found", pvc.Spec.VolumeName), false)
				return
			}
			pv := o.(*model.PersistentVolume)
			if pv.Spec.CSI == nil {
				done(kl.mountLatency(""), true, "", true)
				return
			}
			driver, handle := pv.Spec.CSI.Driver, pv.Spec.CSI.VolumeHandle
			kl.attachRequired(driver, func(required bool) {
				if !required {
					done(kl.mountLatency(driver), true, "", true)
					return
				}
				kl.client.Get("VolumeAttachment", "", model.AttachmentName(handle, driver, kl.name), func(o model.Object, err error) {
					if err != nil || !o.(*model.VolumeAttachment).Status.Attached {
						done(0, false, "", false)
						return
					}
					done(kl.mountLatency(driver), true, "", true)
				})
			})
		})
	})
}

// attachRequired reads a driver's CSIDriver once per kubelet process
// (without one, attaching is required).
func (kl *Kubelet) attachRequired(driver string, done func(bool)) {
	if v, ok := kl.csiDrivers[driver]; ok {
		done(v)
		return
	}
	kl.client.Get("CSIDriver", "", driver, func(o model.Object, err error) {
		required := true
		if err == nil {
			if d := o.(*model.CSIDriver); d.Spec.AttachRequired != nil {
				required = *d.Spec.AttachRequired
			}
			kl.csiDrivers[driver] = required
		}
		done(required)
	})
}

func (kl *Kubelet) mountLatency(driver string) time.Duration {
	if d, ok := kl.cfg.MountLatency[driver]; ok && d != nil {
		return d.SampleDuration(kl.latencyRand)
	}
	return defaultMountLatency
}
