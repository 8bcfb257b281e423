package etcd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// The wire format of a Request: kubesim's own, small and canonical, so that
// one request has exactly one encoding (a test and a fuzz target hold it to
// that) and members of a raft cluster decode byte-identical entries.
//
//	request  = version(1) uvarint(ID) tag body
//	tag      = 1 range | 2 put | 3 delete | 4 txn | 5 compaction | 6 alarm | 7 defrag
//	range    = bytes(key) bytes(end) varint(rev) varint(limit) bool(countOnly)
//	put      = bytes(key) bytes(value) bool(prevKV)
//	delete   = bytes(key) bytes(end) bool(prevKV)
//	txn      = uvarint(n) compare*n  uvarint(n) op*n  uvarint(n) op*n
//	compare  = bytes(key) bytes(end) byte(target) byte(result) bytes(value) varint(int)
//	op       = tag(1|2|3) body
//	compaction = varint(rev);  alarm = byte(action) byte(alarm);  defrag = (empty)
//
// bytes(x) is uvarint(len) followed by the bytes; varint is zigzag; every
// varint must be minimal. Empty byte strings decode as nil.
const requestFormat = 1

const (
	tagRange byte = 1 + iota
	tagPut
	tagDelete
	tagTxn
	tagCompaction
	tagAlarm
	tagDefrag
)

var errTruncated = errors.New("etcd: truncated encoding")

// enc appends to b, or only counts bytes when counting is set.
type enc struct {
	b        []byte
	n        int
	counting bool
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func (e *enc) byte1(c byte) {
	e.n++
	if !e.counting {
		e.b = append(e.b, c)
	}
}

func (e *enc) uvarint(v uint64) {
	e.n += uvarintLen(v)
	if !e.counting {
		e.b = binary.AppendUvarint(e.b, v)
	}
}

func (e *enc) varint(v int64) { e.uvarint(uint64(v<<1) ^ uint64(v>>63)) }

func (e *enc) bytes(p []byte) {
	e.uvarint(uint64(len(p)))
	e.n += len(p)
	if !e.counting {
		e.b = append(e.b, p...)
	}
}

func (e *enc) bool1(v bool) {
	if v {
		e.byte1(1)
	} else {
		e.byte1(0)
	}
}

// dec reads from b; the first error sticks and every later read returns zero.
type dec struct {
	b   []byte
	err error
	// shared makes bytes return sub-slices of b rather than copies: for
	// input that is never modified, such as committed raft entries.
	shared bool
}

func (d *dec) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *dec) byte1() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail(errTruncated)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errTruncated)
		return 0
	}
	if n != uvarintLen(v) {
		d.fail(errors.New("etcd: non-minimal varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *dec) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail(errTruncated)
		return nil
	}
	if n == 0 {
		return nil
	}
	var p []byte
	if d.shared {
		p = d.b[:n:n]
	} else {
		p = make([]byte, n)
		copy(p, d.b[:n])
	}
	d.b = d.b[n:]
	return p
}

func (d *dec) bool1() bool {
	switch d.byte1() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail(errors.New("etcd: invalid bool"))
	return false
}

// count reads an element count; every element takes at least min bytes, so a
// count the remaining input cannot hold is rejected before anything is
// allocated.
func (d *dec) count(min int) int {
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)/min) {
		d.fail(errTruncated)
		return 0
	}
	return int(n)
}

func (d *dec) enum(max byte, what string) byte {
	c := d.byte1()
	if c > max {
		d.fail(fmt.Errorf("etcd: invalid %s %d", what, c))
		return 0
	}
	return c
}

// Marshal encodes r. It fails only when r does not carry exactly one
// operation, or a transaction op does not carry exactly one.
func (r *Request) Marshal() ([]byte, error) {
	var e enc
	if err := r.encode(&e); err != nil {
		return nil, err
	}
	e.counting = false
	e.b = make([]byte, 0, e.n)
	e.n = 0
	_ = r.encode(&e)
	return e.b, nil
}

// Size returns the length of r's encoding without building it (0 when r
// cannot be encoded). The request size limit applies to it.
func (r *Request) Size() int {
	e := enc{counting: true}
	if err := r.encode(&e); err != nil {
		return 0
	}
	return e.n
}

func (r *Request) encode(e *enc) error {
	if r.ops() != 1 {
		return ErrInvalidRequest
	}
	e.byte1(requestFormat)
	e.uvarint(r.ID)
	switch {
	case r.Range != nil:
		e.byte1(tagRange)
		encodeRange(e, r.Range)
	case r.Put != nil:
		e.byte1(tagPut)
		encodePut(e, r.Put)
	case r.DeleteRange != nil:
		e.byte1(tagDelete)
		encodeDelete(e, r.DeleteRange)
	case r.Txn != nil:
		e.byte1(tagTxn)
		t := r.Txn
		e.uvarint(uint64(len(t.Compare)))
		for i := range t.Compare {
			c := &t.Compare[i]
			e.bytes(c.Key)
			e.bytes(c.RangeEnd)
			e.byte1(byte(c.Target))
			e.byte1(byte(c.Result))
			e.bytes(c.Value)
			e.varint(c.Int)
		}
		for _, ops := range [][]RequestOp{t.Success, t.Failure} {
			e.uvarint(uint64(len(ops)))
			for i := range ops {
				if err := encodeOp(e, &ops[i]); err != nil {
					return err
				}
			}
		}
	case r.Compaction != nil:
		e.byte1(tagCompaction)
		e.varint(r.Compaction.Revision)
	case r.Alarm != nil:
		e.byte1(tagAlarm)
		e.byte1(byte(r.Alarm.Action))
		e.byte1(byte(r.Alarm.Alarm))
	case r.Defrag != nil:
		e.byte1(tagDefrag)
	}
	return nil
}

