package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/manifest"
	"github.com/kubesim/kubesim/network"
	"github.com/kubesim/kubesim/scenarios/library"
	"github.com/kubesim/kubesim/scheduler"
)

// source is where a scenario and its manifests are read from: a file
// system, the scenario's directory in it, and how to show paths to users.
type source struct {
	fsys    fs.FS
	dir     string
	display func(string) string
}

func (s *source) resolve(p string) string {
	if path.IsAbs(p) {
		return strings.TrimPrefix(path.Clean(p), "/")
	}
	return path.Join(s.dir, p)
}

// Loaded is a validated scenario with every manifest decoded.
type Loaded struct {
	Scenario *Scenario
	// Initial objects, applied at time zero in order.
	Initial []manifest.Object
	// Timeline with its objects decoded, sorted by time (stable).
	Timeline []LoadedAction
	// Nodes built from the node pools.
	Nodes []*model.Node
	// SchedulerConfig is the decoded scheduler configuration (nil: the
	// default profile).
	SchedulerConfig *scheduler.Configuration
	// SchedulerConfigFile names where it came from, for messages.
	SchedulerConfigFile string
}

// LoadedAction is an Action with its manifests decoded.
type LoadedAction struct {
	Action
	Index int // position in spec.timeline
	Apply []manifest.Object
}

// LoadOptions tune loading.
type LoadOptions struct {
	// Strict makes unknown fields and unmodeled kinds errors.
	Strict bool
}

// LoadFile reads and validates a scenario file from disk.
func LoadFile(file string, opts LoadOptions) (*Loaded, manifest.Diagnostics) {
	var osp manifest.OSPaths
	fp, err := osp.ToFS(file)
	if err != nil {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: err.Error()}}
	}
	return LoadFS(osp.FS(), fp, osp.Display, opts)
}

// LoadFS reads and validates the scenario at name in fsys (the embedded
// library uses this).
func LoadFS(fsys fs.FS, name string, display func(string) string, opts LoadOptions) (*Loaded, manifest.Diagnostics) {
	if display == nil {
		display = func(p string) string { return p }
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, manifest.Diagnostics{{File: display(name), Severity: manifest.Error, Message: fmt.Sprintf("cannot read scenario: %v", err)}}
	}
	src := &source{fsys: fsys, dir: path.Dir(name), display: display}
	return load(src, display(name), data, opts)
}

// LoadBytes reads a scenario from memory; relative manifest paths resolve
// against dir in fsys.
func LoadBytes(fsys fs.FS, dir, name string, data []byte, opts LoadOptions) (*Loaded, manifest.Diagnostics) {
	src := &source{fsys: fsys, dir: dir, display: func(p string) string { return p }}
	return load(src, name, data, opts)
}

