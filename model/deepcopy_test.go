package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// richPod fills maps, slices, pointers and nested structs at several
// levels, so that a shallow copy anywhere shows up as shared memory.
func richPod() *Pod {
	ts := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	return &Pod{
		TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: ObjectMeta{
			Name: "web-0", Namespace: "shop",
			Labels:            map[string]string{"app": "web"},
			Annotations:       map[string]string{"note": "a"},
			OwnerReferences:   []OwnerReference{{Kind: "ReplicaSet", Name: "web-1", Controller: Ptr(true)}},
			Finalizers:        []string{"f1"},
			CreationTimestamp: &ts,
		},
		Spec: PodSpec{
			InitContainers: []Container{sidecar("proxy", rl("cpu", "100m"))},
			Containers: []Container{{
				Name: "app", Image: "web:1",
				Ports:         []ContainerPort{{ContainerPort: 8080}},
				Resources:     ResourceRequirements{Requests: rl("cpu", "1"), Limits: rl("cpu", "2")},
				LivenessProbe: &Probe{HTTPGet: &HTTPGetAction{Path: "/", Port: FromInt32(8080)}, PeriodSeconds: 10},
				Lifecycle:     &Lifecycle{PreStop: &LifecycleHandler{Exec: &ExecAction{Command: []string{"sleep", "5"}}}},
			}},
			NodeSelector:                  map[string]string{"disk": "ssd"},
			TerminationGracePeriodSeconds: Ptr[int64](30),
			Affinity: &Affinity{PodAntiAffinity: &PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []PodAffinityTerm{{
					LabelSelector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}, MatchExpressions: []LabelSelectorRequirement{{Key: "tier", Operator: "In", Values: []string{"a", "b"}}}},
					TopologyKey:   LabelHostname,
				}},
			}},
			Tolerations: []Toleration{{Key: "k", Operator: TolerationOpExists, TolerationSeconds: Ptr[int64](300)}},
			Overhead:    rl("cpu", "10m"),
			Volumes:     []Volume{{Name: "data", PersistentVolumeClaim: &PersistentVolumeClaimVolumeSource{ClaimName: "data-web-0"}}},
		},
		Status: PodStatus{
			Phase:      PodRunning,
			Conditions: []PodCondition{{Type: PodReady, Status: ConditionTrue, LastTransitionTime: &ts}},
			ContainerStatuses: []ContainerStatus{{
				Name: "app", Ready: true,
				State: ContainerState{Running: &ContainerStateRunning{StartedAt: &ts}},
			}},
		},
	}
}

func TestDeepCopyIsEqual(t *testing.T) {
	p := richPod()
	c := DeepCopy(p)
	require.NotSame(t, p, c)
	assert.Equal(t, p, c)

	o := DeepCopyObject(p)
	assert.Equal(t, Object(p), o)
	assert.NotSame(t, p, o.(*Pod))

	assert.Nil(t, DeepCopyObject(nil))
	var nilPod *Pod
	assert.Nil(t, DeepCopy(nilPod))
}

// Every mutation of the copy, at every depth and through every kind of
// reference, leaves the original as it was.
func TestDeepCopyMutationsDoNotLeak(t *testing.T) {
	mutations := []struct {
		name   string
		mutate func(c *Pod)
	}{
		{"label map entry", func(c *Pod) { c.Labels["app"] = "changed" }},
		{"label map insert", func(c *Pod) { c.Labels["new"] = "x" }},
		{"annotation delete", func(c *Pod) { delete(c.Annotations, "note") }},
		{"slice of strings", func(c *Pod) { c.Finalizers[0] = "changed" }},
		{"pointer inside a slice element", func(c *Pod) { *c.OwnerReferences[0].Controller = false }},
		{"time pointer", func(c *Pod) { *c.CreationTimestamp = c.CreationTimestamp.Add(time.Hour) }},
		{"int pointer", func(c *Pod) { *c.Spec.TerminationGracePeriodSeconds = 0 }},
		{"container field", func(c *Pod) { c.Spec.Containers[0].Image = "changed" }},
		{"container port", func(c *Pod) { c.Spec.Containers[0].Ports[0].ContainerPort = 1 }},
		{"resource list (map of quantities)", func(c *Pod) { c.Spec.Containers[0].Resources.Requests[ResourceCPU] = MustParseQuantity("9") }},
		{"probe pointer to struct", func(c *Pod) { c.Spec.Containers[0].LivenessProbe.PeriodSeconds = 1 }},
		{"pointer to pointer struct", func(c *Pod) { c.Spec.Containers[0].LivenessProbe.HTTPGet.Path = "/changed" }},
		{"slice four levels down", func(c *Pod) { c.Spec.Containers[0].Lifecycle.PreStop.Exec.Command[1] = "99" }},
		{"sidecar restart policy pointer", func(c *Pod) { *c.Spec.InitContainers[0].RestartPolicy = "Never" }},
		{"node selector", func(c *Pod) { c.Spec.NodeSelector["disk"] = "hdd" }},
		{"selector map in affinity", func(c *Pod) {
			c.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0].LabelSelector.MatchLabels["app"] = "x"
		}},
		{"values slice in affinity", func(c *Pod) {
			c.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0].LabelSelector.MatchExpressions[0].Values[0] = "z"
		}},
		{"toleration seconds", func(c *Pod) { *c.Spec.Tolerations[0].TolerationSeconds = 0 }},
		{"overhead", func(c *Pod) { delete(c.Spec.Overhead, ResourceCPU) }},
		{"volume source", func(c *Pod) { c.Spec.Volumes[0].PersistentVolumeClaim.ClaimName = "other" }},
		{"condition", func(c *Pod) { c.Status.Conditions[0].Status = ConditionFalse }},
		{"condition time", func(c *Pod) { *c.Status.Conditions[0].LastTransitionTime = time.Time{} }},
		{"container state", func(c *Pod) { c.Status.ContainerStatuses[0].State.Running.StartedAt = nil }},
		{"append to a slice", func(c *Pod) { c.Spec.Containers = append(c.Spec.Containers[:1], Container{Name: "extra"}) }},
		{"append within capacity", func(c *Pod) {
			c.Spec.Tolerations = append(c.Spec.Tolerations[:0], Toleration{Key: "other"})
		}},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			orig := richPod()
			want := richPod()
			c := DeepCopy(orig)
			m.mutate(c)
			assert.Equal(t, want, orig, "the original changed")
			assert.NotEqual(t, want, c, "the mutation did nothing")
		})
	}
}

