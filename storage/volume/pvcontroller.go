package volume

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// PVComponent is the PV controller's name as an event source and client.
const PVComponent = "persistentvolume-controller"

// Upstream's event messages (pkg/controller/volume/persistentvolume and
// pkg/controller/volume/events).
const (
	msgWaitForFirstConsumer = "waiting for first consumer to be created before binding"
	msgNoClassNoVolume      = "no persistent volumes available for this claim and no storage class is set"
	msgExternalProvisioning = "Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
	msgClaimLostRef         = "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
	msgClaimLostVolume      = "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
	msgClaimMisbound        = "Two claims are bound to the same volume, this one is bound incorrectly"
)

// recycleLatency is how long the recycler pod takes to scrub a volume.
const recycleLatency = 10 * time.Second

// PVController is kube-controller-manager's persistentvolume-binder
// (pkg/controller/volume/persistentvolume/pv_controller.go and
// pv_controller_base.go): it binds claims to volumes, hands claims to
// external provisioners, and reclaims released volumes.
//
// Like upstream it keeps its own caches of volumes and claims, updated by
// the informers and by the results of its own writes, newest
// resourceVersion first, so a sync never acts on an object older than one
// it wrote. One worker syncs volumes and one syncs claims; every object is
// synced again each SyncPeriod.
type PVController struct {
	k      *sim.Kernel
	cfg    Config
	client model.Client

	pvInf, pvcInf, classInf *model.Informer

	volumes map[string]*model.PersistentVolume      // by name
	claims  map[string]*model.PersistentVolumeClaim // by namespace/name
	byClass map[string]map[string]*model.PersistentVolume

	volumeW, claimW *worker
	recycling       map[string]bool
}

// NewPVController builds the controller; connect opens its API client.
func NewPVController(k *sim.Kernel, connect model.Connect, cfg Config) *PVController {
	def := DefaultConfig()
	if cfg.SyncPeriod <= 0 {
		cfg.SyncPeriod = def.SyncPeriod
	}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = def.QPS, def.Burst
	}
	c := &PVController{k: k, cfg: cfg, client: connect(PVComponent, cfg.QPS, cfg.Burst),
		volumes: map[string]*model.PersistentVolume{}, claims: map[string]*model.PersistentVolumeClaim{},
		byClass: map[string]map[string]*model.PersistentVolume{}, recycling: map[string]bool{}}
	// createProvisionedPVRetryCount-style backoff: upstream's queues use
	// the default controller rate limiter (5 ms doubling to 1000 s).
	limiter := func() model.RateLimiter {
		return model.NewMaxOfRateLimiter(model.NewItemExponentialFailureRateLimiter(5*time.Millisecond, 1000*time.Second), model.NewBucketRateLimiter(10, 100))
	}
	c.volumeW = newWorker(k, limiter(), c.synced, c.syncVolumeKey)
	c.claimW = newWorker(k, limiter(), c.synced, c.syncClaimKey)
	c.pvInf = model.NewInformer(k, c.client, "PersistentVolume", 0)
	c.pvcInf = model.NewInformer(k, c.client, "PersistentVolumeClaim", 0)
	c.classInf = model.NewInformer(k, c.client, "StorageClass", 0)
	c.pvInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.storeVolume(o.(*model.PersistentVolume)) },
		OnUpdate: func(_, o model.Object) { c.storeVolume(o.(*model.PersistentVolume)) },
		OnDelete: func(o model.Object) { c.deleteVolume(o.(*model.PersistentVolume)) },
	})
	c.pvcInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    func(o model.Object) { c.storeClaim(o.(*model.PersistentVolumeClaim)) },
		OnUpdate: func(_, o model.Object) { c.storeClaim(o.(*model.PersistentVolumeClaim)) },
		OnDelete: func(o model.Object) { c.deleteClaim(o.(*model.PersistentVolumeClaim)) },
	})
	return c
}

