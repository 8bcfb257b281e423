package volume

import (
	"fmt"
	"sort"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// System is the cluster's storage control plane: the PV controller and
// the attach/detach controller of kube-controller-manager, and for each
// CSI driver its external-provisioner, external-attacher and external-resizer sidecars. The
// sidecars share one set of informers (what each would watch on its own).
type System struct {
	k       *sim.Kernel
	connect model.Connect

	PV           *PVController
	AttachDetach *AttachDetachController
	drivers      []*driverSet

	claimInf, pvInf, classInf, nodeInf, vaInf *model.Informer
	claims                                    map[string]*model.PersistentVolumeClaim
	volumes                                   map[string]*model.PersistentVolume
	zoneDown                                  map[string]bool
}

type driverSet struct {
	driver      Driver
	provisioner *Provisioner
	attacher    *Attacher
	resizer     *Resizer
}

// SystemConfig configures a System.
type SystemConfig struct {
	Drivers      []Driver
	PV           Config
	AttachDetach AttachDetachConfig
}

// NewSystem builds the storage control plane; Start runs it.
func NewSystem(k *sim.Kernel, connect model.Connect, cfg SystemConfig) (*System, error) {
	s := &System{k: k, connect: connect, claims: map[string]*model.PersistentVolumeClaim{},
		volumes: map[string]*model.PersistentVolume{}, zoneDown: map[string]bool{}}
	seen := map[string]bool{}
	for i, d := range cfg.Drivers {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("drivers[%d].%w", i, err)
		}
		if seen[d.Name] {
			return nil, fmt.Errorf("drivers[%d].name: %q is listed twice", i, d.Name)
		}
		seen[d.Name] = true
		d = d.WithDefaults()
		ds := &driverSet{driver: d}
		ds.provisioner = newProvisioner(s, d)
		ds.attacher = newAttacher(s, d, cfg.PV.Start)
		ds.resizer = newResizer(s, d)
		s.drivers = append(s.drivers, ds)
	}
	s.PV = NewPVController(k, connect, cfg.PV)
	s.AttachDetach = NewAttachDetachController(k, connect, cfg.AttachDetach)
	c := connect("csi-sidecars", 0, 0)
	s.claimInf = model.NewInformer(k, c, "PersistentVolumeClaim", 0)
	s.pvInf = model.NewInformer(k, c, "PersistentVolume", 0)
	s.classInf = model.NewInformer(k, c, "StorageClass", 0)
	s.nodeInf = model.NewInformer(k, c, "Node", 0)
	s.vaInf = model.NewInformer(k, c, "VolumeAttachment", 0)
	onClaim := func(o model.Object) {
		pvc := o.(*model.PersistentVolumeClaim)
		s.claims[model.Key(pvc)] = pvc
		for _, ds := range s.drivers {
			if ds.provisioner.wants(pvc) {
				ds.provisioner.queue.Add("claim:" + model.Key(pvc))
			}
			if _, ok := ds.resizer.wants(pvc); ok {
				ds.resizer.queue.Add(model.Key(pvc))
			}
		}
	}
	s.claimInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    onClaim,
		OnUpdate: func(_, o model.Object) { onClaim(o) },
		OnDelete: func(o model.Object) { delete(s.claims, model.Key(o)) },
	})
	onVolume := func(o model.Object) {
		pv := o.(*model.PersistentVolume)
		s.volumes[pv.Name] = pv
		if ds := s.driver(pv.Annotations[model.AnnDynamicallyProvisioned]); ds != nil && pv.Status.Phase == model.VolumeReleased {
			ds.provisioner.queue.Add("volume:" + pv.Name)
		}
	}
	s.pvInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    onVolume,
		OnUpdate: func(_, o model.Object) { onVolume(o) },
		OnDelete: func(o model.Object) { delete(s.volumes, o.GetObjectMeta().Name) },
	})
	onVA := func(o model.Object) {
		va := o.(*model.VolumeAttachment)
		if ds := s.driver(va.Spec.Attacher); ds != nil {
			ds.attacher.queue.Add(va.Name)
		}
	}
	s.vaInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    onVA,
		OnUpdate: func(_, o model.Object) { onVA(o) },
	})
	return s, nil
}

// Start registers the drivers' CSIDriver objects through client (an
// administrator's tool) and starts every loop.
func (s *System) Start(client model.Client) {
	for _, ds := range s.drivers {
		client.Create(ds.driver.CSIDriverObject(), nil)
	}
	s.PV.Start()
	s.AttachDetach.Start()
	s.claimInf.Start()
	s.pvInf.Start()
	s.classInf.Start()
	s.nodeInf.Start()
	s.vaInf.Start()
}

// Drivers returns the drivers, defaulted, in the order given.
func (s *System) Drivers() []Driver {
	out := make([]Driver, len(s.drivers))
	for i, ds := range s.drivers {
		out[i] = ds.driver
	}
	return out
}

func (s *System) driver(name string) *driverSet {
	for _, ds := range s.drivers {
		if ds.driver.Name == name {
			return ds
		}
	}
	return nil
}

// SetProvisionerDown stops or restarts a driver's provisioner; false if
// there is no such driver.
func (s *System) SetProvisionerDown(driver string, down bool) bool {
	ds := s.driver(driver)
	if ds == nil {
		return false
	}
	ds.provisioner.SetDown(down)
	return true
}

// SetDetachStuck makes a driver's detaches hang (true) or resume; false
// if there is no such driver.
func (s *System) SetDetachStuck(driver string, stuck bool) bool {
	ds := s.driver(driver)
	if ds == nil {
		return false
	}
	ds.attacher.SetDetachStuck(stuck)
	return true
}

// SetZoneDown marks a zone out (true) or back: volumes cannot be
// provisioned in it nor attached to its nodes.
func (s *System) SetZoneDown(zone string, down bool) {
	if down {
		s.zoneDown[zone] = true
		return
	}
	delete(s.zoneDown, zone)
	for _, ds := range s.drivers {
		ds.provisioner.requeueAll()
		ds.attacher.requeueAll()
	}
}

func (s *System) class(name string) (*model.StorageClass, bool) {
	o, ok := s.classInf.Get("", name)
	if !ok {
		return nil, false
	}
	return o.(*model.StorageClass), true
}

func (s *System) node(name string) (*model.Node, bool) {
	o, ok := s.nodeInf.Get("", name)
	if !ok {
		return nil, false
	}
	return o.(*model.Node), true
}

// zones lists the zones that have nodes, sorted.
func (s *System) zones() []string {
	set := map[string]bool{}
	for _, o := range s.nodeInf.List() {
		if z := o.GetObjectMeta().Labels[model.LabelTopologyZone]; z != "" {
			set[z] = true
		}
	}
	out := model.SortedKeys(set)
	sort.Strings(out)
	return out
}
