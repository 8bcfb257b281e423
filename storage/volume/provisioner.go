package volume

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Retry backoff of external-provisioner (--retry-interval-start=1s,
// --retry-interval-max=5m), per claim.
const (
	provisionRetryStart = time.Second
	provisionRetryMax   = 5 * time.Minute
)

// Provisioner is a CSI driver's external-provisioner sidecar
// (kubernetes-csi/external-provisioner, controller.go): it provisions
// claims the PV controller annotated with its name, creating a PV
// pre-bound to the claim, and deletes the volumes it made once they are
// released with reclaim policy Delete.
//
// A claim of a WaitForFirstConsumer class is provisioned only once the
// scheduler has annotated it with a selected node, in that node's zone
// for a zonal driver. An Immediate claim of a zonal driver goes to one of
// the zones its class allows: external-provisioner prefers a segment
// chosen by hashing the volume's name, which spreads a StatefulSet's
// claims over the zones; kubesim takes that segment.
type Provisioner struct {
	sys    *System
	driver Driver
	client model.Client
	rand   *sim.Rand
	source string

	queue    *model.WorkQueue
	inflight map[string]bool // claim keys being provisioned
	deleting map[string]bool // PV names being deleted
	down     bool
}

func newProvisioner(sys *System, d Driver) *Provisioner {
	p := &Provisioner{sys: sys, driver: d, source: "csi-provisioner/" + d.Name,
		rand: sys.k.Rand("volume/" + d.Name + "/provisioner"), inflight: map[string]bool{}, deleting: map[string]bool{}}
	p.client = sys.connect(p.source, 0, 0)
	p.queue = model.NewWorkQueue(sys.k, model.NewItemExponentialFailureRateLimiter(provisionRetryStart, provisionRetryMax), p.pump)
	return p
}

func (p *Provisioner) event(kind, object string, fields ...sim.Field) {
	p.sys.k.Journal().Record(sim.Event{T: p.sys.k.Now(), Kind: kind, Source: p.source, Object: object, Fields: fields})
}

// SetDown stops (true) or restarts (false) the provisioner. While down
// nothing is provisioned or deleted; claims wait.
func (p *Provisioner) SetDown(down bool) {
	p.down = down
	if !down {
		p.requeueAll()
	}
}

func (p *Provisioner) requeueAll() {
	for _, key := range model.SortedKeys(p.sys.claims) {
		p.queue.Add("claim:" + key)
	}
	for _, name := range model.SortedKeys(p.sys.volumes) {
		p.queue.Add("volume:" + name)
	}
}

// pump starts every queued item; external-provisioner runs up to 100
// workers, more than a simulated cluster ever has waiting.
func (p *Provisioner) pump() {
	for {
		item, ok := p.queue.Get()
		if !ok {
			return
		}
		if p.down {
			p.queue.Done(item)
			continue
		}
		switch {
		case len(item) > 6 && item[:6] == "claim:":
			p.syncClaim(item, item[6:])
		case len(item) > 7 && item[:7] == "volume:":
			p.syncVolume(item, item[7:])
		default:
			p.queue.Done(item)
		}
	}
}

// wants reports whether the claim is this provisioner's to provision now
// (shouldProvision).
func (p *Provisioner) wants(claim *model.PersistentVolumeClaim) bool {
	if claim.Spec.VolumeName != "" || claim.DeletionTimestamp != nil {
		return false
	}
	if claim.Annotations[model.AnnStorageProvisioner] != p.driver.Name && claim.Annotations[model.AnnBetaStorageProvisioner] != p.driver.Name {
		return false
	}
	class, ok := p.sys.class(model.GetPersistentVolumeClaimClass(claim))
	if !ok {
		return false
	}
	if class.VolumeBindingMode != nil && *class.VolumeBindingMode == model.VolumeBindingWaitForFirstConsumer {
		_, selected := claim.Annotations[model.AnnSelectedNode]
		return selected
	}
	return true
}

// volumeName is the name external-provisioner gives a claim's volume
// (--volume-name-prefix "pvc", the claim's UID).
func volumeName(claim *model.PersistentVolumeClaim) string { return "pvc-" + claim.UID }

func (p *Provisioner) syncClaim(item, key string) {
	claim, ok := p.sys.claims[key]
	if !ok || !p.wants(claim) || p.inflight[key] {
		p.queue.Forget(item)
		p.queue.Done(item)
		return
	}
	if _, exists := p.sys.volumes[volumeName(claim)]; exists {
		p.queue.Forget(item)
		p.queue.Done(item)
		return
	}
	p.inflight[key] = true
	obj := claimObject(key)
	p.event("Provisioning", obj, sim.F("message", fmt.Sprintf("External provisioner is provisioning volume for claim %q", key)))
	p.sys.k.AfterFunc(p.driver.ProvisionLatency.SampleDuration(p.rand), func(sim.Time) {
		fail := func(msg string) {
			delete(p.inflight, key)
			p.event("ProvisioningFailed", obj, sim.F("message", msg))
			p.queue.AddRateLimited(item)
			p.queue.Done(item)
		}
		if p.down {
			delete(p.inflight, key)
			p.queue.Done(item)
			return
		}
		cur, ok := p.sys.claims[key]
		if !ok || cur.UID != claim.UID || !p.wants(cur) {
			delete(p.inflight, key)
			p.queue.Forget(item)
			p.queue.Done(item)
			return
		}
		class, _ := p.sys.class(model.GetPersistentVolumeClaimClass(cur))
		pv, err := p.newVolume(cur, class)
		if err != nil {
			fail(fmt.Sprintf("failed to provision volume with StorageClass %q: %v", class.Name, err))
			return
		}
		if p.driver.ProvisionFailureRate > 0 && p.rand.Float64() < p.driver.ProvisionFailureRate {
			fail(fmt.Sprintf("failed to provision volume with StorageClass %q: rpc error: code = Internal desc = CreateVolume failed", class.Name))
			return
		}
		p.client.Create(pv, func(_ model.Object, err error) {
			if err != nil && !model.IsAlreadyExists(err) {
				fail(fmt.Sprintf("failed to provision volume with StorageClass %q: %v", class.Name, err))
				return
			}
			delete(p.inflight, key)
			fields := []sim.Field{sim.F("volume", pv.Name), sim.F("message", fmt.Sprintf("Successfully provisioned volume %s", pv.Name))}
			if z := volumeZone(pv); z != "" {
				fields = append(fields, sim.F("zone", z))
			}
			p.event("ProvisioningSucceeded", obj, fields...)
			p.queue.Forget(item)
			p.queue.Done(item)
		})
	})
}

// newVolume is the PV for a claim: its request, modes and class, the
// class's reclaim policy, pre-bound to the claim, zonal when the driver
// is (provisionClaimOperation's PV, made by the sidecar).
func (p *Provisioner) newVolume(claim *model.PersistentVolumeClaim, class *model.StorageClass) (*model.PersistentVolume, error) {
	name := volumeName(claim)
	pv := &model.PersistentVolume{
		ObjectMeta: model.ObjectMeta{Name: name, Annotations: map[string]string{model.AnnDynamicallyProvisioned: p.driver.Name}},
		Spec: model.PersistentVolumeSpec{
			Capacity:                      model.ResourceList{model.ResourceStorage: claim.Spec.Resources.Requests[model.ResourceStorage]},
			AccessModes:                   append([]model.PersistentVolumeAccessMode(nil), claim.Spec.AccessModes...),
			ClaimRef:                      model.ClaimReference(claim),
			PersistentVolumeReclaimPolicy: model.PersistentVolumeReclaimDelete,
			StorageClassName:              class.Name,
			VolumeMode:                    claim.Spec.VolumeMode,
			CSI:                           &model.CSIPersistentVolumeSource{Driver: p.driver.Name, VolumeHandle: "vol-" + claim.UID},
		},
	}
	model.SetTypeMeta(pv)
	if class.ReclaimPolicy != nil {
		pv.Spec.PersistentVolumeReclaimPolicy = *class.ReclaimPolicy
	}
	if p.driver.Topology != TopologyZonal {
		return pv, nil
	}
	zone, err := p.zoneFor(claim, class, name)
	if err != nil {
		return nil, err
	}
	pv.Spec.NodeAffinity = &model.VolumeNodeAffinity{Required: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{
		MatchExpressions: []model.NodeSelectorRequirement{{Key: model.LabelTopologyZone, Operator: model.NodeSelectorOpIn, Values: []string{zone}}},
	}}}}
	return pv, nil
}

