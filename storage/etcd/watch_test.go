package etcd

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// collector gathers watch deliveries.
type collector struct {
	calls  int
	events []Event
}

func (c *collector) fn(evs []Event) {
	c.calls++
	c.events = append(c.events, evs...)
}

// summary renders events as "PUT k=v@rev" / "DELETE k@rev".
func (c *collector) summary() []string {
	out := []string{}
	for _, e := range c.events {
		if e.Type == EventDelete {
			out = append(out, fmt.Sprintf("DELETE %s@%d", e.KV.Key, e.KV.ModRevision))
		} else {
			out = append(out, fmt.Sprintf("PUT %s=%s@%d", e.KV.Key, e.KV.Value, e.KV.ModRevision))
		}
	}
	return out
}

// history: rev 2 put a=1, 3 put b=1, 4 put a=2, 5 delete a, 6 txn {put c=1, put b=2}.
func history(t *testing.T) *Store {
	s := NewStore(Config{})
	mustPut(t, s, "a", "1")
	mustPut(t, s, "b", "1")
	mustPut(t, s, "a", "2")
	_, err := s.DeleteRange(b("a"), nil)
	require.NoError(t, err)
	_, err = s.Txn(nil, []RequestOp{OpPut(b("c"), b("1")), OpPut(b("b"), b("2"))}, nil)
	require.NoError(t, err)
	return s
}

func TestWatchFromRevisions(t *testing.T) {
	all := []string{"PUT a=1@2", "PUT b=1@3", "PUT a=2@4", "DELETE a@5", "PUT c=1@6", "PUT b=2@6", "PUT a=3@7"}
	cases := []struct {
		name     string
		key, end []byte
		start    int64
		want     []string
	}{
		{"from now sees only the future", b("\x00"), b("\x00"), 0, all[6:]},
		{"from the first revision replays everything", b("\x00"), b("\x00"), 1, all},
		{"from rev 4", b("\x00"), b("\x00"), 4, all[2:]},
		{"from the current revision", b("\x00"), b("\x00"), 6, all[4:]},
		{"single key with delete", b("a"), nil, 2, []string{"PUT a=1@2", "PUT a=2@4", "DELETE a@5", "PUT a=3@7"}},
		{"prefix", b("b"), PrefixEnd(b("b")), 1, []string{"PUT b=1@3", "PUT b=2@6"}},
		{"future revision waits", b("\x00"), b("\x00"), 7, all[6:]},
		{"far future sees nothing yet", b("\x00"), b("\x00"), 9, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := history(t)
			var col collector
			_, err := s.Watch(c.key, c.end, c.start, col.fn)
			require.NoError(t, err)
			mustPut(t, s, "a", "3") // rev 7
			assert.Equal(t, c.want, col.summary())
		})
	}
}

func TestWatchEventDetails(t *testing.T) {
	s := history(t)
	var col collector
	_, err := s.Watch(b("a"), nil, 1, col.fn)
	require.NoError(t, err)
	require.Len(t, col.events, 3)
	assert.Nil(t, col.events[0].PrevKV, "a creation has no previous value")
	assert.Equal(t, "1", string(col.events[1].PrevKV.Value))
	del := col.events[2]
	assert.Equal(t, EventDelete, del.Type)
	assert.Equal(t, KeyValue{Key: b("a"), ModRevision: 5}, del.KV, "a delete event carries the key and the deleting revision only")
	assert.Equal(t, KeyValue{Key: b("a"), Value: b("2"), CreateRevision: 2, ModRevision: 4, Version: 2}, *del.PrevKV)
	assert.Equal(t, 1, col.calls, "history within 1000 revisions is one delivery")
}

func TestWatchTxnEventsShareRevisionAndArriveTogether(t *testing.T) {
	s := NewStore(Config{})
	var col collector
	_, err := s.Watch(b("\x00"), b("\x00"), 0, col.fn)
	require.NoError(t, err)
	_, err = s.Txn(nil, []RequestOp{OpPut(b("x"), b("1")), OpPut(b("y"), b("1")), OpDelete(b("z"), nil)}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, col.calls)
	assert.Equal(t, []string{"PUT x=1@2", "PUT y=1@2"}, col.summary())
	// Failed CAS and empty deletes produce no event.
	_, err = s.Txn([]Compare{ModRevisionIs("x", 0)}, []RequestOp{OpPut(b("x"), b("2"))}, nil)
	require.NoError(t, err)
	_, err = s.DeleteRange(b("nope"), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, col.calls)
}

