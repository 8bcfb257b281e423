package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// A busy Deployment under an HPA targeting 50% cpu utilization scales up
// from what the simulated machines report, and a StatefulSet gets its
// ordinal pods and claims.
func TestHPAScalesFromMachineUsage(t *testing.T) {
	r, rec := runScenario(t, `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: hpa}
spec:
  seed: 2
  duration: 5m
  controlPlane: {store: ideal}
  cluster:
    nodePools:
    - {name: a, count: 4, machine: m5.xlarge}
  behaviors:
  - {image: "busy:*", cpu: busy}
  workloads:
  - inline:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - {name: c, image: "busy:1", resources: {requests: {cpu: 200m}, limits: {cpu: 400m}}}
    - apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 2
        maxReplicas: 8
        metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
    - apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 2
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers: [{name: c, image: "db:1"}]
`)
	rescales := rec.Kinds("SuccessfulRescale")
	require.NotEmpty(t, rescales)
	require.Contains(t, rescales[0].Field("message"), "cpu resource utilization (percentage of request) above target")
	o, err := r.API.Get("Deployment", "default", "web")
	require.NoError(t, err)
	require.Equal(t, int32(8), *o.(*model.Deployment).Spec.Replicas, "200% of target keeps doubling to the maximum")
	for _, name := range []string{"db-0", "db-1"} {
		_, err := r.API.Get("Pod", "default", name)
		require.NoError(t, err, name)
	}
}