// zoneFor picks a zonal volume's zone: the selected node's, else one of
// the zones the class allows (all zones with nodes when it names none),
// by a hash of the volume name.
func (p *Provisioner) zoneFor(claim *model.PersistentVolumeClaim, class *model.StorageClass, name string) (string, error) {
	var zone string
	if node, ok := claim.Annotations[model.AnnSelectedNode]; ok {
		n, found := p.sys.node(node)
		if !found {
			return "", fmt.Errorf("rpc error: code = InvalidArgument desc = node %q not found", node)
		}
		zone = n.Labels[model.LabelTopologyZone]
	} else {
		zones := p.sys.zones()
		if allowed := allowedZones(class); allowed != nil {
			zones = slices.DeleteFunc(zones, func(z string) bool { return !slices.Contains(allowed, z) })
		}
		if len(zones) == 0 {
			return "", fmt.Errorf("rpc error: code = ResourceExhausted desc = no zone available for the class's allowedTopologies")
		}
		h := fnv.New32a()
		h.Write([]byte(name))
		zone = zones[h.Sum32()%uint32(len(zones))]
	}
	if p.sys.zoneDown[zone] {
		return "", fmt.Errorf("rpc error: code = Unavailable desc = zone %s is unavailable", zone)
	}
	return zone, nil
}

