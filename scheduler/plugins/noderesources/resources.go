package noderesources

import (
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

// Resource-name classes (upstream pkg/apis/core/v1/helper and
// pkg/scheduler/util).
const (
	resourceDefaultNamespacePrefix = "kubernetes.io/"
	resourceRequestsPrefix         = "requests."
	resourceHugePagesPrefix        = "hugepages-"
	resourceAttachableVolumePrefix = "attachable-volumes-"
)

// IsNativeResource reports a resource in the kubernetes.io namespace: no
// domain, or a domain ending in kubernetes.io.
func IsNativeResource(name model.ResourceName) bool {
	return !strings.Contains(string(name), "/") || isPrefixedNativeResource(name)
}

func isPrefixedNativeResource(name model.ResourceName) bool {
	return strings.Contains(string(name), resourceDefaultNamespacePrefix)
}

// IsExtendedResourceName reports an extended resource such as
// example.com/gpu: not native, not a quota "requests." name, and a
// qualified name once prefixed with "requests." (upstream
// IsExtendedResourceName).
func IsExtendedResourceName(name model.ResourceName) bool {
	if IsNativeResource(name) || strings.HasPrefix(string(name), resourceRequestsPrefix) {
		return false
	}
	return model.ValidateLabelKey(resourceRequestsPrefix+string(name)) == nil
}

// IsScalarResourceName reports a resource upstream's framework.Resource
// keeps in ScalarResources: extended, hugepages-*, a prefixed native
// resource (*kubernetes.io/*) or attachable-volumes-* (upstream
// schedutil.IsScalarResourceName).
func IsScalarResourceName(name model.ResourceName) bool {
	s := string(name)
	return IsExtendedResourceName(name) || strings.HasPrefix(s, resourceHugePagesPrefix) ||
		isPrefixedNativeResource(name) || strings.HasPrefix(s, resourceAttachableVolumePrefix)
}

type resourceKind uint8

const (
	kindNone resourceKind = iota // not scored (pods, storage, unknown names)
	kindCPU
	kindMemory
	kindEphemeralStorage
	kindScalar
)

// ScoringResource is a configured scoring resource, classified once so that
// scoring a node does no string work.
type ScoringResource struct {
	Name   model.ResourceName
	Weight int64
	kind   resourceKind
}

// NewScoringResources classifies specs, keeping their order.
func NewScoringResources(specs []ResourceSpec) []ScoringResource {
	out := make([]ScoringResource, len(specs))
	for i, s := range specs {
		n := model.ResourceName(s.Name)
		k := kindNone
		switch {
		case n == model.ResourceCPU:
			k = kindCPU
		case n == model.ResourceMemory:
			k = kindMemory
		case n == model.ResourceEphemeralStorage:
			k = kindEphemeralStorage
		case IsScalarResourceName(n):
			k = kindScalar
		}
		out[i] = ScoringResource{Name: n, Weight: s.Weight, kind: k}
	}
	return out
}

// PodRequest returns the pod's request for r from its computed requests
// (cpu in millicores). Resources that are not scored read as 0.
func (r *ScoringResource) PodRequest(req *model.Resources) int64 {
	switch r.kind {
	case kindCPU:
		return req.MilliCPU
	case kindMemory:
		return req.Memory
	case kindEphemeralStorage:
		return req.EphemeralStorage
	case kindScalar:
		return req.Scalar(r.Name)
	}
	return 0
}

// PodRequests returns the pod's request for each resource, in order.
func PodRequests(resources []ScoringResource, req *model.Resources) []int64 {
	out := make([]int64, len(resources))
	for i := range resources {
		out[i] = resources[i].PodRequest(req)
	}
	return out
}

// AllocatableAndRequested returns the node's allocatable amount of r and
// what would be requested on it with the pod: the node's non-zero requests
// for cpu and memory (or the real ones with useRequested) plus podRequest;
// ephemeral storage and scalar resources always use real requests. A
// scalar resource the pod does not request, or a resource that is not
// scored, returns (0, 0) so that it is left out of the score (upstream
// calculateResourceAllocatableRequest).
func (r *ScoringResource) AllocatableAndRequested(ni *framework.NodeInfo, podRequest int64, useRequested bool) (allocatable, requested int64) {
	nodeReq := &ni.NonZeroRequested
	if useRequested {
		nodeReq = &ni.Requested
	}
	switch r.kind {
	case kindCPU:
		return ni.Allocatable.MilliCPU, nodeReq.MilliCPU + podRequest
	case kindMemory:
		return ni.Allocatable.Memory, nodeReq.Memory + podRequest
	case kindEphemeralStorage:
		return ni.Allocatable.EphemeralStorage, ni.Requested.EphemeralStorage + podRequest
	case kindScalar:
		if podRequest == 0 {
			return 0, 0
		}
		return ni.Allocatable.Scalar(r.Name), ni.Requested.Scalar(r.Name) + podRequest
	}
	return 0, 0
}
