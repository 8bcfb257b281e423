package volume

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Resizer is a CSI driver's external-resizer sidecar
// (kubernetes-csi/external-resizer, pkg/controller/controller.go): when a
// bound claim of one of its volumes asks for more storage than it has, it
// expands the volume (ControllerExpandVolume), records the new size on the
// PV, then on the claim's status.capacity.
//
// Deviation: the node-side step (NodeExpandVolume by the kubelet, the
// FileSystemResizePending condition) is folded into the controller step;
// the claim shows its new capacity when the controller expansion is done.
type Resizer struct {
	sys    *System
	driver Driver
	client model.Client
	rand   *sim.Rand
	source string

	queue    *model.WorkQueue
	resizing map[string]bool
}

func newResizer(sys *System, d Driver) *Resizer {
	r := &Resizer{sys: sys, driver: d, source: "csi-resizer/" + d.Name,
		rand: sys.k.Rand("volume/" + d.Name + "/resizer"), resizing: map[string]bool{}}
	r.client = sys.connect(r.source, 0, 0)
	r.queue = model.NewWorkQueue(sys.k, model.NewItemExponentialFailureRateLimiter(provisionRetryStart, provisionRetryMax), r.pump)
	return r
}

func (r *Resizer) event(kind, object string, fields ...sim.Field) {
	r.sys.k.Journal().Record(sim.Event{T: r.sys.k.Now(), Kind: kind, Source: r.source, Object: object, Fields: fields})
}

// wants reports whether the claim is bound to one of this driver's
// volumes and asks for more than the volume has.
func (r *Resizer) wants(claim *model.PersistentVolumeClaim) (*model.PersistentVolume, bool) {
	if claim.Spec.VolumeName == "" || claim.Status.Phase != model.ClaimBound {
		return nil, false
	}
	pv, ok := r.sys.volumes[claim.Spec.VolumeName]
	if !ok || pv.Spec.CSI == nil || pv.Spec.CSI.Driver != r.driver.Name {
		return nil, false
	}
	want := claim.Spec.Resources.Requests[model.ResourceStorage]
	have := claim.Status.Capacity[model.ResourceStorage]
	return pv, want.Cmp(have) > 0
}

func (r *Resizer) pump() {
	for {
		key, ok := r.queue.Get()
		if !ok {
			return
		}
		r.sync(key)
	}
}

func (r *Resizer) finish(key string, err bool) {
	if err {
		r.queue.AddRateLimited(key)
	} else {
		r.queue.Forget(key)
	}
	r.queue.Done(key)
}

func (r *Resizer) sync(key string) {
	claim, ok := r.sys.claims[key]
	if !ok || r.resizing[key] {
		r.finish(key, false)
		return
	}
	pv, ok := r.wants(claim)
	if !ok {
		r.finish(key, false)
		return
	}
	obj := claimObject(key)
	size := claim.Spec.Resources.Requests[model.ResourceStorage]
	r.resizing[key] = true
	r.event("Resizing", obj, sim.F("volume", pv.Name), sim.F("message", fmt.Sprintf("External resizer is resizing volume %s", pv.Name)))
	r.sys.k.AfterFunc(r.driver.ResizeLatency.SampleDuration(r.rand), func(sim.Time) {
		fail := func(err error) {
			delete(r.resizing, key)
			r.event("VolumeResizeFailed", obj, sim.F("volume", pv.Name), sim.F("message", "resize volume "+pv.Name+" failed: "+err.Error()))
			r.finish(key, true)
		}
		cur, ok := r.sys.volumes[pv.Name]
		if !ok {
			delete(r.resizing, key)
			r.finish(key, false)
			return
		}
		next := model.DeepCopy(*cur)
		next.Spec.Capacity = model.ResourceList{model.ResourceStorage: size}
		r.client.Update(&next, func(_ model.Object, err error) {
			if err != nil {
				fail(err)
				return
			}
			c, ok := r.sys.claims[key]
			if !ok {
				delete(r.resizing, key)
				r.finish(key, false)
				return
			}
			nc := model.DeepCopy(*c)
			nc.Status.Capacity = model.ResourceList{model.ResourceStorage: size}
			r.client.UpdateStatus(&nc, func(_ model.Object, err error) {
				if err != nil {
					fail(err)
					return
				}
				delete(r.resizing, key)
				r.event("VolumeResizeSuccessful", obj, sim.F("volume", pv.Name), sim.F("size", size.String()), sim.F("message", "Resize volume succeeded"))
				r.finish(key, false)
			})
		})
	})
}