func load(src *source, file string, data []byte, opts LoadOptions) (*Loaded, manifest.Diagnostics) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(root.Content) == 0 {
		return nil, manifest.Diagnostics{{File: file, Severity: manifest.Error, Message: "empty scenario file"}}
	}
	d := manifest.NewDecoder(file, opts.Strict)
	sc := &Scenario{}
	d.Decode(&root, sc, "")
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	h := sha256.New()
	h.Write(data)
	sc.source = src

	l := &Loaded{Scenario: sc}
	v := &scenarioValidator{d: d, sc: sc}
	v.validate(sc)
	nodes := v.buildNodes(sc)
	l.Nodes = nodes
	v.nodes = map[string]bool{}
	for _, n := range nodes {
		v.nodes[n.Name] = true
	}

	v.loadScheduler(src, h, sc, l, opts.Strict)
	l.Initial = append(l.Initial, v.loadStorage(sc, nodes)...)
	mopts := manifest.Options{Strict: opts.Strict}
	for i, w := range sc.Spec.Workloads {
		objs := v.loadWorkload(src, h, &w, fmt.Sprintf("spec.workloads[%d]", i), mopts)
		l.Initial = append(l.Initial, objs...)
	}
	for i, a := range sc.Spec.Timeline {
		p := fmt.Sprintf("spec.timeline[%d]", i)
		la := LoadedAction{Action: a, Index: i}
		n := 0
		if a.Apply != nil {
			n++
			la.Apply = v.loadWorkload(src, h, a.Apply, p+".apply", mopts)
		}
		if len(a.Delete) > 0 {
			n++
			for j, ref := range a.Delete {
				rp := fmt.Sprintf("%s.delete[%d]", p, j)
				if !model.IsModeledKind(ref.Kind) {
					d.ErrorAt(rp+".kind", "kind %q is not modeled (supported: %s)", ref.Kind, strings.Join(model.KindNames(), ", "))
				}
				if ref.Name == "" {
					d.ErrorAt(rp+".name", "required")
				}
			}
		}
		n += v.validateFaults(&a, p)
		if a.Every != nil {
			if ds := a.Every.Dist(); ds.Validate() != nil {
				d.ErrorAt(p+".every", "%v", ds.Validate())
			} else if ds.ExpectedValue() <= 0 {
				d.ErrorAt(p+".every", "the mean interval must be positive")
			}
		}
		if n == 0 {
			d.ErrorAt(p, "an action needs one of: apply, delete, nodeCrash, nodeRecover, kubeletStop, kubeletStart, cordon, uncordon, nodeDrain, nodeTaint, podKill, imageRegistryOutage, scale, rollout, etcdMemberCrash, etcdMemberRestart, etcdLeaderKill, etcdPartition, etcdDiskStall, zoneOutage, provisionerOutage, volumeDetachStuck, partition, heal, linkDegrade")
		}
		if n > 1 {
			d.ErrorAt(p, "an action does exactly one thing; split it into several entries")
		}
		if a.At < 0 {
			d.ErrorAt(p+".at", "must not be negative")
		} else if sc.Spec.Duration > 0 && a.At > sc.Spec.Duration {
			d.Warnf(d.NodeFor(p+".at"), p+".at", "%v is after the end of the run (%v); the action never happens", a.At, sc.Spec.Duration)
		}
		l.Timeline = append(l.Timeline, la)
	}
	sortTimeline(l.Timeline)
	sc.hash = hex.EncodeToString(h.Sum(nil))
	if d.Diags.HasErrors() {
		return nil, d.Diags
	}
	return l, d.Diags
}

func sortTimeline(t []LoadedAction) {
	// Insertion sort: stable, and timelines are short.
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j].At < t[j-1].At; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
}

type scenarioValidator struct {
	d  *manifest.Decoder
	sc *Scenario
	// nodes are the cluster's node names, once built.
	nodes map[string]bool
}

func (v *scenarioValidator) storeKind() string {
	if v.sc == nil || v.sc.Spec.ControlPlane.Store == "" {
		return "raft"
	}
	return v.sc.Spec.ControlPlane.Store
}

func (v *scenarioValidator) members() int {
	if v.sc == nil || v.sc.Spec.ControlPlane.EtcdMembers == 0 {
		return 3
	}
	return v.sc.Spec.ControlPlane.EtcdMembers
}

