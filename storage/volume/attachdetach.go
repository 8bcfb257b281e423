package volume

import (
	"fmt"
	"slices"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// ADComponent is the attach/detach controller's name.
const ADComponent = "attachdetach-controller"

// TaintOutOfService is the taint an administrator puts on a node that is
// shut down for good (non-graceful node shutdown): its pods are
// force-deleted and its volumes detached without waiting.
const TaintOutOfService = "node.kubernetes.io/out-of-service"

// AttachDetachController is kube-controller-manager's attach/detach
// controller (pkg/controller/volume/attachdetach) for CSI volumes: its
// desired state is every (volume, node) pair a scheduled, not yet
// terminated pod needs; its actual state is the VolumeAttachment objects.
// The reconciler creates the missing attachments and deletes the ones no
// pod needs any more, which the driver's external-attacher then carries
// out.
//
// A volume that is not ReadWriteMany or ReadOnlyMany is attached to one
// node at a time: while it is attached elsewhere a new attachment is
// refused with a Multi-Attach error. A volume left on an unhealthy node
// (Ready not True) is detached only after MaxWaitForUnmount (6 min), or at
// once when the node carries the out-of-service taint.
//
// Deviations: the kubelet's node.status.volumesInUse is not modeled, so a
// volume is detached from a healthy node as soon as no pod there needs it
// (upstream waits for the kubelet to report it unmounted, which follows
// the pod's termination).
type AttachDetachController struct {
	k      *sim.Kernel
	cfg    AttachDetachConfig
	client model.Client

	podInf, nodeInf, pvInf, pvcInf, vaInf, driverInf *model.Informer

	// pods with at least one claim, scheduled: the desired state's source.
	pods map[string]*model.Pod
	// undesiredSince is when an attachment on an unhealthy node stopped
	// being needed.
	undesiredSince map[string]sim.Time
	creating       map[string]bool
	deleting       map[string]bool
	// reported remembers the Multi-Attach and attach errors already
	// recorded, so each is reported once per cause.
	reported map[string]string

	queued bool
	timer  sim.Timer
}

// NewAttachDetachController builds the controller.
func NewAttachDetachController(k *sim.Kernel, connect model.Connect, cfg AttachDetachConfig) *AttachDetachController {
	def := DefaultAttachDetachConfig()
	if cfg.ReconcilerSyncPeriod <= 0 {
		cfg.ReconcilerSyncPeriod = def.ReconcilerSyncPeriod
	}
	if cfg.MaxWaitForUnmount <= 0 {
		cfg.MaxWaitForUnmount = def.MaxWaitForUnmount
	}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = def.QPS, def.Burst
	}
	c := &AttachDetachController{k: k, cfg: cfg, client: connect(ADComponent, cfg.QPS, cfg.Burst),
		pods: map[string]*model.Pod{}, undesiredSince: map[string]sim.Time{}, creating: map[string]bool{},
		deleting: map[string]bool{}, reported: map[string]string{}}
	c.podInf = model.NewInformer(k, c.client, "Pod", 0)
	c.nodeInf = model.NewInformer(k, c.client, "Node", 0)
	c.pvInf = model.NewInformer(k, c.client, "PersistentVolume", 0)
	c.pvcInf = model.NewInformer(k, c.client, "PersistentVolumeClaim", 0)
	c.vaInf = model.NewInformer(k, c.client, "VolumeAttachment", 0)
	c.driverInf = model.NewInformer(k, c.client, "CSIDriver", 0)
	onPod := func(o model.Object) {
		p := o.(*model.Pod)
		if p.Spec.NodeName == "" || !hasClaims(p) {
			return
		}
		c.pods[model.Key(p)] = p
		c.kick()
	}
	c.podInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd:    onPod,
		OnUpdate: func(_, o model.Object) { onPod(o) },
		OnDelete: func(o model.Object) {
			if _, ok := c.pods[model.Key(o)]; ok {
				delete(c.pods, model.Key(o))
				c.kick()
			}
		},
	})
	kick := model.ResourceEventHandler{
		OnAdd:    func(model.Object) { c.kick() },
		OnUpdate: func(model.Object, model.Object) { c.kick() },
		OnDelete: func(model.Object) { c.kick() },
	}
	c.pvInf.AddEventHandler(kick)
	c.pvcInf.AddEventHandler(kick)
	c.driverInf.AddEventHandler(kick)
	c.nodeInf.AddEventHandler(model.ResourceEventHandler{
		OnUpdate: func(old, cur model.Object) {
			if old.(*model.Node).IsReady() != cur.(*model.Node).IsReady() || outOfService(old.(*model.Node)) != outOfService(cur.(*model.Node)) {
				c.kick()
			}
		},
		OnDelete: func(model.Object) { c.kick() },
	})
	c.vaInf.AddEventHandler(model.ResourceEventHandler{
		OnAdd: func(model.Object) { c.kick() },
		OnUpdate: func(old, cur model.Object) {
			c.attachmentChanged(old.(*model.VolumeAttachment), cur.(*model.VolumeAttachment))
			c.kick()
		},
		OnDelete: func(model.Object) { c.kick() },
	})
	return c
}

