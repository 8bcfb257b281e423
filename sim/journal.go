package sim

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Field is one named value of a journal event. Fields keep the order they
// were given in, so encoded events are byte-stable.
type Field struct {
	Key   string
	Value any
}

// F makes a Field.
func F(key string, value any) Field { return Field{Key: key, Value: value} }

// Event is one journal record: what happened (Kind, following Kubernetes
// event reasons where one exists), who reported it (Source), to what
// (Object, "namespace/name" or a node or member name) and the details.
type Event struct {
	T      Time
	Kind   string
	Source string
	Object string
	Fields []Field
}

// Field returns the value of the named field, or nil.
func (e *Event) Field(key string) any {
	for _, f := range e.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Subscriber consumes journal events as they are recorded. It must not keep
// the *Event past the call; copy what it needs.
type Subscriber func(e *Event)

// Journal records a run's events and fans them out to subscribers
// (exporters, metrics, invariant checks) synchronously, in record order.
type Journal struct {
	subs  []Subscriber
	count uint64
	kinds map[string]uint64
}

// NewJournal returns an empty journal.
func NewJournal() *Journal { return &Journal{kinds: make(map[string]uint64)} }

// Subscribe adds s; it sees every event recorded from now on.
func (j *Journal) Subscribe(s Subscriber) { j.subs = append(j.subs, s) }

// Record appends an event and hands it to every subscriber.
func (j *Journal) Record(e Event) {
	j.count++
	j.kinds[e.Kind]++
	for _, s := range j.subs {
		s(&e)
	}
}

// Count returns the number of events recorded.
func (j *Journal) Count() uint64 { return j.count }

// CountKind returns the number of events of one kind.
func (j *Journal) CountKind(kind string) uint64 { return j.kinds[kind] }

// Recorder is a subscriber that keeps every event in memory, for tests and
// small runs.
type Recorder struct {
	Events []Event
}

// Subscriber returns the function to pass to Journal.Subscribe.
func (r *Recorder) Subscriber() Subscriber {
	return func(e *Event) {
		c := *e
		c.Fields = append([]Field(nil), e.Fields...)
		r.Events = append(r.Events, c)
	}
}

// Kinds returns the events of the given kind.
func (r *Recorder) Kinds(kind string) []Event {
	var out []Event
	for _, e := range r.Events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// AppendJSON appends e as one JSON object (no newline):
//
//	{"t":1830000000000,"kind":"Scheduled","source":"scheduler","object":"default/web-1","fields":{"node":"n-12","score":287}}
//
// Fields are written in their recorded order. Supported values: strings,
// bools, integers, floats, Durations (as nanoseconds), Times (as simulated
// nanoseconds), []string, and anything else encoding/json accepts.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, int64(e.T), 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, e.Kind)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, e.Source)
	b = append(b, `,"object":`...)
	b = appendJSONString(b, e.Object)
	if len(e.Fields) > 0 {
		b = append(b, `,"fields":{`...)
		for i, f := range e.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f.Key)
			b = append(b, ':')
			b = appendJSONValue(b, f.Value)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case Time:
		return strconv.AppendInt(b, int64(x), 10)
	case time.Duration:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return appendJSONString(b, err.Error())
	}
	return append(b, enc...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string, escaping as encoding/json does
// (without HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// KindCounts returns a copy of the per-kind event counts.
func (j *Journal) KindCounts() map[string]uint64 {
	out := make(map[string]uint64, len(j.kinds))
	for k, n := range j.kinds {
		out[k] = n
	}
	return out
}
