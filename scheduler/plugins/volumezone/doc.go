// Package volumezone re-implements kube-scheduler's VolumeZone plugin
// (pkg/scheduler/framework/plugins/volumezone/volume_zone.go, k8s 1.35):
// the zone and region labels of the PVs bound to the pod's claims
// (topology.kubernetes.io/{zone,region} and the legacy
// failure-domain.beta.kubernetes.io/{zone,region}) must match the node's.
// A PV label may list several zones separated by "__". Nodes without any
// of these labels accept every pod; a PV with a beta label also matches a
// node carrying only the GA label.
//
// Deviations: none. Events are registered as with SchedulerQueueingHints
// enabled (the 1.35 default): Node/Add|UpdateNodeLabel without
// UpdateNodeTaint.
package volumezone
