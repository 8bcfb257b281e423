package apiserver

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/storage/etcd"
)

// Server stores objects. Its methods act on the store at once (for the
// simulation's own bookkeeping and for tools); components use a
// model.Client from NewClient, which adds throttling and latency.
type Server struct {
	k        *sim.Kernel
	start    time.Time
	rv       uint64
	objects  map[string]map[string]model.Object // kind -> key -> object
	watchers map[string][]model.WatchHandler
	// nameWatchers are watches of one object by kind and name (a
	// metadata.name field selector), served from an index so that a
	// kubelet watching its own Node costs one delivery per change.
	nameWatchers map[string]map[string][]model.WatchHandler
	// services allocates Service addresses (nil: none are allocated).
	services model.ServiceAllocator
	names    *sim.Rand
	uids     uint64

	reqLatency, commitLatency, watchLatency sim.Sampler
	lastDelivery                            sim.Time
	requests                                uint64

	// With an etcd store, writes are committed through it in batches
	// (see etcd.go); nil keeps the ideal in-memory store.
	etcd     *etcd.Server
	cur      *batch
	queue    []*pendingOp
	inFlight bool
	stats    Stats
}

// New returns an empty server. start is the wall date of simulated time zero
// (for creationTimestamp and the like).
func New(k *sim.Kernel, start time.Time) *Server {
	s := &Server{
		k:            k,
		start:        start,
		objects:      make(map[string]map[string]model.Object),
		watchers:     make(map[string][]model.WatchHandler),
		nameWatchers: make(map[string]map[string][]model.WatchHandler),
		names:        k.Rand("apiserver/names"),
	}
	if err := s.Configure(DefaultConfig()); err != nil {
		panic(err) // the defaults are valid
	}
	return s
}

// Requests returns how many client requests the server has received.
func (s *Server) Requests() uint64 { return s.requests }

// Now returns the wall-clock instant of the current simulated time.
func (s *Server) Now() time.Time { return s.k.Now().Wall(s.start) }

func (s *Server) bucket(kind string) map[string]model.Object {
	b := s.objects[kind]
	if b == nil {
		b = make(map[string]model.Object)
		s.objects[kind] = b
	}
	return b
}

