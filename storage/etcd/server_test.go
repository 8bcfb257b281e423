package etcd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/sim"
)

const ms = time.Millisecond

// outcome records when and how a request completed.
type outcome struct {
	at   sim.Time
	resp *Response
	err  error
	n    int
}

func (o *outcome) done(k *sim.Kernel) func(*Response, error) {
	return func(r *Response, err error) {
		o.at, o.resp, o.err = k.Now(), r, err
		o.n++
	}
}

func constant(seconds float64) sim.Dist { return sim.Dist{Kind: sim.DistConstant, Value: seconds} }

func TestIdealCommitLatency(t *testing.T) {
	k := sim.NewKernel(1)
	srv := NewServer(k, NewIdealBackend(k, constant(0.002)), ServerConfig{})
	var put, read, stale outcome
	k.AfterFunc(10*ms, func(sim.Time) {
		srv.Put(b("k"), b("v"), put.done(k))
		srv.Range(b("k"), nil, RangeOptions{}, stale.done(k)) // before the commit: not there yet
	})
	k.AfterFunc(13*ms, func(sim.Time) { srv.Range(b("k"), nil, RangeOptions{}, read.done(k)) })
	k.Run(sim.Never)

	require.NoError(t, put.err)
	assert.Equal(t, sim.Time(12*ms), put.at, "write commits 2 ms after it was made")
	assert.EqualValues(t, 2, put.resp.Revision)
	assert.Equal(t, sim.Time(10*ms), stale.at, "reads are immediate")
	assert.Zero(t, stale.resp.Range.Count)
	assert.Equal(t, "v", string(read.resp.Range.KVs[0].Value))
	assert.Equal(t, 1, put.n)
}

// Commits keep the proposal order even when latencies are drawn at random.
func TestIdealCommitsInProposalOrder(t *testing.T) {
	k := sim.NewKernel(7)
	srv := NewServer(k, NewIdealBackend(k, sim.Dist{Kind: sim.DistUniform, Min: 0.001, Max: 0.020}), ServerConfig{})
	outs := make([]outcome, 50)
	for i := range outs {
		k.AfterFunc(sim.Duration(i)*ms, func(sim.Time) { srv.Put(b(fmt.Sprint("k", i)), b("v"), outs[i].done(k)) })
	}
	k.Run(sim.Never)
	for i := 1; i < len(outs); i++ {
		require.NoError(t, outs[i].err)
		assert.Equal(t, outs[i-1].resp.Revision+1, outs[i].resp.Revision)
		assert.GreaterOrEqual(t, outs[i].at, outs[i-1].at)
	}
}

// trace runs a small mixed workload and renders everything that happened.
func trace(seed uint64) string {
	k := sim.NewKernel(seed)
	srv := NewServer(k, NewIdealBackend(k, sim.Dist{Kind: sim.DistExponential, Mean: 0.005}),
		ServerConfig{WatchLatency: sim.Dist{Kind: sim.DistUniform, Min: 0, Max: 0.010}})
	var sb strings.Builder
	srv.Watch(b("/"), PrefixEnd(b("/")), 0, func(w WatchResponse) {
		for _, e := range w.Events {
			fmt.Fprintf(&sb, "%v watch %s %s@%d\n", k.Now(), e.Type, e.KV.Key, e.KV.ModRevision)
		}
	})
	r := k.Rand("test/workload")
	for i := 0; i < 40; i++ {
		at := sim.Time(r.Int64N(int64(200 * ms)))
		key := b(fmt.Sprintf("/k%d", r.IntN(5)))
		k.At(at, sim.HandlerFunc(func(sim.Time) {
			done := func(resp *Response, err error) {
				rev := int64(-1)
				if resp != nil {
					rev = resp.Revision
				}
				fmt.Fprintf(&sb, "%v done %s rev=%d err=%v\n", k.Now(), key, rev, err)
			}
			if i%4 == 3 {
				srv.Delete(key, nil, done)
			} else {
				srv.Put(key, b(fmt.Sprint(i)), done)
			}
		}))
	}
	k.Run(sim.Never)
	return sb.String()
}

