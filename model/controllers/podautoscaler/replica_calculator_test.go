package podautoscaler

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
)

// The cases below are upstream's pkg/controller/podautoscaler/
// replica_calculator_test.go (TestReplicaCalc*), with its fixture: every
// pod has two containers, each requesting the pod's request and using its
// level, so a pod's sample is twice its level; tolerance 0.1, CPU
// initialization period 2 min, initial readiness delay 10 s, samples
// timestamped at the zero time with a one-minute window.

var calcNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const containersPerPod = 2

func coolCPUCreationTime() time.Time { return calcNow.Add(-3 * time.Minute) }
func hotCPUCreationTime() time.Time  { return calcNow.Add(-1 * time.Minute) }

type calcCase struct {
	current, want int32
	wantErr       string

	requests  []string
	levels    []int64
	podNames  []string
	target    int32
	wantUtil  int32
	wantRaw   int64
	container string

	readiness []model.ConditionStatus
	startTime []time.Time
	phase     []model.PodPhase
	deleted   []bool
}

func (tc calcCase) pods() []*model.Pod {
	n := int(tc.current)
	if len(tc.phase) > n {
		n = len(tc.phase)
	}
	var out []*model.Pod
	for i := 0; i < n; i++ {
		ready := model.ConditionTrue
		if i < len(tc.readiness) {
			ready = tc.readiness[i]
		}
		var start time.Time
		if tc.startTime != nil {
			start = tc.startTime[i]
		}
		phase := model.PodRunning
		if tc.phase != nil {
			phase = tc.phase[i]
		}
		p := &model.Pod{
			ObjectMeta: model.ObjectMeta{Name: fmt.Sprintf("test-pod-%d", i), Namespace: "test-namespace", Labels: map[string]string{"name": "test-pod"}},
			Spec:       model.PodSpec{Containers: []model.Container{{Name: "container0"}, {Name: "container1"}}},
			Status: model.PodStatus{Phase: phase, StartTime: &start,
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: ready}}},
		}
		if tc.deleted != nil && tc.deleted[i] {
			p.DeletionTimestamp = &calcNow
		}
		if i < len(tc.requests) {
			for c := range p.Spec.Containers {
				p.Spec.Containers[c].Resources.Requests = model.ResourceList{model.ResourceCPU: model.MustParseQuantity(tc.requests[i])}
			}
		}
		out = append(out, p)
	}
	return out
}

func (tc calcCase) metrics() PodMetricsInfo {
	m := PodMetricsInfo{}
	for i, level := range tc.levels {
		name := fmt.Sprintf("test-pod-%d", i)
		if i < len(tc.podNames) {
			name = tc.podNames[i]
		}
		v := level * containersPerPod
		if tc.container != "" {
			v = level
		}
		m[name] = PodMetric{Value: v, Window: time.Minute}
	}
	return m
}

func (tc calcCase) run(t *testing.T) {
	t.Helper()
	calc := ReplicaCalculator{CPUInitializationPeriod: 2 * time.Minute, DelayOfInitialReadinessStatus: 10 * time.Second, Now: calcNow}
	got, util, raw, err := calc.ResourceReplicas(tc.pods(), tc.metrics(), tc.current, tc.target, model.ResourceCPU, Tolerances{0.1, 0.1}, tc.container)
	if tc.wantErr != "" {
		require.ErrorContains(t, err, tc.wantErr)
		return
	}
	require.NoError(t, err)
	require.Equal(t, tc.want, got, "replicas")
	require.Equal(t, tc.wantUtil, util, "utilization")
	require.Equal(t, tc.wantRaw, raw, "raw value")
}

func ones(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "1.0"
	}
	return out
}

var (
	T = model.ConditionTrue
	F = model.ConditionFalse
	R = model.PodRunning
)

