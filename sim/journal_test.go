package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEventJSON(t *testing.T) {
	cases := []struct {
		e    Event
		want string
	}{
		{Event{T: 1830000000000, Kind: "Scheduled", Source: "scheduler", Object: "default/web-7d9f-x2x4z",
			Fields: []Field{F("node", "web-12"), F("score", int64(287))}},
			`{"t":1830000000000,"kind":"Scheduled","source":"scheduler","object":"default/web-7d9f-x2x4z","fields":{"node":"web-12","score":287}}`},
		{Event{T: 0, Kind: "NodeReady", Source: "kubelet", Object: "n-1"},
			`{"t":0,"kind":"NodeReady","source":"kubelet","object":"n-1"}`},
		{Event{Kind: "K", Fields: []Field{F("z", 1.5), F("a", true), F("d", 2*time.Second), F("at", Time(7)),
			F("l", []string{"x", "y"}), F("q", "a\"b\n<"), F("nan", nil), F("m", map[string]int{"b": 2, "a": 1})}},
			`{"t":0,"kind":"K","source":"","object":"","fields":{"z":1.5,"a":true,"d":2000000000,"at":7,"l":["x","y"],"q":"a\"b\n<","nan":null,"m":{"a":1,"b":2}}}`},
	}
	for _, c := range cases {
		got := string(c.e.AppendJSON(nil))
		require.Equal(t, c.want, got)
		require.True(t, json.Valid([]byte(got)))
	}
}

func TestJournalFansOut(t *testing.T) {
	j := NewJournal()
	var rec Recorder
	j.Subscribe(rec.Subscriber())
	n := 0
	j.Subscribe(func(e *Event) { n++ })
	j.Record(Event{Kind: "A"})
	j.Record(Event{Kind: "B", Fields: []Field{F("x", 1)}})
	j.Record(Event{Kind: "A"})
	require.Equal(t, 3, n)
	require.Equal(t, uint64(3), j.Count())
	require.Equal(t, uint64(2), j.CountKind("A"))
	require.Len(t, rec.Kinds("A"), 2)
	require.Equal(t, 1, rec.Events[1].Field("x"))
	require.Nil(t, rec.Events[1].Field("y"))
}
