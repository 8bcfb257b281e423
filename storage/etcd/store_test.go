package etcd

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b(s string) []byte { return []byte(s) }

func mustPut(t *testing.T, s *Store, key, value string) int64 {
	t.Helper()
	resp, err := s.Put(b(key), b(value))
	require.NoError(t, err)
	return resp.Revision
}

func get(t *testing.T, s *Store, key string, rev int64) *KeyValue {
	t.Helper()
	r, err := s.Range(b(key), nil, rev, 0, false)
	require.NoError(t, err)
	if len(r.KVs) == 0 {
		return nil
	}
	return &r.KVs[0]
}

func keysOf(kvs []KeyValue) []string {
	out := []string{}
	for _, kv := range kvs {
		out = append(out, string(kv.Key))
	}
	return out
}

// etcd mvcc kv_test TestKVPutMultipleTimes: a fresh store is at revision 1;
// the i-th put of one key gets revision i+2, version i+1, and keeps the
// create revision of the first.
func TestPutMultipleTimes(t *testing.T) {
	s := NewStore(Config{})
	require.EqualValues(t, 1, s.Rev())
	for i := 0; i < 10; i++ {
		rev := mustPut(t, s, "foo", fmt.Sprintf("bar%d", i))
		assert.EqualValues(t, i+2, rev)
		kv := get(t, s, "foo", 0)
		require.NotNil(t, kv)
		assert.Equal(t, KeyValue{Key: b("foo"), Value: b(fmt.Sprintf("bar%d", i)), CreateRevision: 2, ModRevision: int64(i + 2), Version: int64(i + 1)}, *kv)
	}
}

// Revisions across put, delete and txn, step by step.
func TestRevisionsAcrossOps(t *testing.T) {
	s := NewStore(Config{})
	type step struct {
		name    string
		do      func() (*Response, error)
		wantRev int64
		check   func(t *testing.T)
	}
	steps := []step{
		{"put foo", func() (*Response, error) { return s.Put(b("foo"), b("a")) }, 2, nil},
		{"put foo1", func() (*Response, error) { return s.Put(b("foo1"), b("b")) }, 3, nil},
		{"put foo2", func() (*Response, error) { return s.Put(b("foo2"), b("c")) }, 4, nil},
		{"delete nothing keeps the revision", func() (*Response, error) { return s.DeleteRange(b("zzz"), nil) }, 4, nil},
		{"delete [foo, foo3) deletes 3 at one revision", func() (*Response, error) { return s.DeleteRange(b("foo"), b("foo3")) }, 5,
			func(t *testing.T) {
				r, err := s.Range(b("foo"), b("foo3"), 0, 0, false)
				require.NoError(t, err)
				assert.Zero(t, r.Count)
			}},
		{"delete again: nothing", func() (*Response, error) { return s.DeleteRange(b("foo"), nil) }, 5, nil},
		{"put after delete starts a new generation", func() (*Response, error) { return s.Put(b("foo"), b("d")) }, 6,
			func(t *testing.T) {
				assert.Equal(t, KeyValue{Key: b("foo"), Value: b("d"), CreateRevision: 6, ModRevision: 6, Version: 1}, *get(t, s, "foo", 0))
			}},
		{"txn with two puts and a delete is one revision", func() (*Response, error) {
			return s.Txn(nil, []RequestOp{OpPut(b("a"), b("1")), OpPut(b("b"), b("2")), OpDelete(b("foo"), nil)}, nil)
		}, 7, func(t *testing.T) {
			assert.EqualValues(t, 7, get(t, s, "a", 0).ModRevision)
			assert.EqualValues(t, 7, get(t, s, "b", 0).CreateRevision)
			assert.Nil(t, get(t, s, "foo", 0))
		}},
		{"read-only txn keeps the revision", func() (*Response, error) {
			return s.Txn(nil, []RequestOp{OpRange(b("a"), nil)}, nil)
		}, 7, nil},
		{"txn whose delete matches nothing keeps the revision", func() (*Response, error) {
			return s.Txn(nil, []RequestOp{OpDelete(b("nope"), nil)}, nil)
		}, 7, nil},
		{"update bumps version, keeps create revision", func() (*Response, error) { return s.Put(b("a"), b("11")) }, 8,
			func(t *testing.T) {
				assert.Equal(t, KeyValue{Key: b("a"), Value: b("11"), CreateRevision: 7, ModRevision: 8, Version: 2}, *get(t, s, "a", 0))
			}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			resp, err := st.do()
			require.NoError(t, err)
			assert.Equal(t, st.wantRev, resp.Revision)
			assert.Equal(t, st.wantRev, s.Rev())
			if st.check != nil {
				st.check(t)
			}
		})
	}
}