func TestWatchCompacted(t *testing.T) {
	// etcd#18089's sequence: put k v2, v3, v4 (2..4), delete k (5), put k v6 (6),
	// compact 5, watch from 5: the delete at 5 must not be lost.
	s := NewStore(Config{})
	for _, v := range []string{"v2", "v3", "v4"} {
		mustPut(t, s, "k", v)
	}
	_, err := s.DeleteRange(b("k"), nil)
	require.NoError(t, err)
	mustPut(t, s, "k", "v6")
	require.NoError(t, s.Compact(5))

	_, err = s.Watch(b("k"), nil, 4, func([]Event) {})
	assert.ErrorIs(t, err, ErrCompacted, "below the compacted revision")
	var col collector
	_, err = s.Watch(b("k"), nil, 5, col.fn)
	require.NoError(t, err, "at the compacted revision")
	assert.Equal(t, []string{"DELETE k@5", "PUT k=v6@6"}, col.summary())
	assert.Nil(t, col.events[0].PrevKV, "the value before the compaction is gone")
	_, err = s.Watch(b("k"), nil, 0, func([]Event) {})
	assert.NoError(t, err)
}

func TestWatchCancel(t *testing.T) {
	s := NewStore(Config{})
	var col collector
	id, err := s.Watch(b("k"), nil, 0, col.fn)
	require.NoError(t, err)
	mustPut(t, s, "k", "1")
	assert.True(t, s.Cancel(id))
	assert.False(t, s.Cancel(id))
	mustPut(t, s, "k", "2")
	assert.Equal(t, []string{"PUT k=1@2"}, col.summary())
	assert.Equal(t, 0, s.Stats().Watchers)
}

// A watcher that writes from its callback: every watcher still sees every
// revision once, in order.
func TestWatchReentrantWritesKeepOrder(t *testing.T) {
	s := NewStore(Config{})
	var first, second collector
	_, err := s.Watch(b("\x00"), b("\x00"), 0, func(evs []Event) {
		first.fn(evs)
		if string(evs[0].KV.Key) == "ping" {
			mustPut(t, s, "pong", "1")
		}
	})
	require.NoError(t, err)
	_, err = s.Watch(b("\x00"), b("\x00"), 0, second.fn)
	require.NoError(t, err)
	mustPut(t, s, "ping", "1")
	want := []string{"PUT ping=1@2", "PUT pong=1@3"}
	assert.Equal(t, want, first.summary())
	assert.Equal(t, want, second.summary())
}

// No gaps, no duplicates: a watch opened from every past revision, while
// writes continue, sees exactly the history from that revision on.
func TestWatchNoGapsNoDuplicates(t *testing.T) {
	s := NewStore(Config{})
	var ref collector
	_, err := s.Watch(b("\x00"), b("\x00"), 1, ref.fn)
	require.NoError(t, err)
	cols := map[int64]*collector{}
	for i := 0; i < 60; i++ {
		key := b(fmt.Sprintf("k%d", i%7))
		switch i % 5 {
		case 3:
			_, err = s.DeleteRange(key, nil)
		case 4:
			_, err = s.Txn(nil, []RequestOp{OpPut(key, b("t")), OpPut(b("txn"), b(fmt.Sprint(i)))}, nil)
		default:
			_, err = s.Put(key, b(fmt.Sprint(i)))
		}
		require.NoError(t, err)
		if i%9 == 0 {
			start := s.Rev() - int64(i%4)
			c := &collector{}
			_, err := s.Watch(b("\x00"), b("\x00"), start, c.fn)
			require.NoError(t, err)
			cols[start] = c
		}
	}
	full := ref.events
	for i := 1; i < len(full); i++ {
		a, z := full[i-1].KV.ModRevision, full[i].KV.ModRevision
		require.True(t, a <= z, "revision order")
	}
	for start, c := range cols {
		var want []Event
		for _, e := range full {
			if e.KV.ModRevision >= start {
				want = append(want, e)
			}
		}
		assert.Equal(t, want, c.events, "watch from %d", start)
	}
}

func TestWatchReplayBatches(t *testing.T) {
	s := NewStore(Config{})
	for i := 0; i < 2500; i++ {
		mustPut(t, s, "k", "v")
	}
	var col collector
	var sizes []int
	_, err := s.Watch(b("k"), nil, 1, func(evs []Event) {
		sizes = append(sizes, len(evs))
		col.fn(evs)
	})
	require.NoError(t, err)
	assert.Equal(t, []int{1000, 1000, 500}, sizes)
	for i, e := range col.events {
		require.EqualValues(t, i+2, e.KV.ModRevision)
	}
}
