package scenarios

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSummarizeQuantiles(t *testing.T) {
	// stat.Empirical on 1..10: p50 → 5, p90 → 9, p99 → 10.
	xs := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	l := summarize(xs)
	require.Equal(t, Latency{Count: 10, Mean: 5.5, P50: 5, P90: 9, P99: 10, Max: 10}, l)
	require.Equal(t, Latency{}, summarize(nil))
	require.Equal(t, []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, xs, "input untouched")
}
