// Package nodevolumelimits re-implements kube-scheduler's NodeVolumeLimits
// plugin (pkg/scheduler/framework/plugins/nodevolumelimits/csi.go, k8s 1.35):
// the CSI volumes a node would have attached with the pod, counted per
// driver as unique volume handles, must not exceed the driver's limit.
//
// Volumes of a claim bound to a CSI PV count as "<driver>/<volumeHandle>";
// a claim that is not bound yet (or whose PV is missing) counts against
// its StorageClass's provisioner with a placeholder handle per claim, so
// pods sharing a claim count it once.
//
// Deviations:
//   - kubesim has no CSINode (nor VolumeAttachment) kind. The per-driver
//     limit is read from the node's allocatable resource
//     "attachable-volumes-csi-<driver>" (upstream's GetCSIAttachLimitKey,
//     the key older releases also read from Node allocatable); a driver
//     without that resource is unlimited. Node Add and allocatable updates
//     are registered in place of upstream's CSINode/Add event.
//   - Without a CSINode there is no migrated-plugins annotation, so, as
//     upstream does when the CSINode is missing, in-tree volumes (inline
//     GCE PD/AWS EBS, in-tree PVs and in-tree provisioners) are not
//     counted.
//   - The placeholder handle of unbound claims uses a fixed prefix
//     instead of upstream's random one; it only has to differ from real
//     handles.
//   - A missing claim of the incoming pod is found in PreFilter and
//     reported by Filter on every node, as upstream reports it.
package nodevolumelimits
