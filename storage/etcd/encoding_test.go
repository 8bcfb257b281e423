package etcd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleRequests() []Request {
	return []Request{
		{ID: 1, Range: &RangeRequest{Key: b("a"), RangeEnd: b("\x00"), Revision: 42, Limit: 500, CountOnly: true}},
		{ID: 1 << 63, Put: &PutRequest{Key: b("/registry/pods/default/x"), Value: []byte{0, 1, 2, 0xff}, PrevKV: true}},
		{ID: 3, DeleteRange: &DeleteRangeRequest{Key: b("p/"), RangeEnd: PrefixEnd(b("p/"))}},
		{ID: 4, Txn: &TxnRequest{
			Compare: []Compare{
				ModRevisionIs("k", 0),
				{Key: b("k"), RangeEnd: b("l"), Target: CompareValue, Result: CompareNotEqual, Value: b("v")},
				{Key: b("n"), Target: CompareVersion, Result: CompareLess, Int: -5},
			},
			Success: []RequestOp{OpPut(b("k"), b("v")), OpDelete(b("z"), nil), {Range: &RangeRequest{Key: b("k"), Limit: 1}}},
			Failure: []RequestOp{OpRange(b("k"), nil)},
		}},
		{ID: 5, Txn: &TxnRequest{}},
		{ID: 6, Compaction: &CompactionRequest{Revision: 1000}},
		{ID: 7, Alarm: &AlarmRequest{Action: AlarmDeactivate, Alarm: AlarmNoSpace}},
		{ID: 0, Defrag: &DefragRequest{}},
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for _, r := range sampleRequests() {
		data, err := r.Marshal()
		require.NoError(t, err)
		assert.Equal(t, len(data), r.Size())
		var got Request
		require.NoError(t, got.Unmarshal(data))
		assert.Equal(t, r, got)
		again, err := got.Marshal()
		require.NoError(t, err)
		assert.Equal(t, data, again, "one request, one encoding")
		// Every strict prefix is rejected, as is a trailing byte.
		for n := 0; n < len(data); n++ {
			assert.Error(t, new(Request).Unmarshal(data[:n]), "prefix %d of %d", n, len(data))
		}
		assert.Error(t, new(Request).Unmarshal(append(append([]byte(nil), data...), 0)))
	}
}

func TestRequestEncodingIsStable(t *testing.T) {
	// A golden encoding: changing the format breaks replay of recorded logs.
	data, err := (&Request{ID: 300, Put: &PutRequest{Key: b("k"), Value: b("v"), PrevKV: true}}).Marshal()
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 0xac, 0x02, 2, 1, 'k', 1, 'v', 1}, data)
}

func TestRequestInvalid(t *testing.T) {
	_, err := (&Request{}).Marshal()
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = (&Request{Put: &PutRequest{}, Defrag: &DefragRequest{}}).Marshal()
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = (&Request{Txn: &TxnRequest{Success: []RequestOp{{}}}}).Marshal()
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Zero(t, (&Request{}).Size())
	s := NewStore(Config{})
	assert.ErrorIs(t, s.Do(&Request{}).Err, ErrInvalidRequest)

	for name, data := range map[string][]byte{
		"empty":           nil,
		"bad version":     {2, 0, 7},
		"bad tag":         {1, 0, 9},
		"bad bool":        {1, 0, 2, 1, 'k', 0, 2},
		"non-minimal":     {1, 0x80, 0x00, 7},
		"huge count":      {1, 0, 4, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge length":     {1, 0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad alarm":       {1, 0, 6, 3, 1},
		"bad compare tgt": {1, 0, 4, 1, 1, 'k', 0, 9, 0, 0, 0, 0, 0},
	} {
		assert.Error(t, new(Request).Unmarshal(data), name)
	}
}

func FuzzRequestUnmarshal(f *testing.F) {
	for _, r := range sampleRequests() {
		data, err := r.Marshal()
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 4, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Request
		if err := r.Unmarshal(data); err != nil {
			return
		}
		// Whatever decodes re-encodes to the very same bytes, and applies
		// without panicking.
		again, err := r.Marshal()
		if err != nil {
			t.Fatalf("decoded request does not encode: %v", err)
		}
		if string(again) != string(data) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", data, again)
		}
		s := NewStore(Config{})
		s.Apply(1, data)
	})
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	build := func(s *Store) {
		for i := 0; i < 30; i++ {
			mustPut(t, s, string(rune('a'+i%5)), string(rune('0'+i%10)))
			if i%7 == 6 {
				_, err := s.DeleteRange(b("b"), b("d"))
				require.NoError(t, err)
			}
		}
		require.NoError(t, s.Compact(20))
	}
	src := NewStore(Config{})
	build(src)
	snap := src.Snapshot()

	dst := NewStore(Config{})
	mustPut(t, dst, "junk", "overwritten by the restore")
	require.NoError(t, dst.RestoreSnapshot(snap))
	assert.Equal(t, snap, dst.Snapshot(), "identical bytes")
	assert.Equal(t, gauges(src.Stats()), gauges(dst.Stats()), "counters are per member, gauges are state")

	// Identical behaviour afterwards: reads at every retained revision,
	// watches from the compacted revision, further writes and compactions.
	for rev := int64(20); rev <= src.Rev(); rev++ {
		a, errA := src.Range(b("\x00"), b("\x00"), rev, 0, false)
		z, errZ := dst.Range(b("\x00"), b("\x00"), rev, 0, false)
		require.NoError(t, errA)
		require.NoError(t, errZ)
		assert.Equal(t, a, z, "rev %d", rev)
	}
	_, err := dst.Range(b("a"), nil, 19, 0, false)
	assert.ErrorIs(t, err, ErrCompacted)
	var wa, wz collector
	_, err = src.Watch(b("\x00"), b("\x00"), 20, wa.fn)
	require.NoError(t, err)
	_, err = dst.Watch(b("\x00"), b("\x00"), 20, wz.fn)
	require.NoError(t, err)
	for _, s := range []*Store{src, dst} {
		mustPut(t, s, "new", "1")
		_, err := s.Txn([]Compare{ModRevisionIs("a", 0)}, nil, []RequestOp{OpDelete(b("a"), nil)})
		require.NoError(t, err)
		require.NoError(t, s.Compact(s.Rev()-1))
	}
	assert.Equal(t, wa.events, wz.events)
	assert.Equal(t, src.Snapshot(), dst.Snapshot())
}

