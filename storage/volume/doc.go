// Package volume is the cluster's storage control plane: the loops of
// kube-controller-manager that bind and attach volumes, and the CSI
// sidecars that carry the work out, all as state machines on the
// simulation kernel that talk to the API server through throttled clients
// and watches, like their upstream counterparts.
//
//   - PVController (pkg/controller/volume/persistentvolume/pv_controller.go):
//     binds claims to volumes with upstream's matching
//     (model.FindBestMatchForClaim: access-mode groups from the fewest
//     modes, the smallest volume that fits, class, selector, volume mode,
//     pre-binding), waits for the first consumer of WaitForFirstConsumer
//     claims, hands the rest to their class's provisioner by annotation,
//     and reclaims released volumes (Retain, Recycle, Delete). Each bind
//     is upstream's four writes: the volume's claimRef, its phase, the
//     claim's volumeName and annotations, its phase. Resync every 15 s.
//   - Provisioner (external-provisioner): CreateVolume with a latency and
//     a failure rate, PVs pre-bound to their claims, zonal topology from
//     the selected node or the class's allowedTopologies, per-claim
//     backoff from 1 s to 5 min; deletes the volumes it made once they are
//     released with policy Delete.
//   - AttachDetachController (pkg/controller/volume/attachdetach): the
//     desired (volume, node) pairs of scheduled pods against the
//     VolumeAttachment objects; Multi-Attach errors for single-node
//     volumes; six minutes' patience with unhealthy nodes unless they are
//     out of service.
//   - Attacher (external-attacher): ControllerPublish and Unpublish behind
//     the VolumeAttachment's status and finalizer, per-node attach limits,
//     stuck detaches.
//   - Resizer (external-resizer): ControllerExpandVolume when a bound
//     claim asks for more.
//
// System assembles them for a scenario's drivers; the kubelet's side
// (waiting for claims and attachments, mounting) is in model/kubelet, and
// the scheduler's (VolumeBinding, VolumeZone, NodeVolumeLimits,
// VolumeRestrictions) in scheduler/plugins.
//
// Inputs are API objects through informers and the faults a scenario
// injects (SetProvisionerDown, SetDetachStuck, SetZoneDown); outputs are
// API writes and journal events named after the upstream event reasons.
// Every random draw comes from a stream named after the driver, so the
// same seed gives the same run.
//
// It may import model and sim only.
package volume
