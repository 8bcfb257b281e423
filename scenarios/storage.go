package scenarios

import (
	"fmt"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/scheduler/plugins/nodevolumelimits"
	"github.com/kubesim/kubesim/storage/volume"
)

// loadStorage validates the storage section, gives nodes their drivers'
// attach limits (the allocatable attachable-volumes-csi-<driver> that
// NodeVolumeLimits reads) and returns the pre-created volumes, which are
// applied before the workloads.
func (v *scenarioValidator) loadStorage(sc *Scenario, nodes []*model.Node) []manifest.Object {
	st := sc.Spec.Storage
	if st == nil {
		return nil
	}
	d := v.d
	drivers := map[string]bool{}
	for i, dr := range st.Drivers {
		p := fmt.Sprintf("spec.storage.drivers[%d]", i)
		if err := dr.Validate(); err != nil {
			d.ErrorAt(p, "%v", err)
			continue
		}
		if drivers[dr.Name] {
			d.ErrorAt(p+".name", "driver %q is listed twice", dr.Name)
		}
		drivers[dr.Name] = true
		if dr.AttachLimit > 0 {
			key := model.ResourceName(nodevolumelimits.GetCSIAttachLimitKey(dr.Name))
			for _, n := range nodes {
				n.Status.Capacity[key] = model.NewQuantity(dr.AttachLimit)
				n.Status.Allocatable[key] = model.NewQuantity(dr.AttachLimit)
			}
		}
	}
	pools := map[string]bool{}
	for _, p := range sc.Spec.Cluster.NodePools {
		pools[p.Name] = true
	}
	var out []manifest.Object
	names := map[string]bool{}
	for i, set := range st.PersistentVolumes {
		p := fmt.Sprintf("spec.storage.persistentVolumes[%d]", i)
		line := 0
		if n := d.NodeFor(p); n != nil {
			line = n.Line
		}
		ok := true
		if set.NamePrefix == "" {
			d.ErrorAt(p+".namePrefix", "required")
			ok = false
		}
		if set.Count <= 0 || set.Count > 100000 {
			d.ErrorAt(p+".count", "must be between 1 and 100000, got %d", set.Count)
			ok = false
		}
		if set.Capacity.Sign() <= 0 {
			d.ErrorAt(p+".capacity", "required: a positive size such as 100Gi")
			ok = false
		}
		switch set.ReclaimPolicy {
		case "", model.PersistentVolumeReclaimRetain, model.PersistentVolumeReclaimDelete, model.PersistentVolumeReclaimRecycle:
		default:
			d.ErrorAt(p+".reclaimPolicy", "must be Retain, Delete or Recycle, got %q", set.ReclaimPolicy)
			ok = false
		}
		for j, m := range set.AccessModes {
			switch m {
			case model.ReadWriteOnce, model.ReadOnlyMany, model.ReadWriteMany, model.ReadWriteOncePod:
			default:
				d.ErrorAt(fmt.Sprintf("%s.accessModes[%d]", p, j), "must be ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod, got %q", m)
				ok = false
			}
		}
		if set.Driver != "" && !drivers[set.Driver] {
			d.ErrorAt(p+".driver", "no driver %q under spec.storage.drivers", set.Driver)
			ok = false
		}
		if set.PerNode != "" && !pools[set.PerNode] {
			d.ErrorAt(p+".perNode", "no node pool %q", set.PerNode)
			ok = false
		}
		if set.PerNode != "" && len(set.Zones) > 0 {
			d.ErrorAt(p, "perNode and zones cannot both be set: a local volume is pinned to its node")
			ok = false
		}
		if !ok {
			continue
		}
		var hosts []string
		if set.PerNode != "" {
			for _, n := range nodes {
				if n.Labels["kubesim.io/pool"] == set.PerNode {
					for range set.Count {
						hosts = append(hosts, n.Name)
					}
				}
			}
		}
		total := set.Count
		if set.PerNode != "" {
			total = len(hosts)
		}
		for j := range total {
			pv := newStaticVolume(set, j)
			if names[pv.Name] {
				d.ErrorAt(p+".namePrefix", "volume %s is made twice; give each set its own prefix", pv.Name)
				break
			}
			names[pv.Name] = true
			switch {
			case set.PerNode != "":
				pv.Spec.Local = &model.LocalVolumeSource{Path: "/mnt/disks/" + pv.Name}
				pv.Spec.NodeAffinity = affinity(model.LabelHostname, hosts[j])
			case len(set.Zones) > 0:
				pv.Spec.NodeAffinity = affinity(model.LabelTopologyZone, set.Zones[j%len(set.Zones)])
			}
			out = append(out, manifest.Object{Object: pv, File: d.File, Line: line})
		}
	}
	return out
}

func newStaticVolume(set PersistentVolumeSet, i int) *model.PersistentVolume {
	modes := set.AccessModes
	if len(modes) == 0 {
		modes = []model.PersistentVolumeAccessMode{model.ReadWriteOnce}
	}
	name := fmt.Sprintf("%s-%d", set.NamePrefix, i)
	pv := &model.PersistentVolume{
		ObjectMeta: model.ObjectMeta{Name: name, Labels: model.DeepCopy(set.Labels)},
		Spec: model.PersistentVolumeSpec{
			Capacity:                      model.ResourceList{model.ResourceStorage: set.Capacity},
			AccessModes:                   append([]model.PersistentVolumeAccessMode(nil), modes...),
			StorageClassName:              set.StorageClassName,
			PersistentVolumeReclaimPolicy: set.ReclaimPolicy,
			VolumeMode:                    set.VolumeMode,
		},
	}
	if set.Driver != "" {
		pv.Spec.CSI = &model.CSIPersistentVolumeSource{Driver: set.Driver, VolumeHandle: name}
	} else if set.PerNode == "" {
		pv.Spec.NFS = &model.NFSVolumeSource{Server: "nfs.storage.local", Path: "/exports/" + name}
	}
	model.SetTypeMeta(pv)
	return pv
}

func affinity(key, value string) *model.VolumeNodeAffinity {
	return &model.VolumeNodeAffinity{Required: &model.NodeSelector{NodeSelectorTerms: []model.NodeSelectorTerm{{
		MatchExpressions: []model.NodeSelectorRequirement{{Key: key, Operator: model.NodeSelectorOpIn, Values: []string{value}}},
	}}}}
}

// startStorage runs the storage control plane: the PV and attach/detach
// controllers and the scenario's CSI drivers.
func (r *Run) startStorage() error {
	cfg := volume.SystemConfig{PV: volume.DefaultConfig(), AttachDetach: volume.DefaultAttachDetachConfig()}
	cfg.PV.Start = r.start
	if st := r.Loaded.Scenario.Spec.Storage; st != nil {
		cfg.Drivers = st.Drivers
	}
	sys, err := volume.NewSystem(r.Kernel, r.API.NewClient, cfg)
	if err != nil {
		return fmt.Errorf("spec.storage.%w", err)
	}
	r.storage = sys
	sys.Start(r.kubectl)
	return nil
}

// mountLatencies is the kubelets' per-driver volume mount time.
func (r *Run) mountLatencies() map[string]*model.DistSpec {
	if r.storage == nil {
		return nil
	}
	out := map[string]*model.DistSpec{}
	for _, d := range r.storage.Drivers() {
		out[d.Name] = d.MountLatency
	}
	return out
}

// storageDesc names the storage components for the summary.
func (r *Run) storageDesc() string {
	desc := "storage: persistentvolume-binder, attachdetach"
	for _, d := range r.storage.Drivers() {
		desc += ", csi " + d.Name
	}
	return desc
}