func gauges(st StoreStats) StoreStats {
	return StoreStats{Revision: st.Revision, CompactRevision: st.CompactRevision, AppliedIndex: st.AppliedIndex,
		Keys: st.Keys, Revisions: st.Revisions, DBSizeBytes: st.DBSizeBytes, DBSizeInUseBytes: st.DBSizeInUseBytes,
		QuotaBytes: st.QuotaBytes, NoSpaceAlarm: st.NoSpaceAlarm}
}

func TestRestoreWithOpenWatches(t *testing.T) {
	leader := NewStore(Config{})
	follower := NewStore(Config{})
	mustPut(t, follower, "k", "1") // both at rev 2
	mustPut(t, leader, "k", "1")

	var caughtUp collector
	_, err := follower.Watch(b("k"), nil, 0, caughtUp.fn) // next: 3
	require.NoError(t, err)

	mustPut(t, leader, "k", "2") // 3
	mustPut(t, leader, "k", "3") // 4
	follower.Restore(leader.Snapshot())
	assert.Equal(t, []string{"PUT k=2@3", "PUT k=3@4"}, caughtUp.summary(), "a watch catches up from the snapshot's history")

	var ended error
	_, err = follower.WatchWithEnd(b("k"), nil, 0, func([]Event) {}, func(err error) { ended = err }) // next: 5
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		mustPut(t, leader, "k", "x") // 5, 6, 7
	}
	require.NoError(t, leader.Compact(7))
	follower.Restore(leader.Snapshot())
	assert.ErrorIs(t, ended, ErrCompacted, "the watch's history was compacted away")
	assert.Equal(t, 0, follower.Stats().Watchers, "both watches were at revision 5, below the compaction")
}

// An Image is the snapshot without the bytes: restoring it gives the same
// state, and later writes to the source change neither the image nor the
// stores restored from it.
func TestImageRestore(t *testing.T) {
	src := NewStore(Config{})
	for i := 0; i < 12; i++ {
		mustPut(t, src, string(rune('a'+i%4)), string(rune('0'+i)))
	}
	_, err := src.DeleteRange(b("b"), nil)
	require.NoError(t, err)
	require.NoError(t, src.Compact(5))
	want := src.Snapshot()
	img := src.Image()

	dst := NewStore(Config{})
	mustPut(t, dst, "junk", "overwritten by the restore")
	dst.RestoreImage(img)
	assert.Equal(t, want, dst.Snapshot())
	assert.Equal(t, want, img.Encode(0))

	mustPut(t, src, "a", "changed")
	mustPut(t, dst, "c", "changed too")
	require.NoError(t, src.Compact(src.Rev()))
	assert.Equal(t, want, img.Encode(0), "the image is immutable")
	again := NewStore(Config{})
	again.RestoreImage(img)
	assert.Equal(t, want, again.Snapshot())
}

func TestRestoreRejectsCorruptSnapshots(t *testing.T) {
	s := NewStore(Config{})
	mustPut(t, s, "k", "v")
	snap := s.Snapshot()
	for n := 0; n < len(snap); n++ {
		assert.Error(t, NewStore(Config{}).RestoreSnapshot(snap[:n]), "prefix %d", n)
	}
	assert.Error(t, NewStore(Config{}).RestoreSnapshot(append(append([]byte(nil), snap...), 0)))
	assert.Panics(t, func() { NewStore(Config{}).Restore([]byte("nope")) })
	// A failed restore leaves the store as it was.
	before := s.Snapshot()
	assert.Error(t, s.RestoreSnapshot(snap[:len(snap)-1]))
	assert.Equal(t, before, s.Snapshot())
}

// Two stores applying the same entries stay byte-identical.
func TestApplyIsDeterministic(t *testing.T) {
	var entries [][]byte
	for _, r := range sampleRequests() {
		data, err := r.Marshal()
		require.NoError(t, err)
		entries = append(entries, data)
	}
	a, z := NewStore(Config{}), NewStore(Config{})
	for i, e := range entries {
		a.Apply(uint64(i+1), e)
		z.Apply(uint64(i+1), e)
	}
	assert.Equal(t, a.Snapshot(), z.Snapshot())
}
