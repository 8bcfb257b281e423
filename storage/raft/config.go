package raft

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Config describes one simulated etcd cluster: its size, etcd's Raft
// parameters and the hardware it runs on. Start from [DefaultConfig] and
// change what you study; a zero Config does not validate.
//
// Latency distributions are in seconds, like every sim.Dist in kubesim.
type Config struct {
	// Members is the number of voting members, with ids 1..Members.
	// Default 3 (etcd recommends 3, 5 or 7).
	Members int

	// HeartbeatInterval is the length of one Raft tick (etcd's
	// --heartbeat-interval). Default 100 ms.
	HeartbeatInterval time.Duration
	// ElectionTimeout is etcd's --election-timeout. raft counts it in ticks:
	// ElectionTick = ElectionTimeout / HeartbeatInterval (truncated, as etcd
	// does), HeartbeatTick = 1. Default 1000 ms, hence ElectionTick 10.
	ElectionTimeout time.Duration

	// PreVote makes a member ask whether it could win before it bumps its
	// term, so a rejoining partitioned member does not depose a healthy
	// leader. etcd enables it (since 3.4). DefaultConfig: true.
	PreVote bool
	// CheckQuorum makes a leader step down when it has not heard from a
	// quorum for an election timeout, and makes followers ignore votes while
	// they have a live leader. etcd enables it. DefaultConfig: true.
	CheckQuorum bool

	// LeaderSendsBeforeFsync lets a leader send a Ready's messages before
	// its own WAL write completes, so it replicates to followers while it
	// writes (Raft thesis §10.2.1). etcd does this (raftNode.start: "the
	// leader can write to its disk in parallel with replicating to the
	// followers"); raft counts the leader's own vote for an entry only after
	// Advance, so safety is unaffected. Commit latency becomes about
	// max(leader fsync, RTT + follower fsync) instead of their sum. Followers
	// always send after their write. DefaultConfig: true.
	LeaderSendsBeforeFsync bool

	// MaxSizePerMsg caps the bytes of entries in one append message.
	// etcd: 1 MiB.
	MaxSizePerMsg uint64
	// MaxInflightMsgs caps append messages in flight to one follower.
	// etcd: 512 (4096 / 8).
	MaxInflightMsgs int

	// SnapshotCount is how many applied entries a member accumulates past
	// its last snapshot before it takes a new one and compacts its log
	// (etcd's --snapshot-count). Default 10,000.
	SnapshotCount uint64
	// SnapshotCatchUpEntries is how many entries before the snapshot index
	// compaction keeps, so that slightly lagging followers catch up from the
	// log rather than by a snapshot (etcd's SnapshotCatchUpEntries). Default
	// 5,000.
	SnapshotCatchUpEntries uint64

	// FsyncLatency is the WAL fdatasync time of every member's disk, in
	// seconds. Default [SSDFsyncLatency].
	FsyncLatency sim.Dist
	// MemberFsyncLatency overrides FsyncLatency for some members (a slow
	// disk on member 2, say). Keys are member ids.
	MemberFsyncLatency map[uint64]sim.Dist
	// NetworkLatency is the one-way delay of one peer message, in seconds,
	// drawn per message. Default [InDCNetworkLatency].
	NetworkLatency sim.Dist

	// ReadTimeout bounds a linearizable read: ReadIndex fails with
	// ErrReadTimeout if the leader has not confirmed and applied it by then.
	// Default 7 s, etcd's request timeout (5 s + 2 × election timeout).
	ReadTimeout time.Duration
}

// maxElectionTimeout is etcd's upper bound on --election-timeout
// (server/embed/config.go: "should be less than 50s").
const maxElectionTimeout = 50 * time.Second

// DefaultConfig returns a three-member cluster with etcd 3.6's defaults on
// SSDs in one datacenter.
func DefaultConfig() Config {
	return Config{
		Members:                3,
		HeartbeatInterval:      100 * time.Millisecond,
		ElectionTimeout:        1000 * time.Millisecond,
		PreVote:                true,
		CheckQuorum:            true,
		LeaderSendsBeforeFsync: true,
		MaxSizePerMsg:          1 << 20,
		MaxInflightMsgs:        512,
		SnapshotCount:          10000,
		SnapshotCatchUpEntries: 5000,
		FsyncLatency:           SSDFsyncLatency(),
		NetworkLatency:         InDCNetworkLatency(),
		ReadTimeout:            7 * time.Second,
	}
}

// SSDFsyncLatency is a datacenter SSD's WAL fdatasync time: lognormal with
// median 1 ms and σ = 0.7, so p90 ≈ 2.5 ms, p99 ≈ 5 ms, p99.9 ≈ 9 ms.
//
// Sources: etcd's performance guide ("fdatasync … SSD often < 1 ms"), and
// its FAQ's health threshold, etcd_disk_wal_fsync_duration_seconds p99 below
// 10 ms; the lognormal shape gives the long tail real fsyncs have.
func SSDFsyncLatency() sim.Dist {
	return sim.Dist{Kind: sim.DistLogNormal, Mu: math.Log(0.001), Sigma: 0.7}
}

