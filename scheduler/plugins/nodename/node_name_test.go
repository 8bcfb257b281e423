package nodename

import (
	"testing"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
)

// Cases from upstream node_name_test.go TestNodeName.
func TestNodeName(t *testing.T) {
	tests := []struct {
		name     string
		podNode  string
		node     string
		wantCode framework.Code
		wantMsg  string
	}{
		{name: "no host specified", podNode: "", node: "foo", wantCode: framework.Success},
		{name: "host matches", podNode: "foo", node: "foo", wantCode: framework.Success},
		{name: "host doesn't match", podNode: "bar", node: "foo", wantCode: framework.UnschedulableAndUnresolvable, wantMsg: ErrReason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := fwtest.Pod("p", "", nil)
			pod.Spec.NodeName = tt.podNode
			ni := framework.NewNodeInfo()
			ni.SetNode(fwtest.Node(tt.node, 1000, 1<<30, 10, nil))
			p, err := New(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			st := p.(framework.FilterPlugin).Filter(framework.NewCycleState(), pod, ni)
			if st.Code() != tt.wantCode || st.Message() != tt.wantMsg {
				t.Fatalf("Filter = %v, want %v %q", st, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	ev := (&Plugin{}).EventsToRegister()
	if len(ev) != 1 || ev[0].Event.Resource != framework.EventNode || ev[0].Event.ActionType != framework.Add || ev[0].QueueingHintFn != nil {
		t.Fatalf("unexpected events %+v", ev)
	}
}