func TestIdealDeterministicPerSeed(t *testing.T) {
	a, z := trace(42), trace(42)
	assert.Equal(t, a, z)
	assert.NotEqual(t, a, trace(43))
	assert.Greater(t, strings.Count(a, "\n"), 60)
}

func TestServerCompareAndSwap(t *testing.T) {
	k := sim.NewKernel(1)
	srv := NewServer(k, NewIdealBackend(k, constant(0.001)), ServerConfig{})
	key := b("/registry/configmaps/default/c")
	var c1, c2, u1, u2, get outcome
	k.AfterFunc(0, func(sim.Time) {
		txn := TxnRequest{Compare: []Compare{ModRevisionIs(string(key), 0)}, Success: []RequestOp{OpPut(key, b("a"))}, Failure: []RequestOp{OpRange(key, nil)}}
		srv.Txn(txn, c1.done(k))
		srv.Txn(txn, c2.done(k)) // a racing create: loses
	})
	k.AfterFunc(10*ms, func(sim.Time) {
		rv := c1.resp.Revision
		upd := func(v string) TxnRequest {
			return TxnRequest{Compare: []Compare{ModRevisionIs(string(key), rv)}, Success: []RequestOp{OpPut(key, b(v))}, Failure: []RequestOp{OpRange(key, nil)}}
		}
		srv.Txn(upd("b"), u1.done(k))
		srv.Txn(upd("c"), u2.done(k)) // same resourceVersion: conflict
	})
	k.AfterFunc(20*ms, func(sim.Time) {
		// A read-only txn takes the read path: immediate, no revision change.
		srv.Txn(TxnRequest{Success: []RequestOp{OpRange(key, nil)}}, get.done(k))
	})
	k.Run(sim.Never)
	assert.True(t, c1.resp.Txn.Succeeded)
	assert.False(t, c2.resp.Txn.Succeeded)
	assert.True(t, u1.resp.Txn.Succeeded)
	assert.False(t, u2.resp.Txn.Succeeded)
	assert.Equal(t, "b", string(u2.resp.Txn.Responses[0].Range.KVs[0].Value))
	assert.Equal(t, sim.Time(20*ms), get.at)
	assert.Equal(t, "b", string(get.resp.Txn.Responses[0].Range.KVs[0].Value))
	assert.EqualValues(t, 3, srv.Backend().Store().Rev())
}

