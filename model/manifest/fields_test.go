package manifest

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestFieldReference(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "model.md")
	got := FieldReference()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got, "docs/model.md is stale: go test ./model/manifest -run TestFieldReference -update")
}
