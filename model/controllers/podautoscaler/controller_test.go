package podautoscaler

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/apiserver"
	"github.com/kubesim/kubesim/model/controllers/replicaset"
	"github.com/kubesim/kubesim/sim"
)

// spreadLoad is a fake MetricsSource: a fixed total CPU load shared evenly
// by the Running pods of the namespace, and a fixed memory per pod.
type spreadLoad struct {
	s           *apiserver.Server
	loadMilli   int64
	memoryBytes int64
}

func (f *spreadLoad) PodUsage(ns, name string) (int64, int64, bool) {
	objs, _ := f.s.List("Pod")
	running := int64(0)
	found := false
	for _, o := range objs {
		p := o.(*model.Pod)
		if p.Namespace != ns || p.Status.Phase != model.PodRunning || p.DeletionTimestamp != nil {
			continue
		}
		running++
		if p.Name == name {
			found = true
		}
	}
	if !found {
		return 0, 0, false
	}
	return f.loadMilli / running, f.memoryBytes, true
}

type harness struct {
	t       *testing.T
	k       *sim.Kernel
	s       *apiserver.Server
	rec     *sim.Recorder
	metrics *spreadLoad
	c       *Controller
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	k := sim.NewKernel(3)
	s := apiserver.New(k, DefaultStart)
	rec := &sim.Recorder{}
	k.Journal().Subscribe(rec.Subscriber())
	h := &harness{t: t, k: k, s: s, rec: rec, metrics: &spreadLoad{s: s}}
	// A fake kubelet: new pods start at once and turn Ready after 1 s.
	s.Watch("Pod", func(ev model.WatchEvent) {
		if ev.Type != model.Added {
			return
		}
		p := ev.Object.(*model.Pod)
		k.AfterFunc(time.Second, func(sim.Time) {
			o, err := s.Get("Pod", p.Namespace, p.Name)
			if err != nil || o.GetObjectMeta().UID != p.UID {
				return
			}
			cp := model.DeepCopy(o.(*model.Pod))
			now := s.Now()
			start := now.Add(-time.Second)
			cp.Status.Phase = model.PodRunning
			cp.Status.StartTime = &start
			cp.Status.SetCondition(model.PodCondition{Type: model.PodReady, Status: model.ConditionTrue, LastTransitionTime: &now})
			_, err = s.Update(cp)
			require.NoError(t, err)
		})
	})
	replicaset.New(k, s.NewClient, replicaset.DefaultConfig()).Start()
	cfg := DefaultConfig()
	cfg.Metrics = h.metrics
	h.c = New(k, s.NewClient, cfg)
	h.c.Start()
	return h
}

func (h *harness) runTo(d time.Duration) { h.k.Run(sim.Time(d)) }

func webRS(replicas int32) *model.ReplicaSet {
	labels := map[string]string{"app": "web"}
	return &model.ReplicaSet{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.ReplicaSetSpec{Replicas: model.Ptr(replicas), Selector: &model.LabelSelector{MatchLabels: labels},
			Template: model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "app", Image: "app:1",
					Resources: model.ResourceRequirements{Requests: model.ResourceList{
						model.ResourceCPU: model.MustParseQuantity("500m"), model.ResourceMemory: model.MustParseQuantity("256Mi")}}}}}}}}
}

func cpuHPA(target int32, behavior *model.HorizontalPodAutoscalerBehavior) *model.HorizontalPodAutoscaler {
	return &model.HorizontalPodAutoscaler{ObjectMeta: model.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: model.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: model.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web"},
			MinReplicas:    model.Ptr[int32](1), MaxReplicas: 10, Behavior: behavior,
			Metrics: []model.MetricSpec{{Type: "Resource", Resource: &model.ResourceMetricSource{Name: model.ResourceCPU,
				Target: model.MetricTarget{Type: "Utilization", AverageUtilization: model.Ptr(target)}}}}}}
}

func (h *harness) replicas() int32 {
	o, err := h.s.Get("ReplicaSet", "default", "web")
	require.NoError(h.t, err)
	return *o.(*model.ReplicaSet).Spec.Replicas
}

func (h *harness) hpa() *model.HorizontalPodAutoscaler {
	o, err := h.s.Get("HorizontalPodAutoscaler", "default", "web")
	require.NoError(h.t, err)
	return o.(*model.HorizontalPodAutoscaler)
}

type rescale struct {
	at      time.Duration
	message string
}