// Start begins the list-and-watch and the periodic resync.
func (c *PVController) Start() {
	c.pvInf.Start()
	c.pvcInf.Start()
	c.classInf.Start()
	var resync sim.HandlerFunc
	resync = func(sim.Time) {
		c.resync()
		c.k.After(c.cfg.SyncPeriod, resync)
	}
	c.k.After(c.cfg.SyncPeriod, resync)
}

func (c *PVController) synced() bool {
	return c.pvInf.HasSynced() && c.pvcInf.HasSynced() && c.classInf.HasSynced()
}

// resync queues every claim and volume (pv_controller_base.go resync).
func (c *PVController) resync() {
	for _, key := range model.SortedKeys(c.claims) {
		c.claimW.queue.Add(key)
	}
	for _, name := range model.SortedKeys(c.volumes) {
		c.volumeW.queue.Add(name)
	}
}

func (c *PVController) event(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: PVComponent, Object: object, Fields: fields})
}

func claimObject(key string) string   { return "PersistentVolumeClaim/" + key }
func volumeObject(name string) string { return "PersistentVolume/" + name }

// newer reports whether a is at least as new as b (resourceVersions are
// the server's counter; storeObjectUpdate refuses older versions).
func newer(a, b model.Object) bool {
	ra, _ := strconv.ParseUint(a.GetObjectMeta().ResourceVersion, 10, 64)
	rb, _ := strconv.ParseUint(b.GetObjectMeta().ResourceVersion, 10, 64)
	return ra >= rb
}

// --- caches ------------------------------------------------------------------

func (c *PVController) storeVolume(pv *model.PersistentVolume) {
	if old, ok := c.volumes[pv.Name]; ok {
		if old.UID == pv.UID && !newer(pv, old) {
			return
		}
		if byName := c.byClass[model.GetPersistentVolumeClass(old)]; byName != nil {
			delete(byName, old.Name)
		}
	}
	c.volumes[pv.Name] = pv
	class := model.GetPersistentVolumeClass(pv)
	if c.byClass[class] == nil {
		c.byClass[class] = map[string]*model.PersistentVolume{}
	}
	c.byClass[class][pv.Name] = pv
	c.volumeW.queue.Add(pv.Name)
}

func (c *PVController) deleteVolume(pv *model.PersistentVolume) {
	if old, ok := c.volumes[pv.Name]; ok && old.UID == pv.UID {
		delete(c.volumes, pv.Name)
		delete(c.byClass[model.GetPersistentVolumeClass(old)], pv.Name)
	}
	// A bound claim loses its volume (deleteVolume → syncClaim).
	if ref := pv.Spec.ClaimRef; ref != nil {
		c.claimW.queue.Add(ref.Namespace + "/" + ref.Name)
	}
}

func (c *PVController) storeClaim(pvc *model.PersistentVolumeClaim) {
	key := model.Key(pvc)
	if old, ok := c.claims[key]; ok && old.UID == pvc.UID && !newer(pvc, old) {
		return
	}
	c.claims[key] = pvc
	c.claimW.queue.Add(key)
}

func (c *PVController) deleteClaim(pvc *model.PersistentVolumeClaim) {
	key := model.Key(pvc)
	if old, ok := c.claims[key]; ok && old.UID == pvc.UID {
		delete(c.claims, key)
	}
	// The volume bound to it is released (deleteClaim → syncVolume).
	if pvc.Spec.VolumeName != "" {
		c.volumeW.queue.Add(pvc.Spec.VolumeName)
	}
}

func (c *PVController) class(name string) (*model.StorageClass, bool) {
	o, ok := c.classInf.Get("", name)
	if !ok {
		return nil, false
	}
	return o.(*model.StorageClass), true
}

// candidates returns the volumes of a claim's class, by name.
func (c *PVController) candidates(claim *model.PersistentVolumeClaim) []*model.PersistentVolume {
	return model.SortedValues(c.byClass[model.GetPersistentVolumeClaimClass(claim)])
}

