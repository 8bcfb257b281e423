// Package noderesources is the NodeResourcesFit plugin, re-implemented from
// kube-scheduler 1.35's pkg/scheduler/framework/plugins/noderesources
// (fit.go, resource_allocation.go, least_allocated.go, most_allocated.go,
// requested_to_capacity_ratio.go) and its arguments
// (pkg/scheduler/apis/config/v1/defaults.go SetDefaults_NodeResourcesFitArgs,
// pkg/scheduler/apis/config/validation/validation_pluginargs.go
// ValidateNodeResourcesFitArgs).
//
// # Extension points
//
//	PreFilter → the pod's effective requests (model.PodRequests), with the
//	            extended resources to check already filtered and their
//	            failure reasons precomputed
//	Filter    → "Too many pods", "Insufficient <resource>"; the status is
//	            UnschedulableAndUnresolvable when a request exceeds the
//	            node's whole allocatable (preemption cannot help), as 1.35 does
//	PreScore  → the pod's non-zero requests for the scoring resources
//	Score     → LeastAllocated (default), MostAllocated or
//	            RequestedToCapacityRatio
//
// Filter and Score do not allocate on a node that fits.
//
// # Deliberate deviations
//
//   - Feature gates are fixed at their 1.35 defaults: SidecarContainers,
//     PodLevelResources, InPlacePodVerticalScaling and SchedulerQueueingHints
//     on; DRAExtendedResource off (kubesim models no DRA), so no resource is
//     delegated to DynamicResources.
//   - Insufficient extended resources are reported in name order; upstream
//     iterates a map, so its order varies from run to run.
//   - A RequestedToCapacityRatio strategy without requestedToCapacityRatio
//     is rejected by New; upstream's NewFit would dereference nil.
//   - The pod's requests come from model.PodRequests, which applies
//     pod-level requests to cpu and memory only; recent upstream versions
//     also apply pod-level hugepages-* requests.
package noderesources
