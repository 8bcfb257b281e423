// Package ctrlutil holds the helpers kubesim's controllers share, the
// simulated counterparts of kube-controller-manager's pkg/controller and
// client-go pieces every controller uses:
//
//   - Workers: the worker pool over a model.WorkQueue (upstream's
//     "for i := 0; i < workers; i++ { go wait.Until(worker) }" with
//     processNextWorkItem and handleErr), and WhenSynced, the
//     cache.WaitForCacheSync gate in front of it;
//   - Barrier: the sync.WaitGroup of a batch of asynchronous API calls;
//   - Expectations and UIDTrackingExpectations: ControllerExpectations and
//     UIDTrackingControllerExpectations (pkg/controller/controller_utils.go);
//   - SlowStart and SlowStartBatches: slowStartBatch's 1, 2, 4, ... batches;
//   - ObjectIndex, KeySets and Cached: indexes over an informer's cache
//     (by namespace, by controller UID, orphans; key sets by controller or
//     node), with sorted listings so that every order reaching an output
//     is deterministic;
//   - ResolveControllerRef, NewControllerRef, Claim, ClaimObjects,
//     AddControllerRef and RemoveOwnerRef: controller references and
//     controller_ref_manager.go's adoption and release;
//   - Patch: the read-modify-write update with conflict retries that
//     stands in for upstream's strategic-merge PATCH of owner references;
//   - SplitKey: cache.SplitMetaNamespaceKey.
//
// Everything runs in kernel events: there are no goroutines, no wall clock
// and no random numbers here.
package ctrlutil