// --- writes ------------------------------------------------------------------

func (c *PVController) writeVolume(pv *model.PersistentVolume, status bool, done func(*model.PersistentVolume, error)) {
	write := c.client.Update
	if status {
		write = c.client.UpdateStatus
	}
	write(pv, func(o model.Object, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		got := o.(*model.PersistentVolume)
		c.storeVolume(got)
		done(got, nil)
	})
}

func (c *PVController) writeClaim(pvc *model.PersistentVolumeClaim, status bool, done func(*model.PersistentVolumeClaim, error)) {
	write := c.client.Update
	if status {
		write = c.client.UpdateStatus
	}
	write(pvc, func(o model.Object, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		got := o.(*model.PersistentVolumeClaim)
		c.storeClaim(got)
		done(got, nil)
	})
}

// setVolumePhase is updateVolumePhase: a no-op when the phase is already
// right.
func (c *PVController) setVolumePhase(pv *model.PersistentVolume, phase model.PersistentVolumePhase, message string, done func(*model.PersistentVolume, error)) {
	if pv.Status.Phase == phase && pv.Status.Message == message {
		done(pv, nil)
		return
	}
	next := model.DeepCopy(*pv)
	next.Status.Phase, next.Status.Message = phase, message
	now := c.k.Now().Wall(c.cfg.Start)
	next.Status.LastPhaseTransitionTime = &now
	c.writeVolume(&next, true, func(got *model.PersistentVolume, err error) {
		if err == nil {
			claim := ""
			if ref := got.Spec.ClaimRef; ref != nil {
				claim = ref.Namespace + "/" + ref.Name
			}
			c.event("VolumePhaseChanged", volumeObject(got.Name), sim.F("phase", string(phase)), sim.F("claim", claim))
		}
		done(got, err)
	})
}

// setClaimStatus is updateClaimStatus: phase, and the volume's capacity
// and access modes once bound.
func (c *PVController) setClaimStatus(pvc *model.PersistentVolumeClaim, phase model.PersistentVolumeClaimPhase, pv *model.PersistentVolume, done func(*model.PersistentVolumeClaim, error)) {
	next := model.DeepCopy(*pvc)
	next.Status.Phase = phase
	if pv != nil {
		next.Status.AccessModes = append([]model.PersistentVolumeAccessMode(nil), pv.Spec.AccessModes...)
		if q, ok := pv.Spec.Capacity[model.ResourceStorage]; ok {
			next.Status.Capacity = model.ResourceList{model.ResourceStorage: q}
		}
	}
	if phase == pvc.Status.Phase && slices.Equal(next.Status.AccessModes, pvc.Status.AccessModes) &&
		reflect.DeepEqual(next.Status.Capacity, pvc.Status.Capacity) {
		done(pvc, nil)
		return
	}
	c.writeClaim(&next, true, done)
}

// --- claims ------------------------------------------------------------------

func (c *PVController) syncClaimKey(key string, done func(error)) {
	claim, ok := c.claims[key]
	if !ok {
		done(nil)
		return
	}
	if claim.DeletionTimestamp != nil {
		done(nil) // the pvc-protection finalizer holds it; nothing to bind
		return
	}
	if _, bound := claim.Annotations[model.AnnBindCompleted]; !bound {
		c.syncUnboundClaim(claim, done)
		return
	}
	c.syncBoundClaim(claim, done)
}

