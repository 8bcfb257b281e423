package ctrlutil

// SlowStartInitialBatchSize is controller.SlowStartInitialBatchSize.
const SlowStartInitialBatchSize = 1

// SlowStartBatches returns the batch sizes slowStartBatch uses for count
// calls starting at initial: 1, 2, 4, ... and the remainder.
func SlowStartBatches(count, initial int) []int {
	var out []int
	remaining := count
	for batch := min(remaining, initial); batch > 0; batch = min(2*batch, remaining) {
		out = append(out, batch)
		remaining -= batch
	}
	return out
}

// SlowStart runs count asynchronous calls in batches of 1, 2, 4, ...
// (slowStartBatch): call(i, done) is issued for i = 0, 1, ... in order, a
// batch at once, and the next batch starts when all callbacks of the
// previous one have returned; after a batch with an error no further batch
// starts. finish gets the number of successful calls, the number of calls
// never issued and the first error (in callback order) of the failed batch.
func SlowStart(count, initial int, call func(i int, done func(error)), finish func(successes, skipped int, err error)) {
	batches := SlowStartBatches(count, initial)
	successes, issued := 0, 0
	var next func(i int)
	next = func(i int) {
		if i == len(batches) {
			finish(successes, count-issued, nil)
			return
		}
		var first error
		failed := 0
		b := NewBarrier(batches[i], func() {
			successes += batches[i] - failed
			if first != nil {
				finish(successes, count-issued, first)
				return
			}
			next(i + 1)
		})
		start, end := issued, issued+batches[i]
		issued = end
		for j := start; j < end; j++ {
			call(j, func(err error) {
				if err != nil {
					failed++
					if first == nil {
						first = err
					}
				}
				b.Done()
			})
		}
	}
	next(0)
}
