// Package volumerestrictions re-implements kube-scheduler's
// VolumeRestrictions plugin
// (pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go,
// k8s 1.35): a pod may not share a GCE PD, AWS EBS volume or Ceph RBD image
// with a pod already on the node (read-only sharing allowed for GCE PD and
// RBD), and may not use a ReadWriteOncePod claim that another scheduled pod
// already uses.
//
// Deviations: ISCSI volumes are not modeled, so the ISCSI rule is absent.
// Events are registered as with SchedulerQueueingHints enabled (the 1.35
// default): Node/Add without UpdateNodeTaint|UpdateNodeLabel. Like
// upstream, the AddPod/RemovePod extensions match ReadWriteOncePod claims
// by name only, not namespace.
package volumerestrictions