func encodeRange(e *enc, r *RangeRequest) {
	e.bytes(r.Key)
	e.bytes(r.RangeEnd)
	e.varint(r.Revision)
	e.varint(r.Limit)
	e.bool1(r.CountOnly)
}

func encodePut(e *enc, p *PutRequest) {
	e.bytes(p.Key)
	e.bytes(p.Value)
	e.bool1(p.PrevKV)
}

func encodeDelete(e *enc, d *DeleteRangeRequest) {
	e.bytes(d.Key)
	e.bytes(d.RangeEnd)
	e.bool1(d.PrevKV)
}

func encodeOp(e *enc, op *RequestOp) error {
	switch {
	case op.Range != nil && op.Put == nil && op.DeleteRange == nil:
		e.byte1(tagRange)
		encodeRange(e, op.Range)
	case op.Put != nil && op.Range == nil && op.DeleteRange == nil:
		e.byte1(tagPut)
		encodePut(e, op.Put)
	case op.DeleteRange != nil && op.Range == nil && op.Put == nil:
		e.byte1(tagDelete)
		encodeDelete(e, op.DeleteRange)
	default:
		return ErrInvalidRequest
	}
	return nil
}

// Unmarshal decodes data into r, replacing its contents. It rejects
// truncated or trailing bytes, unknown tags and enum values, non-minimal
// varints and counts the input cannot hold, and never panics.
func (r *Request) Unmarshal(data []byte) error { return r.unmarshal(data, false) }

// unmarshal decodes data; with shared, the request's byte fields are
// sub-slices of data, which must then never be modified.
func (r *Request) unmarshal(data []byte, shared bool) error {
	*r = Request{}
	d := dec{b: data, shared: shared}
	if v := d.byte1(); d.err == nil && v != requestFormat {
		return fmt.Errorf("etcd: unknown request format %d", v)
	}
	r.ID = d.uvarint()
	switch tag := d.byte1(); {
	case d.err != nil:
	case tag == tagRange:
		r.Range = decodeRange(&d)
	case tag == tagPut:
		r.Put = decodePut(&d)
	case tag == tagDelete:
		r.DeleteRange = decodeDelete(&d)
	case tag == tagTxn:
		t := &TxnRequest{}
		if n := d.count(6); n > 0 {
			t.Compare = make([]Compare, n)
			for i := range t.Compare {
				c := &t.Compare[i]
				c.Key = d.bytes()
				c.RangeEnd = d.bytes()
				c.Target = CompareTarget(d.enum(byte(CompareValue), "compare target"))
				c.Result = CompareResult(d.enum(byte(CompareNotEqual), "compare result"))
				c.Value = d.bytes()
				c.Int = d.varint()
			}
		}
		t.Success = decodeOps(&d)
		t.Failure = decodeOps(&d)
		r.Txn = t
	case tag == tagCompaction:
		r.Compaction = &CompactionRequest{Revision: d.varint()}
	case tag == tagAlarm:
		r.Alarm = &AlarmRequest{
			Action: AlarmAction(d.enum(byte(AlarmDeactivate), "alarm action")),
			Alarm:  AlarmType(d.enum(byte(AlarmNoSpace), "alarm type")),
		}
	case tag == tagDefrag:
		r.Defrag = &DefragRequest{}
	default:
		d.fail(fmt.Errorf("etcd: unknown request tag %d", tag))
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail(fmt.Errorf("etcd: %d trailing bytes after request", len(d.b)))
	}
	if d.err != nil {
		*r = Request{}
		return d.err
	}
	return nil
}

func decodeRange(d *dec) *RangeRequest {
	return &RangeRequest{Key: d.bytes(), RangeEnd: d.bytes(), Revision: d.varint(), Limit: d.varint(), CountOnly: d.bool1()}
}

func decodePut(d *dec) *PutRequest {
	return &PutRequest{Key: d.bytes(), Value: d.bytes(), PrevKV: d.bool1()}
}

func decodeDelete(d *dec) *DeleteRangeRequest {
	return &DeleteRangeRequest{Key: d.bytes(), RangeEnd: d.bytes(), PrevKV: d.bool1()}
}

func decodeOps(d *dec) []RequestOp {
	n := d.count(4)
	if n == 0 {
		return nil
	}
	ops := make([]RequestOp, n)
	for i := range ops {
		switch tag := d.byte1(); {
		case d.err != nil:
			return nil
		case tag == tagRange:
			ops[i].Range = decodeRange(d)
		case tag == tagPut:
			ops[i].Put = decodePut(d)
		case tag == tagDelete:
			ops[i].DeleteRange = decodeDelete(d)
		default:
			d.fail(fmt.Errorf("etcd: unknown txn op tag %d", tag))
			return nil
		}
	}
	return ops
}