// A range inside a transaction sees the transaction's earlier writes (etcd
// storeTxnWrite.Range reads at beginRev+1 once there are changes).
func TestTxnReadsItsOwnWrites(t *testing.T) {
	s := NewStore(Config{})
	mustPut(t, s, "x", "old")
	resp, err := s.Txn(nil, []RequestOp{OpRange(b("x"), nil), OpPut(b("x"), b("new")), OpRange(b("x"), nil)}, nil)
	require.NoError(t, err)
	require.Len(t, resp.Txn.Responses, 3)
	assert.Equal(t, "old", string(resp.Txn.Responses[0].Range.KVs[0].Value))
	assert.Equal(t, "new", string(resp.Txn.Responses[2].Range.KVs[0].Value))
	assert.EqualValues(t, 3, resp.Txn.Responses[2].Range.KVs[0].ModRevision)
}

func TestRangeShapes(t *testing.T) {
	s := NewStore(Config{})
	for _, k := range []string{"a", "foo", "foo/1", "foo/2", "foo0", "fop", "z"} {
		mustPut(t, s, k, "v")
	}
	cases := []struct {
		name      string
		key, end  []byte
		limit     int64
		countOnly bool
		want      []string
		count     int64
		more      bool
	}{
		{"single key", b("foo"), nil, 0, false, []string{"foo"}, 1, false},
		{"missing single key", b("fo"), nil, 0, false, []string{}, 0, false},
		{"prefix", b("foo/"), PrefixEnd(b("foo/")), 0, false, []string{"foo/1", "foo/2"}, 2, false},
		{"prefix foo", b("foo"), PrefixEnd(b("foo")), 0, false, []string{"foo", "foo/1", "foo/2", "foo0"}, 4, false},
		{"from key", b("foo0"), b("\x00"), 0, false, []string{"foo0", "fop", "z"}, 3, false},
		{"all keys", b("\x00"), b("\x00"), 0, false, []string{"a", "foo", "foo/1", "foo/2", "foo0", "fop", "z"}, 7, false},
		{"interval", b("a"), b("foo/2"), 0, false, []string{"a", "foo", "foo/1"}, 3, false},
		{"end before key is empty", b("z"), b("a"), 0, false, []string{}, 0, false},
		{"limit counts everything", b("\x00"), b("\x00"), 2, false, []string{"a", "foo"}, 7, true},
		{"limit above count", b("foo/"), PrefixEnd(b("foo/")), 5, false, []string{"foo/1", "foo/2"}, 2, false},
		{"count only", b("foo"), PrefixEnd(b("foo")), 0, true, []string{}, 4, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := s.Range(c.key, c.end, 0, c.limit, c.countOnly)
			require.NoError(t, err)
			assert.Equal(t, c.want, keysOf(r.KVs))
			assert.Equal(t, c.count, r.Count)
			assert.Equal(t, c.more, r.More)
		})
	}
	_, err := s.Range(nil, nil, 0, 0, false)
	assert.ErrorIs(t, err, ErrEmptyKey)
}

func TestPrefixEnd(t *testing.T) {
	assert.Equal(t, b("b"), PrefixEnd(b("a")))
	assert.Equal(t, b("foo0"), PrefixEnd(b("foo/")))
	assert.Equal(t, b("b"), PrefixEnd(b("a\xff")))
	assert.Equal(t, b("\x00"), PrefixEnd(b("\xff\xff")))
	assert.Equal(t, b("\x00"), PrefixEnd(nil))
}

