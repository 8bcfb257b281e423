package raft

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

func TestDefaultConfigIsEtcds(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Members != 3 || c.ElectionTick() != 10 || !c.PreVote || !c.CheckQuorum ||
		c.MaxSizePerMsg != 1<<20 || c.MaxInflightMsgs != 512 ||
		c.SnapshotCount != 10000 || c.SnapshotCatchUpEntries != 5000 {
		t.Fatalf("DefaultConfig = %+v", c)
	}
	// The presets' medians are what their comments promise.
	for name, tt := range map[string]struct {
		d      sim.Dist
		median float64
	}{
		"ssd": {SSDFsyncLatency(), 0.001}, "hdd": {HDDFsyncLatency(), 0.010}, "net": {InDCNetworkLatency(), 0.00025},
	} {
		s, err := tt.d.Sampler(sim.NewRand(1, name))
		if err != nil {
			t.Fatal(err)
		}
		below := 0
		for range 10000 {
			if s.Sample() < tt.median {
				below++
			}
		}
		if below < 4800 || below > 5200 {
			t.Errorf("%s: %d of 10000 samples below the stated median %g", name, below, tt.median)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no members", func(c *Config) { c.Members = 0 }, "Members"},
		{"zero config heartbeat", func(c *Config) { *c = Config{Members: 3} }, "HeartbeatInterval"},
		{"short election", func(c *Config) { c.ElectionTimeout = 400 * time.Millisecond }, "ElectionTimeout"},
		{"long election", func(c *Config) { c.ElectionTimeout = time.Minute }, "ElectionTimeout"},
		{"inflight", func(c *Config) { c.MaxInflightMsgs = 0 }, "MaxInflightMsgs"},
		{"snapshot count", func(c *Config) { c.SnapshotCount = 0 }, "SnapshotCount"},
		{"read timeout", func(c *Config) { c.ReadTimeout = 0 }, "ReadTimeout"},
		{"fsync kind", func(c *Config) { c.FsyncLatency = sim.Dist{} }, "FsyncLatency"},
		{"negative fsync", func(c *Config) { c.FsyncLatency = sim.Dist{Kind: sim.DistConstant, Value: -1} }, "FsyncLatency"},
		{"network", func(c *Config) { c.NetworkLatency = sim.Dist{Kind: sim.DistExponential} }, "NetworkLatency"},
		{"member disk id", func(c *Config) { c.MemberFsyncLatency = map[uint64]sim.Dist{4: HDDFsyncLatency()} }, "no member 4"},
		{"member disk dist", func(c *Config) {
			c.MemberFsyncLatency = map[uint64]sim.Dist{2: {Kind: sim.DistUniform, Min: -1, Max: 1}}
		}, "MemberFsyncLatency[2]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error naming %q", err, tt.want)
			}
			if _, err := NewCluster(sim.NewKernel(1), c, func(uint64) StateMachine { return &logSM{chk: newChecker()} }); err == nil {
				t.Fatal("NewCluster accepted an invalid config")
			}
		})
	}
}

// TestOperationErrors: bad input is an error, never a panic.
func TestOperationErrors(t *testing.T) {
	if _, err := NewCluster(nil, DefaultConfig(), func(uint64) StateMachine { return nil }); err == nil {
		t.Error("NewCluster accepted a nil kernel")
	}
	if _, err := NewCluster(sim.NewKernel(1), DefaultConfig(), nil); err == nil {
		t.Error("NewCluster accepted a nil state machine constructor")
	}
	cfg := DefaultConfig()
	cfg.MemberFsyncLatency = map[uint64]sim.Dist{2: HDDFsyncLatency()}
	tc := newTestCluster(t, 1, cfg)
	c := tc.c
	if err := c.Propose([]byte("x")); !errors.Is(err, ErrNoLeader) {
		t.Errorf("Propose before any election: %v, want ErrNoLeader", err)
	}
	tc.waitLeader(30 * time.Second)
	if err := c.Propose(nil); !errors.Is(err, ErrEmptyProposal) {
		t.Errorf("Propose(nil): %v", err)
	}
	for name, err := range map[string]error{
		"Crash(0)":           c.Crash(0),
		"Restart(4)":         c.Restart(4),
		"Isolate(9)":         c.Isolate(9),
		"Partition unknown":  c.Partition([]uint64{1}, []uint64{7}),
		"SetFsyncLatency(5)": c.SetFsyncLatency(5, SSDFsyncLatency()),
		"DiskStall(0)":       c.DiskStall(0, time.Second),
	} {
		if !errors.Is(err, ErrUnknownMember) {
			t.Errorf("%s: %v, want ErrUnknownMember", name, err)
		}
	}
	if _, err := c.Status(4); !errors.Is(err, ErrUnknownMember) {
		t.Errorf("Status(4): %v", err)
	}
	if err := c.Partition([]uint64{1, 2}, []uint64{2, 3}); err == nil {
		t.Error("Partition accepted a member in two groups")
	}
	if err := c.SetFsyncLatency(1, sim.Dist{Kind: "weibull"}); err == nil {
		t.Error("SetFsyncLatency accepted an unknown distribution")
	}
	if err := c.DiskStall(1, -time.Second); err == nil {
		t.Error("DiskStall accepted a negative duration")
	}
	if err := c.Restart(1); !errors.Is(err, ErrMemberUp) {
		t.Errorf("Restart of a running member: %v", err)
	}
	if err := c.Crash(1); err != nil {
		t.Fatal(err)
	}
	if err := c.Crash(1); !errors.Is(err, ErrMemberDown) {
		t.Errorf("second Crash: %v", err)
	}
	if st, err := c.Status(1); err != nil || st.Up || st.Role != RoleDown || st.Term == 0 {
		t.Errorf("Status of a crashed member = %+v, %v", st, err)
	}
	if got := c.AppliedIndex(99); got != 0 {
		t.Errorf("AppliedIndex(99) = %d", got)
	}
	c.ReadIndex(nil) // ignored, not a panic
	if ids := c.Members(); len(ids) != 3 || ids[0] != 1 || ids[2] != 3 {
		t.Errorf("Members() = %v", ids)
	}
}