// syncUnboundClaim binds a claim that is not bound yet: to the volume it
// names, or to the best match, or hands it to a provisioner, or leaves it
// Pending until the next sync.
func (c *PVController) syncUnboundClaim(claim *model.PersistentVolumeClaim, done func(error)) {
	key := model.Key(claim)
	if claim.Spec.VolumeName == "" {
		delay, err := model.IsDelayBindingMode(claim, c.class)
		if err != nil {
			done(err)
			return
		}
		pv, err := model.FindBestMatchForClaim(claim, c.candidates(claim), delay)
		if err != nil {
			done(err)
			return
		}
		if pv != nil {
			c.bind(pv, claim, done)
			return
		}
		_, selected := claim.Annotations[model.AnnSelectedNode]
		switch className := model.GetPersistentVolumeClaimClass(claim); {
		case delay && !selected:
			c.event("WaitForFirstConsumer", claimObject(key), sim.F("message", msgWaitForFirstConsumer))
		case className != "":
			c.provisionClaim(claim, className, done)
			return
		default:
			c.event("FailedBinding", claimObject(key), sim.F("message", msgNoClassNoVolume))
		}
		c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
		return
	}
	// The claim names a volume (pre-bound by the user or half-bound).
	pv, ok := c.volumes[claim.Spec.VolumeName]
	if !ok {
		c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
		return
	}
	switch ref := pv.Spec.ClaimRef; {
	case ref == nil, model.IsVolumeBoundToClaim(pv, claim):
		if model.CheckVolumeModeMismatches(&claim.Spec, &pv.Spec) {
			c.event("VolumeMismatch", claimObject(key), sim.F("message", "Cannot bind PersistentVolume to requested PersistentVolumeClaim due to incompatible volumeMode."))
			c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
			return
		}
		c.bind(pv, claim, done)
	default:
		c.event("FailedBinding", claimObject(key), sim.F("message", fmt.Sprintf("volume %q already bound to a different claim.", pv.Name)))
		c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
	}
}