// allowedZones lists the zone values a class's allowedTopologies name
// (nil: no restriction).
func allowedZones(class *model.StorageClass) []string {
	var out []string
	for _, t := range class.AllowedTopologies {
		for _, e := range t.MatchLabelExpressions {
			if e.Key == model.LabelTopologyZone || e.Key == "topology.ebs.csi.aws.com/zone" || e.Key == "topology.gke.io/zone" {
				out = append(out, e.Values...)
			}
		}
	}
	return out
}

// volumeZone is the zone a PV's node affinity pins it to ("" if none).
func volumeZone(pv *model.PersistentVolume) string {
	if pv.Spec.NodeAffinity == nil || pv.Spec.NodeAffinity.Required == nil {
		return ""
	}
	for _, t := range pv.Spec.NodeAffinity.Required.NodeSelectorTerms {
		for _, e := range t.MatchExpressions {
			if e.Key == model.LabelTopologyZone && e.Operator == model.NodeSelectorOpIn && len(e.Values) == 1 {
				return e.Values[0]
			}
		}
	}
	return ""
}

// syncVolume deletes a released volume this provisioner made whose
// reclaim policy is Delete (shouldDelete, deleteVolumeOperation).
func (p *Provisioner) syncVolume(item, name string) {
	pv, ok := p.sys.volumes[name]
	if !ok || p.deleting[name] || pv.DeletionTimestamp != nil || pv.Status.Phase != model.VolumeReleased ||
		pv.Spec.PersistentVolumeReclaimPolicy != model.PersistentVolumeReclaimDelete ||
		pv.Annotations[model.AnnDynamicallyProvisioned] != p.driver.Name {
		p.queue.Forget(item)
		p.queue.Done(item)
		return
	}
	p.deleting[name] = true
	p.sys.k.AfterFunc(p.driver.DeleteLatency.SampleDuration(p.rand), func(sim.Time) {
		if p.down {
			delete(p.deleting, name)
			p.queue.Done(item)
			return
		}
		p.client.Delete("PersistentVolume", "", name, func(err error) {
			delete(p.deleting, name)
			if err != nil && !model.IsNotFound(err) {
				p.event("VolumeFailedDelete", volumeObject(name), sim.F("message", err.Error()))
				p.queue.AddRateLimited(item)
				p.queue.Done(item)
				return
			}
			p.event("VolumeDeleted", volumeObject(name), sim.F("message", fmt.Sprintf("Deleted volume %s", pv.Spec.CSI.VolumeHandle)))
			p.queue.Forget(item)
			p.queue.Done(item)
		})
	})
}
