package noderesources

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
)

func reason(n model.ResourceName) string { return "Insufficient " + string(n) }

func newFit(t *testing.T, a *Args) *Fit {
	t.Helper()
	if a == nil {
		a = &Args{}
	}
	a.SetDefaults()
	p, err := New(a, nil)
	require.NoError(t, err)
	return p.(*Fit)
}

func runFilter(t *testing.T, f *Fit, pod *model.Pod, ni *framework.NodeInfo) *framework.Status {
	t.Helper()
	state := framework.NewCycleState()
	_, s := f.PreFilter(state, pod, nil)
	require.True(t, s.IsSuccess(), "PreFilter: %v", s)
	return f.Filter(state, pod, ni)
}

// Cases from upstream fit_test.go TestEnoughRequests (the DRA cases and the
// pod-level hugepages cases are left out: kubesim has no DRA, and
// model.PodRequests applies pod-level requests to cpu and memory only).
func TestEnoughRequests(t *testing.T) {
	alloc := makeAllocatableResources(10, 20, 32, 5, 20, 5)
	ext := func(n model.ResourceName, v int64) map[model.ResourceName]int64 {
		return map[model.ResourceName]int64{n: v}
	}
	podLevel := func(p *model.Pod, req map[string]string) *model.Pod {
		p.Spec.Resources = &model.ResourceRequirements{Requests: parse(req)}
		return p
	}
	overhead := func(p *model.Pod, o map[string]string) *model.Pod {
		p.Spec.Overhead = parse(o)
		return p
	}
	tests := []struct {
		name     string
		pod      *model.Pod
		existing *model.Pod
		args     Args
		wantCode framework.Code
		want     []InsufficientResource
	}{
		{name: "no resources requested always fits", pod: stPod(""), existing: newResourcePod(usage{cpu: 10, mem: 20})},
		{name: "too many resources fails", pod: newResourcePod(usage{cpu: 1, mem: 1}), existing: newResourcePod(usage{cpu: 10, mem: 20}),
			wantCode: framework.Unschedulable, want: []InsufficientResource{
				{ResourceName: model.ResourceCPU, Reason: reason(model.ResourceCPU), Requested: 1, Used: 10, Capacity: 10},
				{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 1, Used: 20, Capacity: 20},
			}},
		{name: "too many resources fails due to init container cpu", pod: newResourceInitPod(newResourcePod(usage{cpu: 1, mem: 1}), usage{cpu: 3, mem: 1}),
			existing: newResourcePod(usage{cpu: 8, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceCPU, Reason: reason(model.ResourceCPU), Requested: 3, Used: 8, Capacity: 10}}},
		{name: "too many resources fails due to highest init container cpu", pod: newResourceInitPod(newResourcePod(usage{cpu: 1, mem: 1}), usage{cpu: 3, mem: 1}, usage{cpu: 2, mem: 1}),
			existing: newResourcePod(usage{cpu: 8, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceCPU, Reason: reason(model.ResourceCPU), Requested: 3, Used: 8, Capacity: 10}}},
		{name: "too many resources fails due to init container memory", pod: newResourceInitPod(newResourcePod(usage{cpu: 1, mem: 1}), usage{cpu: 1, mem: 3}),
			existing: newResourcePod(usage{cpu: 9, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 3, Used: 19, Capacity: 20}}},
		{name: "too many resources fails due to highest init container memory", pod: newResourceInitPod(newResourcePod(usage{cpu: 1, mem: 1}), usage{cpu: 1, mem: 3}, usage{cpu: 1, mem: 2}),
			existing: newResourcePod(usage{cpu: 9, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 3, Used: 19, Capacity: 20}}},
		{name: "init container fits because it's the max, not sum, of containers and init containers",
			pod: newResourceInitPod(newResourcePod(usage{cpu: 1, mem: 1}), usage{cpu: 1, mem: 1}), existing: newResourcePod(usage{cpu: 9, mem: 19})},
		{name: "multiple init containers fit because it's the max, not sum, of containers and init containers",
			pod: newResourceInitPod(newResourcePod(usage{cpu: 1, mem: 1}), usage{cpu: 1, mem: 1}, usage{cpu: 1, mem: 1}), existing: newResourcePod(usage{cpu: 9, mem: 19})},
		{name: "both resources fit", pod: newResourcePod(usage{cpu: 1, mem: 1}), existing: newResourcePod(usage{cpu: 5, mem: 5})},
		{name: "one resource memory fits", pod: newResourcePod(usage{cpu: 2, mem: 1}), existing: newResourcePod(usage{cpu: 9, mem: 5}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceCPU, Reason: reason(model.ResourceCPU), Requested: 2, Used: 9, Capacity: 10}}},
		{name: "one resource cpu fits", pod: newResourcePod(usage{cpu: 1, mem: 2}), existing: newResourcePod(usage{cpu: 5, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 2, Used: 19, Capacity: 20}}},
		{name: "equal edge case", pod: newResourcePod(usage{cpu: 5, mem: 1}), existing: newResourcePod(usage{cpu: 5, mem: 19})},
		{name: "equal edge case for init container", pod: newResourceInitPod(newResourcePod(usage{cpu: 4, mem: 1}), usage{cpu: 5, mem: 1}), existing: newResourcePod(usage{cpu: 5, mem: 19})},
		{name: "extended resource fits", pod: newResourcePod(usage{scalars: ext(extendedResourceA, 1)}), existing: newResourcePod(usage{})},
		{name: "extended resource fits for init container", pod: newResourceInitPod(newResourcePod(usage{}), usage{scalars: ext(extendedResourceA, 1)}), existing: newResourcePod(usage{})},
		{name: "extended resource capacity enforced", pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 10)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 0)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: extendedResourceA, Reason: reason(extendedResourceA), Requested: 10, Used: 0, Capacity: 5, Unresolvable: true}}},
		{name: "extended resource capacity enforced for init container", pod: newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 10)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 0)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: extendedResourceA, Reason: reason(extendedResourceA), Requested: 10, Used: 0, Capacity: 5, Unresolvable: true}}},
		{name: "extended resource allocatable enforced", pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 1)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 5)}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: extendedResourceA, Reason: reason(extendedResourceA), Requested: 1, Used: 5, Capacity: 5}}},
		{name: "extended resource allocatable enforced for init container", pod: newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 1)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 5)}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: extendedResourceA, Reason: reason(extendedResourceA), Requested: 1, Used: 5, Capacity: 5}}},
		{name: "extended resource allocatable enforced for multiple containers",
			pod:      newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 3)}, usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 3)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 2)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: extendedResourceA, Reason: reason(extendedResourceA), Requested: 6, Used: 2, Capacity: 5, Unresolvable: true}}},
		{name: "extended resource allocatable admits multiple init containers",
			pod:      newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 3)}, usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 3)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 2)})},
		{name: "extended resource allocatable enforced for multiple init containers",
			pod:      newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 6)}, usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 3)}),
			existing: newResourcePod(usage{scalars: ext(extendedResourceA, 2)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: extendedResourceA, Reason: reason(extendedResourceA), Requested: 6, Used: 2, Capacity: 5, Unresolvable: true}}},
		{name: "extended resource allocatable enforced for unknown resource", pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(extendedResourceB, 1)}),
			existing: newResourcePod(usage{}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: extendedResourceB, Reason: reason(extendedResourceB), Requested: 1, Used: 0, Capacity: 0, Unresolvable: true}}},
		{name: "extended resource allocatable enforced for unknown resource for init container", pod: newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(extendedResourceB, 1)}),
			existing: newResourcePod(usage{}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: extendedResourceB, Reason: reason(extendedResourceB), Requested: 1, Used: 0, Capacity: 0, Unresolvable: true}}},
		{name: "kubernetes.io resource capacity enforced", pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(kubernetesIOResourceA, 10)}),
			existing: newResourcePod(usage{}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: kubernetesIOResourceA, Reason: reason(kubernetesIOResourceA), Requested: 10, Used: 0, Capacity: 0, Unresolvable: true}}},
		{name: "kubernetes.io resource capacity enforced for init container", pod: newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(kubernetesIOResourceB, 10)}),
			existing: newResourcePod(usage{}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: kubernetesIOResourceB, Reason: reason(kubernetesIOResourceB), Requested: 10, Used: 0, Capacity: 0, Unresolvable: true}}},
		{name: "hugepages resource capacity enforced", pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(hugePageResourceA, 10)}),
			existing: newResourcePod(usage{scalars: ext(hugePageResourceA, 0)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: hugePageResourceA, Reason: reason(hugePageResourceA), Requested: 10, Used: 0, Capacity: 5, Unresolvable: true}}},
		{name: "hugepages resource capacity enforced for init container", pod: newResourceInitPod(newResourcePod(usage{}), usage{cpu: 1, mem: 1, scalars: ext(hugePageResourceA, 10)}),
			existing: newResourcePod(usage{scalars: ext(hugePageResourceA, 0)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: hugePageResourceA, Reason: reason(hugePageResourceA), Requested: 10, Used: 0, Capacity: 5, Unresolvable: true}}},
		{name: "hugepages resource allocatable enforced for multiple containers",
			pod:      newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(hugePageResourceA, 3)}, usage{cpu: 1, mem: 1, scalars: ext(hugePageResourceA, 3)}),
			existing: newResourcePod(usage{scalars: ext(hugePageResourceA, 2)}), wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: hugePageResourceA, Reason: reason(hugePageResourceA), Requested: 6, Used: 2, Capacity: 5, Unresolvable: true}}},
		{name: "skip checking ignored extended resource", pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(extendedResourceB, 1)}),
			existing: newResourcePod(usage{}), args: Args{IgnoredResources: []string{"example.com/bbb"}}},
		{name: "resources + pod overhead fits", pod: overhead(newResourcePod(usage{cpu: 1, mem: 1}), map[string]string{"cpu": "3m", "memory": "13"}),
			existing: newResourcePod(usage{cpu: 5, mem: 5})},
		{name: "requests + overhead does not fit for memory", pod: overhead(newResourcePod(usage{cpu: 1, mem: 1}), map[string]string{"cpu": "1m", "memory": "15"}),
			existing: newResourcePod(usage{cpu: 5, mem: 5}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 16, Used: 5, Capacity: 20}}},
		{name: "skip checking ignored extended resource via resource groups",
			pod:      newResourcePod(usage{cpu: 1, mem: 1, scalars: map[model.ResourceName]int64{extendedResourceB: 1, kubernetesIOResourceA: 1}}),
			existing: newResourcePod(usage{}), args: Args{IgnoredResourceGroups: []string{"example.com"}}, wantCode: framework.UnschedulableAndUnresolvable,
			want: []InsufficientResource{{ResourceName: kubernetesIOResourceA, Reason: reason(kubernetesIOResourceA), Requested: 1, Used: 0, Capacity: 0, Unresolvable: true}}},
		{name: "skip checking extended resource request with quantity zero via resource groups",
			pod: newResourcePod(usage{cpu: 1, mem: 1, scalars: ext(extendedResourceA, 0)}), existing: newResourcePod(usage{scalars: ext(extendedResourceA, 6)})},
		{name: "skip checking resource request with quantity zero", pod: newResourcePod(usage{scalars: ext(extendedResourceA, 1)}),
			existing: newResourcePod(usage{cpu: 20, mem: 30, scalars: ext(extendedResourceA, 1)})},
		{name: "both pod-level and container-level resources fit", pod: podLevel(newResourcePod(usage{cpu: 1, mem: 1}), map[string]string{"cpu": "1m", "memory": "2"}),
			existing: newResourcePod(usage{cpu: 5, mem: 5})},
		{name: "pod-level cpu resource not fit", pod: podLevel(newResourcePod(usage{cpu: 1, mem: 1}), map[string]string{"cpu": "7m", "memory": "2"}),
			existing: newResourcePod(usage{cpu: 5, mem: 5}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceCPU, Reason: reason(model.ResourceCPU), Requested: 7, Used: 5, Capacity: 10}}},
		{name: "pod-level memory resource not fit", pod: podLevel(newResourcePod(usage{cpu: 1, mem: 1}), map[string]string{"cpu": "3m", "memory": "2"}),
			existing: newResourcePod(usage{cpu: 5, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 2, Used: 19, Capacity: 20}}},
		{name: "one pod-level cpu resource fits and all init and non-init containers resources fit",
			pod:      newResourceInitPod(podLevel(newResourcePod(usage{cpu: 1, mem: 1}), map[string]string{"cpu": "3m", "memory": "2"}), usage{cpu: 1, mem: 1}),
			existing: newResourcePod(usage{cpu: 5, mem: 19}), wantCode: framework.Unschedulable,
			want: []InsufficientResource{{ResourceName: model.ResourceMemory, Reason: reason(model.ResourceMemory), Requested: 2, Used: 19, Capacity: 20}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			f := newFit(t, &args)
			ni := nodeInfo(alloc, tc.existing)
			got := runFilter(t, f, tc.pod, ni)
			if tc.want == nil {
				assert.Nil(t, got)
			} else {
				reasons := make([]string, len(tc.want))
				for i := range tc.want {
					reasons[i] = tc.want[i].Reason
				}
				assert.Equal(t, framework.NewStatus(tc.wantCode, reasons...), got)
			}
			assert.Equal(t, tc.want, fitsRequest(f.computePodRequest(tc.pod), ni))
		})
	}
}