// etcd mvcc kv_test TestKVRangeRev: reads at past revisions.
func TestRangeAtRevision(t *testing.T) {
	s := NewStore(Config{})
	mustPut(t, s, "foo", "bar")  // 2
	mustPut(t, s, "foo1", "bar") // 3
	mustPut(t, s, "foo2", "bar") // 4
	mustPut(t, s, "foo", "baz")  // 5
	_, err := s.DeleteRange(b("foo1"), nil)
	require.NoError(t, err) // 6
	cases := []struct {
		rev  int64
		want []string
		foo  string
	}{
		{0, []string{"foo", "foo2"}, "baz"},
		{1, []string{}, ""},
		{2, []string{"foo"}, "bar"},
		{3, []string{"foo", "foo1"}, "bar"},
		{4, []string{"foo", "foo1", "foo2"}, "bar"},
		{5, []string{"foo", "foo1", "foo2"}, "baz"},
		{6, []string{"foo", "foo2"}, "baz"},
	}
	for _, c := range cases {
		r, err := s.Range(b("foo"), b("foo3"), c.rev, 0, false)
		require.NoError(t, err)
		assert.Equal(t, c.want, keysOf(r.KVs), "rev %d", c.rev)
		if c.foo != "" {
			assert.Equal(t, c.foo, string(r.KVs[0].Value), "rev %d", c.rev)
		}
	}
	_, err = s.Range(b("foo"), nil, 7, 0, false)
	assert.ErrorIs(t, err, ErrFutureRev)
}

// etcd mvcc kvstore_compaction / kv_test TestKVCompactReserveLastValue: a
// compaction at rev keeps what a read at rev sees.
func TestCompactKeepsWhatRevisionSees(t *testing.T) {
	build := func() *Store {
		s := NewStore(Config{})
		mustPut(t, s, "foo", "bar0") // 2
		mustPut(t, s, "foo", "bar1") // 3
		_, err := s.DeleteRange(b("foo"), nil)
		require.NoError(t, err)      // 4
		mustPut(t, s, "foo", "bar2") // 5
		return s
	}
	cases := []struct {
		rev      int64
		want     string // value at rev, "" = absent
		retained int    // records left
	}{
		{2, "bar0", 4},
		{3, "bar1", 3},
		{4, "", 2}, // the tombstone at the compaction revision stays
		{5, "bar2", 1},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.rev), func(t *testing.T) {
			s := build()
			require.NoError(t, s.Compact(c.rev))
			kv := get(t, s, "foo", c.rev)
			if c.want == "" {
				assert.Nil(t, kv)
			} else {
				require.NotNil(t, kv)
				assert.Equal(t, c.want, string(kv.Value))
			}
			assert.Equal(t, c.retained, s.Stats().Revisions)
			_, err := s.Range(b("foo"), nil, c.rev-1, 0, false)
			assert.ErrorIs(t, err, ErrCompacted)
			assert.Equal(t, "bar2", string(get(t, s, "foo", 0).Value))
		})
	}
}

func TestCompactErrors(t *testing.T) {
	s := NewStore(Config{})
	for i := 0; i < 5; i++ {
		mustPut(t, s, "k", fmt.Sprint(i)) // revisions 2..6
	}
	assert.ErrorIs(t, s.Compact(7), ErrFutureRev)
	require.NoError(t, s.Compact(4))
	assert.ErrorIs(t, s.Compact(4), ErrCompacted)
	assert.ErrorIs(t, s.Compact(3), ErrCompacted)
	require.NoError(t, s.Compact(6))
	assert.EqualValues(t, 6, s.CompactRevision())
	// A deleted key whose tombstone is older than the compaction is gone.
	_, err := s.DeleteRange(b("k"), nil) // 7
	require.NoError(t, err)
	mustPut(t, s, "other", "x") // 8
	require.NoError(t, s.Compact(8))
	assert.Equal(t, 1, s.Stats().Revisions)
	assert.Equal(t, 1, s.Stats().Keys)
	// A range inside a txn at a compacted revision fails the whole txn.
	_, err = s.Txn(nil, []RequestOp{OpPut(b("y"), b("1")), {Range: &RangeRequest{Key: b("k"), Revision: 5}}}, nil)
	assert.ErrorIs(t, err, ErrCompacted)
	assert.EqualValues(t, 8, s.Rev(), "the failed txn wrote nothing")
}