// Start begins the list-and-watch and the periodic reconcile.
func (c *AttachDetachController) Start() {
	for _, inf := range []*model.Informer{c.podInf, c.nodeInf, c.pvInf, c.pvcInf, c.vaInf, c.driverInf} {
		inf.Start()
	}
	var tick sim.HandlerFunc
	tick = func(sim.Time) {
		c.kick()
		c.k.After(c.cfg.ReconcilerSyncPeriod, tick)
	}
	c.k.After(c.cfg.ReconcilerSyncPeriod, tick)
}

func (c *AttachDetachController) event(kind, object string, fields ...sim.Field) {
	c.k.Journal().Record(sim.Event{T: c.k.Now(), Kind: kind, Source: ADComponent, Object: object, Fields: fields})
}

func hasClaims(p *model.Pod) bool {
	for i := range p.Spec.Volumes {
		if p.Spec.Volumes[i].PersistentVolumeClaim != nil {
			return true
		}
	}
	return false
}

func outOfService(n *model.Node) bool {
	return slices.ContainsFunc(n.Spec.Taints, func(t model.Taint) bool { return t.Key == TaintOutOfService })
}

// kick runs the reconciler at the end of this instant (coalescing the
// events of one instant into one pass).
func (c *AttachDetachController) kick() {
	if c.queued {
		return
	}
	c.queued = true
	c.k.AfterFunc(0, func(sim.Time) {
		c.queued = false
		c.reconcile()
	})
}

// want is one desired attachment.
type want struct {
	pv        *model.PersistentVolume
	node      string
	pods      []string
	exclusive bool // neither ReadWriteMany nor ReadOnlyMany
}

// desired computes the desired state of the world.
func (c *AttachDetachController) desired() map[string]*want {
	out := map[string]*want{}
	for _, key := range model.SortedKeys(c.pods) {
		p := c.pods[key]
		if p.Status.Phase == model.PodSucceeded || p.Status.Phase == model.PodFailed {
			continue
		}
		for i := range p.Spec.Volumes {
			src := p.Spec.Volumes[i].PersistentVolumeClaim
			if src == nil {
				continue
			}
			o, ok := c.pvcInf.Get(p.Namespace, src.ClaimName)
			if !ok || o.(*model.PersistentVolumeClaim).Spec.VolumeName == "" {
				continue
			}
			po, ok := c.pvInf.Get("", o.(*model.PersistentVolumeClaim).Spec.VolumeName)
			if !ok {
				continue
			}
			pv := po.(*model.PersistentVolume)
			if pv.Spec.CSI == nil || !c.attachRequired(pv.Spec.CSI.Driver) {
				continue
			}
			name := model.AttachmentName(pv.Spec.CSI.VolumeHandle, pv.Spec.CSI.Driver, p.Spec.NodeName)
			w := out[name]
			if w == nil {
				w = &want{pv: pv, node: p.Spec.NodeName, exclusive: !slices.ContainsFunc(pv.Spec.AccessModes, func(m model.PersistentVolumeAccessMode) bool {
					return m == model.ReadWriteMany || m == model.ReadOnlyMany
				})}
				out[name] = w
			}
			w.pods = append(w.pods, key)
		}
	}
	return out
}

// attachRequired reads the driver's CSIDriver; without one, attaching is
// required (csi plugin's default).
func (c *AttachDetachController) attachRequired(driver string) bool {
	o, ok := c.driverInf.Get("", driver)
	if !ok {
		return true
	}
	d := o.(*model.CSIDriver)
	return d.Spec.AttachRequired == nil || *d.Spec.AttachRequired
}

