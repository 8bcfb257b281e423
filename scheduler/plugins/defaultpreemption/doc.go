// Package defaultpreemption re-implements kube-scheduler's DefaultPreemption
// PostFilter plugin (k8s 1.35:
// pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go and
// the evaluator in pkg/scheduler/framework/preemption/preemption.go, with
// the arguments of pkg/scheduler/apis/config/v1/defaults.go
// SetDefaults_DefaultPreemptionArgs and validation_pluginargs.go
// ValidateDefaultPreemptionArgs).
//
// # What PostFilter does
//
//  1. Eligibility: a pod with preemptionPolicy Never may not preempt; nor
//     may a pod whose nominated node (unless now UnschedulableAndUnresolvable
//     for it) still has lower-priority victims terminating because of an
//     earlier preemption.
//  2. Potential nodes: those whose filter status is Unschedulable.
//  3. Dry run from a random offset: on a copy of each node and of the cycle
//     state, remove every lower-priority pod, check the pod fits, then
//     reprieve victims in importance order (PDB-violating ones first) while
//     it still fits. Stop once there is a PDB-respecting candidate and at
//     least numCandidates = clamp(n*minCandidateNodesPercentage/100,
//     minCandidateNodesAbsolute, n) candidates.
//  4. Pick a node: fewest PDB violations, lowest highest victim priority,
//     lowest sum of (priority+MaxInt32+1), fewest victims, latest start of
//     the earliest highest-priority victim, then the first candidate.
//
// The plugin makes no API calls. It returns PostFilterResult{node} and
// records the whole decision (victims, lower-priority pods nominated to the
// node whose nomination must be cleared, and every candidate and rejected
// node, for explain output) as a *Decision under StateKey in the cycle
// state; the scheduler deletes the victims and sets nominatedNodeName.
//
// # Deliberate deviations
//
//   - The dry run is sequential, in the rotating order starting at the
//     offset, instead of 16 goroutines cancelled once enough candidates are
//     found; the offset is drawn from the handle's "preemption" stream
//     instead of the global math/rand. Upstream results depend on goroutine
//     timing whenever more candidates exist than needed; kubesim's are
//     those upstream gets with parallelism 1 (its own unit tests do the
//     same).
//   - Potential nodes are taken in snapshot order; upstream walks the
//     filter-status map, whose order is random.
//   - The last tie-break of the node choice is the candidate order (upstream:
//     map iteration order).
//   - A victim without status.startTime counts as starting "now", i.e. later
//     than every started pod, and two such pods tie (upstream calls
//     time.Now() for each comparison).
//   - Extenders, async preemption (PreEnqueue gating) and pod-group
//     preemption are not modelled. EventsToRegister is empty, as upstream's
//     is without async preemption: the plugin never rejects a pod itself.
//   - A result with an empty NominatedNodeName asks the scheduler to clear
//     the pod's nomination (upstream ModeOverride with ""); a nil result
//     leaves it unchanged.
package defaultpreemption