// The API server's optimistic concurrency (k8s.io/apiserver storage/etcd3
// store.go): create = "ModRevision == 0 ? put : get", update = "ModRevision
// == rv read ? put : get", delete with a precondition likewise.
func TestTxnCompareAndSwapAsAPIServer(t *testing.T) {
	s := NewStore(Config{})
	key := b("/registry/pods/default/web")
	create := func(v string) *Response {
		resp, err := s.Txn([]Compare{ModRevisionIs(string(key), 0)}, []RequestOp{OpPut(key, b(v))}, []RequestOp{OpRange(key, nil)})
		require.NoError(t, err)
		return resp
	}
	update := func(rv int64, v string) *Response {
		resp, err := s.Txn([]Compare{ModRevisionIs(string(key), rv)}, []RequestOp{OpPut(key, b(v))}, []RequestOp{OpRange(key, nil)})
		require.NoError(t, err)
		return resp
	}

	r := create("v1")
	require.True(t, r.Txn.Succeeded)
	rv1 := r.Revision
	assert.EqualValues(t, 2, rv1)

	r = create("v1-again")
	assert.False(t, r.Txn.Succeeded, "create of an existing key fails")
	assert.Equal(t, "v1", string(r.Txn.Responses[0].Range.KVs[0].Value), "failure branch returns the current object")
	assert.Equal(t, rv1, r.Revision, "a failed CAS does not move the revision")

	r = update(rv1, "v2")
	require.True(t, r.Txn.Succeeded)
	rv2 := r.Revision
	assert.EqualValues(t, 3, rv2)

	r = update(rv1, "v3-stale")
	assert.False(t, r.Txn.Succeeded, "update with a stale resourceVersion conflicts")
	assert.Equal(t, rv2, r.Txn.Responses[0].Range.KVs[0].ModRevision)

	// Guarded delete.
	r, err := s.Txn([]Compare{ModRevisionIs(string(key), rv2)}, []RequestOp{OpDelete(key, nil)}, nil)
	require.NoError(t, err)
	require.True(t, r.Txn.Succeeded)
	assert.EqualValues(t, 1, r.Txn.Responses[0].DeleteRange.Deleted)
	assert.True(t, create("v4").Txn.Succeeded, "after delete the key can be created again")
}

func TestCompareTargetsAndResults(t *testing.T) {
	s := NewStore(Config{})
	mustPut(t, s, "k", "m")  // 2
	mustPut(t, s, "k", "n")  // 3: version 2, create 2, mod 3
	mustPut(t, s, "k2", "x") // 4
	cases := []struct {
		name string
		c    Compare
		want bool
	}{
		{"value =", Compare{Key: b("k"), Target: CompareValue, Result: CompareEqual, Value: b("n")}, true},
		{"value !=", Compare{Key: b("k"), Target: CompareValue, Result: CompareNotEqual, Value: b("n")}, false},
		{"value >", Compare{Key: b("k"), Target: CompareValue, Result: CompareGreater, Value: b("m")}, true},
		{"value <", Compare{Key: b("k"), Target: CompareValue, Result: CompareLess, Value: b("o")}, true},
		{"version =", Compare{Key: b("k"), Target: CompareVersion, Result: CompareEqual, Int: 2}, true},
		{"version >", Compare{Key: b("k"), Target: CompareVersion, Result: CompareGreater, Int: 2}, false},
		{"create =", Compare{Key: b("k"), Target: CompareCreate, Result: CompareEqual, Int: 2}, true},
		{"create <", Compare{Key: b("k"), Target: CompareCreate, Result: CompareLess, Int: 2}, false},
		{"mod =", Compare{Key: b("k"), Target: CompareMod, Result: CompareEqual, Int: 3}, true},
		{"mod !=", Compare{Key: b("k"), Target: CompareMod, Result: CompareNotEqual, Int: 3}, false},
		{"missing key: version = 0", Compare{Key: b("none"), Target: CompareVersion, Result: CompareEqual, Int: 0}, true},
		{"missing key: create < 1", Compare{Key: b("none"), Target: CompareCreate, Result: CompareLess, Int: 1}, true},
		{"missing key: value never matches", Compare{Key: b("none"), Target: CompareValue, Result: CompareNotEqual, Value: b("x")}, false},
		{"range: every key must match", Compare{Key: b("k"), RangeEnd: b("l"), Target: CompareMod, Result: CompareGreater, Int: 2}, true},
		{"range: one key fails", Compare{Key: b("k"), RangeEnd: b("l"), Target: CompareMod, Result: CompareGreater, Int: 3}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := s.Txn([]Compare{c.c}, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, c.want, r.Txn.Succeeded)
		})
	}
}

