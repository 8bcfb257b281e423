// Package garbagecollector is kube-controller-manager's garbage collector
// re-implemented for kubesim (Kubernetes 1.35, pkg/controller/
// garbagecollector):
//
//   - graph_builder.go: the ownership graph built from every watched
//     kind's changes (uidToNode; virtual nodes for owners known only from
//     ownerReferences, queued for verification; referencesDiffs and the
//     owners unblocked by a removed or unblocked blockOwnerDeletion
//     reference; the absent-owner cache of 500 entries; the foreground and
//     orphan transitions when an object's deletion starts with the
//     foregroundDeletion or orphan finalizer);
//   - garbagecollector.go: attemptToDeleteItem (read the object; an owner
//     waiting for its dependents drops its finalizer once no dependent
//     with blockOwnerDeletion is left; otherwise classify the owner
//     references as solid, dangling or waiting: keep the object and drop
//     the references to missing or waiting owners when a solid owner is
//     left, delete it in the foreground when a waiting owner needs its own
//     dependents gone first, delete it when no owner is left, honouring an
//     orphan or foregroundDeletion finalizer it already has), the
//     attemptToOrphan worker (remove the owner's reference from every
//     dependent, then the orphan finalizer), virtual delete events, the
//     requeue of unobserved virtual nodes.
//
// Propagation itself (the foregroundDeletion and orphan finalizers, the
// deletionTimestamp, deletion when the last finalizer goes) is the API
// server's, as upstream: see model.DeleteOptions.
//
// # Usage
//
//	gc := garbagecollector.New(k, server.NewClient, garbagecollector.DefaultConfig())
//	gc.Start()
//
// The collector watches every kind kubesim models (Config.Kinds narrows
// it) through its own client (20 qps, burst 30) and runs 20 workers for
// each of its two queues (--concurrent-gc-syncs). Its reads of objects and
// owners go to the API, not the caches, as upstream's do.
//
// Journal events (source "garbage-collector-controller", object the
// namespace/name of the object, field kind), kubesim additions since
// upstream's collector records no events for them: GarbageCollected (an
// object deleted, field propagationPolicy), OrphanedDependent (a
// dependent's reference removed, field owner), RemovedFinalizer (field
// finalizer).
//
// # Deviations
//
//   - kubesim's DeleteOptions have no UID precondition: the collector
//     deletes by name right after reading the object with the expected UID.
//   - Owner references are removed, and blockOwnerDeletion cleared, by
//     read-modify-write updates with conflict retries (ctrlutil.Patch)
//     instead of PATCH; orphaning starts from the informer's copy.
//   - Dependents are visited in UID order, owner references one after
//     another, so runs are reproducible; upstream's map iteration order is
//     random.
//   - A virtual delete for a virtual node whose dependents disagree about
//     its coordinates keeps the node but does not install a replacement
//     identity from another dependent (upstream does; it only matters for
//     dependents with inconsistent ownerReferences).
//   - The namespace-validity checks and OwnerRefInvalidNamespace events
//     for cluster-scoped dependents of namespaced owners are not modeled.
//   - Owners of kinds kubesim does not model are retried with backoff, as
//     upstream's unresolvable REST mappings are, and never collected.
package garbagecollector
