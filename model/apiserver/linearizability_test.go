package apiserver

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

type regInput struct {
	write bool
	value string
}

// register is the sequential model of one object's data under
// unconditional updates and reads.
var register = porcupine.Model{
	Init: func() any { return "v0" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(regInput)
		if in.write {
			return true, in.value
		}
		return output.(string) == state.(string), state
	},
	DescribeOperation: func(input, output any) string {
		in := input.(regInput)
		if in.write {
			return "put " + in.value
		}
		return "get -> " + output.(string)
	},
}

// TestLinearizableUnderFaults records a history of concurrent updates and
// reads of one ConfigMap through the API server on a 3-member Raft cluster
// while the leader is killed and, later, quorum is lost, and checks it
// with Porcupine (as etcd's robustness tests do). Writes that fail may or
// may not have happened, so they get an open-ended return.
func TestLinearizableUnderFaults(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			k := sim.NewKernel(seed)
			s, cl := raftServer(t, k)
			setup := s.NewClient("setup", 0, 0)
			setup.Create(&model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "reg"}, Data: map[string]string{"v": "v0"}}, nil)
			k.Run(sim.Time(3 * time.Second))

			var ops []porcupine.Operation
			rnd := k.Rand("test/clients")
			for c := 0; c < 4; c++ {
				client := s.NewClient(fmt.Sprintf("c%d", c), 0, 0)
				id := c
				n := 0
				var next sim.HandlerFunc
				next = func(now sim.Time) {
					if now > sim.Time(40*time.Second) {
						return
					}
					call := int64(now)
					if rnd.IntN(2) == 0 {
						n++
						v := fmt.Sprintf("c%d-%d", id, n)
						cm := &model.ConfigMap{ObjectMeta: model.ObjectMeta{Name: "reg", Namespace: "default"}, Data: map[string]string{"v": v}}
						client.Update(cm, func(_ model.Object, err error) {
							ret := int64(k.Now())
							if err != nil {
								ret = math.MaxInt64
							}
							ops = append(ops, porcupine.Operation{ClientId: id, Input: regInput{write: true, value: v}, Call: call, Output: "", Return: ret})
							k.AfterFunc(time.Duration(rnd.IntN(100))*time.Millisecond, next)
						})
					} else {
						client.Get("ConfigMap", "default", "reg", func(o model.Object, err error) {
							if err == nil {
								ops = append(ops, porcupine.Operation{ClientId: id, Input: regInput{}, Call: call,
									Output: o.(*model.ConfigMap).Data["v"], Return: int64(k.Now())})
							}
							k.AfterFunc(time.Duration(rnd.IntN(100))*time.Millisecond, next)
						})
					}
				}
				k.After(0, next)
			}
			k.AfterFunc(5*time.Second, func(sim.Time) { require.NoError(t, cl.Crash(cl.Leader())) })
			k.AfterFunc(15*time.Second, func(sim.Time) {
				for _, id := range cl.Members() {
					_ = cl.Restart(id)
				}
			})
			k.AfterFunc(20*time.Second, func(sim.Time) {
				l := cl.Leader()
				for _, id := range cl.Members() {
					if id != l {
						require.NoError(t, cl.Crash(id))
					}
				}
			})
			k.AfterFunc(30*time.Second, func(sim.Time) {
				for _, id := range cl.Members() {
					_ = cl.Restart(id)
				}
			})
			k.Run(sim.Time(60 * time.Second))
			require.Greater(t, len(ops), 100)
			require.True(t, porcupine.CheckOperations(register, ops), "history is not linearizable")
			require.Positive(t, s.Stats().FailedWrites, "the quorum loss failed some writes")
		})
	}
}
