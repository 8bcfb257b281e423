package resourcequota

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/sim"
)

func TestQuotaStatusFollowsObjects(t *testing.T) {
	k := sim.NewKernel(9)
	s := apiserver.New(k, DefaultStart)
	New(k, s.NewClient, DefaultConfig()).Start()
	create := func(o model.Object) {
		_, err := s.Create(o)
		require.NoError(t, err)
	}
	pod := func(name, cpu, mem string) *model.Pod {
		return &model.Pod{ObjectMeta: model.ObjectMeta{Name: name, Namespace: "shop"},
			Spec: model.PodSpec{Containers: []model.Container{container("c", rl("cpu", cpu, "memory", mem), rl("cpu", cpu, "memory", mem))}}}
	}
	create(pod("a", "500m", "256Mi"))
	create(pod("b", "1", "512Mi"))
	create(pod("gone", "1", "1Gi"))
	require.NoError(t, s.Delete("Pod", "shop", "gone"))
	other := pod("x", "2", "1Gi")
	other.Namespace = "other"
	create(other)
	create(&model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "cfg", Namespace: "shop"}})
	create(&model.Secret{ObjectMeta: model.ObjectMeta{Name: "sec", Namespace: "shop"}})
	create(&model.Service{ObjectMeta: model.ObjectMeta{Name: "svc", Namespace: "shop"}, Spec: model.ServiceSpec{Ports: []model.ServicePort{{Port: 80}}}})
	create(&model.PersistentVolumeClaim{ObjectMeta: model.ObjectMeta{Name: "data", Namespace: "shop"},
		Spec: model.PersistentVolumeClaimSpec{AccessModes: []model.PersistentVolumeAccessMode{"ReadWriteOnce"},
			Resources: model.VolumeResourceRequirements{Requests: rl("storage", "5Gi")}}})
	create(&model.ResourceQuota{ObjectMeta: model.ObjectMeta{Name: "q", Namespace: "shop"}, Spec: model.ResourceQuotaSpec{Hard: rl(
		"pods", "10", "requests.cpu", "4", "requests.memory", "4Gi", "limits.cpu", "8", "limits.memory", "8Gi",
		"count/services", "5", "count/configmaps", "5", "count/secrets", "5", "count/persistentvolumeclaims", "5", "requests.storage", "20Gi")}})

	used := func() map[string]string {
		o, err := s.Get("ResourceQuota", "shop", "q")
		require.NoError(t, err)
		rq := o.(*model.ResourceQuota)
		require.True(t, Equals(rq.Spec.Hard, rq.Status.Hard))
		out := map[string]string{}
		for n, q := range rq.Status.Used {
			out[string(n)] = q.String()
		}
		return out
	}
	k.Run(sim.Time(time.Second))
	require.Equal(t, map[string]string{"pods": "2", "requests.cpu": "1500m", "requests.memory": "768Mi", "limits.cpu": "1500m",
		"limits.memory": "768Mi", "count/services": "1", "count/configmaps": "1", "count/secrets": "1",
		"count/persistentvolumeclaims": "1", "requests.storage": "5Gi"}, used())

	// Event-driven: a pod finishes, a config map goes, a pod is added.
	o, _ := s.Get("Pod", "shop", "b")
	done := model.DeepCopy(o.(*model.Pod))
	done.Status.Phase = model.PodSucceeded
	_, err := s.Update(done)
	require.NoError(t, err)
	require.NoError(t, s.Delete("ConfigMap", "shop", "cfg"))
	create(pod("c", "250m", "128Mi"))
	k.Run(sim.Time(2 * time.Second))
	u := used()
	require.Equal(t, "2", u["pods"])
	require.Equal(t, "750m", u["requests.cpu"])
	require.Equal(t, "384Mi", u["requests.memory"])
	require.Equal(t, "0", u["count/configmaps"])

	// A bound pod deleted gracefully stays charged until its deletion
	// time plus grace; no event says when that passes, so the 5 min full
	// resync catches it.
	require.NoError(t, s.Bind("shop", "c", "node-1"))
	require.NoError(t, s.Delete("Pod", "shop", "c"))
	k.Run(sim.Time(3 * time.Minute))
	require.Equal(t, "2", used()["pods"])
	k.Run(sim.Time(5*time.Minute + time.Second))
	require.Equal(t, "1", used()["pods"])
	require.Equal(t, "500m", used()["requests.cpu"])

	// Raising a limit is picked up at once.
	o, _ = s.Get("ResourceQuota", "shop", "q")
	rq := model.DeepCopy(o.(*model.ResourceQuota))
	rq.Spec.Hard["count/deployments.apps"] = model.MustParseQuantity("2")
	_, err = s.Update(rq)
	require.NoError(t, err)
	k.Run(sim.Time(5*time.Minute + 2*time.Second))
	require.Equal(t, "0", used()["count/deployments.apps"])
}