func key(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// generateSuffix returns five characters from upstream's alphabet
// (k8s.io/apimachinery/pkg/util/rand: consonants and digits without
// look-alikes), drawn from the server's seeded stream.
func (s *Server) generateSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	b := make([]byte, 5)
	for i := range b {
		b[i] = alphabet[s.names.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *Server) nextRV() string {
	s.rv++
	return strconv.FormatUint(s.rv, 10)
}

// Create admits a new object.
func (s *Server) Create(in model.Object) (model.Object, error) {
	o := model.DeepCopyObject(in)
	info := model.KindOf(o)
	if info == nil {
		return nil, fmt.Errorf("apiserver: unsupported type %T", in)
	}
	meta := o.GetObjectMeta()
	if info.Namespaced && meta.Namespace == "" {
		meta.Namespace = "default"
	}
	if !info.Namespaced {
		meta.Namespace = ""
	}
	if meta.Name == "" && meta.GenerateName != "" {
		b := s.bucket(info.Kind)
		for i := 0; i < 100; i++ {
			name := meta.GenerateName + s.generateSuffix()
			if _, taken := b[key(meta.Namespace, name)]; !taken {
				meta.Name = name
				break
			}
		}
	}
	model.SetDefaults(o)
	if info.Namespaced {
		if n, ok := s.bucket("Namespace")[meta.Namespace]; ok && n.GetObjectMeta().DeletionTimestamp != nil {
			return nil, &model.StatusError{Reason: model.ReasonForbidden, Kind: info.Kind, Key: meta.Key(),
				Message: fmt.Sprintf("unable to create new content in namespace %s because it is being terminated", meta.Namespace)}
		}
	}
	if err := s.admit(o); err != nil {
		return nil, err
	}
	if errs := model.Validate(o); len(errs) > 0 {
		return nil, &model.StatusError{Reason: model.ReasonInvalid, Kind: info.Kind, Key: meta.Key(), Message: errs[0].Error()}
	}
	b := s.bucket(info.Kind)
	k := meta.Key()
	if _, exists := b[k]; exists {
		return nil, &model.StatusError{Reason: model.ReasonAlreadyExists, Kind: info.Kind, Key: k, Message: "already exists"}
	}
	if svc, ok := o.(*model.Service); ok && s.services != nil {
		if err := s.services.Admit(nil, svc); err != nil {
			return nil, &model.StatusError{Reason: model.ReasonInvalid, Kind: info.Kind, Key: k, Message: err.Error()}
		}
	}
	s.uids++
	meta.UID = fmt.Sprintf("%08x-0000-4000-8000-%012x", s.k.Seed()&0xffffffff, s.uids)
	now := s.Now()
	meta.CreationTimestamp = &now
	meta.Generation = 1
	meta.ResourceVersion = s.nextRV()
	b[k] = o
	s.notify(info.Kind, model.WatchEvent{Type: model.Added, Object: o})
	return o, nil
}

// admit applies the admission plugins that matter before validation:
// priority resolution (plugin/pkg/admission/priority).
func (s *Server) admit(o model.Object) error {
	pod, ok := o.(*model.Pod)
	if !ok {
		return nil
	}
	admitDefaultTolerationSeconds(&pod.Spec)
	if err := s.admitLimitRange(pod); err != nil {
		return err
	}
	if err := s.admitPriority(&pod.Spec, pod.Key()); err != nil {
		return err
	}
	return s.admitQuota(pod)
}

// defaultTolerationSeconds is the DefaultTolerationSeconds admission
// plugin's default (plugin/pkg/admission/defaulttolerationseconds): pods
// tolerate not-ready and unreachable nodes for 300 s before taint-based
// eviction.
const defaultTolerationSeconds int64 = 300

// admitDefaultTolerationSeconds adds NoExecute tolerations for the
// not-ready and unreachable taints unless the pod already tolerates them.
func admitDefaultTolerationSeconds(spec *model.PodSpec) {
	for _, key := range []string{model.TaintNodeNotReady, model.TaintNodeUnreachable} {
		taint := &model.Taint{Key: key, Effect: model.TaintEffectNoExecute}
		tolerated := false
		for i := range spec.Tolerations {
			t := &spec.Tolerations[i]
			if (t.Effect == "" || t.Effect == model.TaintEffectNoExecute) && t.ToleratesTaint(taint) {
				tolerated = true
				break
			}
		}
		if !tolerated {
			spec.Tolerations = append(spec.Tolerations, model.Toleration{Key: key, Operator: model.TolerationOpExists,
				Effect: model.TaintEffectNoExecute, TolerationSeconds: model.Ptr(defaultTolerationSeconds)})
		}
	}
}

func (s *Server) admitPriority(spec *model.PodSpec, k string) error {
	var pc *model.PriorityClass
	if spec.PriorityClassName != "" {
		obj, found := s.bucket("PriorityClass")[spec.PriorityClassName]
		if !found {
			switch spec.PriorityClassName {
			case model.SystemClusterCritical:
				pc = &model.PriorityClass{Value: model.SystemCriticalPriority}
			case model.SystemNodeCritical:
				pc = &model.PriorityClass{Value: model.SystemCriticalPriority + 1000}
			default:
				return &model.StatusError{Reason: model.ReasonForbidden, Kind: "Pod", Key: k,
					Message: fmt.Sprintf("no PriorityClass with name %s was found", spec.PriorityClassName)}
			}
		} else {
			pc = obj.(*model.PriorityClass)
		}
	} else {
		// The globalDefault class, the one with the lowest value if several.
		for _, name := range model.SortedKeys(s.bucket("PriorityClass")) {
			c := s.bucket("PriorityClass")[name].(*model.PriorityClass)
			if c.GlobalDefault && (pc == nil || c.Value < pc.Value) {
				pc = c
			}
		}
	}
	value := int32(0)
	policy := model.PreemptLowerPriority
	if pc != nil {
		value = pc.Value
		if pc.PreemptionPolicy != nil {
			policy = *pc.PreemptionPolicy
		}
	}
	if spec.Priority != nil && *spec.Priority != value {
		return &model.StatusError{Reason: model.ReasonForbidden, Kind: "Pod", Key: k,
			Message: "the integer value of priority must not be provided in pod spec; the priority admission controller computes it from priorityClassName"}
	}
	spec.Priority = &value
	if spec.PreemptionPolicy == nil {
		spec.PreemptionPolicy = &policy
	}
	return nil
}

// Update replaces an object, checking resourceVersion when given.
func (s *Server) Update(in model.Object) (model.Object, error) {
	o := model.DeepCopyObject(in)
	info := model.KindOf(o)
	if info == nil {
		return nil, fmt.Errorf("apiserver: unsupported type %T", in)
	}
	meta := o.GetObjectMeta()
	if info.Namespaced && meta.Namespace == "" {
		meta.Namespace = "default"
	}
	b := s.bucket(info.Kind)
	k := meta.Key()
	old, ok := b[k]
	if !ok {
		return nil, &model.StatusError{Reason: model.ReasonNotFound, Kind: info.Kind, Key: k, Message: "not found"}
	}
	om := old.GetObjectMeta()
	if meta.ResourceVersion != "" && meta.ResourceVersion != om.ResourceVersion {
		return nil, &model.StatusError{Reason: model.ReasonConflict, Kind: info.Kind, Key: k,
			Message: "the object has been modified; please apply your changes to the latest version and try again"}
	}
	var nsFinalizers []string
	if ns, ok := o.(*model.Namespace); ok {
		nsFinalizers = ns.Spec.Finalizers // defaulted on create only (namespace strategy)
	}
	model.SetDefaults(o)
	if ns, ok := o.(*model.Namespace); ok {
		ns.Spec.Finalizers = nsFinalizers
	}
	if errs := model.Validate(o); len(errs) > 0 {
		return nil, &model.StatusError{Reason: model.ReasonInvalid, Kind: info.Kind, Key: k, Message: errs[0].Error()}
	}
	if pvc, ok := o.(*model.PersistentVolumeClaim); ok {
		if err := s.admitClaimResize(old.(*model.PersistentVolumeClaim), pvc); err != nil {
			return nil, err
		}
	}
	if svc, ok := o.(*model.Service); ok && s.services != nil {
		if err := s.services.Admit(old.(*model.Service), svc); err != nil {
			return nil, &model.StatusError{Reason: model.ReasonInvalid, Kind: info.Kind, Key: k, Message: err.Error()}
		}
	}
	meta.UID, meta.CreationTimestamp, meta.Generation = om.UID, om.CreationTimestamp, om.Generation
	if specChanged(old, o) {
		meta.Generation++
	}
	meta.DeletionTimestamp, meta.DeletionGracePeriodSeconds = om.DeletionTimestamp, om.DeletionGracePeriodSeconds
	meta.ResourceVersion = s.nextRV()
	nsFinalizing := false
	if ns, ok := o.(*model.Namespace); ok {
		nsFinalizing = len(ns.Spec.Finalizers) > 0
	}
	if meta.DeletionTimestamp != nil && len(meta.Finalizers) == 0 && !nsFinalizing && model.Deref(meta.DeletionGracePeriodSeconds, 0) == 0 {
		// The last finalizer is gone from an object being deleted.
		delete(b, k)
		s.released(o)
		s.notify(info.Kind, model.WatchEvent{Type: model.Deleted, Object: o, Old: old})
		return o, nil
	}
	b[k] = o
	s.notify(info.Kind, model.WatchEvent{Type: model.Modified, Object: o, Old: old})
	return o, nil
}

// specChanged reports whether the update changes more than metadata and
// status, which is when upstream bumps metadata.generation. It compares
// every top-level field except TypeMeta, ObjectMeta and Status in place.
func specChanged(old, cur model.Object) bool {
	ov, cv := reflect.ValueOf(old).Elem(), reflect.ValueOf(cur).Elem()
	t := ov.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "TypeMeta" || f.Name == "ObjectMeta" || f.Name == "Status" {
			continue
		}
		if !reflect.DeepEqual(ov.Field(i).Interface(), cv.Field(i).Interface()) {
			return true
		}
	}
	return false
}

// Delete deletes an object with the default options.
func (s *Server) Delete(kind, namespace, name string) error {
	return s.DeleteWith(kind, namespace, name, model.DeleteOptions{})
}

// DeleteWith deletes an object as the API server's generic registry does
// (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
// Delete, and the pod strategy's CheckGracefulDelete):
//   - a pod bound to a node and not finished is deleted gracefully: its
//     deletionTimestamp is set to now + the grace period
//     (terminationGracePeriodSeconds unless given) and it stays until its
//     kubelet deletes it again with grace 0;
//   - Foreground and Orphan propagation add their finalizer;
//   - an object with finalizers gets a deletionTimestamp and stays until
//     its finalizers are removed;
//   - anything else is removed at once.
func (s *Server) DeleteWith(kind, namespace, name string, opts model.DeleteOptions) error {
	b := s.bucket(kind)
	k := key(namespace, name)
	old, ok := b[k]
	if !ok {
		return &model.StatusError{Reason: model.ReasonNotFound, Kind: kind, Key: k, Message: "not found"}
	}
	om := old.GetObjectMeta()
	grace := int64(0)
	if pod, ok := old.(*model.Pod); ok && pod.Spec.NodeName != "" && !pod.IsTerminal() {
		grace = model.Deref(pod.Spec.TerminationGracePeriodSeconds, 30)
	}
	if opts.GracePeriodSeconds != nil {
		grace = max(*opts.GracePeriodSeconds, 0)
	}
	finalizers := om.Finalizers
	if ns, ok := old.(*model.Namespace); ok && len(ns.Spec.Finalizers) > 0 {
		// A namespace stays Terminating until the namespace controller has
		// emptied it and removed spec.finalizers (registry/core/namespace).
		cur := model.DeepCopy(ns)
		if cur.DeletionTimestamp == nil {
			now := s.Now()
			cur.DeletionTimestamp = &now
			cur.DeletionGracePeriodSeconds = model.Ptr[int64](0)
		}
		cur.Status.Phase = "Terminating"
		cur.ResourceVersion = s.nextRV()
		b[k] = cur
		s.notify(kind, model.WatchEvent{Type: model.Modified, Object: cur, Old: old})
		return nil
	}
	if p := opts.PropagationPolicy; p != nil {
		switch *p {
		case model.DeletePropagationForeground:
			finalizers = addFinalizer(finalizers, model.FinalizerForegroundDeletion)
		case model.DeletePropagationOrphan:
			finalizers = addFinalizer(finalizers, model.FinalizerOrphan)
		}
	}
	if grace == 0 && len(finalizers) == 0 {
		delete(b, k)
		s.released(old)
		s.rv++
		s.notify(kind, model.WatchEvent{Type: model.Deleted, Object: old})
		return nil
	}
	// Graceful or finalized: the object stays, marked for deletion.
	cur := model.DeepCopyObject(old)
	m := cur.GetObjectMeta()
	m.Finalizers = finalizers
	at := s.Now().Add(time.Duration(grace) * time.Second)
	if m.DeletionTimestamp == nil || at.Before(*m.DeletionTimestamp) {
		m.DeletionTimestamp = &at
		m.DeletionGracePeriodSeconds = &grace
	}
	if grace == 0 {
		m.DeletionGracePeriodSeconds = &grace
	}
	m.ResourceVersion = s.nextRV()
	b[k] = cur
	s.notify(kind, model.WatchEvent{Type: model.Modified, Object: cur, Old: old})
	return nil
}

func addFinalizer(list []string, f string) []string {
	for _, x := range list {
		if x == f {
			return list
		}
	}
	return append(append([]string(nil), list...), f)
}

// Get returns an object.
func (s *Server) Get(kind, namespace, name string) (model.Object, error) {
	k := key(namespace, name)
	o, ok := s.bucket(kind)[k]
	if !ok {
		return nil, &model.StatusError{Reason: model.ReasonNotFound, Kind: kind, Key: k, Message: "not found"}
	}
	return o, nil
}

// List returns every object of kind sorted by key.
func (s *Server) List(kind string) ([]model.Object, error) {
	b := s.bucket(kind)
	out := make([]model.Object, 0, len(b))
	for _, k := range model.SortedKeys(b) {
		out = append(out, b[k])
	}
	return out, nil
}

// Bind sets a pod's nodeName and its PodScheduled condition, as the binding
// subresource does; binding a pod that is already bound is a Conflict.
func (s *Server) Bind(namespace, name, node string) error {
	o, err := s.Get("Pod", namespace, name)
	if err != nil {
		return err
	}
	cur := o.(*model.Pod)
	if cur.Spec.NodeName != "" {
		return &model.StatusError{Reason: model.ReasonConflict, Kind: "Pod", Key: cur.Key(),
			Message: fmt.Sprintf("pod is already assigned to node %q", cur.Spec.NodeName)}
	}
	pod := model.DeepCopy(cur)
	if pod.Spec.NodeName != "" {
		return &model.StatusError{Reason: model.ReasonConflict, Kind: "Pod", Key: pod.Key(),
			Message: fmt.Sprintf("pod is already assigned to node %q", pod.Spec.NodeName)}
	}
	if pod.DeletionTimestamp != nil {
		return &model.StatusError{Reason: model.ReasonConflict, Kind: "Pod", Key: pod.Key(), Message: "pod is being deleted"}
	}
	pod.Spec.NodeName = node
	now := s.Now()
	pod.Status.SetCondition(model.PodCondition{Type: model.PodScheduled, Status: model.ConditionTrue, LastTransitionTime: &now})
	// The binding subresource changes only nodeName and the condition, so
	// it commits without the full update path (no re-validation needed).
	pod.ResourceVersion = s.nextRV()
	s.bucket("Pod")[pod.Key()] = pod
	s.notify("Pod", model.WatchEvent{Type: model.Modified, Object: pod, Old: cur})
	return nil
}

// Watch registers h for kind and replays the current objects as Added
// events, then a Synced event, before any later change.
func (s *Server) Watch(kind string, h model.WatchHandler) {
	s.watchers[kind] = append(s.watchers[kind], h)
	objs, _ := s.List(kind)
	s.k.After(0, sim.HandlerFunc(func(sim.Time) {
		for _, o := range objs {
			h(model.WatchEvent{Type: model.Added, Object: o})
		}
		h(model.WatchEvent{Type: model.Synced})
	}))
}

// notify delivers ev to every watcher of kind as a kernel event at the
// current instant.
func (s *Server) notify(kind string, ev model.WatchEvent) {
	if s.cur != nil {
		s.cur.record(kind, ev)
		return
	}
	s.deliver(kind, ev)
}

// deliver hands ev to every watcher of kind as a kernel event now.
func (s *Server) deliver(kind string, ev model.WatchEvent) {
	// Deliveries never overtake each other: a watch is an ordered stream.
	at := s.k.Now().Add(seconds(s.watchLatency))
	if at < s.lastDelivery {
		at = s.lastDelivery
	}
	s.lastDelivery = at
	for _, h := range s.watchers[kind] {
		h := h
		s.k.At(at, sim.HandlerFunc(func(sim.Time) { h(ev) }))
	}
	if byName := s.nameWatchers[kind]; byName != nil && ev.Object != nil {
		for _, h := range byName[ev.Object.GetObjectMeta().Name] {
			h := h
			s.k.At(at, sim.HandlerFunc(func(sim.Time) { h(ev) }))
		}
	}
}

// WatchName delivers the changes of one object (kind and name, any
// namespace): the object first if it exists, then Synced, then every
// change, like a watch with the field selector metadata.name=name.
func (s *Server) WatchName(kind, name string, h model.WatchHandler) {
	byName := s.nameWatchers[kind]
	if byName == nil {
		byName = map[string][]model.WatchHandler{}
		s.nameWatchers[kind] = byName
	}
	byName[name] = append(byName[name], h)
	objs, _ := s.List(kind)
	s.k.After(0, sim.HandlerFunc(func(sim.Time) {
		for _, o := range objs {
			if o.GetObjectMeta().Name == name {
				h(model.WatchEvent{Type: model.Added, Object: o})
			}
		}
		h(model.WatchEvent{Type: model.Synced})
	}))
}

// Objects returns every stored object, ordered by kind, namespace and name.
func (s *Server) Objects() []model.Object {
	kinds := model.SortedKeys(s.objects)
	var out []model.Object
	for _, k := range kinds {
		objs, _ := s.List(k)
		out = append(out, objs...)
	}
	return out
}

// Count returns the number of objects of kind.
func (s *Server) Count(kind string) int { return len(s.objects[kind]) }

// Kinds returns the kinds that hold objects, sorted.
func (s *Server) Kinds() []string {
	var out []string
	for _, k := range model.SortedKeys(s.objects) {
		if len(s.objects[k]) > 0 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// BreakWatches ends every watch on kind with an Error event, as a watch
// cache restart or a compaction past a watcher's revision does; watchers
// must list and watch again.
func (s *Server) BreakWatches(kind string) {
	hs := s.watchers[kind]
	s.watchers[kind] = nil
	for _, h := range hs {
		h := h
		s.k.After(0, sim.HandlerFunc(func(sim.Time) { h(model.WatchEvent{Type: model.Error}) }))
	}
}

// admitClaimResize checks a change of a bound claim's storage request:
// validation forbids going below the capacity it has (ValidatePersistent
// VolumeClaimUpdate with RecoverVolumeExpansionFailure), and the
// PersistentVolumeClaimResize admission plugin allows growing it only
// when the claim's class has allowVolumeExpansion.
func (s *Server) admitClaimResize(old, cur *model.PersistentVolumeClaim) error {
	was, now := old.Spec.Resources.Requests[model.ResourceStorage], cur.Spec.Resources.Requests[model.ResourceStorage]
	if old.Spec.VolumeName == "" || now.Cmp(was) == 0 {
		return nil
	}
	invalid := func(reason model.StatusReason, msg string) error {
		return &model.StatusError{Reason: reason, Kind: "PersistentVolumeClaim", Key: cur.Key(), Message: msg}
	}
	if c, ok := old.Status.Capacity[model.ResourceStorage]; ok && now.Cmp(c) < 0 {
		return invalid(model.ReasonInvalid, "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity")
	}
	if now.Cmp(was) < 0 {
		return nil
	}
	allowed := false
	if o, err := s.Get("StorageClass", "", model.GetPersistentVolumeClaimClass(old)); err == nil {
		allowed = model.Deref(o.(*model.StorageClass).AllowVolumeExpansion, false)
	}
	if !allowed {
		return invalid(model.ReasonForbidden, "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize")
	}
	return nil
}

// SetServiceAllocator installs the allocator of Service cluster IPs and
// node ports; without one, Services keep what their manifests say.
func (s *Server) SetServiceAllocator(a model.ServiceAllocator) { s.services = a }

// released frees what a deleted object held.
func (s *Server) released(o model.Object) {
	if svc, ok := o.(*model.Service); ok && s.services != nil {
		s.services.Release(svc)
	}
}
