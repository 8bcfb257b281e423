// Package nodelifecycle is the node lifecycle controller with taint-based
// eviction, re-implemented from kube-controller-manager (Kubernetes 1.35):
//
//   - pkg/controller/nodelifecycle/node_lifecycle_controller.go:
//     monitorNodeHealth every NodeMonitorPeriod (5 s, the next pass 5 s
//     after the previous one finished), tryUpdateNodeHealth (the probe
//     time moves when the Ready heartbeat or the kube-node-lease Lease
//     renewTime moves; after NodeMonitorGracePeriod, 50 s, or
//     NodeStartupGracePeriod, 60 s, for nodes that never posted Ready,
//     Ready/MemoryPressure/DiskPressure/PIDPressure become Unknown), the
//     NoExecute taints node.kubernetes.io/unreachable and not-ready added
//     through per-zone rate-limited queues (token bucket, burst 1, tried
//     every 100 ms) and removed when the node is Ready again, zone states
//     Normal/PartialDisruption/FullDisruption (ComputeZoneState,
//     unhealthyZoneThreshold 0.55, rate 0.1/s, secondary 0.01/s above
//     largeClusterSizeThreshold 50 nodes, 0 below; all zones fully
//     disrupted: tainting stops and NoExecute taints are removed),
//     MarkPodsNotReady, and the NoSchedule condition taints
//     (TaintNodesByCondition: not-ready, unreachable, memory-, disk-,
//     pid-pressure, network-unavailable, unschedulable);
//   - pkg/controller/tainteviction/taint_eviction.go: pods that do not
//     tolerate a NoExecute taint are deleted at once; tolerating ones after
//     the smallest tolerationSeconds of the tolerations used (pods get 300 s
//     for not-ready and unreachable from the API server's
//     DefaultTolerationSeconds admission); deletions are cancelled when the
//     taint goes; the pod gets a DisruptionTarget condition (reason
//     DeletionByTaintManager) before it is deleted.
//
// # Usage
//
//	c := nodelifecycle.New(k, server.NewClient, cfg) // cfg from DefaultConfig, Start set
//	c.Start() // also starts the taint eviction controller (cfg.TaintEviction)
//
// Journal events. Source "node-controller": RegisteredNode, RemovingNode,
// NodeNotReady (on the node when the controller marks it Unknown, and on
// each pod it marks not ready), NodeReady (kubesim's: when the controller
// sees a node's Ready condition return to True), TaintedNode (kubesim's:
// a NoExecute taint added by the rate-limited queue), ZoneStateChanged and
// MasterDisruptionMode (kubesim's, logged upstream). Source
// "taint-eviction-controller": TaintManagerEviction ("Marking for deletion
// Pod ns/name", "Cancelling deletion of Pod ns/name").
//
// # Deviations
//
//   - The tainting loop does not tick while every zone queue is empty and
//     skips the 100 ms ticks at which no queue can take a token; the ticks
//     it runs are the ones upstream would (aligned to the end of the
//     previous pass). Zones are tried in key order (upstream: map order).
//   - Taints are written with Get then Update (retried on conflict with
//     upstream's UpdateTaintBackoff, jitter from a seeded stream) instead of
//     a strategic merge patch.
//   - The taint eviction controller handles node and pod changes in its
//     event handlers instead of 8 sharded workers: it makes no API calls
//     there, only timers.
//   - Node label reconciliation (beta OS/arch labels) is not done.
package nodelifecycle