func (v *scenarioValidator) validate(sc *Scenario) {
	d := v.d
	if sc.APIVersion != APIVersion {
		d.ErrorAt("apiVersion", "must be %s, got %q", APIVersion, sc.APIVersion)
	}
	if sc.Kind != Kind {
		d.ErrorAt("kind", "must be %s, got %q", Kind, sc.Kind)
	}
	if sc.Metadata.Name == "" {
		d.ErrorAt("metadata.name", "required")
	}
	if sc.Spec.Duration <= 0 {
		d.ErrorAt("spec.duration", "required: how long to simulate, e.g. 30m or 2h")
	} else if sc.Spec.Duration > 365*24*time.Hour {
		d.ErrorAt("spec.duration", "must be at most a year of simulated time, got %v", sc.Spec.Duration)
	}
	if len(sc.Spec.Cluster.NodePools) == 0 {
		d.ErrorAt("spec.cluster.nodePools", "at least one node pool is required")
	}
	cp := sc.Spec.ControlPlane
	switch cp.Store {
	case "", "raft", "ideal":
	default:
		d.ErrorAt("spec.controlPlane.store", "must be raft or ideal, got %q", cp.Store)
	}
	if cp.EtcdMembers < 0 || cp.EtcdMembers > 7 || (cp.EtcdMembers != 0 && cp.EtcdMembers%2 == 0) {
		d.ErrorAt("spec.controlPlane.etcdMembers", "must be 1, 3, 5 or 7, got %d", cp.EtcdMembers)
	}
	switch cp.Disk {
	case "", "ssd", "hdd":
	default:
		d.ErrorAt("spec.controlPlane.disk", "must be ssd or hdd, got %q", cp.Disk)
	}
	for _, dl := range []struct {
		name string
		ds   *model.DistSpec
	}{{"commitLatency", cp.CommitLatency}, {"requestLatency", cp.RequestLatency}, {"watchLatency", cp.WatchLatency}} {
		if dl.ds != nil {
			if err := dl.ds.Dist().Validate(); err != nil {
				d.ErrorAt("spec.controlPlane."+dl.name, "%v", err)
			}
		}
	}
	for i, b := range sc.Spec.Behaviors {
		p := fmt.Sprintf("spec.behaviors[%d]", i)
		if b.Image == "" {
			d.ErrorAt(p+".image", "required: an image or a glob such as \"registry.example/batch-*\"")
		}
		if err := b.Behavior.Validate(); err != nil {
			d.ErrorAt(p, "%v", err)
		}
	}
	v.validateAssert(sc)
	v.validateStopWhen(sc)
	v.validateNetwork(sc)
}

func (v *scenarioValidator) loadWorkload(src *source, h hash.Hash, w *Workload, p string, opts manifest.Options) []manifest.Object {
	d := v.d
	var out []manifest.Object
	if w.Generate != nil {
		if len(w.Manifests) > 0 || len(w.Inline) > 0 {
			d.ErrorAt(p, "a workload has manifests, inline objects or generate, not several")
		}
		v.validateGenerator(w.Generate, p, strings.Contains(p, "timeline"))
		return nil
	}
	if len(w.Manifests) == 0 && len(w.Inline) == 0 {
		d.ErrorAt(p, "a workload needs manifests or inline objects")
	}
	if len(w.Manifests) > 0 {
		patterns := make([]string, len(w.Manifests))
		for i, m := range w.Manifests {
			patterns[i] = src.resolve(m)
		}
		files, err := manifest.ExpandFS(src.fsys, patterns)
		if err != nil {
			d.ErrorAt(p+".manifests", "%v", err)
		} else {
			for _, f := range files {
				data, err := fs.ReadFile(src.fsys, f)
				if err != nil {
					d.ErrorAt(p+".manifests", "%s: %v", src.display(f), err)
					continue
				}
				h.Write([]byte(f))
				h.Write(data)
				objs, diags := manifest.DecodeBytes(src.display(f), data, opts)
				d.Diags = append(d.Diags, diags...)
				out = append(out, objs...)
			}
		}
	}
	for i := range w.Inline {
		ip := fmt.Sprintf("%s.inline[%d]", p, i)
		objs, diags := manifest.DecodeNode(d.File, &w.Inline[i], ip, opts)
		d.Diags = append(d.Diags, diags...)
		out = append(out, objs...)
	}
	return out
}

