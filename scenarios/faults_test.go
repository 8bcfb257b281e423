package scenarios

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

const faultBase = `apiVersion: kubesim.io/v1alpha1
kind: Scenario
metadata: {name: faults}
spec:
  seed: 3
  duration: 10m
  cluster:
    nodePools:
    - {name: a, count: 3, machine: m5.large}
  workloads:
  - inline:
    - apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers: [{name: c, image: "app:1", resources: {requests: {cpu: 100m}}}]
`

func runScenario(t *testing.T, body string) (*Run, *sim.Recorder) {
	t.Helper()
	l, diags := LoadBytes(fstest.MapFS{}, ".", "s.yaml", []byte(body), LoadOptions{})
	require.False(t, diags.HasErrors(), "%v", diags)
	rec := &sim.Recorder{}
	r, err := Start(l, RunOptions{Subscribers: []sim.Subscriber{rec.Subscriber()}})
	require.NoError(t, err)
	r.Execute()
	return r, rec
}

func TestTimelineFaults(t *testing.T) {
	r, rec := runScenario(t, faultBase+`  timeline:
  - {at: 1m, cordon: {node: a-0, for: 2m}}
  - {at: 2m, imageRegistryOutage: {for: 1m}}
  - at: 2m10s
    apply:
      inline:
      - apiVersion: v1
        kind: Pod
        metadata: {name: late}
        spec:
          nodeName: a-1
          containers: [{name: c, image: "never-pulled:1"}]
  - {at: 5m, nodeCrash: {pool: a, for: 1m}}
  - {at: 7m, every: {constant: 60}, podKill: {name: p, gracePeriodSeconds: 0}}
`)
	require.Len(t, rec.Kinds("Cordon"), 1)
	require.Len(t, rec.Kinds("Uncordon"), 1, "for: 2m undoes the cordon")
	require.Equal(t, sim.Time(180e9), rec.Kinds("Uncordon")[0].T-rec.Kinds("Uncordon")[0].T%1e9)
	require.Len(t, rec.Kinds("RegistryOutage"), 1)
	require.Len(t, rec.Kinds("RegistryRecovered"), 1)
	// The pod created during the outage cannot pull its image at first.
	var failed bool
	for _, e := range rec.Events {
		if e.Object == "default/late" && (e.Kind == "Failed" || e.Kind == "BackOff") {
			failed = true
		}
	}
	require.True(t, failed, "pulls fail during the registry outage")
	crash := rec.Kinds("NodeCrash")
	require.Len(t, crash, 1)
	require.Len(t, rec.Kinds("NodeRecover"), 1)
	require.Equal(t, crash[0].Object, rec.Kinds("NodeRecover")[0].Object)
	// podKill every 60 s from 7m: the first deletes p, later ones find nothing.
	require.Len(t, rec.Kinds("PodKill"), 1)
	require.GreaterOrEqual(t, len(rec.Kinds("ActionFailed")), 1)
	_, err := r.API.Get("Pod", "default", "p")
	require.True(t, model.IsNotFound(err))
}

func TestFaultValidation(t *testing.T) {
	cases := map[string]string{
		"two targets":      "  timeline:\n  - {at: 1m, nodeCrash: {node: a-0, pool: a}}\n",
		"no outage length": "  timeline:\n  - {at: 1m, imageRegistryOutage: {}}\n",
		"bad scale kind":   "  timeline:\n  - {at: 1m, scale: {kind: Pod, name: p, replicas: 1}}\n",
		"two actions":      "  timeline:\n  - {at: 1m, cordon: {node: a-0}, uncordon: {node: a-0}}\n",
	}
	for name, tl := range cases {
		t.Run(name, func(t *testing.T) {
			_, diags := LoadBytes(fstest.MapFS{}, ".", "s.yaml", []byte(faultBase+tl), LoadOptions{})
			require.True(t, diags.HasErrors(), name)
		})
	}
}