func TestReplicaCalc(t *testing.T) {
	cool, hot := coolCPUCreationTime(), hotCPUCreationTime()
	cases := map[string]calcCase{
		"DisjointResourcesMetrics": {current: 1, wantErr: "no metrics returned matched known pods",
			requests: ones(1), levels: []int64{100}, podNames: []string{"an-older-pod-name"}, target: 100},
		"ScaleUp": {current: 3, want: 5, requests: ones(3), levels: []int64{300, 500, 700}, target: 30, wantUtil: 50, wantRaw: containersPerPod * 500},
		"ScaleUpUnreadyLessScale": {current: 3, want: 4, readiness: []model.ConditionStatus{F, T, T},
			requests: ones(3), levels: []int64{300, 500, 700}, target: 30, wantUtil: 60, wantRaw: containersPerPod * 600},
		"ScaleUpHotCpuLessScale": {current: 3, want: 4, startTime: []time.Time{hot, cool, cool},
			requests: ones(3), levels: []int64{300, 500, 700}, target: 30, wantUtil: 60, wantRaw: containersPerPod * 600},
		"ScaleUpUnreadyNoScale": {current: 3, want: 3, readiness: []model.ConditionStatus{T, F, F},
			requests: ones(3), levels: []int64{400, 500, 700}, target: 30, wantUtil: 40, wantRaw: containersPerPod * 400},
		"ScaleHotCpuNoScale": {current: 3, want: 3, readiness: []model.ConditionStatus{T, F, F}, startTime: []time.Time{cool, hot, hot},
			requests: ones(3), levels: []int64{400, 500, 700}, target: 30, wantUtil: 40, wantRaw: containersPerPod * 400},
		"ScaleUpIgnoresFailedPods": {current: 2, want: 4, readiness: []model.ConditionStatus{T, T, F, F},
			phase: []model.PodPhase{R, R, model.PodFailed, model.PodFailed}, requests: ones(4), levels: []int64{500, 700},
			target: 30, wantUtil: 60, wantRaw: containersPerPod * 600},
		"ScaleUpIgnoresDeletionPods": {current: 2, want: 4, readiness: []model.ConditionStatus{T, T, F, F},
			phase: []model.PodPhase{R, R, R, R}, deleted: []bool{false, false, true, true}, requests: ones(4), levels: []int64{500, 700},
			target: 30, wantUtil: 60, wantRaw: containersPerPod * 600},
		"ScaleDown": {current: 5, want: 3, requests: ones(5), levels: []int64{100, 300, 500, 250, 250}, target: 50, wantUtil: 28, wantRaw: containersPerPod * 280},
		"ScaleDownExcludeUnreadyPods": {current: 5, want: 2, readiness: []model.ConditionStatus{T, T, T, F, F},
			requests: ones(5), levels: []int64{100, 300, 500, 250, 250}, target: 50, wantUtil: 30, wantRaw: containersPerPod * 300},
		"ScaleDownExcludeUnscheduledPods": {current: 5, want: 1, readiness: []model.ConditionStatus{T, F, F, F, F},
			phase:    []model.PodPhase{R, model.PodPending, model.PodPending, model.PodPending, model.PodPending},
			requests: ones(5), levels: []int64{100}, target: 50, wantUtil: 10, wantRaw: containersPerPod * 100},
		"ScaleDownIgnoreHotCpuPods": {current: 5, want: 2, startTime: []time.Time{cool, cool, cool, hot, hot},
			requests: ones(5), levels: []int64{100, 300, 500, 250, 250}, target: 50, wantUtil: 30, wantRaw: containersPerPod * 300},
		"ScaleDownIgnoresFailedPods": {current: 5, want: 3, readiness: []model.ConditionStatus{T, T, T, T, T, F, F},
			phase: []model.PodPhase{R, R, R, R, R, model.PodFailed, model.PodFailed}, requests: ones(7),
			levels: []int64{100, 300, 500, 250, 250}, target: 50, wantUtil: 28, wantRaw: containersPerPod * 280},
		"ScaleDownIgnoresDeletionPods": {current: 5, want: 3, readiness: []model.ConditionStatus{T, T, T, T, T, F, F},
			phase: []model.PodPhase{R, R, R, R, R, R, R}, deleted: []bool{false, false, false, false, false, true, true}, requests: ones(7),
			levels: []int64{100, 300, 500, 250, 250}, target: 50, wantUtil: 28, wantRaw: containersPerPod * 280},
		"Tolerance": {current: 3, want: 3, requests: []string{"0.9", "1.0", "1.1"}, levels: []int64{1010, 1030, 1020},
			target: 100, wantUtil: 102, wantRaw: containersPerPod * 1020},
		"SuperfluousMetrics": {current: 4, want: 24, requests: ones(4), levels: []int64{4000, 9500, 3000, 7000, 3200, 2000},
			target: 100, wantUtil: 587, wantRaw: containersPerPod * 5875},
		"MissingMetrics":           {current: 4, want: 3, requests: ones(4), levels: []int64{400, 95}, target: 100, wantUtil: 24, wantRaw: 495},
		"EmptyCPURequest":          {current: 1, wantErr: "missing request for", levels: []int64{200}, target: 100},
		"MissingMetricsNoChangeEq": {current: 2, want: 2, requests: ones(2), levels: []int64{1000}, target: 100, wantUtil: 100, wantRaw: containersPerPod * 1000},
		"MissingMetricsNoChangeGt": {current: 2, want: 2, requests: ones(2), levels: []int64{1900}, target: 100, wantUtil: 190, wantRaw: containersPerPod * 1900},
		"MissingMetricsNoChangeLt": {current: 2, want: 2, requests: ones(2), levels: []int64{600}, target: 100, wantUtil: 60, wantRaw: containersPerPod * 600},
		"MissingMetricsUnreadyChange": {current: 3, want: 3, readiness: []model.ConditionStatus{F, T, T},
			requests: ones(3), levels: []int64{100, 450}, target: 50, wantUtil: 45, wantRaw: containersPerPod * 450},
		"MissingMetricsHotCpuNoChange": {current: 3, want: 3, startTime: []time.Time{hot, cool, cool},
			requests: ones(3), levels: []int64{100, 450}, target: 50, wantUtil: 45, wantRaw: containersPerPod * 450},
		"MissingMetricsUnreadyScaleUp": {current: 3, want: 4, readiness: []model.ConditionStatus{F, T, T},
			requests: ones(3), levels: []int64{100, 2000}, target: 50, wantUtil: 200, wantRaw: containersPerPod * 2000},
		"MissingMetricsHotCpuScaleUp": {current: 3, want: 4, readiness: []model.ConditionStatus{F, T, T}, startTime: []time.Time{hot, cool, cool},
			requests: ones(3), levels: []int64{100, 2000}, target: 50, wantUtil: 200, wantRaw: containersPerPod * 2000},
		"MissingMetricsUnreadyScaleDown": {current: 4, want: 3, readiness: []model.ConditionStatus{F, T, T, T},
			requests: ones(4), levels: []int64{100, 100, 100}, target: 50, wantUtil: 10, wantRaw: containersPerPod * 100},
		"DuringRollingUpdateWithMaxSurge": {current: 2, want: 2, phase: []model.PodPhase{R, R, R},
			requests: ones(3), levels: []int64{100, 100}, target: 50, wantUtil: 10, wantRaw: containersPerPod * 100},
		// kubesim: a ContainerResource target on container1 alone sees
		// the same ratio as the pod (each container uses its level).
		"ScaleUpContainer":  {current: 3, want: 5, requests: ones(3), levels: []int64{300, 500, 700}, target: 30, wantUtil: 50, wantRaw: 500, container: "container1"},
		"ContainerNotFound": {current: 1, wantErr: "container nope not found in Pod test-pod-0", requests: ones(1), levels: []int64{300}, target: 30, container: "nope"},
	}
	for _, name := range model.SortedKeys(cases) {
		t.Run(name, cases[name].run)
	}
}