func (h *harness) rescales() []rescale {
	var out []rescale
	for _, e := range h.rec.Kinds("SuccessfulRescale") {
		out = append(out, rescale{time.Duration(e.T).Round(time.Second), e.Field("message").(string)})
	}
	return out
}

func TestScaleUpLimitedThenDownAfterStabilizationWindow(t *testing.T) {
	h := newHarness(t)
	h.metrics.loadMilli = 2000 // 8 pods at 50% of 500m
	_, err := h.s.Create(webRS(1))
	require.NoError(t, err)
	h.runTo(20 * time.Second)
	_, err = h.s.Create(cpuHPA(50, nil))
	require.NoError(t, err)

	h.runTo(100 * time.Second)
	// First reconciliation a sync period after the HPA appeared (35 s):
	// 400% wants 8, the no-behavior limit max(2×1, 4) allows 4. At 50 s the
	// three new pods are ready for less than a metric window and count as
	// 0 on a scale-up, which would reverse the direction: the metrics keep
	// 4 (so the reason is empty), but the stabilization takes the highest
	// recommendation of the window, 8 from 35 s, and the limit is now 8.
	require.Equal(t, []rescale{
		{35 * time.Second, "New size: 4; reason: cpu resource utilization (percentage of request) above target"},
		{50 * time.Second, "New size: 8; reason: "},
	}, h.rescales())
	require.Equal(t, int32(8), h.replicas())
	st := h.hpa().Status
	require.Equal(t, int32(8), st.CurrentReplicas)
	require.Equal(t, int32(8), st.DesiredReplicas)
	require.Equal(t, DefaultStart.Add(50*time.Second), st.LastScaleTime.Round(time.Second))
	require.Equal(t, "replicaset-controller", h.rec.Kinds("SuccessfulCreate")[0].Source)

	// The load drops: 10% wants 2, but the highest recommendation of the
	// last 5 minutes (8, at 95 s) holds until it expires.
	h.metrics.loadMilli = 400
	h.runTo(394 * time.Second)
	require.Equal(t, int32(8), h.replicas())
	h.runTo(420 * time.Second)
	rs := h.rescales()
	require.Len(t, rs, 3)
	require.Equal(t, rescale{410 * time.Second, "New size: 2; reason: All metrics below target"}, rs[2])
	require.Equal(t, int32(2), h.replicas())
}

func TestBehaviorScaleDownRateLimit(t *testing.T) {
	h := newHarness(t)
	h.metrics.loadMilli = 100
	_, err := h.s.Create(webRS(4))
	require.NoError(t, err)
	h.runTo(20 * time.Second)
	behavior := &model.HorizontalPodAutoscalerBehavior{ScaleDown: &model.HPAScalingRules{
		StabilizationWindowSeconds: model.Ptr[int32](0),
		Policies:                   []model.HPAScalingPolicy{{Type: PodsScalingPolicy, Value: 1, PeriodSeconds: 60}}}}
	_, err = h.s.Create(cpuHPA(50, behavior))
	require.NoError(t, err)
	h.runTo(200 * time.Second)
	// One pod removed per minute: 35 s, then 95 s, then 155 s (minReplicas 1).
	var at []time.Duration
	for _, r := range h.rescales() {
		at = append(at, r.at)
	}
	require.Equal(t, []time.Duration{35 * time.Second, 95 * time.Second, 155 * time.Second}, at)
	require.Equal(t, int32(1), h.replicas())
	require.Equal(t, "New size: 3; reason: All metrics below target", h.rescales()[0].message)
}

