// Package podgc is kube-controller-manager's pod garbage collector
// (pkg/controller/podgc/gc_controller.go, Kubernetes 1.35) re-implemented
// for kubesim. Every GCCheckPeriod (20 s) it force-deletes, in this order:
//
//   - terminated pods (Succeeded or Failed) beyond
//     --terminated-pod-gc-threshold (12500), oldest first;
//   - terminating pods on nodes that are not Ready and carry the
//     node.kubernetes.io/out-of-service taint (non-graceful node
//     shutdown), so their StatefulSet can replace them and their volumes
//     can be detached;
//   - orphaned pods, bound to a node that has not existed for the 40 s
//     quarantine;
//   - terminating pods that were never scheduled.
//
// Before deleting a pod that is not terminal, upstream marks it Failed
// with a DisruptionTarget condition (reason DeletionByPodGC); kubesim
// does the same through the status subresource, then deletes with grace
// period 0.
package podgc
