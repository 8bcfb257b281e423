package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunExitsThreeOnFailedAssertion(t *testing.T) {
	out, errOut, code := run(t, "run", "testdata/assert-fails.yaml")
	require.Equal(t, 3, code, errOut)
	require.Contains(t, out, "assert pendingPods.count == 0")
	require.Contains(t, out, "FAILED (2)")
	require.Contains(t, out, "steadyState")
}