// TestReplicaCalcComputedToleranceAlgImplementation: upstream's regression
// test that back-calculates a target just past the tolerance, then just
// inside it.
func TestReplicaCalcComputedToleranceAlgImplementation(t *testing.T) {
	startPods := int32(10)
	totalUsed := int64(startPods * 150)
	totalRequested := int32(2 * totalUsed)
	requestedToUsed := float64(totalRequested / int32(totalUsed))
	perPod := totalRequested / startPods
	target := math.Abs(1/(requestedToUsed*(1-0.1))) + .01
	finalTarget := int32(target * 100)
	usedRatio := float64(totalUsed) / (float64(totalRequested) * target)
	finalPods := int32(math.Ceil(usedRatio * float64(startPods)))

	levels := make([]int64, 10)
	for i := range levels {
		levels[i] = totalUsed / 10
	}
	req := func(d int32) string { return fmt.Sprintf("%dm", perPod+d) }
	tc := calcCase{
		current: startPods, want: finalPods, levels: levels,
		requests: []string{req(100), req(-100), req(10), req(-10), req(2), req(-2), req(1), req(-1), req(0), req(0)},
		target:   finalTarget, wantUtil: int32(totalUsed*100) / totalRequested, wantRaw: containersPerPod * totalUsed / 10,
	}
	tc.run(t)

	target = math.Abs(1/(requestedToUsed*(1-0.1))) + .004
	tc.target = int32(target * 100)
	tc.want = startPods
	tc.run(t)
}

