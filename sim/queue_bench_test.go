package sim

import (
	"container/heap"
	"testing"
)

// The queue benchmarks run the "hold" model: with 100k events pending, pop
// the earliest and push one a pseudo-random distance into the future. Each
// op is one push and one pop. BenchmarkQueueHeapBaseline is the same on
// container/heap, which the B-tree queue must beat.

const holdPending = 100_000

type nopHandler struct{}

func (nopHandler) Fire(Time) {}

// lcg gives the same future offsets to both benchmarks without touching any
// random stream.
type lcg uint64

func (l *lcg) next() Time {
	*l = *l*6364136223846793005 + 1442695040888963407
	return Time(uint64(*l)>>40) + 1
}

func BenchmarkQueue(b *testing.B) {
	q := NewQueue()
	var g lcg = 1
	h := nopHandler{}
	for i := 0; i < holdPending; i++ {
		q.Push(g.next(), h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at, _, _ := q.Pop()
		q.Push(at+g.next(), h)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

type heapItem struct {
	at  Time
	seq uint64
	h   Handler
}

type eventHeap []heapItem

func (e eventHeap) Len() int { return len(e) }
func (e eventHeap) Less(i, j int) bool {
	if e[i].at != e[j].at {
		return e[i].at < e[j].at
	}
	return e[i].seq < e[j].seq
}
func (e eventHeap) Swap(i, j int) { e[i], e[j] = e[j], e[i] }
func (e *eventHeap) Push(x any)   { *e = append(*e, x.(heapItem)) }
func (e *eventHeap) Pop() any {
	old := *e
	it := old[len(old)-1]
	*e = old[:len(old)-1]
	return it
}

func BenchmarkQueueHeapBaseline(b *testing.B) {
	var q eventHeap
	var g lcg = 1
	var seq uint64
	h := nopHandler{}
	for i := 0; i < holdPending; i++ {
		seq++
		heap.Push(&q, heapItem{at: g.next(), seq: seq, h: h})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := heap.Pop(&q).(heapItem)
		seq++
		heap.Push(&q, heapItem{at: it.at + g.next(), seq: seq, h: h})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkKernelHold measures the whole kernel loop (timer scheduling and
// firing) rather than the bare queue.
func BenchmarkKernelHold(b *testing.B) {
	k := NewKernel(1)
	var g lcg = 1
	var h HandlerFunc
	h = func(now Time) { k.At(now+g.next(), h) }
	for i := 0; i < holdPending; i++ {
		k.At(g.next(), h)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