// HDDFsyncLatency is a rotational disk's WAL fdatasync time: lognormal with
// median 10 ms and σ = 0.4, so p99 ≈ 25 ms. Source: etcd's performance guide
// ("typical fdatasync latency for a spinning disk is about 10 ms").
func HDDFsyncLatency() sim.Dist {
	return sim.Dist{Kind: sim.DistLogNormal, Mu: math.Log(0.010), Sigma: 0.4}
}

// InDCNetworkLatency is the one-way delay between members in one datacenter:
// lognormal with median 0.25 ms and σ = 0.3 (p99 ≈ 0.5 ms), so a round trip
// is about 0.5 ms. Source: etcd's performance guide (in-datacenter RTT "may be
// as long as several hundred microseconds").
func InDCNetworkLatency() sim.Dist {
	return sim.Dist{Kind: sim.DistLogNormal, Mu: math.Log(0.00025), Sigma: 0.3}
}

// ElectionTick is ElectionTimeout in ticks, as raft counts it.
func (c Config) ElectionTick() int { return int(c.ElectionTimeout / c.HeartbeatInterval) }

// Validate reports the first setting that etcd or raft would refuse, naming
// the field.
func (c Config) Validate() error {
	switch {
	case c.Members < 1:
		return fmt.Errorf("raft config: Members must be at least 1, got %d", c.Members)
	case c.HeartbeatInterval <= 0:
		return fmt.Errorf("raft config: HeartbeatInterval must be positive, got %v (start from DefaultConfig)", c.HeartbeatInterval)
	case c.ElectionTimeout < 5*c.HeartbeatInterval:
		// etcd refuses an election timeout under five heartbeats: followers
		// would time out on a couple of delayed heartbeats.
		return fmt.Errorf("raft config: ElectionTimeout %v must be at least 5 × HeartbeatInterval (%v)", c.ElectionTimeout, c.HeartbeatInterval)
	case c.ElectionTimeout > maxElectionTimeout:
		return fmt.Errorf("raft config: ElectionTimeout %v exceeds etcd's maximum %v", c.ElectionTimeout, maxElectionTimeout)
	case c.MaxInflightMsgs < 1:
		return fmt.Errorf("raft config: MaxInflightMsgs must be at least 1, got %d", c.MaxInflightMsgs)
	case c.SnapshotCount < 1:
		return fmt.Errorf("raft config: SnapshotCount must be at least 1, got %d", c.SnapshotCount)
	case c.ReadTimeout <= 0:
		return fmt.Errorf("raft config: ReadTimeout must be positive, got %v", c.ReadTimeout)
	}
	if err := validateLatency(c.FsyncLatency); err != nil {
		return fmt.Errorf("raft config: FsyncLatency: %w", err)
	}
	if err := validateLatency(c.NetworkLatency); err != nil {
		return fmt.Errorf("raft config: NetworkLatency: %w", err)
	}
	ids := make([]uint64, 0, len(c.MemberFsyncLatency))
	for id := range c.MemberFsyncLatency {
		ids = append(ids, id)
	}
	slices.Sort(ids) // report the same member first on every run
	for _, id := range ids {
		if id < 1 || id > uint64(c.Members) {
			return fmt.Errorf("raft config: MemberFsyncLatency: no member %d (ids are 1..%d)", id, c.Members)
		}
		if err := validateLatency(c.MemberFsyncLatency[id]); err != nil {
			return fmt.Errorf("raft config: MemberFsyncLatency[%d]: %w", id, err)
		}
	}
	return nil
}

// validateLatency accepts distributions whose samples are durations. A
// negative sample is still clamped to zero when drawn (a normal's left tail),
// but a distribution that is negative by construction is a mistake.
func validateLatency(d sim.Dist) error {
	if err := d.Validate(); err != nil {
		return err
	}
	switch {
	case d.Kind == sim.DistConstant && d.Value < 0:
		return fmt.Errorf("constant latency %g s is negative", d.Value)
	case d.Kind == sim.DistUniform && d.Min < 0:
		return fmt.Errorf("uniform latency min %g s is negative", d.Min)
	case d.Kind == sim.DistNormal && d.Mean < 0:
		return fmt.Errorf("normal latency mean %g s is negative", d.Mean)
	case d.Kind == sim.DistEmpirical && slices.Min(d.Values) < 0:
		return errors.New("empirical latency has a negative value")
	}
	return nil
}

// fsyncLatency returns the distribution of member id's disk.
func (c Config) fsyncLatency(id uint64) sim.Dist {
	if d, ok := c.MemberFsyncLatency[id]; ok {
		return d
	}
	return c.FsyncLatency
}

// duration converts a latency sample in seconds to a duration, clamping the
// left tail of unbounded distributions at zero.
func duration(seconds float64) time.Duration {
	if !(seconds > 0) {
		return 0
	}
	if seconds > float64(math.MaxInt64)/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(seconds * 1e9)
}
