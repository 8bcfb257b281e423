// Package podautoscaler is the HorizontalPodAutoscaler controller of
// kube-controller-manager re-implemented for kubesim (Kubernetes 1.35,
// autoscaling/v2):
//
//   - pkg/controller/podautoscaler/horizontal.go: the work queue whose
//     every request waits a sync period (15 s, also for a new HPA),
//     reconcileAutoscaler (disabled at 0 replicas with minReplicas > 0,
//     clamped above maxReplicas and below minReplicas, else the largest
//     proposal of the valid metrics; with some metrics invalid a
//     scale-down is refused), normalizeDesiredReplicas without behavior
//     (the highest recommendation of the 5 min downscale window, then at
//     most max(2×current, 4)), normalizeDesiredReplicasWithBehaviors
//     (scale-up and scale-down stabilization windows over the
//     recommendation history, Pods and Percent policies per period from the
//     recorded scale events, selectPolicy Max, Min or Disabled, the API
//     defaults for unset rules), the selector checks (required, valid, not
//     shared with another HPA: AmbiguousSelector), the rescale through the
//     target's spec.replicas, the status (currentReplicas, desiredReplicas,
//     lastScaleTime) and the events;
//   - replica_calculator.go: GetResourceReplicas (integer utilization
//     percentage, ratio to the target, tolerance inclusive, ceil of the
//     ratio times the ready pods; missing pods at max(100, target)% of
//     their request on a scale-down and 0 on a scale-up, unready pods at
//     0 on a scale-up, no change if that reverses the direction) and
//     GetRawResourceReplicas for AverageValue targets, groupPods (deleted
//     and failed pods ignored, pending pods unready, the CPU
//     initialization period and initial readiness delay),
//     calculateRequests (containers and sidecars, pod-level requests, one
//     named container);
//   - metrics/utilization.go: GetResourceUtilizationRatio and
//     GetMetricUsageRatio.
//
// Resource and ContainerResource metrics are modeled, with Utilization and
// AverageValue targets, on Deployments, ReplicaSets and StatefulSets.
// Per-direction tolerances (behavior.scaleUp/scaleDown.tolerance,
// HPAConfigurableTolerance) are honoured.
//
// # Usage
//
//	cfg := podautoscaler.DefaultConfig()
//	cfg.Metrics = source // a MetricsSource over the simulated machines
//	c := podautoscaler.New(k, server.NewClient, cfg)
//	c.Start()
//
// The controller watches HPAs and pods through its own client (20 qps,
// burst 30) and runs five workers
// (--concurrent-horizontal-pod-autoscaler-syncs). Samples come from
// Config.Metrics: a pod's CPU in millicores and memory in bytes, read at
// reconciliation time and reported with the window Config.MetricResolution
// (15 s). ContainerResource metrics use ContainerMetricsSource when the
// source implements it, else only single-container pods have a sample.
//
// Journal events (source "horizontal-pod-autoscaler", object the HPA,
// field message with upstream's text): SuccessfulRescale ("New size: 4;
// reason: cpu resource utilization (percentage of request) above target",
// fields from, to), FailedRescale, FailedGetScale, SelectorRequired,
// InvalidSelector, AmbiguousSelector, FailedGetResourceMetric,
// FailedGetContainerResourceMetric, InvalidMetricSourceType,
// FailedComputeMetricsReplicas, FailedUpdateStatus.
//
// # Deviations
//
//   - There is no scale subresource: the target is read with a GET of its
//     kind and rescaled with a JSON merge patch of spec.replicas (upstream
//     updates the Scale, which can conflict); the selector is the target's
//     spec.selector.
//   - There is no metrics pipeline: a sample is the source's usage at the
//     instant of the reconciliation, timestamped then, with a window of
//     MetricResolution. metrics-server's scrape cadence is not modeled.
//   - Object, Pods and External metrics are not modeled; such metrics are
//     invalid (InvalidMetricSourceType).
//   - status.conditions and status.currentMetrics are not modeled, so the
//     condition changes upstream makes (AbleToScale, ScalingActive,
//     ScalingLimited) are not written; the status is rebuilt as upstream
//     does, without observedGeneration.
//   - The AmbiguousSelector check looks at the HPAs of the namespace whose
//     selectors the controller has resolved, in key order.
package podautoscaler
