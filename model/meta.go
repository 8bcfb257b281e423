package model

import (
	"time"
)

// unmodeled marks, through its struct tag, the Kubernetes fields a type
// accepts but does not simulate. It takes no space: put it first.
type unmodeled struct{}

// TypeMeta is apiVersion and kind.
type TypeMeta struct {
	APIVersion string `yaml:"apiVersion,omitempty"`
	Kind       string `yaml:"kind,omitempty"`
}

// GetTypeMeta returns the receiver, so every object exposes its TypeMeta.
func (t *TypeMeta) GetTypeMeta() *TypeMeta { return t }

// ObjectMeta is the metadata every object carries. Modeled: identity,
// labels and annotations (selectors, scheduler and kubesim hints),
// ownerReferences (garbage collection, controllers), finalizers and
// deletion (graceful deletion), resourceVersion and generation (optimistic
// concurrency, rollouts).
type ObjectMeta struct {
	_ unmodeled `unmodeled:"selfLink,managedFields"`

	Name                       string            `yaml:"name,omitempty"`
	GenerateName               string            `yaml:"generateName,omitempty"`
	Namespace                  string            `yaml:"namespace,omitempty"`
	UID                        string            `yaml:"uid,omitempty"`
	ResourceVersion            string            `yaml:"resourceVersion,omitempty"`
	Generation                 int64             `yaml:"generation,omitempty"`
	CreationTimestamp          *time.Time        `yaml:"creationTimestamp,omitempty"`
	DeletionTimestamp          *time.Time        `yaml:"deletionTimestamp,omitempty"`
	DeletionGracePeriodSeconds *int64            `yaml:"deletionGracePeriodSeconds,omitempty"`
	Labels                     map[string]string `yaml:"labels,omitempty"`
	Annotations                map[string]string `yaml:"annotations,omitempty"`
	OwnerReferences            []OwnerReference  `yaml:"ownerReferences,omitempty"`
	Finalizers                 []string          `yaml:"finalizers,omitempty"`
}

// GetObjectMeta returns the receiver, so every object exposes its metadata.
func (m *ObjectMeta) GetObjectMeta() *ObjectMeta { return m }

// Key returns "namespace/name", or "name" for cluster-scoped objects.
func (m *ObjectMeta) Key() string {
	if m.Namespace == "" {
		return m.Name
	}
	return m.Namespace + "/" + m.Name
}

// ControllerRef returns the owner reference with controller: true, or nil.
func (m *ObjectMeta) ControllerRef() *OwnerReference {
	for i := range m.OwnerReferences {
		if r := &m.OwnerReferences[i]; r.Controller != nil && *r.Controller {
			return r
		}
	}
	return nil
}

// OwnerReference points at an object's owner (upstream metav1.OwnerReference).
type OwnerReference struct {
	APIVersion         string `yaml:"apiVersion"`
	Kind               string `yaml:"kind"`
	Name               string `yaml:"name"`
	UID                string `yaml:"uid"`
	Controller         *bool  `yaml:"controller,omitempty"`
	BlockOwnerDeletion *bool  `yaml:"blockOwnerDeletion,omitempty"`
}

// Object is any Kubernetes object kubesim models.
type Object interface {
	GetTypeMeta() *TypeMeta
	GetObjectMeta() *ObjectMeta
}

// Key returns "namespace/name" of o.
func Key(o Object) string { return o.GetObjectMeta().Key() }

// Ptr returns a pointer to v, for optional fields.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or def when p is nil.
func Deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// ResourceName names a resource: cpu, memory, ephemeral-storage, pods or an
// extended resource such as nvidia.com/gpu.
type ResourceName string

// The standard resource names.
const (
	ResourceCPU              ResourceName = "cpu"
	ResourceMemory           ResourceName = "memory"
	ResourceStorage          ResourceName = "storage"
	ResourceEphemeralStorage ResourceName = "ephemeral-storage"
	ResourcePods             ResourceName = "pods"
)

// ResourceList maps resource names to quantities.
type ResourceList map[ResourceName]Quantity

// Cpu returns the cpu quantity in millicores (0 when absent).
func (r ResourceList) Cpu() int64 {
	q, ok := r[ResourceCPU]
	if !ok {
		return 0
	}
	return q.MilliValue()
}

// Memory returns the memory quantity in bytes (0 when absent).
func (r ResourceList) Memory() int64 { return r.Value(ResourceMemory) }

// Value returns the named quantity as an integer (bytes, counts).
func (r ResourceList) Value(name ResourceName) int64 {
	q, ok := r[name]
	if !ok {
		return 0
	}
	return q.Value()
}

// Has reports whether name is present.
func (r ResourceList) Has(name ResourceName) bool {
	_, ok := r[name]
	return ok
}
