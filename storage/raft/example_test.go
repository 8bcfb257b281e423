package raft_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/storage/raft"
)

// lines is a state machine that keeps the applied entries as lines.
type lines struct{ applied []string }

func (l *lines) Apply(_ uint64, data []byte) { l.applied = append(l.applied, string(data)) }
func (l *lines) Snapshot() []byte            { return []byte(strings.Join(l.applied, "\n")) }
func (l *lines) Restore(snap []byte) {
	l.applied = nil
	if len(snap) > 0 {
		l.applied = strings.Split(string(snap), "\n")
	}
}

// A three-member cluster elects a leader, commits two writes, loses its
// leader, elects another and commits again; the restarted member catches up.
func Example() {
	k := sim.NewKernel(1)
	sms := map[uint64]*lines{}
	c, err := raft.NewCluster(k, raft.DefaultConfig(), func(id uint64) raft.StateMachine {
		sms[id] = &lines{}
		return sms[id]
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	k.Run(sim.Time(3 * time.Second))
	first := c.Leader()
	_ = c.Propose([]byte("a"))
	_ = c.Propose([]byte("b"))
	k.Run(k.Now().Add(10 * time.Millisecond))

	_ = c.Crash(first)
	k.Run(k.Now().Add(3 * time.Second))
	fmt.Println("new leader:", c.Leader() != first && c.Leader() != 0)
	_ = c.Propose([]byte("c"))
	_ = c.Restart(first)
	k.Run(k.Now().Add(time.Second))
	for _, id := range c.Members() {
		fmt.Println(id, sms[id].applied)
	}
	// Output:
	// new leader: true
	// 1 [a b c]
	// 2 [a b c]
	// 3 [a b c]
}