// The copy of every kind, through DeepCopyObject, is equal and independent.
func TestDeepCopyObjectAllKinds(t *testing.T) {
	for _, o := range allKindsSample() {
		t.Run(KindOf(o).Kind, func(t *testing.T) {
			o.GetObjectMeta().Labels = map[string]string{"a": "b"}
			SetDefaults(o)
			c := DeepCopyObject(o)
			require.Equal(t, o, c)
			c.GetObjectMeta().Labels["a"] = "changed"
			c.GetObjectMeta().Name = "changed"
			assert.Equal(t, "b", o.GetObjectMeta().Labels["a"])
			assert.Equal(t, "x", o.GetObjectMeta().Name)
		})
	}
}

// Status maps of structs, maps of times and slices of structs with
// pointers, in other kinds.
func TestDeepCopyOtherShapes(t *testing.T) {
	ts := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	pdb := &PodDisruptionBudget{
		Spec:   PodDisruptionBudgetSpec{MinAvailable: intStr("50%"), Selector: &LabelSelector{MatchLabels: map[string]string{"a": "b"}}},
		Status: PodDisruptionBudgetStatus{DisruptedPods: map[string]time.Time{"p": ts}},
	}
	c := DeepCopy(pdb)
	c.Spec.MinAvailable.StrVal = "10%"
	c.Spec.Selector.MatchLabels["a"] = "c"
	c.Status.DisruptedPods["p"] = ts.Add(time.Hour)
	c.Status.DisruptedPods["q"] = ts
	assert.Equal(t, "50%", pdb.Spec.MinAvailable.StrVal)
	assert.Equal(t, "b", pdb.Spec.Selector.MatchLabels["a"])
	assert.Equal(t, map[string]time.Time{"p": ts}, pdb.Status.DisruptedPods)

	hpa := &HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{Metrics: []MetricSpec{{
		Type: "Resource", Resource: &ResourceMetricSource{Name: ResourceCPU, Target: MetricTarget{AverageUtilization: Ptr[int32](80)}},
	}}}}
	h := DeepCopy(hpa)
	*h.Spec.Metrics[0].Resource.Target.AverageUtilization = 50
	h.Spec.Metrics[0].Resource.Name = ResourceMemory
	assert.Equal(t, int32(80), *hpa.Spec.Metrics[0].Resource.Target.AverageUtilization)
	assert.Equal(t, ResourceCPU, hpa.Spec.Metrics[0].Resource.Name)

	ss := &StatefulSet{Spec: StatefulSetSpec{VolumeClaimTemplates: []PersistentVolumeClaim{{
		Spec: PersistentVolumeClaimSpec{StorageClassName: Ptr("fast"), Resources: VolumeResourceRequirements{Requests: rl("storage", "1Gi")}},
	}}}}
	s := DeepCopy(ss)
	*s.Spec.VolumeClaimTemplates[0].Spec.StorageClassName = "slow"
	s.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests[ResourceStorage] = MustParseQuantity("2Gi")
	assert.Equal(t, "fast", *ss.Spec.VolumeClaimTemplates[0].Spec.StorageClassName)
	assert.Equal(t, MustParseQuantity("1Gi"), ss.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests[ResourceStorage])

	// Plain values, nil and empty containers keep their shape.
	assert.Equal(t, 42, DeepCopy(42))
	assert.Nil(t, DeepCopy(map[string]string(nil)))
	assert.NotNil(t, DeepCopy(map[string]string{}))
	assert.Nil(t, DeepCopy([]string(nil)))
	assert.NotNil(t, DeepCopy([]string{}))
	rlCopy := DeepCopy(rl("cpu", "1"))
	rlCopy[ResourceMemory] = MustParseQuantity("1Gi")
	assert.Len(t, rlCopy, 2)

	// Through an interface.
	var obj Object = richPod()
	oc := DeepCopy(obj)
	oc.GetObjectMeta().Labels["app"] = "changed"
	assert.Equal(t, "web", obj.GetObjectMeta().Labels["app"])
}
