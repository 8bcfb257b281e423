// Package endpointslice is the EndpointSlice controller of
// kube-controller-manager re-implemented for kubesim (Kubernetes 1.35):
//
//   - pkg/controller/endpointslice/endpointslice_controller.go: the
//     Service, pod and slice handlers (GetServicesToUpdateOnPodChange,
//     podEndpointsChanged, the one-second delay for slice changes),
//     syncService, the queue's 1 s to 1000 s backoff and 15 retries;
//   - staging/src/k8s.io/endpointslice/reconciler.go: Reconcile,
//     reconcileByAddressType, reconcileByPortMapping (keep, update in
//     place, fill slices being updated fullest first, then the unchanged
//     slice closest to full, then new slices of at most
//     --max-endpoints-per-slice 100; no rebalancing), the placeholder slice
//     of a Service without endpoints, finalize (creates turned into
//     updates of slices to delete);
//   - staging/src/k8s.io/endpointslice/utils.go: podToEndpoint (ready =
//     serving and not terminating, serving = pod Ready, terminating =
//     deletionTimestamp set; nodeName; zone from the node's
//     topology.kubernetes.io/zone label), getEndpointPorts and
//     podutil.FindPort (numeric or named targetPort, containers then
//     sidecars, same protocol), setEndpointSliceLabels (the Service's
//     labels plus kubernetes.io/service-name,
//     endpointslice.kubernetes.io/managed-by and
//     service.kubernetes.io/headless);
//   - staging/src/k8s.io/endpointslice/endpointslice_tracker.go: the
//     generation tracker that tells the controller's own writes from
//     others' and detects a stale cache.
//
// Reconcile is a pure function from a Service, its pods, the nodes and its
// slices to a Plan of creates, updates and deletes; the Controller applies
// the plan through its client (20 qps, burst 30) with five workers
// (--concurrent-service-endpoint-syncs).
//
// # Usage
//
//	c := endpointslice.New(k, server.NewClient, endpointslice.DefaultConfig())
//	c.Start()
//
// Pods get endpoints once they have an IP (the kubelet's doing); until
// then they are skipped.
//
// Journal events (source "endpointslice-controller", object the Service):
// FailedToUpdateEndpointSlices (upstream's warning), and, a kubesim
// addition, EndpointSlicesReconciled after every sync that wrote slices
// (fields created, updated, deleted, endpoints, ready).
//
// # Deviations
//
//   - Single stack: kubesim's Service has no ipFamilies and pods one IP, so
//     a Service's slices are IPv6 when its clusterIP is an IPv6 address
//     and IPv4 otherwise (upstream would give a Service without a cluster
//     IP slices of both families).
//   - Upstream's endpoint sets are unordered and PopAny picks at random;
//     kubesim takes endpoints in order of their key (addresses, then the
//     pod), and candidate slices in name order, so runs are reproducible.
//   - Topology hints follow spec.trafficDistribution (trafficdist); the
//     older topology-mode Auto annotation, publishNotReadyAddresses,
//     hostnames and the
//     endpoints.kubernetes.io/last-change-trigger-time annotation are not
//     modeled.
package endpointslice