func TestTxnValidation(t *testing.T) {
	s := NewStore(Config{MaxTxnOps: 3})
	cases := []struct {
		name string
		txn  TxnRequest
		err  error
	}{
		{"duplicate put", TxnRequest{Success: []RequestOp{OpPut(b("a"), nil), OpPut(b("a"), nil)}}, ErrDuplicateKey},
		{"put inside delete", TxnRequest{Success: []RequestOp{OpDelete(b("a"), b("c")), OpPut(b("b"), nil)}}, ErrDuplicateKey},
		{"same key in different branches is fine", TxnRequest{Success: []RequestOp{OpPut(b("a"), nil)}, Failure: []RequestOp{OpPut(b("a"), nil)}}, nil},
		{"overlapping deletes are fine", TxnRequest{Success: []RequestOp{OpDelete(b("a"), b("c")), OpDelete(b("b"), nil)}}, nil},
		{"too many ops", TxnRequest{Success: []RequestOp{OpPut(b("a"), nil), OpPut(b("b"), nil), OpPut(b("c"), nil), OpPut(b("d"), nil)}}, ErrTooManyOps},
		{"empty compare key", TxnRequest{Compare: []Compare{{Target: CompareMod}}}, ErrEmptyKey},
		{"empty put key", TxnRequest{Success: []RequestOp{OpPut(nil, b("x"))}}, ErrEmptyKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rev := s.Rev()
			_, err := s.Txn(c.txn.Compare, c.txn.Success, c.txn.Failure)
			if c.err == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, c.err)
			assert.Equal(t, rev, s.Rev())
		})
	}
	_, err := s.Put(nil, b("x"))
	assert.ErrorIs(t, err, ErrEmptyKey)
}

// The quota: a write that does not fit is applied, answers ErrNoSpace and
// raises NOSPACE; then puts are refused while reads, deletes and compaction
// work; compaction alone frees nothing (the database keeps its size) and
// disarming alone does not help; compact + defrag + disarm does.
func TestQuotaAlarmAndRecovery(t *testing.T) {
	// Each put of "k" with a 100-byte value costs 256+1+100 = 357 bytes.
	s := NewStore(Config{QuotaBytes: 2000})
	v := make([]byte, 100)
	for i := 0; i < 5; i++ { // 5 puts: 1785 bytes; 1428+357 = 1785 < 2000 fits
		_, err := s.Put(b("k"), v)
		require.NoError(t, err, "put %d", i)
	}
	assert.EqualValues(t, 1785, s.Stats().DBSizeBytes)
	// A small put (256+1+1 = 258 bytes) no longer fits either: 1785+258 >= 2000.
	assert.False(t, s.QuotaAvailable(&Request{Put: &PutRequest{Key: b("x"), Value: b("y")}}))
	assert.True(t, s.QuotaAvailable(&Request{DeleteRange: &DeleteRangeRequest{Key: b("x")}}), "deletes cost nothing")
	// 1785+357 = 2142 >= 2000: applied, but ErrNoSpace and the alarm.
	resp, err := s.Put(b("k"), v)
	assert.ErrorIs(t, err, ErrNoSpace)
	assert.EqualValues(t, 7, resp.Revision, "the crossing put was applied")
	assert.Equal(t, []AlarmType{AlarmNoSpace}, s.Alarms())
	assert.EqualValues(t, 2142, s.Stats().DBSizeBytes)

	// Capped: puts and txns with puts are refused and change nothing.
	resp, err = s.Put(b("k2"), b("x"))
	assert.ErrorIs(t, err, ErrNoSpace)
	assert.EqualValues(t, 7, resp.Revision)
	_, err = s.Txn(nil, []RequestOp{OpPut(b("k3"), nil)}, nil)
	assert.ErrorIs(t, err, ErrNoSpace)
	// Reads, read-only txns, deletes work.
	_, err = s.Range(b("k"), nil, 0, 0, false)
	assert.NoError(t, err)
	_, err = s.Txn(nil, []RequestOp{OpRange(b("k"), nil)}, nil)
	assert.NoError(t, err)
	mustPut2 := func() error { _, err := s.Put(b("k"), v); return err }

	// Compaction frees records but not database size.
	require.NoError(t, s.Compact(7))
	st := s.Stats()
	assert.EqualValues(t, 357, st.DBSizeInUseBytes)
	assert.EqualValues(t, 2142, st.DBSizeBytes)
	// Disarm without defrag: the next put crosses again.
	s.DisarmAlarm()
	assert.Empty(t, s.Alarms())
	assert.ErrorIs(t, mustPut2(), ErrNoSpace)
	assert.Equal(t, []AlarmType{AlarmNoSpace}, s.Alarms())
	// Deletes still work while capped.
	_, err = s.DeleteRange(b("k"), nil)
	require.NoError(t, err)
	// compact + defrag + disarm: writes work again.
	require.NoError(t, s.Compact(s.Rev()))
	s.Defrag()
	assert.EqualValues(t, s.Stats().DBSizeInUseBytes, s.Stats().DBSizeBytes)
	assert.ErrorIs(t, mustPut2(), ErrNoSpace, "still capped until disarmed")
	s.DisarmAlarm()
	assert.NoError(t, mustPut2())
	assert.Empty(t, s.Alarms())
}

