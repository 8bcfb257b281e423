package queuesort

import (
	"testing"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/framework/fwtest"
	"github.com/kubesim/kubesim/sim"
)

func qpi(priority *int32, ts sim.Time) *framework.QueuedPodInfo {
	p := fwtest.Pod("p", "", nil)
	p.Spec.Priority = priority
	return &framework.QueuedPodInfo{PodInfo: framework.NewPodInfo(p), Timestamp: ts}
}

// Cases from upstream priority_sort_test.go TestLess.
func TestLess(t *testing.T) {
	low, high := model.Ptr[int32](1), model.Ptr[int32](2)
	t1, t2 := sim.Time(1), sim.Time(2)
	tests := []struct {
		name string
		a, b *framework.QueuedPodInfo
		want bool
	}{
		{name: "p1.priority less than p2.priority", a: qpi(low, t1), b: qpi(high, t1), want: false},
		{name: "p1.priority greater than p2.priority", a: qpi(high, t1), b: qpi(low, t1), want: true},
		{name: "equal priority. p1 is added to schedulingQ earlier than p2", a: qpi(high, t1), b: qpi(high, t2), want: true},
		{name: "equal priority. p2 is added to schedulingQ earlier than p1", a: qpi(high, t2), b: qpi(high, t1), want: false},
		// Not upstream: unset priority counts as 0.
		{name: "unset priority is 0", a: qpi(nil, t1), b: qpi(model.Ptr[int32](-1), t1), want: true},
		{name: "identical keys are not less", a: qpi(high, t1), b: qpi(high, t1), want: false},
	}
	pl := &Plugin{}
	for _, tt := range tests {
		if got := pl.Less(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Less = %v, want %v", tt.name, got, tt.want)
		}
	}
}
