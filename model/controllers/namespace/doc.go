// Package namespace is the namespace controller of kube-controller-manager
// re-implemented for kubesim (Kubernetes 1.35):
//
//   - pkg/controller/namespace/namespace_controller.go: only namespaces
//     being deleted are queued, each after the deletion grace period (5 s);
//     the queue's rate limiter (5 ms doubling to 60 s per item, 10 qps
//     overall); ten workers (--concurrent-namespace-syncs); a namespace
//     whose content is still going is looked at again after half the
//     estimate, in whole seconds; the 5 min resync (--namespace-sync-period);
//   - pkg/controller/namespace/deletion/namespaced_resources_deleter.go:
//     Delete (read the namespace, set status.phase Terminating, stop if it
//     is no longer being deleted or spec.finalizers is empty, delete all
//     content, then remove the "kubernetes" token from spec.finalizers with
//     conflict retries), deleteAllContent over every namespaced kind, and
//     per kind the graceful-termination estimate for pods (the longest
//     terminationGracePeriodSeconds of unfinished pods, 0 once the
//     namespace has been deleting that long), the deletion of every object
//     with background propagation, and the check of what remains (objects
//     with finalizers wait finalizerEstimateSeconds, 15 s; anything else
//     left without an estimate is an error and the namespace is retried
//     with backoff).
//
// The API server keeps a deleted namespace, Terminating, while
// spec.finalizers is not empty, refuses new content in it, and removes it
// when an update empties spec.finalizers (model/apiserver).
//
// # Usage
//
//	c := namespace.New(k, server.NewClient, namespace.DefaultConfig())
//	c.Start()
//
// The controller uses its own client with the controller manager's
// namespace-controller limits (20 × 20 qps, 100 × 30 burst).
//
// Journal events (source "namespace-controller", object the namespace),
// kubesim additions since upstream records none: NamespaceFinalized (the
// namespace was empty and its finalizer removed; fields deleted, message)
// and NamespaceDeletionContentFailure (a sync failed; field message, the
// reason upstream writes in the namespace's conditions).
//
// # Deviations
//
//   - kubesim has no DeleteCollection and no namespaced List: each kind is
//     listed whole, filtered by namespace, and its objects deleted one by
//     one (objects already being deleted are not deleted again). Kinds are
//     visited in model.Kinds order; upstream iterates the discovered
//     resources in map order.
//   - The finalizer is removed with an update of the namespace (there is
//     no namespaces/finalize subresource).
//   - status.conditions (NamespaceDeletionContentFailure,
//     NamespaceContentRemaining, NamespaceFinalizersRemaining, ...) are not
//     modeled.
package namespace