// syncBoundClaim checks a bound claim's volume still points back at it.
func (c *PVController) syncBoundClaim(claim *model.PersistentVolumeClaim, done func(error)) {
	key := model.Key(claim)
	lost := func(msg string) {
		if claim.Status.Phase != model.ClaimLost {
			c.event("ClaimLost", claimObject(key), sim.F("message", msg))
		}
		c.setClaimStatus(claim, model.ClaimLost, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
	}
	if claim.Spec.VolumeName == "" {
		lost(msgClaimLostRef)
		return
	}
	pv, ok := c.volumes[claim.Spec.VolumeName]
	if !ok {
		lost(msgClaimLostVolume)
		return
	}
	switch ref := pv.Spec.ClaimRef; {
	case ref == nil, model.IsVolumeBoundToClaim(pv, claim):
		// Finish a half-done binding, or just fix the phases.
		c.bind(pv, claim, done)
	default:
		if claim.Status.Phase != model.ClaimLost {
			c.event("ClaimMisbound", claimObject(key), sim.F("message", msgClaimMisbound))
		}
		c.setClaimStatus(claim, model.ClaimLost, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
	}
}

// provisionClaim hands the claim to its class's provisioner by annotating
// it (upstream setClaimProvisioner for external provisioners).
func (c *PVController) provisionClaim(claim *model.PersistentVolumeClaim, className string, done func(error)) {
	key := model.Key(claim)
	class, ok := c.class(className)
	if !ok {
		c.event("ProvisioningFailed", claimObject(key), sim.F("message", fmt.Sprintf("storageclass.storage.k8s.io %q not found", className)))
		c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
		return
	}
	if class.Provisioner == model.NotSupportedProvisioner {
		// No dynamic provisioning for local static classes; the claim
		// waits for a matching volume.
		c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
		return
	}
	if claim.Annotations[model.AnnStorageProvisioner] == class.Provisioner {
		c.setClaimStatus(claim, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
		return
	}
	next := model.DeepCopy(*claim)
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	next.Annotations[model.AnnStorageProvisioner] = class.Provisioner
	next.Annotations[model.AnnBetaStorageProvisioner] = class.Provisioner
	c.writeClaim(&next, false, func(got *model.PersistentVolumeClaim, err error) {
		if err != nil {
			done(err)
			return
		}
		c.event("ExternalProvisioning", claimObject(key), sim.F("provisioner", class.Provisioner),
			sim.F("message", fmt.Sprintf(msgExternalProvisioning, class.Provisioner)))
		c.setClaimStatus(got, model.ClaimPending, nil, func(_ *model.PersistentVolumeClaim, err error) { done(err) })
	})
}

// bind is upstream's bind: the volume's claimRef, its phase Bound, the
// claim's volumeName and annotations, its phase Bound with the volume's
// capacity and access modes, each a separate write that is skipped when
// already done.
func (c *PVController) bind(pv *model.PersistentVolume, claim *model.PersistentVolumeClaim, done func(error)) {
	next, dirty := model.BindVolumeToClaim(pv, claim)
	step2 := func(pv *model.PersistentVolume) {
		c.setVolumePhase(pv, model.VolumeBound, "", func(pv *model.PersistentVolume, err error) {
			if err != nil {
				done(err)
				return
			}
			c.bindClaimToVolume(claim, pv, func(claim *model.PersistentVolumeClaim, err error) {
				if err != nil {
					done(err)
					return
				}
				wasBound := claim.Status.Phase == model.ClaimBound
				c.setClaimStatus(claim, model.ClaimBound, pv, func(got *model.PersistentVolumeClaim, err error) {
					if err == nil && !wasBound {
						c.event("ClaimBound", claimObject(model.Key(got)), sim.F("volume", pv.Name))
					}
					done(err)
				})
			})
		})
	}
	if !dirty {
		step2(pv)
		return
	}
	c.writeVolume(next, false, func(got *model.PersistentVolume, err error) {
		if err != nil {
			done(err)
			return
		}
		step2(got)
	})
}

// bindClaimToVolume sets the claim's volumeName and the bind-completed
// (and, when the controller chose the volume, bound-by-controller)
// annotations (upstream getBindClaimToVolume).
func (c *PVController) bindClaimToVolume(claim *model.PersistentVolumeClaim, pv *model.PersistentVolume, done func(*model.PersistentVolumeClaim, error)) {
	next := model.DeepCopy(*claim)
	dirty := false
	if next.Spec.VolumeName != pv.Name {
		next.Spec.VolumeName = pv.Name
		dirty = true
		if next.Annotations == nil {
			next.Annotations = map[string]string{}
		}
		next.Annotations[model.AnnBoundByController] = "yes"
	}
	if _, ok := next.Annotations[model.AnnBindCompleted]; !ok {
		if next.Annotations == nil {
			next.Annotations = map[string]string{}
		}
		next.Annotations[model.AnnBindCompleted] = "yes"
		dirty = true
	}
	if !dirty {
		done(claim, nil)
		return
	}
	c.writeClaim(&next, false, done)
}

// --- volumes -----------------------------------------------------------------

func (c *PVController) syncVolumeKey(name string, done func(error)) {
	pv, ok := c.volumes[name]
	if !ok || pv.DeletionTimestamp != nil {
		done(nil)
		return
	}
	ref := pv.Spec.ClaimRef
	if ref == nil {
		c.setVolumePhase(pv, model.VolumeAvailable, "", func(_ *model.PersistentVolume, err error) { done(err) })
		return
	}
	if ref.UID == "" {
		// Pre-bound by the user; the claim's sync completes the binding.
		c.setVolumePhase(pv, model.VolumeAvailable, "", func(_ *model.PersistentVolume, err error) { done(err) })
		return
	}
	claim, ok := c.claims[ref.Namespace+"/"+ref.Name]
	if ok && claim.UID != ref.UID {
		ok = false // the claim was deleted and created again
	}
	if !ok {
		// Upstream checks the API server before acting on a cache miss,
		// so a claim the informer has not delivered yet is not taken for
		// a deleted one.
		c.client.Get("PersistentVolumeClaim", ref.Namespace, ref.Name, func(o model.Object, err error) {
			if err == nil && o.GetObjectMeta().UID == ref.UID {
				c.storeClaim(o.(*model.PersistentVolumeClaim))
				done(nil)
				return
			}
			if err != nil && !model.IsNotFound(err) {
				done(err)
				return
			}
			c.released(pv, done)
		})
		return
	}
	switch {
	case claim.Spec.VolumeName == "":
		// Bound by the scheduler or half-bound: the claim's sync finishes.
		c.claimW.queue.Add(model.Key(claim))
		done(nil)
	case claim.Spec.VolumeName == pv.Name:
		c.setVolumePhase(pv, model.VolumeBound, "", func(_ *model.PersistentVolume, err error) { done(err) })
	default:
		// The claim is bound to another volume.
		if _, byController := pv.Annotations[model.AnnBoundByController]; byController && pv.Status.Phase != model.VolumeReleased {
			c.unbind(pv, done)
			return
		}
		c.released(pv, done)
	}
}

// unbind clears a volume the controller bound to a claim that went
// elsewhere, making it Available again (unbindVolume).
func (c *PVController) unbind(pv *model.PersistentVolume, done func(error)) {
	next := model.DeepCopy(*pv)
	if _, byController := next.Annotations[model.AnnBoundByController]; byController {
		next.Spec.ClaimRef = nil
		delete(next.Annotations, model.AnnBoundByController)
	} else {
		next.Spec.ClaimRef.UID = "" // pre-bound by the user: keep the name
	}
	c.writeVolume(&next, false, func(got *model.PersistentVolume, err error) {
		if err != nil {
			done(err)
			return
		}
		c.setVolumePhase(got, model.VolumeAvailable, "", func(_ *model.PersistentVolume, err error) { done(err) })
	})
}

// released marks the volume Released and applies its reclaim policy.
func (c *PVController) released(pv *model.PersistentVolume, done func(error)) {
	if pv.Status.Phase == model.VolumeFailed {
		done(nil)
		return
	}
	c.setVolumePhase(pv, model.VolumeReleased, "", func(pv *model.PersistentVolume, err error) {
		if err != nil {
			done(err)
			return
		}
		c.reclaim(pv)
		done(nil)
	})
}

// reclaim is reclaimVolume: Retain leaves the volume Released for an
// administrator; Recycle scrubs it and makes it Available; Delete is the
// external provisioner's job for a volume it provisioned, and fails for a
// static one, which no plugin can delete.
func (c *PVController) reclaim(pv *model.PersistentVolume) {
	switch pv.Spec.PersistentVolumeReclaimPolicy {
	case model.PersistentVolumeReclaimRetain:
	case model.PersistentVolumeReclaimRecycle:
		if pv.Spec.NFS == nil && pv.Spec.HostPath == nil {
			c.fail(pv, "VolumeFailedRecycle", "No recycler plugin found for the volume!")
			return
		}
		if c.recycling[pv.Name] {
			return
		}
		c.recycling[pv.Name] = true
		c.k.AfterFunc(recycleLatency, func(sim.Time) {
			delete(c.recycling, pv.Name)
			cur, ok := c.volumes[pv.Name]
			if !ok || cur.UID != pv.UID || cur.Status.Phase != model.VolumeReleased {
				return
			}
			c.unbind(cur, func(err error) {
				if err == nil {
					c.event("VolumeRecycled", volumeObject(pv.Name), sim.F("message", "Volume recycled"))
				}
			})
		})
	case model.PersistentVolumeReclaimDelete:
		if _, ok := pv.Annotations[model.AnnDynamicallyProvisioned]; ok {
			return // the provisioner that made it deletes it
		}
		c.fail(pv, "VolumeFailedDelete", fmt.Sprintf("error getting deleter volume plugin for volume %q: no deletable volume plugin matched", pv.Name))
	}
}

func (c *PVController) fail(pv *model.PersistentVolume, reason, message string) {
	c.event(reason, volumeObject(pv.Name), sim.F("message", message))
	c.setVolumePhase(pv, model.VolumeFailed, message, func(*model.PersistentVolume, error) {})
}