func TestQuotaDisabled(t *testing.T) {
	s := NewStore(Config{QuotaBytes: -1})
	for i := 0; i < 10; i++ {
		_, err := s.Put(b("k"), make([]byte, 1000))
		require.NoError(t, err)
	}
	assert.Empty(t, s.Alarms())
}

// The 1.5 MiB limit applies to the encoded request: a put of key "k" encodes
// to 9 bytes plus the value (format, ID, tag, key, 3-byte length, flag).
func TestRequestSizeLimit(t *testing.T) {
	s := NewStore(Config{QuotaBytes: -1})
	max := DefaultMaxRequestBytes - 9
	req := &Request{Put: &PutRequest{Key: b("k"), Value: make([]byte, max)}}
	require.Equal(t, DefaultMaxRequestBytes, req.Size())
	_, err := s.Put(b("k"), make([]byte, max))
	assert.NoError(t, err)
	_, err = s.Put(b("k"), make([]byte, max+1))
	assert.ErrorIs(t, err, ErrRequestTooLarge)
	_, err = s.Txn(nil, []RequestOp{OpPut(b("k"), make([]byte, 1<<20)), OpPut(b("j"), make([]byte, 1<<20))}, nil)
	assert.ErrorIs(t, err, ErrRequestTooLarge)

	// With a 1-byte value length the put encodes to 7 bytes plus the value.
	small := NewStore(Config{MaxRequestBytes: 100})
	_, err = small.Put(b("k"), make([]byte, 93))
	assert.NoError(t, err)
	_, err = small.Put(b("k"), make([]byte, 94))
	assert.ErrorIs(t, err, ErrRequestTooLarge)
}

// Apply: each index once, responses kept by request ID, junk skipped.
func TestApply(t *testing.T) {
	s := NewStore(Config{})
	enc := func(r Request) []byte {
		data, err := r.Marshal()
		require.NoError(t, err)
		return data
	}
	s.Apply(1, enc(Request{ID: 7, Put: &PutRequest{Key: b("a"), Value: b("1")}}))
	s.Apply(1, enc(Request{ID: 8, Put: &PutRequest{Key: b("a"), Value: b("2")}})) // same index: ignored
	s.Apply(2, nil)                                                               // empty entry (a leader's no-op)
	s.Apply(3, []byte{0xde, 0xad})                                                // undecodable
	s.Apply(4, enc(Request{ID: 9, Txn: &TxnRequest{Compare: []Compare{ModRevisionIs("a", 2)}, Success: []RequestOp{OpPut(b("a"), b("3"))}}}))
	assert.EqualValues(t, 4, s.AppliedIndex())
	assert.EqualValues(t, 3, s.Rev())
	r, ok := s.Response(7)
	require.True(t, ok)
	assert.EqualValues(t, 2, r.Revision)
	_, ok = s.Response(8)
	assert.False(t, ok)
	r, ok = s.Response(9)
	require.True(t, ok)
	assert.True(t, r.Txn.Succeeded)
	assert.EqualValues(t, 1, s.Stats().Undecodable)
}

func TestResponseCacheIsBounded(t *testing.T) {
	s := NewStore(Config{ResponseCacheSize: 3})
	for i := uint64(1); i <= 5; i++ {
		data, err := (&Request{ID: i, Put: &PutRequest{Key: b("k"), Value: b("v")}}).Marshal()
		require.NoError(t, err)
		s.Apply(i, data)
	}
	for i := uint64(1); i <= 5; i++ {
		_, ok := s.Response(i)
		assert.Equal(t, i >= 3, ok, "id %d", i)
	}
}