// TestNotEnoughRequests: upstream fit_test.go TestNotEnoughRequests (node
// with room for one pod that already runs one).
func TestNotEnoughRequests(t *testing.T) {
	alloc := makeAllocatableResources(10, 20, 1, 0, 0, 0)
	tests := []struct {
		name          string
		pod, existing *model.Pod
	}{
		{"even without specified resources, predicate fails when there's no space for additional pod", stPod(""), newResourcePod(usage{cpu: 10, mem: 20})},
		{"even if both resources fit, predicate fails when there's no space for additional pod", newResourcePod(usage{cpu: 1, mem: 1}), newResourcePod(usage{cpu: 5, mem: 5})},
		{"even for equal edge case, predicate fails when there's no space for additional pod", newResourcePod(usage{cpu: 5, mem: 1}), newResourcePod(usage{cpu: 5, mem: 19})},
		{"even for equal edge case, predicate fails when there's no space for additional pod due to init container",
			newResourceInitPod(newResourcePod(usage{cpu: 5, mem: 1}), usage{cpu: 5, mem: 1}), newResourcePod(usage{cpu: 5, mem: 19})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runFilter(t, newFit(t, nil), tc.pod, nodeInfo(alloc, tc.existing))
			assert.Equal(t, framework.NewStatus(framework.Unschedulable, ReasonTooManyPods), got)
		})
	}
}