// TestGroupPods: cases of upstream's TestGroupPods.
func TestGroupPods(t *testing.T) {
	calc := ReplicaCalculator{CPUInitializationPeriod: 2 * time.Minute, DelayOfInitialReadinessStatus: 10 * time.Second, Now: calcNow}
	at := func(d time.Duration) *time.Time { x := calcNow.Add(d); return &x }
	cases := []struct {
		name        string
		pod         *model.Pod
		metric      *PodMetric
		resource    model.ResourceName
		wantReady   int
		wantUnready bool
		wantMissing bool
		wantIgnored bool
	}{
		{"count in a ready pod - memory", &model.Pod{ObjectMeta: model.ObjectMeta{Name: "bentham"}, Status: model.PodStatus{Phase: model.PodSucceeded}},
			&PodMetric{Value: 1, Timestamp: calcNow, Window: time.Minute}, model.ResourceMemory, 1, false, false, false},
		{"unready a pod without ready condition - CPU", &model.Pod{ObjectMeta: model.ObjectMeta{Name: "lucretius"}, Status: model.PodStatus{Phase: model.PodSucceeded, StartTime: at(0)}},
			&PodMetric{Value: 1}, model.ResourceCPU, 0, true, false, false},
		{"count in a ready pod with fresh metrics during initialization period - CPU",
			&model.Pod{ObjectMeta: model.ObjectMeta{Name: "bentham"}, Status: model.PodStatus{Phase: model.PodSucceeded, StartTime: at(-time.Minute),
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: T, LastTransitionTime: at(-30 * time.Second)}}}},
			&PodMetric{Value: 1, Timestamp: calcNow, Window: 30 * time.Second}, model.ResourceCPU, 1, false, false, false},
		{"unready a ready pod without fresh metrics during initialization period - CPU",
			&model.Pod{ObjectMeta: model.ObjectMeta{Name: "bentham"}, Status: model.PodStatus{Phase: model.PodSucceeded, StartTime: at(-time.Minute),
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: T, LastTransitionTime: at(-30 * time.Second)}}}},
			&PodMetric{Value: 1, Timestamp: calcNow, Window: 60 * time.Second}, model.ResourceCPU, 0, true, false, false},
		{"unready an unready pod during initialization period - CPU",
			&model.Pod{ObjectMeta: model.ObjectMeta{Name: "lucretius"}, Status: model.PodStatus{Phase: model.PodSucceeded, StartTime: at(-10 * time.Minute),
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: F, LastTransitionTime: at(-9*time.Minute - 54*time.Second)}}}},
			&PodMetric{Value: 1}, model.ResourceCPU, 0, true, false, false},
		{"count in a pod that became unready after having been ready - CPU",
			&model.Pod{ObjectMeta: model.ObjectMeta{Name: "bentham"}, Status: model.PodStatus{Phase: model.PodSucceeded, StartTime: at(-3 * time.Minute),
				Conditions: []model.PodCondition{{Type: model.PodReady, Status: F, LastTransitionTime: at(-time.Minute)}}}},
			&PodMetric{Value: 1, Timestamp: calcNow, Window: time.Minute}, model.ResourceCPU, 1, false, false, false},
		{"pod missing metrics", &model.Pod{ObjectMeta: model.ObjectMeta{Name: "epicurus"}, Status: model.PodStatus{Phase: model.PodSucceeded}},
			nil, model.ResourceCPU, 0, false, true, false},
		{"pending pods are unready", &model.Pod{ObjectMeta: model.ObjectMeta{Name: "unscheduled"}, Status: model.PodStatus{Phase: model.PodPending}},
			nil, model.ResourceCPU, 0, true, false, false},
		{"ignore pods with deletion timestamps", &model.Pod{ObjectMeta: model.ObjectMeta{Name: "deleted", DeletionTimestamp: at(-time.Hour)},
			Status: model.PodStatus{Phase: model.PodPending}}, &PodMetric{Value: 1}, model.ResourceCPU, 0, false, false, true},
		{"ignore failed pods", &model.Pod{ObjectMeta: model.ObjectMeta{Name: "failed"}, Status: model.PodStatus{Phase: model.PodFailed}},
			&PodMetric{Value: 1}, model.ResourceCPU, 0, false, false, true},
	}
	for _, tc := range cases {
		m := PodMetricsInfo{}
		if tc.metric != nil {
			m[tc.pod.Name] = *tc.metric
		}
		g := calc.groupPods([]*model.Pod{tc.pod}, m, tc.resource)
		require.Equal(t, tc.wantReady, g.ready, tc.name)
		require.Equal(t, tc.wantUnready, g.unready[tc.pod.Name], tc.name)
		require.Equal(t, tc.wantMissing, g.missing[tc.pod.Name], tc.name)
		require.Equal(t, tc.wantIgnored, g.ignor[tc.pod.Name], tc.name)
	}
}

