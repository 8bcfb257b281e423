package model

import (
	"fmt"
	"sort"
	"strings"
)

// KindInfo describes one kind kubesim models.
type KindInfo struct {
	Kind       string
	APIVersion string // group/version, "v1" for core
	Namespaced bool
	New        func() Object
}

var kindTable = []KindInfo{
	{"Namespace", "v1", false, func() Object { return &Namespace{} }},
	{"Node", "v1", false, func() Object { return &Node{} }},
	{"Pod", "v1", true, func() Object { return &Pod{} }},
	{"Service", "v1", true, func() Object { return &Service{} }},
	{"PersistentVolume", "v1", false, func() Object { return &PersistentVolume{} }},
	{"PersistentVolumeClaim", "v1", true, func() Object { return &PersistentVolumeClaim{} }},
	{"ConfigMap", "v1", true, func() Object { return &ConfigMap{} }},
	{"Secret", "v1", true, func() Object { return &Secret{} }},
	{"ResourceQuota", "v1", true, func() Object { return &ResourceQuota{} }},
	{"LimitRange", "v1", true, func() Object { return &LimitRange{} }},
	{"ReplicaSet", "apps/v1", true, func() Object { return &ReplicaSet{} }},
	{"Deployment", "apps/v1", true, func() Object { return &Deployment{} }},
	{"StatefulSet", "apps/v1", true, func() Object { return &StatefulSet{} }},
	{"DaemonSet", "apps/v1", true, func() Object { return &DaemonSet{} }},
	{"Job", "batch/v1", true, func() Object { return &Job{} }},
	{"CronJob", "batch/v1", true, func() Object { return &CronJob{} }},
	{"PodDisruptionBudget", "policy/v1", true, func() Object { return &PodDisruptionBudget{} }},
	{"HorizontalPodAutoscaler", "autoscaling/v2", true, func() Object { return &HorizontalPodAutoscaler{} }},
	{"StorageClass", "storage.k8s.io/v1", false, func() Object { return &StorageClass{} }},
	{"CSIDriver", "storage.k8s.io/v1", false, func() Object { return &CSIDriver{} }},
	{"VolumeAttachment", "storage.k8s.io/v1", false, func() Object { return &VolumeAttachment{} }},
	{"PriorityClass", "scheduling.k8s.io/v1", false, func() Object { return &PriorityClass{} }},
	{"NetworkPolicy", "networking.k8s.io/v1", true, func() Object { return &NetworkPolicy{} }},
	{"EndpointSlice", "discovery.k8s.io/v1", true, func() Object { return &EndpointSlice{} }},
	{"Lease", "coordination.k8s.io/v1", true, func() Object { return &Lease{} }},
}

var kindsByName = func() map[string]*KindInfo {
	m := make(map[string]*KindInfo, len(kindTable))
	for i := range kindTable {
		m[kindTable[i].Kind] = &kindTable[i]
	}
	return m
}()

// Kinds returns every modeled kind, in a stable order.
func Kinds() []KindInfo { return append([]KindInfo(nil), kindTable...) }

// KindNames returns the modeled kind names, sorted.
func KindNames() []string {
	names := make([]string, 0, len(kindTable))
	for _, k := range kindTable {
		names = append(names, k.Kind)
	}
	sort.Strings(names)
	return names
}

// LookupKind finds a kind by apiVersion and kind. The error tells an
// unsupported kind apart from a kind under an apiVersion kubesim does not
// read (e.g. autoscaling/v1 instead of autoscaling/v2).
func LookupKind(apiVersion, kind string) (*KindInfo, error) {
	k, ok := kindsByName[kind]
	if !ok {
		return nil, fmt.Errorf("kind %q is not supported (supported: %s)", kind, strings.Join(KindNames(), ", "))
	}
	if apiVersion != k.APIVersion {
		return nil, fmt.Errorf("apiVersion %q is not supported for kind %s (want %s)", apiVersion, kind, k.APIVersion)
	}
	return k, nil
}

// KindOf returns the kind info for a Go object.
func KindOf(o Object) *KindInfo {
	switch o.(type) {
	case *Namespace:
		return kindsByName["Namespace"]
	case *Node:
		return kindsByName["Node"]
	case *Pod:
		return kindsByName["Pod"]
	case *Service:
		return kindsByName["Service"]
	case *PersistentVolume:
		return kindsByName["PersistentVolume"]
	case *PersistentVolumeClaim:
		return kindsByName["PersistentVolumeClaim"]
	case *ConfigMap:
		return kindsByName["ConfigMap"]
	case *Secret:
		return kindsByName["Secret"]
	case *ResourceQuota:
		return kindsByName["ResourceQuota"]
	case *LimitRange:
		return kindsByName["LimitRange"]
	case *ReplicaSet:
		return kindsByName["ReplicaSet"]
	case *Deployment:
		return kindsByName["Deployment"]
	case *StatefulSet:
		return kindsByName["StatefulSet"]
	case *DaemonSet:
		return kindsByName["DaemonSet"]
	case *Job:
		return kindsByName["Job"]
	case *CronJob:
		return kindsByName["CronJob"]
	case *PodDisruptionBudget:
		return kindsByName["PodDisruptionBudget"]
	case *HorizontalPodAutoscaler:
		return kindsByName["HorizontalPodAutoscaler"]
	case *StorageClass:
		return kindsByName["StorageClass"]
	case *CSIDriver:
		return kindsByName["CSIDriver"]
	case *VolumeAttachment:
		return kindsByName["VolumeAttachment"]
	case *PriorityClass:
		return kindsByName["PriorityClass"]
	case *NetworkPolicy:
		return kindsByName["NetworkPolicy"]
	case *EndpointSlice:
		return kindsByName["EndpointSlice"]
	case *Lease:
		return kindsByName["Lease"]
	}
	return nil
}

// SetTypeMeta fills apiVersion and kind from the Go type.
func SetTypeMeta(o Object) {
	if k := KindOf(o); k != nil {
		tm := o.GetTypeMeta()
		tm.APIVersion, tm.Kind = k.APIVersion, k.Kind
	}
}

// IsModeledKind reports whether kubesim models kind under some apiVersion.
func IsModeledKind(kind string) bool {
	_, ok := kindsByName[kind]
	return ok
}
