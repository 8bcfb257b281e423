package resourcequota

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func rl(pairs ...string) model.ResourceList {
	out := model.ResourceList{}
	for i := 0; i < len(pairs); i += 2 {
		out[model.ResourceName(pairs[i])] = model.MustParseQuantity(pairs[i+1])
	}
	return out
}

func container(name string, req, lim model.ResourceList) model.Container {
	return model.Container{Name: name, Image: "img:1", Resources: model.ResourceRequirements{Requests: req, Limits: lim}}
}

// TestPodUsage follows upstream's pod evaluator tests
// (pkg/quota/v1/evaluator/core/pods_test.go TestPodEvaluatorUsage):
// requests and limits of containers, init containers taking the max,
// sidecars added, overhead added, terminal pods not charged.
func TestPodUsage(t *testing.T) {
	always := model.ContainerRestartPolicyAlways
	cases := []struct {
		name string
		pod  *model.Pod
		want map[model.ResourceName]int64
	}{
		{"containers", &model.Pod{Spec: model.PodSpec{Containers: []model.Container{
			container("a", rl("cpu", "1", "memory", "1Gi"), rl("cpu", "2", "memory", "2Gi")),
			container("b", rl("cpu", "500m"), nil)}}},
			map[model.ResourceName]int64{"pods": 1, "count/pods": 1, "cpu": 1500, "requests.cpu": 1500,
				"memory": 1 << 30, "requests.memory": 1 << 30, "limits.cpu": 2000, "limits.memory": 2 << 30}},
		{"init container dominates", &model.Pod{Spec: model.PodSpec{
			InitContainers: []model.Container{container("init", rl("cpu", "2"), rl("cpu", "3"))},
			Containers:     []model.Container{container("a", rl("cpu", "1"), rl("cpu", "1"))}}},
			map[model.ResourceName]int64{"pods": 1, "count/pods": 1, "cpu": 2000, "requests.cpu": 2000, "limits.cpu": 3000}},
		{"sidecar adds up", &model.Pod{Spec: model.PodSpec{
			InitContainers: []model.Container{{Name: "side", RestartPolicy: &always, Resources: model.ResourceRequirements{Requests: rl("memory", "100Mi")}}},
			Containers:     []model.Container{container("a", rl("memory", "200Mi"), nil)}}},
			map[model.ResourceName]int64{"pods": 1, "count/pods": 1, "memory": 300 << 20, "requests.memory": 300 << 20}},
		{"overhead and extended", &model.Pod{Spec: model.PodSpec{Overhead: rl("cpu", "100m"),
			Containers: []model.Container{container("a", rl("cpu", "1", "example.com/gpu", "2"), rl("cpu", "1", "example.com/gpu", "2"))}}},
			map[model.ResourceName]int64{"pods": 1, "count/pods": 1, "cpu": 1100, "requests.cpu": 1100, "limits.cpu": 1100, "requests.example.com/gpu": 2}},
		{"succeeded pods are free", &model.Pod{Status: model.PodStatus{Phase: model.PodSucceeded},
			Spec: model.PodSpec{Containers: []model.Container{container("a", rl("cpu", "1"), nil)}}}, nil},
	}
	for _, tc := range cases {
		got := PodUsage(tc.pod, t0)
		if tc.want == nil {
			require.Empty(t, got, tc.name)
			continue
		}
		require.Equal(t, tc.want, got, tc.name)
	}

	// A pod stuck terminating past its deletion time plus grace is free.
	p := &model.Pod{Spec: model.PodSpec{Containers: []model.Container{container("a", rl("cpu", "1"), nil)}}}
	del := t0.Add(30 * time.Second)
	p.DeletionTimestamp, p.DeletionGracePeriodSeconds = &del, model.Ptr[int64](30)
	require.True(t, QuotaPod(p, t0.Add(60*time.Second)))
	require.False(t, QuotaPod(p, t0.Add(61*time.Second)))
}

func TestScopesServicesClaimsAndCounts(t *testing.T) {
	be := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "be"}, Spec: model.PodSpec{Containers: []model.Container{{Name: "a"}}}}
	burst := &model.Pod{ObjectMeta: model.ObjectMeta{Name: "burst"}, Spec: model.PodSpec{ActiveDeadlineSeconds: model.Ptr[int64](60),
		Containers: []model.Container{container("a", rl("cpu", "1"), nil)}}}
	svcNP := &model.Service{Spec: model.ServiceSpec{Type: model.ServiceTypeNodePort, Ports: []model.ServicePort{{Port: 80}, {Port: 443}}}}
	svcLB := &model.Service{Spec: model.ServiceSpec{Type: model.ServiceTypeLoadBalancer, Ports: []model.ServicePort{{Port: 80}}}}
	claim := &model.PersistentVolumeClaim{Spec: model.PersistentVolumeClaimSpec{StorageClassName: model.Ptr("gold"),
		Resources: model.VolumeResourceRequirements{Requests: rl("storage", "10Gi")}}}
	objs := map[string][]model.Object{
		"Pod":                   {be, burst},
		"Service":               {svcNP, svcLB},
		"PersistentVolumeClaim": {claim},
		"ConfigMap":             {&model.ConfigMap{}, &model.ConfigMap{}},
		"Deployment":            {&model.Deployment{}},
	}
	list := func(kind string) []model.Object { return objs[kind] }
	kinds := []string{"Pod", "Service", "PersistentVolumeClaim", "ConfigMap", "Deployment", "Secret"}
	hard := rl("pods", "10", "requests.cpu", "4", "services", "5", "services.nodeports", "5", "services.loadbalancers", "1",
		"requests.storage", "100Gi", "gold.storageclass.storage.k8s.io/requests.storage", "50Gi",
		"count/configmaps", "10", "count/deployments.apps", "3", "secrets", "3", "example.com/unknown", "1")
	used := CalculateUsage(hard, nil, kinds, list, t0)
	want := map[string]string{"pods": "2", "requests.cpu": "1", "services": "2", "services.nodeports": "3", "services.loadbalancers": "1",
		"requests.storage": "10Gi", "gold.storageclass.storage.k8s.io/requests.storage": "10Gi",
		"count/configmaps": "2", "count/deployments.apps": "1", "secrets": "0"}
	require.Len(t, used, len(want))
	for n, v := range want {
		q, ok := used[model.ResourceName(n)]
		require.True(t, ok, n)
		require.Equal(t, v, q.String(), n)
	}
	// Scoped quotas count matching pods only, and nothing else.
	used = CalculateUsage(rl("pods", "10", "count/configmaps", "5"), []string{ScopeBestEffort}, kinds, list, t0)
	require.Equal(t, "1", used["pods"].String())
	require.Equal(t, "0", used["count/configmaps"].String())
	used = CalculateUsage(rl("pods", "10"), []string{ScopeTerminating}, kinds, list, t0)
	require.Equal(t, "1", used["pods"].String())
	used = CalculateUsage(rl("pods", "10"), []string{ScopeNotTerminating, ScopeNotBestEffort}, kinds, list, t0)
	require.Equal(t, "0", used["pods"].String())
}
