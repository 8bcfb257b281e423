package volume

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Retry backoff of external-attacher (--retry-interval-start=1s,
// --retry-interval-max=5m), per VolumeAttachment.
const (
	attachRetryStart = time.Second
	attachRetryMax   = 5 * time.Minute
)

var unsafeDriverChars = regexp.MustCompile(`[^a-zA-Z0-9-]`)

// attacherFinalizer is the finalizer external-attacher puts on the
// VolumeAttachments it handles (GetFinalizerName: the driver name with
// every character outside [a-zA-Z0-9-] replaced by "-").
func attacherFinalizer(driver string) string {
	return "external-attacher/" + unsafeDriverChars.ReplaceAllString(driver, "-")
}

// Attacher is a CSI driver's external-attacher sidecar
// (kubernetes-csi/external-attacher, csi_handler.go): it attaches the
// volumes named by VolumeAttachments of its driver (ControllerPublish,
// then status.attached) and detaches them when the attach/detach
// controller deletes the object (ControllerUnpublish, then the finalizer
// is removed).
//
// Attaching fails on a node of a zone that is out, when the node already
// has AttachLimit volumes of the driver (the cloud's "maximum number of
// volumes" error), and with AttachFailureRate; failures are written to
// status.attachError and retried with backoff.
type Attacher struct {
	sys    *System
	driver Driver
	client model.Client
	rand   *sim.Rand
	source string
	start  time.Time

	queue     *model.WorkQueue
	attaching map[string]bool
	detaching map[string]bool
	stuck     bool
}

func newAttacher(sys *System, d Driver, start time.Time) *Attacher {
	a := &Attacher{sys: sys, driver: d, source: "csi-attacher/" + d.Name, start: start,
		rand: sys.k.Rand("volume/" + d.Name + "/attacher"), attaching: map[string]bool{}, detaching: map[string]bool{}}
	a.client = sys.connect(a.source, 0, 0)
	a.queue = model.NewWorkQueue(sys.k, model.NewItemExponentialFailureRateLimiter(attachRetryStart, attachRetryMax), a.pump)
	return a
}

func (a *Attacher) event(kind, object string, fields ...sim.Field) {
	a.sys.k.Journal().Record(sim.Event{T: a.sys.k.Now(), Kind: kind, Source: a.source, Object: object, Fields: fields})
}

// SetDetachStuck makes ControllerUnpublish hang until it is set back.
func (a *Attacher) SetDetachStuck(stuck bool) {
	a.stuck = stuck
	if !stuck {
		a.requeueAll()
	}
}

func (a *Attacher) requeueAll() {
	for _, o := range a.sys.vaInf.List() {
		if va := o.(*model.VolumeAttachment); va.Spec.Attacher == a.driver.Name {
			a.queue.Add(va.Name)
		}
	}
}

func (a *Attacher) pump() {
	for {
		name, ok := a.queue.Get()
		if !ok {
			return
		}
		a.sync(name)
	}
}

func (a *Attacher) finish(name string, err bool) {
	if err {
		a.queue.AddRateLimited(name)
	} else {
		a.queue.Forget(name)
	}
	a.queue.Done(name)
}

func (a *Attacher) sync(name string) {
	o, ok := a.sys.vaInf.Get("", name)
	if !ok {
		a.finish(name, false)
		return
	}
	va := o.(*model.VolumeAttachment)
	fin := attacherFinalizer(a.driver.Name)
	switch {
	case va.DeletionTimestamp != nil:
		if !slices.Contains(va.Finalizers, fin) || a.detaching[name] || a.stuck {
			a.finish(name, false)
			return
		}
		a.detach(va)
	case va.Status.Attached || a.attaching[name]:
		a.finish(name, false)
	case !slices.Contains(va.Finalizers, fin):
		next := model.DeepCopy(*va)
		next.Finalizers = append(next.Finalizers, fin)
		a.client.Update(&next, func(_ model.Object, err error) { a.finish(name, err != nil) })
	default:
		a.attach(va)
	}
}

func (a *Attacher) attach(va *model.VolumeAttachment) {
	name := va.Name
	a.attaching[name] = true
	a.sys.k.AfterFunc(a.driver.AttachLatency.SampleDuration(a.rand), func(sim.Time) {
		o, ok := a.sys.vaInf.Get("", name)
		if !ok || o.GetObjectMeta().UID != va.UID || o.GetObjectMeta().DeletionTimestamp != nil {
			delete(a.attaching, name)
			a.finish(name, false)
			return
		}
		cur := o.(*model.VolumeAttachment)
		next := model.DeepCopy(*cur)
		msg := a.attachError(cur)
		if msg == "" {
			next.Status.Attached, next.Status.AttachError = true, nil
		} else {
			now := a.sys.k.Now().Wall(a.start)
			next.Status.AttachError = &model.VolumeError{Time: &now, Message: msg}
		}
		a.client.UpdateStatus(&next, func(_ model.Object, err error) {
			delete(a.attaching, name)
			a.finish(name, err != nil || msg != "")
		})
	})
}

// attachError decides ControllerPublishVolume's outcome ("" = success).
func (a *Attacher) attachError(va *model.VolumeAttachment) string {
	node := va.Spec.NodeName
	if n, ok := a.sys.node(node); ok {
		if z := n.Labels[model.LabelTopologyZone]; a.sys.zoneDown[z] {
			return fmt.Sprintf("rpc error: code = Unavailable desc = zone %s is unavailable", z)
		}
	}
	if limit := a.driver.AttachLimit; limit > 0 {
		var attached int64
		for _, o := range a.sys.vaInf.List() {
			x := o.(*model.VolumeAttachment)
			if x.Name != va.Name && x.Spec.Attacher == a.driver.Name && x.Spec.NodeName == node && x.Status.Attached {
				attached++
			}
		}
		if attached >= limit {
			return fmt.Sprintf("rpc error: code = ResourceExhausted desc = node %s has the maximum number of volumes (%d) attached", node, limit)
		}
	}
	if a.driver.AttachFailureRate > 0 && a.rand.Float64() < a.driver.AttachFailureRate {
		return "rpc error: code = Internal desc = ControllerPublishVolume failed"
	}
	return ""
}

func (a *Attacher) detach(va *model.VolumeAttachment) {
	name := va.Name
	a.detaching[name] = true
	a.sys.k.AfterFunc(a.driver.DetachLatency.SampleDuration(a.rand), func(sim.Time) {
		o, ok := a.sys.vaInf.Get("", name)
		if !ok || o.GetObjectMeta().UID != va.UID {
			delete(a.detaching, name)
			a.finish(name, false)
			return
		}
		if a.stuck {
			delete(a.detaching, name) // resumed by SetDetachStuck(false)
			a.finish(name, false)
			return
		}
		next := model.DeepCopy(*o.(*model.VolumeAttachment))
		next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == attacherFinalizer(a.driver.Name) })
		next.Status.Attached = false
		a.client.Update(&next, func(_ model.Object, err error) {
			delete(a.detaching, name)
			if err == nil {
				pv := ""
				if p := va.Spec.Source.PersistentVolumeName; p != nil {
					pv = *p
				}
				a.event("VolumeDetached", "VolumeAttachment/"+name, sim.F("volume", pv), sim.F("node", va.Spec.NodeName))
			}
			a.finish(name, err != nil)
		})
	})
}
