package schedulinggates

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Cases from upstream scheduling_gates_test.go TestPreEnqueue.
func TestPreEnqueue(t *testing.T) {
	tests := []struct {
		name  string
		gates []string
		want  *framework.Status
	}{
		{name: "pod does not carry scheduling gates", want: nil},
		{name: "pod carries scheduling gates", gates: []string{"foo", "bar"},
			want: framework.NewStatus(framework.UnschedulableAndUnresolvable, "waiting for scheduling gates: [foo bar]")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := fwtest.Pod("p", "", nil)
			for _, g := range tt.gates {
				pod.Spec.SchedulingGates = append(pod.Spec.SchedulingGates, model.PodSchedulingGate{Name: g})
			}
			p, _ := New(nil, nil)
			got := p.(framework.PreEnqueuePlugin).PreEnqueue(pod)
			if got.Code() != tt.want.Code() || got.Message() != tt.want.Message() {
				t.Fatalf("PreEnqueue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	ev := (&Plugin{}).EventsToRegister()
	if len(ev) != 1 || ev[0].Event.ActionType != framework.UpdatePodSchedulingGatesEliminated {
		t.Fatalf("events %+v", ev)
	}
	if h, err := ev[0].QueueingHintFn(nil, nil, nil); h != framework.Queue || err != nil {
		t.Fatalf("hint %v %v", h, err)
	}
}
