package nodeunschedulable

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

func node(unschedulable bool) *model.Node {
	n := fwtest.Node("n", 1000, 1<<30, 10, nil)
	n.Spec.Unschedulable = unschedulable
	return n
}

// Cases from upstream node_unschedulable_test.go TestNodeUnschedulable.
func TestFilter(t *testing.T) {
	tests := []struct {
		name          string
		unschedulable bool
		tolerations   []model.Toleration
		wantCode      framework.Code
	}{
		{name: "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)", unschedulable: true, wantCode: framework.UnschedulableAndUnresolvable},
		{name: "Schedule pod to normal node", unschedulable: false, wantCode: framework.Success},
		{name: "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)", unschedulable: true,
			tolerations: []model.Toleration{{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule}}, wantCode: framework.Success},
		// Not upstream: an Exists toleration with no key tolerates everything.
		{name: "wildcard toleration", unschedulable: true,
			tolerations: []model.Toleration{{Operator: model.TolerationOpExists}}, wantCode: framework.Success},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := fwtest.Pod("p", "", nil)
			pod.Spec.Tolerations = tt.tolerations
			ni := framework.NewNodeInfo()
			ni.SetNode(node(tt.unschedulable))
			st := (&Plugin{}).Filter(framework.NewCycleState(), pod, ni)
			if st.Code() != tt.wantCode {
				t.Fatalf("Filter = %v, want %v", st, tt.wantCode)
			}
			if st.Code() != framework.Success && st.Message() != ErrReasonUnschedulable {
				t.Fatalf("reason %q", st.Message())
			}
		})
	}
}

// Cases from upstream TestIsSchedulableAfterNodeChange and
// TestIsSchedulableAfterPodTolerationChange.
func TestHints(t *testing.T) {
	pl := &Plugin{}
	pod := fwtest.Pod("p", "", nil)
	nodeHints := []struct {
		name     string
		old, new model.Object
		want     framework.QueueingHint
		wantErr  bool
	}{
		{name: "backoff-wrong-new-object", new: pod, want: framework.Queue, wantErr: true},
		{name: "backoff-wrong-old-object", old: pod, new: node(false), want: framework.Queue, wantErr: true},
		{name: "skip-queue-on-unschedulable-node-added", new: node(true), want: framework.QueueSkip},
		{name: "queue-on-schedulable-node-added", new: node(false), want: framework.Queue},
		{name: "skip-unrelated-change", old: node(true), new: node(true), want: framework.QueueSkip},
		{name: "queue-on-unschedulable-field-change", old: node(true), new: node(false), want: framework.Queue},
	}
	for _, tt := range nodeHints {
		got, err := pl.isSchedulableAfterNodeChange(pod, tt.old, tt.new)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s: got %v, %v", tt.name, got, err)
		}
	}
	tolerating := fwtest.Pod("p", "", nil)
	tolerating.Spec.Tolerations = []model.Toleration{{Key: model.TaintNodeUnschedulable, Effect: model.TaintEffectNoSchedule}}
	other := fwtest.Pod("other", "", nil)
	other.Spec.Tolerations = tolerating.Spec.Tolerations
	unrelated := fwtest.Pod("p", "", nil)
	unrelated.Spec.Tolerations = []model.Toleration{{Key: "foo", Effect: model.TaintEffectNoSchedule}}
	podHints := []struct {
		name     string
		old, new model.Object
		want     framework.QueueingHint
	}{
		{name: "queue-when-the-unsched-pod-gets-toleration", old: pod, new: tolerating, want: framework.Queue},
		{name: "skip-when-the-unsched-pod-gets-unrelated-toleration", old: pod, new: unrelated, want: framework.QueueSkip},
		{name: "skip-when-other-pod-gets-toleration", old: fwtest.Pod("other", "", nil), new: other, want: framework.QueueSkip},
	}
	for _, tt := range podHints {
		got, err := pl.isSchedulableAfterPodTolerationChange(pod, tt.old, tt.new)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v", tt.name, got, err)
		}
	}
}