func TestServerRejectsBeforeProposing(t *testing.T) {
	k := sim.NewKernel(1)
	st := NewStore(Config{QuotaBytes: 1000})
	srv := NewServer(k, NewIdealBackendWithStore(k, constant(0.001), st), ServerConfig{})
	var rec sim.Recorder
	k.Journal().Subscribe(rec.Subscriber())

	var big, empty, fits, full, after outcome
	k.AfterFunc(0, func(sim.Time) {
		srv.Put(b("k"), make([]byte, DefaultMaxRequestBytes), big.done(k))
		srv.Put(nil, b("v"), empty.done(k))
		srv.Put(b("k"), make([]byte, 400), fits.done(k)) // 657 bytes
	})
	k.AfterFunc(5*ms, func(sim.Time) {
		srv.Put(b("k"), make([]byte, 400), full.done(k)) // 657+657 >= 1000: refused, alarm raised
	})
	k.AfterFunc(10*ms, func(sim.Time) { srv.Put(b("j"), b("1"), after.done(k)) })
	k.Run(sim.Never)

	assert.ErrorIs(t, big.err, ErrRequestTooLarge)
	assert.Equal(t, sim.Time(0), big.at, "refused at once")
	assert.ErrorIs(t, empty.err, ErrEmptyKey)
	require.NoError(t, fits.err)
	assert.ErrorIs(t, full.err, ErrNoSpace)
	assert.Equal(t, sim.Time(5*ms), full.at)
	assert.ErrorIs(t, after.err, ErrNoSpace, "the alarm caps the cluster")
	assert.Equal(t, []AlarmType{AlarmNoSpace}, srv.Alarms())
	assert.EqualValues(t, 2, st.Rev(), "only one write was applied")
	raised := rec.Kinds("AlarmRaised")
	require.Len(t, raised, 1)
	assert.Equal(t, "NOSPACE", raised[0].Field("alarm"))
	assert.Equal(t, sim.Time(6*ms), raised[0].T, "the alarm commits like any request")
	stats := srv.Stats()
	assert.EqualValues(t, 1, stats.TooLarge)
	assert.EqualValues(t, 2, stats.NoSpace)
	assert.EqualValues(t, 1, stats.Succeeded)
	assert.EqualValues(t, 4, stats.Failed)

	// Recovery through the server: compact, defrag, disarm.
	var c, d, dis, again outcome
	k.AfterFunc(0, func(sim.Time) {
		_, err := st.DeleteRange(b("k"), nil) // stand-in for the operator's cleanup
		require.NoError(t, err)
		srv.Compact(st.Rev(), c.done(k))
		srv.Defrag(d.done(k))
		srv.DisarmAlarm(dis.done(k))
		srv.Put(b("j"), b("1"), again.done(k)) // proposed before the disarm applies: still capped
	})
	k.Run(sim.Never)
	require.NoError(t, c.err)
	require.NoError(t, d.err)
	require.NoError(t, dis.err)
	assert.ErrorIs(t, again.err, ErrNoSpace)
	var last outcome
	k.AfterFunc(0, func(sim.Time) { srv.Put(b("j"), b("1"), last.done(k)) })
	k.Run(sim.Never)
	assert.NoError(t, last.err)
	assert.Len(t, rec.Kinds("Compacted"), 1)
	assert.Len(t, rec.Kinds("Defragmented"), 1)
	assert.Len(t, rec.Kinds("AlarmDisarmed"), 1)
	assert.EqualValues(t, 3, rec.Kinds("Compacted")[0].Field("revision"))
}

func TestServerWatch(t *testing.T) {
	k := sim.NewKernel(1)
	srv := NewServer(k, NewIdealBackend(k, constant(0.001)), ServerConfig{WatchLatency: constant(0.003)})
	type got struct {
		at   sim.Time
		resp WatchResponse
	}
	var seen []got
	var compacted []WatchResponse
	var id WatchID
	k.AfterFunc(0, func(sim.Time) {
		id = srv.Watch(b("/p/"), PrefixEnd(b("/p/")), 0, func(w WatchResponse) { seen = append(seen, got{k.Now(), w}) })
		srv.Put(b("/p/a"), b("1"), nil)
		srv.Put(b("/q"), b("1"), nil)
		srv.Delete(b("/p/a"), nil, nil)
	})
	k.AfterFunc(20*ms, func(sim.Time) {
		srv.CancelWatch(id)
		srv.Put(b("/p/b"), b("1"), nil)
		srv.Compact(3, nil)
	})
	k.AfterFunc(40*ms, func(sim.Time) {
		srv.Watch(b("/p/"), PrefixEnd(b("/p/")), 2, func(w WatchResponse) { compacted = append(compacted, w) })
	})
	k.Run(sim.Never)
	require.Len(t, seen, 2)
	assert.Equal(t, sim.Time(4*ms), seen[0].at, "committed at 1 ms, delivered 3 ms later")
	assert.Equal(t, EventPut, seen[0].resp.Events[0].Type)
	assert.Equal(t, sim.Time(4*ms), seen[1].at, "all three commit at 1 ms, in proposal order")
	assert.Equal(t, EventDelete, seen[1].resp.Events[0].Type)
	assert.Equal(t, "1", string(seen[1].resp.Events[0].PrevKV.Value))
	require.Len(t, compacted, 1)
	assert.True(t, compacted[0].Canceled)
	assert.ErrorIs(t, compacted[0].Err, ErrCompacted)
	assert.EqualValues(t, 3, compacted[0].CompactRevision)
	assert.Equal(t, 0, srv.Stats().WatchesOpen)
}