// buildNodes turns node pools into Node objects: capacity from the machine
// profile plus the pool's own, allocatable = capacity - reserved, labels
// (hostname, zone, region, instance type, pool), taints and images. Zones
// are assigned round-robin in pool order.
func (v *scenarioValidator) buildNodes(sc *Scenario) []*model.Node {
	d := v.d
	var nodes []*model.Node
	names := map[string]string{}
	for i, p := range sc.Spec.Cluster.NodePools {
		pp := fmt.Sprintf("spec.cluster.nodePools[%d]", i)
		if p.Name == "" {
			d.ErrorAt(pp+".name", "required")
		}
		if p.Count < 0 || p.Count > 100000 {
			d.ErrorAt(pp+".count", "must be between 0 and 100000, got %d", p.Count)
			continue
		}
		capacity := model.ResourceList{}
		if p.Machine != "" {
			m, ok := sc.Spec.Cluster.Machines[p.Machine]
			if !ok {
				m, ok = builtinMachines[p.Machine]
			}
			if !ok {
				d.ErrorAt(pp+".machine", "unknown machine %q: define it under spec.cluster.machines or use a built-in one (%s)", p.Machine, strings.Join(BuiltinMachineNames(), ", "))
				continue
			}
			capacity[model.ResourceCPU] = m.CPU
			capacity[model.ResourceMemory] = m.Memory
			if m.EphemeralStorage != nil {
				capacity[model.ResourceEphemeralStorage] = *m.EphemeralStorage
			}
			capacity[model.ResourcePods] = model.NewQuantity(int64(model.Deref(m.Pods, 110)))
			for _, name := range model.SortedKeys(m.Extended) {
				capacity[name] = m.Extended[name]
			}
		}
		for _, name := range model.SortedKeys(p.Capacity) {
			capacity[name] = p.Capacity[name]
		}
		if !capacity.Has(model.ResourceCPU) || !capacity.Has(model.ResourceMemory) {
			d.ErrorAt(pp, "a node pool needs a machine or a capacity with cpu and memory")
			continue
		}
		if !capacity.Has(model.ResourcePods) {
			capacity[model.ResourcePods] = model.NewQuantity(110)
		}
		allocatable := model.ResourceList{}
		for _, name := range model.SortedKeys(capacity) {
			q := capacity[name]
			if r, ok := p.Reserved[name]; ok {
				q = q.Sub(r)
				if q.Sign() < 0 {
					d.ErrorAt(pp+".reserved."+string(name), "reserves more %s than the node has", name)
				}
			}
			allocatable[name] = q
		}
		for _, name := range model.SortedKeys(p.Reserved) {
			if !capacity.Has(name) {
				d.ErrorAt(pp+".reserved."+string(name), "reserves %s, which the node does not have", name)
			}
		}
		for j, t := range p.Taints {
			if err := model.ValidateTaint(t); err != nil {
				d.ErrorAt(fmt.Sprintf("%s.taints[%d]", pp, j), "%v", err)
			}
		}
		for _, k := range model.SortedKeys(p.Labels) {
			if err := model.ValidateLabelKey(k); err != nil {
				d.ErrorAt(pp+".labels", "%v", err)
			}
			if err := model.ValidateLabelValue(p.Labels[k]); err != nil {
				d.ErrorAt(pp+".labels."+k, "%v", err)
			}
		}
		if p.Zone != "" && len(p.Zones) > 0 {
			d.ErrorAt(pp+".zones", "set zone or zones, not both")
		}
		zones := p.Zones
		if p.Zone != "" {
			zones = []string{p.Zone}
		}
		prefix := p.NamePrefix
		if prefix == "" {
			prefix = p.Name
		}
		for j := 0; j < p.Count; j++ {
			name := fmt.Sprintf("%s-%d", prefix, j)
			if other, dup := names[name]; dup {
				d.ErrorAt(pp+".name", "node %s is also produced by pool %q; give the pools distinct names or prefixes", name, other)
				break
			}
			names[name] = p.Name
			labels := map[string]string{
				model.LabelHostname: name,
				model.LabelOS:       "linux",
				model.LabelArch:     "amd64",
				"kubesim.io/pool":   p.Name,
			}
			if p.Machine != "" {
				labels[model.LabelInstanceType] = p.Machine
			}
			if len(zones) > 0 {
				labels[model.LabelTopologyZone] = zones[j%len(zones)]
			}
			if len(p.Racks) > 0 {
				// Racks fill within each zone: the i-th node of a zone goes to
				// rack i mod racks.
				labels[network.LabelRack] = p.Racks[(j/max(len(zones), 1))%len(p.Racks)]
			}
			if p.Region != "" {
				labels[model.LabelTopologyRegion] = p.Region
			}
			for k, val := range p.Labels {
				labels[k] = val
			}
			n := &model.Node{
				ObjectMeta: model.ObjectMeta{Name: name, Labels: labels},
				Spec:       model.NodeSpec{Taints: model.DeepCopy(p.Taints)},
				Status: model.NodeStatus{
					Capacity:    model.DeepCopy(capacity),
					Allocatable: model.DeepCopy(allocatable),
					Images:      model.DeepCopy(p.Images),
				},
			}
			n.Spec.PodCIDR = podCIDR(len(nodes))
			model.SetTypeMeta(n)
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// PoolPrices returns the price per hour of each pool's node, for cost
// tables (0 when the machine has none).
func (s *Scenario) PoolPrices() map[string]float64 {
	out := map[string]float64{}
	for _, p := range s.Spec.Cluster.NodePools {
		m, ok := s.Spec.Cluster.Machines[p.Machine]
		if !ok {
			m = builtinMachines[p.Machine]
		}
		out[p.Name] = m.PricePerHour
	}
	return out
}

// loadScheduler decodes spec.scheduler's configuration: a file relative to
// the scenario, a built-in profile name, or inline.
func (v *scenarioValidator) loadScheduler(src *source, h hash.Hash, sc *Scenario, l *Loaded, strict bool) {
	spec := sc.Spec.Scheduler
	if spec == nil {
		return
	}
	d := v.d
	if spec.Config != "" && spec.Inline != nil {
		d.ErrorAt("spec.scheduler", "set config or inline, not both")
		return
	}
	if c := spec.Cost; c != nil && (c.PerPod < 0 || c.PerFilteredNode < 0 || c.PerScoredNode < 0) {
		d.ErrorAt("spec.scheduler.cost", "costs must not be negative")
	}
	var cfg *scheduler.Configuration
	var diags manifest.Diagnostics
	switch {
	case spec.Inline != nil:
		cfg, diags = scheduler.DecodeConfiguration(d.File, spec.Inline, "spec.scheduler.inline", strict)
		l.SchedulerConfigFile = d.File
	case spec.Config != "":
		fsys, p, name := src.fsys, src.resolve(spec.Config), ""
		if _, err := fs.Stat(fsys, p); err != nil {
			if lp, ok := library.SchedulerConfigPath(spec.Config); ok {
				fsys, p, name = library.FS(), lp, "library/"+lp
			}
		}
		if name == "" {
			name = src.display(p)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			d.ErrorAt("spec.scheduler.config", "%s: %v (built-in profiles: %s)", spec.Config, unwrap(err), strings.Join(library.SchedulerConfigs(), ", "))
			return
		}
		h.Write(data)
		cfg, diags = scheduler.ParseConfiguration(name, data, strict)
		l.SchedulerConfigFile = name
	default:
		return
	}
	d.Diags = append(d.Diags, diags...)
	l.SchedulerConfig = cfg
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// podCIDR gives node i its /24 of 10.0.0.0/8 from 10.1.0.0 on, as a
// cluster's node IPAM would (room for 65,280 nodes).
func podCIDR(i int) string {
	i += 256
	return fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)
}

// validateFaults checks the node, pod and workload actions and returns how
// many were set.
// hasRack reports whether a node pool puts nodes in the rack.
func (v *scenarioValidator) hasRack(rack string) bool {
	for _, p := range v.sc.Spec.Cluster.NodePools {
		if slices.Contains(p.Racks, rack) {
			return true
		}
	}
	return false
}

// hasZone reports whether a node pool puts nodes in the zone.
func (v *scenarioValidator) hasZone(zone string) bool {
	for _, p := range v.sc.Spec.Cluster.NodePools {
		if p.Zone == zone || slices.Contains(p.Zones, zone) {
			return true
		}
	}
	return false
}

// hasDriver reports whether the storage section declares the driver.
func (v *scenarioValidator) hasDriver(name string) bool {
	if st := v.sc.Spec.Storage; st != nil {
		for _, d := range st.Drivers {
			if d.Name == name {
				return true
			}
		}
	}
	return false
}

func (v *scenarioValidator) validateFaults(a *Action, p string) int {
	d := v.d
	n := 0
	nodeTargets := []struct {
		name string
		t    *NodeTarget
	}{{"nodeCrash", a.NodeCrash}, {"nodeRecover", a.NodeRecover}, {"kubeletStop", a.KubeletStop}, {"kubeletStart", a.KubeletStart},
		{"cordon", a.Cordon}, {"uncordon", a.Uncordon}, {"nodeDrain", a.NodeDrain}}
	if nt := a.NodeTaint; nt != nil {
		nodeTargets = append(nodeTargets, struct {
			name string
			t    *NodeTarget
		}{"nodeTaint", &nt.NodeTarget})
		if nt.Key == "" {
			d.ErrorAt(p+".nodeTaint.key", "required, e.g. node.kubernetes.io/out-of-service")
		}
		switch nt.Effect {
		case model.TaintEffectNoSchedule, model.TaintEffectPreferNoSchedule, model.TaintEffectNoExecute:
		default:
			d.ErrorAt(p+".nodeTaint.effect", "must be NoSchedule, PreferNoSchedule or NoExecute, got %q", nt.Effect)
		}
		if nt.All && nt.Node != "" {
			d.ErrorAt(p+".nodeTaint.all", "all applies to a pool or zone, not to a named node")
		}
	}
	groups := func(p string, g ...network.Group) {
		for i, x := range g {
			side := []string{"a", "b"}[i]
			if x.Empty() {
				d.ErrorAt(p+"."+side, "name nodes, a zone, a rack or controlPlane: true")
			}
			if x.Zone != "" && !v.hasZone(x.Zone) {
				d.ErrorAt(p+"."+side+".zone", "no node pool has zone %q", x.Zone)
			}
			if x.Rack != "" && !v.hasRack(x.Rack) {
				d.ErrorAt(p+"."+side+".rack", "no node pool has rack %q", x.Rack)
			}
			for j, name := range x.Nodes {
				if !v.nodes[name] {
					d.ErrorAt(fmt.Sprintf("%s.%s.nodes[%d]", p, side, j), "no node %q in the cluster", name)
				}
			}
		}
	}
	if pa := a.Partition; pa != nil {
		n++
		groups(p+".partition", pa.A, pa.B)
		if pa.For < 0 {
			d.ErrorAt(p+".partition.for", "must not be negative")
		}
	}
	if a.Heal != nil {
		n++
	}
	if ld := a.LinkDegrade; ld != nil {
		n++
		groups(p+".linkDegrade", ld.A, ld.B)
		if ld.For <= 0 {
			d.ErrorAt(p+".linkDegrade.for", "required: how long the link is degraded")
		}
		if ld.Loss < 0 || ld.Loss > 1 || ld.Latency < 0 {
			d.ErrorAt(p+".linkDegrade", "loss must be in [0, 1] and latency not negative")
		}
	}
	if z := a.ZoneOutage; z != nil {
		n++
		if z.Zone == "" {
			d.ErrorAt(p+".zoneOutage.zone", "required")
		} else if !v.hasZone(z.Zone) {
			d.ErrorAt(p+".zoneOutage.zone", "no node pool has zone %q", z.Zone)
		}
		if z.For < 0 {
			d.ErrorAt(p+".zoneOutage.for", "must not be negative")
		}
	}
	for _, do := range []struct {
		name string
		o    *DriverOutage
	}{{"provisionerOutage", a.ProvisionerOutage}, {"volumeDetachStuck", a.VolumeDetachStuck}} {
		if do.o == nil {
			continue
		}
		n++
		if !v.hasDriver(do.o.Driver) {
			d.ErrorAt(p+"."+do.name+".driver", "no driver %q under spec.storage.drivers", do.o.Driver)
		}
		if do.o.For <= 0 {
			d.ErrorAt(p+"."+do.name+".for", "required: how long the fault lasts, e.g. 10m")
		}
	}
	for _, nt := range nodeTargets {
		if nt.t == nil {
			continue
		}
		n++
		set := 0
		for _, s := range []string{nt.t.Node, nt.t.Pool, nt.t.Zone} {
			if s != "" {
				set++
			}
		}
		if set != 1 {
			d.ErrorAt(p+"."+nt.name, "name exactly one of node, pool or zone")
		}
		if nt.t.For < 0 {
			d.ErrorAt(p+"."+nt.name+".for", "must not be negative")
		}
	}
	if k := a.PodKill; k != nil {
		n++
		if (k.Name == "") == (len(k.Selector) == 0) {
			d.ErrorAt(p+".podKill", "name exactly one of name or selector")
		}
	}
	if o := a.ImageRegistryOutage; o != nil {
		n++
		if o.For <= 0 {
			d.ErrorAt(p+".imageRegistryOutage.for", "required: how long pulls fail, e.g. 10m")
		}
	}
	if s := a.Scale; s != nil {
		n++
		switch s.Kind {
		case "Deployment", "ReplicaSet", "StatefulSet":
		default:
			d.ErrorAt(p+".scale.kind", "must be Deployment, ReplicaSet or StatefulSet, got %q", s.Kind)
		}
		if s.Name == "" {
			d.ErrorAt(p+".scale.name", "required")
		}
		if s.Replicas < 0 {
			d.ErrorAt(p+".scale.replicas", "must not be negative")
		}
	}
	for _, et := range []struct {
		name string
		t    *EtcdTarget
	}{{"etcdMemberCrash", a.EtcdMemberCrash}, {"etcdMemberRestart", a.EtcdMemberRestart}, {"etcdLeaderKill", a.EtcdLeaderKill}, {"etcdDiskStall", a.EtcdDiskStall}} {
		if et.t == nil {
			continue
		}
		n++
		if v.storeKind() != "raft" {
			d.ErrorAt(p+"."+et.name, "needs controlPlane.store: raft")
		}
		if et.name == "etcdLeaderKill" {
			continue
		}
		if (et.t.Member == 0) == !et.t.Leader {
			d.ErrorAt(p+"."+et.name, "name a member (1..%d) or leader: true", v.members())
		} else if et.t.Member > uint64(v.members()) {
			d.ErrorAt(p+"."+et.name+".member", "there are %d members", v.members())
		}
		if et.name == "etcdDiskStall" && et.t.For <= 0 {
			d.ErrorAt(p+".etcdDiskStall.for", "required: how long fsyncs stall")
		}
	}
	if ep := a.EtcdPartition; ep != nil {
		n++
		if v.storeKind() != "raft" {
			d.ErrorAt(p+".etcdPartition", "needs controlPlane.store: raft")
		}
		if len(ep.Members) == 0 || len(ep.Members) >= v.members() {
			d.ErrorAt(p+".etcdPartition.members", "list between 1 and %d of the %d members", v.members()-1, v.members())
		}
	}
	if r := a.Rollout; r != nil {
		n++
		switch r.Kind {
		case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
		default:
			d.ErrorAt(p+".rollout.kind", "must be Deployment, StatefulSet, DaemonSet or ReplicaSet, got %q", r.Kind)
		}
		if r.Name == "" || r.Image == "" {
			d.ErrorAt(p+".rollout", "name and image are required")
		}
	}
	return n
}
