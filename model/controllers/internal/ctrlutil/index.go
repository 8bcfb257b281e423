package ctrlutil

import (
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model"
)

// ObjectIndex is an informer cache's indexes as controllers use them: by
// namespace, by controller owner UID, and the orphans (no controller
// reference) by namespace. A claim only ever concerns the objects a
// controller owns and the orphans, so listing those is the same as
// upstream's list of the whole namespace, without its cost.
type ObjectIndex[T model.Object] struct {
	byNS    map[string]map[string]T
	byOwner map[string]map[string]T
	orphans map[string]map[string]T
}

// NewObjectIndex returns an empty index.
func NewObjectIndex[T model.Object]() *ObjectIndex[T] {
	return &ObjectIndex[T]{byNS: map[string]map[string]T{}, byOwner: map[string]map[string]T{}, orphans: map[string]map[string]T{}}
}

func put[T any](m map[string]map[string]T, outer, inner string, o T) {
	x := m[outer]
	if x == nil {
		x = map[string]T{}
		m[outer] = x
	}
	x[inner] = o
}

func drop[T any](m map[string]map[string]T, outer, inner string) {
	if x := m[outer]; x != nil {
		delete(x, inner)
		if len(x) == 0 {
			delete(m, outer)
		}
	}
}

// Set adds or replaces an object.
func (ix *ObjectIndex[T]) Set(o T) {
	m := o.GetObjectMeta()
	if old, ok := ix.Get(m.Namespace, m.Name); ok {
		ix.unlink(old)
	}
	put(ix.byNS, m.Namespace, m.Name, o)
	if ref := m.ControllerRef(); ref != nil {
		put(ix.byOwner, ref.UID, m.Key(), o)
	} else {
		put(ix.orphans, m.Namespace, m.Name, o)
	}
}

// Remove drops an object, unless the cache holds another object (another
// UID) under its name.
func (ix *ObjectIndex[T]) Remove(o T) {
	m := o.GetObjectMeta()
	cur, ok := ix.Get(m.Namespace, m.Name)
	if !ok || cur.GetObjectMeta().UID != m.UID {
		return
	}
	ix.unlink(cur)
	drop(ix.byNS, m.Namespace, m.Name)
}

func (ix *ObjectIndex[T]) unlink(o T) {
	m := o.GetObjectMeta()
	if ref := m.ControllerRef(); ref != nil {
		drop(ix.byOwner, ref.UID, m.Key())
	} else {
		drop(ix.orphans, m.Namespace, m.Name)
	}
}

// Get returns the object of a namespace and name.
func (ix *ObjectIndex[T]) Get(ns, name string) (T, bool) {
	o, ok := ix.byNS[ns][name]
	return o, ok
}

func sortedValues[T any](m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// List returns a namespace's objects sorted by name.
func (ix *ObjectIndex[T]) List(ns string) []T { return sortedValues(ix.byNS[ns]) }

// ResolveControllerRef returns the object of the given kind a controller
// reference names, if it is cached with the reference's UID (each
// controller's resolveControllerRef: a recreated object of the same name is
// not the owner).
func (ix *ObjectIndex[T]) ResolveControllerRef(kind, ns string, ref *model.OwnerReference) (T, bool) {
	var zero T
	if ref.Kind != kind {
		return zero, false
	}
	o, ok := ix.Get(ns, ref.Name)
	if !ok || o.GetObjectMeta().UID != ref.UID {
		return zero, false
	}
	return o, true
}

// Selecting returns the objects in ns whose label selector matches labels;
// an invalid or empty selector matches nothing (the listers'
// Get<Kind>sFor<Child> that controllers use to adopt orphans).
func (ix *ObjectIndex[T]) Selecting(ns string, labels map[string]string, selector func(T) *model.LabelSelector) []T {
	var out []T
	for _, o := range ix.List(ns) {
		sel, err := model.LabelSelectorAsSelector(selector(o))
		if err != nil || sel.Empty() || !sel.Matches(labels) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// Owned returns the objects whose controller reference has uid, sorted by
// key.
func (ix *ObjectIndex[T]) Owned(uid string) []T { return sortedValues(ix.byOwner[uid]) }

// Orphans returns a namespace's objects without a controller reference,
// sorted by name.
func (ix *ObjectIndex[T]) Orphans(ns string) []T { return sortedValues(ix.orphans[ns]) }

// Candidates returns what a controller with uid in ns may claim: its own
// objects and the namespace's orphans, sorted by name.
func (ix *ObjectIndex[T]) Candidates(ns, uid string) []T {
	m := map[string]T{}
	for _, o := range ix.byOwner[uid] {
		m[o.GetObjectMeta().Name] = o
	}
	for name, o := range ix.orphans[ns] {
		m[name] = o
	}
	return sortedValues(m)
}

// KeySets indexes object keys (namespace/name) under a string such as a
// controller's UID or a node name, as an informer indexer does.
type KeySets map[string]map[string]bool

// Set adds key under outer when present is true and removes it otherwise,
// dropping a set that becomes empty.
func (s KeySets) Set(outer, key string, present bool) {
	set := s[outer]
	if present {
		if set == nil {
			set = map[string]bool{}
			s[outer] = set
		}
		set[key] = true
		return
	}
	delete(set, key)
	if len(set) == 0 {
		delete(s, outer)
	}
}

// SetControlled indexes obj's key under the UID of its controller when the
// controller is of kind (an index by controllerRef); other objects are
// left out.
func (s KeySets) SetControlled(obj model.Object, kind string, present bool) {
	m := obj.GetObjectMeta()
	if ref := m.ControllerRef(); ref != nil && ref.Kind == kind {
		s.Set(ref.UID, m.Key(), present)
	}
}

// Sorted returns the keys under outer in order.
func (s KeySets) Sorted(outer string) []string { return model.SortedKeys(s[outer]) }

// Cached returns the objects inf's cache holds for the keys under outer,
// in key order; keys the cache no longer holds are skipped.
func Cached[T model.Object](s KeySets, outer string, inf *model.Informer) []T {
	var out []T
	for _, key := range s.Sorted(outer) {
		if o, ok := inf.Get(SplitKey(key)); ok {
			out = append(out, o.(T))
		}
	}
	return out
}

// SplitKey splits a namespace/name key (cache.SplitMetaNamespaceKey); a
// key without a slash is a cluster-scoped name.
func SplitKey(key string) (ns, name string) {
	if i := strings.IndexByte(key, '/'); i >= 0 {
		return key[:i], key[i+1:]
	}
	return "", key
}