// reconcile detaches what is no longer wanted, then attaches what is.
func (c *AttachDetachController) reconcile() {
	if !c.podInf.HasSynced() || !c.vaInf.HasSynced() || !c.pvInf.HasSynced() || !c.pvcInf.HasSynced() || !c.nodeInf.HasSynced() || !c.driverInf.HasSynced() {
		c.k.AfterFunc(c.cfg.ReconcilerSyncPeriod/60, func(sim.Time) { c.kick() })
		return
	}
	now := c.k.Now()
	want := c.desired()
	byVolume := map[string][]*model.VolumeAttachment{} // PV name -> attachments
	var next sim.Time
	for _, o := range c.vaInf.List() {
		va := o.(*model.VolumeAttachment)
		if pv := va.Spec.Source.PersistentVolumeName; pv != nil {
			byVolume[*pv] = append(byVolume[*pv], va)
		}
		if _, ok := want[va.Name]; ok || va.DeletionTimestamp != nil || c.deleting[va.Name] {
			delete(c.undesiredSince, va.Name)
			continue
		}
		n, exists := c.node(va.Spec.NodeName)
		if exists && !n.IsReady() && !outOfService(n) {
			since, ok := c.undesiredSince[va.Name]
			if !ok {
				since = now
				c.undesiredSince[va.Name] = now
			}
			if deadline := since.Add(c.cfg.MaxWaitForUnmount); now < deadline {
				if next == 0 || deadline < next {
					next = deadline
				}
				continue
			}
		}
		delete(c.undesiredSince, va.Name)
		c.detach(va)
	}
	for _, name := range model.SortedKeys(want) {
		w := want[name]
		if _, ok := c.vaInf.Get("", name); ok || c.creating[name] {
			continue
		}
		if w.exclusive {
			var other string
			for _, va := range byVolume[w.pv.Name] {
				if va.Spec.NodeName != w.node {
					other = va.Spec.NodeName
					break
				}
			}
			if other != "" {
				msg := fmt.Sprintf("Multi-Attach error for volume %q Volume is already exclusively attached to one node and can't be attached to another", w.pv.Name)
				for _, pod := range w.pods {
					if c.reported[pod+"|"+name] != msg {
						c.reported[pod+"|"+name] = msg
						c.event("FailedAttachVolume", pod, sim.F("volume", w.pv.Name), sim.F("node", w.node), sim.F("attachedTo", other), sim.F("message", msg))
					}
				}
				continue
			}
		}
		c.attach(name, w)
	}
	if next != 0 {
		c.k.Cancel(c.timer)
		c.timer = c.k.AfterFunc(next.Sub(now), func(sim.Time) { c.kick() })
	}
}

func (c *AttachDetachController) node(name string) (*model.Node, bool) {
	o, ok := c.nodeInf.Get("", name)
	if !ok {
		return nil, false
	}
	return o.(*model.Node), true
}

func (c *AttachDetachController) attach(name string, w *want) {
	pvName := w.pv.Name
	va := &model.VolumeAttachment{
		ObjectMeta: model.ObjectMeta{Name: name},
		Spec: model.VolumeAttachmentSpec{Attacher: w.pv.Spec.CSI.Driver, NodeName: w.node,
			Source: model.VolumeAttachmentSource{PersistentVolumeName: &pvName}},
	}
	model.SetTypeMeta(va)
	c.creating[name] = true
	c.client.Create(va, func(_ model.Object, err error) {
		delete(c.creating, name)
		if err != nil && !model.IsAlreadyExists(err) {
			c.kick()
		}
	})
}

func (c *AttachDetachController) detach(va *model.VolumeAttachment) {
	name := va.Name
	c.deleting[name] = true
	c.client.Delete("VolumeAttachment", "", name, func(err error) {
		delete(c.deleting, name)
		if err != nil && !model.IsNotFound(err) {
			c.kick()
		}
	})
}

// attachmentChanged reports attach outcomes on the pods that wait for
// them (SuccessfulAttachVolume, FailedAttachVolume).
func (c *AttachDetachController) attachmentChanged(old, cur *model.VolumeAttachment) {
	pvName := ""
	if p := cur.Spec.Source.PersistentVolumeName; p != nil {
		pvName = *p
	}
	var msg, kind string
	switch {
	case cur.Status.Attached && !old.Status.Attached:
		kind, msg = "SuccessfulAttachVolume", fmt.Sprintf("AttachVolume.Attach succeeded for volume %q", pvName)
	case cur.Status.AttachError != nil && (old.Status.AttachError == nil || *old.Status.AttachError.Time != *cur.Status.AttachError.Time):
		kind, msg = "FailedAttachVolume", fmt.Sprintf("AttachVolume.Attach failed for volume %q : %s", pvName, cur.Status.AttachError.Message)
	default:
		return
	}
	for _, key := range model.SortedKeys(c.pods) {
		p := c.pods[key]
		if p.Spec.NodeName != cur.Spec.NodeName || !c.podUses(p, pvName) {
			continue
		}
		if kind == "SuccessfulAttachVolume" {
			delete(c.reported, key+"|"+cur.Name)
		}
		c.event(kind, key, sim.F("volume", pvName), sim.F("node", cur.Spec.NodeName), sim.F("message", msg))
	}
}

func (c *AttachDetachController) podUses(p *model.Pod, pvName string) bool {
	for i := range p.Spec.Volumes {
		if src := p.Spec.Volumes[i].PersistentVolumeClaim; src != nil {
			if o, ok := c.pvcInf.Get(p.Namespace, src.ClaimName); ok && o.(*model.PersistentVolumeClaim).Spec.VolumeName == pvName {
				return true
			}
		}
	}
	return false
}