func TestRawResourceReplicasAndTolerances(t *testing.T) {
	calc := ReplicaCalculator{CPUInitializationPeriod: 2 * time.Minute, DelayOfInitialReadinessStatus: 10 * time.Second, Now: calcNow}
	tc := calcCase{current: 3, requests: ones(3)}
	pods := tc.pods()
	// Memory, AverageValue 100Mi: 150Mi, 100Mi, 110Mi used (in milli-units).
	mi := int64(1 << 20)
	m := PodMetricsInfo{"test-pod-0": {Value: 150 * mi * 1000}, "test-pod-1": {Value: 100 * mi * 1000}, "test-pod-2": {Value: 110 * mi * 1000}}
	got, usage, err := calc.RawResourceReplicas(pods, m, 3, 100*mi*1000, model.ResourceMemory, Tolerances{0.1, 0.1})
	require.NoError(t, err)
	require.Equal(t, int64(120*mi*1000), usage)
	require.Equal(t, int32(4), got) // ceil(1.2 × 3)
	// A 0.25 scale-up tolerance keeps 3 (HPAConfigurableTolerance).
	got, _, err = calc.RawResourceReplicas(pods, m, 3, 100*mi*1000, model.ResourceMemory, Tolerances{0.1, 0.25})
	require.NoError(t, err)
	require.Equal(t, int32(3), got)
	// The tolerance bound is inclusive: a ratio of exactly 1.1 does not scale.
	require.True(t, Tolerances{0.1, 0.1}.IsWithin(1.1))
	require.False(t, Tolerances{0.1, 0.1}.IsWithin(1.11))
	require.True(t, Tolerances{0.1, 0.1}.IsWithin(0.9))
}
