package scenarios

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// RunParallel calls job(i) for i in [0, n) on up to workers goroutines and
// returns each job's error (a panic becomes an error carrying its stack).
// Each job must be an independent run with its own kernel: parallelism
// lives across runs, never inside one, so results do not depend on the
// number of workers.
func RunParallel(n, workers int, job func(i int) error) []error {
	if workers < 1 {
		workers = 1
	}
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = runJob(i, job)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

func runJob(i int, job func(int) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("run %d panicked: %v\n%s", i, r, debug.Stack())
		}
	}()
	return job(i)
}
