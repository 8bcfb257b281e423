// Package framework is the contract between kubesim's scheduler and its
// plugins, following kube-scheduler's scheduling framework
// (staging/src/k8s.io/kube-scheduler/framework, pkg/scheduler/framework):
// one small interface per extension point, the Status every decision
// returns, the CycleState plugins share within one cycle, and the per-node
// state (NodeInfo) the scheduler keeps incrementally.
//
// # Extension points, in the order the scheduler calls them
//
//	PreEnqueue  → may keep a pod out of the active queue (gated)
//	QueueSort   → orders the active queue (exactly one plugin)
//	PreFilter   → per pod; may reject the pod or narrow the candidate nodes
//	Filter      → per node; the first non-Success status rejects the node
//	PostFilter  → when no node fits (preemption)
//	PreScore    → per pod, over the feasible nodes
//	Score       → per node, 0..MaxNodeScore after NormalizeScore, times the weight
//	Reserve     → the chosen node is claimed; Unreserve undoes it on failure
//	Permit      → allow, reject or wait
//	PreBind, Bind, PostBind → the binding cycle
//
// Plugins are pure with respect to time: they read the snapshot and the
// cycle state they are handed and return a Status. Anything random comes
// from a named stream through the Handle.
package framework