// TestStorageRequests: upstream fit_test.go TestStorageRequests.
func TestStorageRequests(t *testing.T) {
	alloc := makeAllocatableResources(10, 20, 32, 5, 20, 5)
	tests := []struct {
		name          string
		pod, existing *model.Pod
		want          *framework.Status
	}{
		{name: "empty storage requested, and pod fits", pod: newResourcePod(usage{cpu: 1, mem: 1}), existing: newResourcePod(usage{cpu: 2, mem: 10})},
		{name: "storage ephemeral local storage request exceeds allocatable", pod: newResourcePod(usage{eph: 25}), existing: newResourcePod(usage{cpu: 2, mem: 2}),
			want: framework.NewStatus(framework.UnschedulableAndUnresolvable, reason(model.ResourceEphemeralStorage))},
		{name: "ephemeral local storage is sufficient", pod: newResourceInitPod(newResourcePod(usage{eph: 5})), existing: newResourcePod(usage{cpu: 2, mem: 2, eph: 10})},
		{name: "pod fits", pod: newResourcePod(usage{eph: 10}), existing: newResourcePod(usage{cpu: 2, mem: 2})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, runFilter(t, newFit(t, nil), tc.pod, nodeInfo(alloc, tc.existing)))
		})
	}
}

// TestRestartableInitContainers: upstream fit_test.go
// TestRestartableInitContainers with SidecarContainers enabled (GA).
func TestRestartableInitContainers(t *testing.T) {
	always := model.ContainerRestartPolicyAlways
	newPod := func(req, sidecarReq model.ResourceList) *model.Pod {
		p := stPod("")
		p.Spec.Containers = []model.Container{{Name: "regular", Resources: model.ResourceRequirements{Requests: req}}}
		p.Spec.InitContainers = []model.Container{{Name: "restartable-init", RestartPolicy: &always, Resources: model.ResourceRequirements{Requests: sidecarReq}}}
		return p
	}
	milli := func(v int64) model.ResourceList {
		return model.ResourceList{model.ResourceCPU: model.NewMilliQuantity(v)}
	}
	tests := []struct {
		name string
		pod  *model.Pod
		want *framework.Status
	}{
		{name: "allow pod with restartable init containers if sidecar containers is enabled", pod: newPod(nil, nil)},
		{name: "allow pod if the total requested resources do not exceed the node's allocatable resources", pod: newPod(milli(1), milli(1))},
		{name: "not allow pod if the total requested resources do exceed the node's allocatable resources", pod: newPod(milli(1), milli(2)),
			want: framework.NewStatus(framework.UnschedulableAndUnresolvable, reason(model.ResourceCPU))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runFilter(t, newFit(t, nil), tc.pod, nodeInfo(makeAllocatableResources(2, 0, 1, 0, 0, 0)))
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestPreFilterDisabled: upstream fit_test.go TestPreFilterDisabled — Filter
// without PreFilter state is an error.
func TestPreFilterDisabled(t *testing.T) {
	f := newFit(t, nil)
	got := f.Filter(framework.NewCycleState(), stPod(""), nodeInfo(model.ResourceList{}))
	assert.Equal(t, framework.Error, got.Code())
}

// TestEventsToRegister: upstream fit_test.go TestEventsToRegister, case
// "Register events with SchedulingQueueHint feature enabled" plus
// UpdatePodScaleDown (InPlacePodVerticalScaling is on in 1.35).
func TestEventsToRegister(t *testing.T) {
	ev := newFit(t, nil).EventsToRegister()
	require.Len(t, ev, 2)
	assert.Equal(t, framework.ClusterEvent{Resource: framework.EventPod, ActionType: framework.Delete | framework.UpdatePodScaleDown}, ev[0].Event)
	assert.Equal(t, framework.ClusterEvent{Resource: framework.EventNode, ActionType: framework.Add | framework.UpdateNodeAllocatable}, ev[1].Event)
	assert.NotNil(t, ev[0].QueueingHintFn)
	assert.NotNil(t, ev[1].QueueingHintFn)
}

// Test_isSchedulableAfterPodChange: upstream fit_test.go cases with
// InPlacePodVerticalScaling enabled.
func Test_isSchedulableAfterPodChange(t *testing.T) {
	named := func(name, uid, node string, req map[string]string) *model.Pod {
		p := stPod(node, req)
		p.Name, p.UID = name, uid
		return p
	}
	podLevel := func(name, uid, node string, req map[string]string) *model.Pod {
		p := stPod(node)
		p.Name, p.UID = name, uid
		p.Spec.Resources = &model.ResourceRequirements{Requests: parse(req)}
		return p
	}
	cpu := func(v string) map[string]string { return map[string]string{"cpu": v} }
	mem := func(v string) map[string]string { return map[string]string{"memory": v} }
	tests := []struct {
		name           string
		pod            *model.Pod
		oldObj, newObj model.Object
		want           framework.QueueingHint
		wantErr        bool
	}{
		{name: "backoff-wrong-old-object", pod: stPod(""), oldObj: stNode("n", nil), want: framework.Queue, wantErr: true},
		{name: "backoff-wrong-new-object", pod: stPod(""), newObj: stNode("n", nil), want: framework.Queue, wantErr: true},
		{name: "queue-on-other-pod-deleted", pod: named("pod1", "", "", cpu("1")), oldObj: named("pod2", "", "fake", cpu("1")), want: framework.Queue},
		{name: "skip-queue-on-unscheduled-pod-deleted", pod: stPod(""), oldObj: stPod(""), want: framework.QueueSkip},
		{name: "skip-queue-on-other-unscheduled-pod", pod: named("pod1", "uid0", "", cpu("1")),
			oldObj: named("pod2", "uid1", "", cpu("2")), newObj: named("pod2", "uid1", "", cpu("1")), want: framework.QueueSkip},
		{name: "skip-queue-on-other-pod-unrelated-resource-scaled-down", pod: named("pod1", "pod1", "", cpu("1")),
			oldObj: named("pod2", "pod2", "fake", mem("2")), newObj: named("pod2", "pod2", "fake", mem("1")), want: framework.QueueSkip},
		{name: "skip-queue-on-other-pod-unrelated-pod-level-resource-scaled-down", pod: podLevel("pod1", "pod1", "", cpu("1")),
			oldObj: podLevel("pod2", "pod2", "fake", mem("2")), newObj: podLevel("pod2", "pod2", "fake", mem("1")), want: framework.QueueSkip},
		{name: "queue-on-other-pod-some-resource-scale-down", pod: named("pod1", "pod1", "", cpu("1")),
			oldObj: named("pod2", "pod2", "fake", cpu("2")), newObj: named("pod2", "pod2", "fake", cpu("1")), want: framework.Queue},
		{name: "queue-on-other-pod-some-pod-level-resource-scale-down", pod: podLevel("pod1", "pod1", "", cpu("1")),
			oldObj: podLevel("pod2", "pod2", "fake", cpu("2")), newObj: podLevel("pod2", "pod2", "fake", cpu("1")), want: framework.Queue},
		{name: "queue-on-target-pod-some-resource-scale-down", pod: named("pod1", "pod1", "", cpu("1")),
			oldObj: named("pod1", "pod1", "", cpu("2")), newObj: named("pod1", "pod1", "", cpu("1")), want: framework.Queue},
		{name: "queue-on-target-pod-some-pod-level-resource-scale-down", pod: podLevel("pod1", "pod1", "", cpu("1")),
			oldObj: podLevel("pod1", "pod1", "", cpu("2")), newObj: podLevel("pod1", "pod1", "", cpu("1")), want: framework.Queue},
	}
	f := newFit(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.isSchedulableAfterPodEvent(tc.pod, tc.oldObj, tc.newObj)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// Test_isSchedulableAfterNodeChange: upstream fit_test.go
// Test_isSchedulableAfterNodeChange.
func Test_isSchedulableAfterNodeChange(t *testing.T) {
	res := func(mem int64, ext map[model.ResourceName]int64) *model.Pod {
		return newResourcePod(usage{mem: mem, scalars: ext})
	}
	a := func(v int64) map[model.ResourceName]int64 { return map[model.ResourceName]int64{extendedResourceA: v} }
	tests := []struct {
		name           string
		pod            *model.Pod
		oldObj, newObj model.Object
		want           framework.QueueingHint
		wantErr        bool
	}{
		{name: "backoff-wrong-new-object", pod: stPod(""), newObj: stPod(""), want: framework.Queue, wantErr: true},
		{name: "backoff-wrong-old-object", pod: stPod(""), oldObj: stPod(""), newObj: stNode("n", nil), want: framework.Queue, wantErr: true},
		{name: "skip-queue-on-node-add-without-sufficient-resources", pod: res(2, nil),
			newObj: stNode("n", map[string]string{"memory": "1"}), want: framework.QueueSkip},
		{name: "skip-queue-on-node-add-without-required-resource-type", pod: res(0, a(1)),
			newObj: stNode("n", map[string]string{string(extendedResourceB): "1"}), want: framework.QueueSkip},
		{name: "queue-on-node-add-with-sufficient-resources", pod: res(2, a(1)),
			newObj: stNode("n", map[string]string{"memory": "4", string(extendedResourceA): "2"}), want: framework.Queue},
		{name: "skip-queue-on-node-unrelated-changes", pod: res(2, a(1)),
			oldObj: stNode("n", map[string]string{"memory": "2", string(extendedResourceA): "2"}),
			newObj: stNode("n", map[string]string{"memory": "2", string(extendedResourceA): "1", string(extendedResourceB): "2"}), want: framework.QueueSkip},
		{name: "queue-on-pod-requested-resources-increase", pod: res(2, a(1)),
			oldObj: stNode("n", map[string]string{"memory": "2", string(extendedResourceA): "1"}),
			newObj: stNode("n", map[string]string{"memory": "2", string(extendedResourceA): "2"}), want: framework.Queue},
		{name: "skip-queue-on-node-changes-from-suitable-to-unsuitable", pod: res(2, a(1)),
			oldObj: stNode("n", map[string]string{"memory": "4", string(extendedResourceA): "2"}),
			newObj: stNode("n", map[string]string{"memory": "1", string(extendedResourceA): "2"}), want: framework.QueueSkip},
		{name: "queue-on-node-changes-from-unsuitable-to-suitable", pod: res(2, a(1)),
			oldObj: stNode("n", map[string]string{"memory": "1", string(extendedResourceA): "2"}),
			newObj: stNode("n", map[string]string{"memory": "4", string(extendedResourceA): "2"}), want: framework.Queue},
	}
	f := newFit(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.isSchedulableAfterNodeChange(tc.pod, tc.oldObj, tc.newObj)
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