func TestMemoryAverageValueAndFailures(t *testing.T) {
	h := newHarness(t)
	h.metrics.loadMilli = 500
	h.metrics.memoryBytes = 300 << 20
	_, err := h.s.Create(webRS(2))
	require.NoError(t, err)
	h.runTo(20 * time.Second)
	hpa := cpuHPA(50, nil)
	hpa.Spec.Metrics = []model.MetricSpec{{Type: "Resource", Resource: &model.ResourceMetricSource{Name: model.ResourceMemory,
		Target: model.MetricTarget{Type: "AverageValue", AverageValue: model.Ptr(model.MustParseQuantity("200Mi"))}}}}
	_, err = h.s.Create(hpa)
	require.NoError(t, err)
	h.runTo(40 * time.Second)
	// 300Mi per pod against 200Mi: ceil(1.5 × 2) = 3.
	require.Equal(t, []rescale{{35 * time.Second, "New size: 3; reason: memory resource above target"}}, h.rescales())

	// Without metrics the HPA reports and does not scale.
	h.c.cfg.Metrics = nil
	h.runTo(70 * time.Second)
	require.Len(t, h.rescales(), 1)
	fails := h.rec.Kinds("FailedGetResourceMetric")
	require.NotEmpty(t, fails)
	require.Equal(t, "failed to get memory usage: unable to get metrics for resource memory: no metrics returned from resource metrics API",
		fails[0].Field("message"))
	require.NotEmpty(t, h.rec.Kinds("FailedComputeMetricsReplicas"))

	// A missing target.
	missing := cpuHPA(50, nil)
	missing.Name = "ghost"
	missing.Spec.ScaleTargetRef.Name = "ghost"
	_, err = h.s.Create(missing)
	require.NoError(t, err)
	h.runTo(90 * time.Second)
	require.NotEmpty(t, h.rec.Kinds("FailedGetScale"))
}

func TestContainerResourceSingleContainerFallback(t *testing.T) {
	h := newHarness(t)
	h.metrics.loadMilli = 1500
	_, err := h.s.Create(webRS(1))
	require.NoError(t, err)
	h.runTo(20 * time.Second)
	hpa := cpuHPA(50, nil)
	hpa.Spec.Metrics = []model.MetricSpec{{Type: "ContainerResource", ContainerResource: &model.ContainerResourceMetricSource{
		Name: model.ResourceCPU, Container: "app", Target: model.MetricTarget{Type: "Utilization", AverageUtilization: model.Ptr[int32](50)}}}}
	_, err = h.s.Create(hpa)
	require.NoError(t, err)
	h.runTo(40 * time.Second)
	require.Equal(t, []rescale{{35 * time.Second, "New size: 4; reason: cpu container resource utilization (percentage of request) above target"}}, h.rescales())
}

func TestStatefulSetAndDeploymentTargets(t *testing.T) {
	for _, kind := range []string{"StatefulSet", "Deployment"} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t)
			h.metrics.loadMilli = 1000 // 2 pods at 100% of 500m
			labels := map[string]string{"app": "db"}
			tmpl := model.PodTemplateSpec{ObjectMeta: model.ObjectMeta{Labels: labels},
				Spec: model.PodSpec{Containers: []model.Container{{Name: "db", Image: "db:1",
					Resources: model.ResourceRequirements{Requests: model.ResourceList{model.ResourceCPU: model.MustParseQuantity("500m")}}}}}}
			var target model.Object
			if kind == "StatefulSet" {
				target = &model.StatefulSet{ObjectMeta: model.ObjectMeta{Name: "db", Namespace: "default"},
					Spec: model.StatefulSetSpec{Replicas: model.Ptr[int32](2), Selector: &model.LabelSelector{MatchLabels: labels}, Template: tmpl}}
			} else {
				target = &model.Deployment{ObjectMeta: model.ObjectMeta{Name: "db", Namespace: "default"},
					Spec: model.DeploymentSpec{Replicas: model.Ptr[int32](2), Selector: &model.LabelSelector{MatchLabels: labels}, Template: tmpl}}
			}
			_, err := h.s.Create(target)
			require.NoError(t, err)
			// No workload controller runs: the pods are made by hand.
			for _, n := range []string{"db-0", "db-1"} {
				p := &model.Pod{ObjectMeta: model.ObjectMeta{Name: n, Namespace: "default", Labels: labels}, Spec: model.DeepCopy(tmpl.Spec)}
				_, err := h.s.Create(p)
				require.NoError(t, err)
			}
			h.runTo(20 * time.Second)
			hpa := cpuHPA(50, nil)
			hpa.Spec.ScaleTargetRef = model.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: kind, Name: "db"}
			_, err = h.s.Create(hpa)
			require.NoError(t, err)
			h.runTo(40 * time.Second)
			o, err := h.s.Get(kind, "default", "db")
			require.NoError(t, err)
			switch x := o.(type) {
			case *model.StatefulSet:
				require.Equal(t, int32(4), *x.Spec.Replicas)
			case *model.Deployment:
				require.Equal(t, int32(4), *x.Spec.Replicas)
			}
			require.Equal(t, []rescale{{35 * time.Second, "New size: 4; reason: cpu resource utilization (percentage of request) above target"}}, h.rescales())
		})
	}
}
