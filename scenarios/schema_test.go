package scenarios

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestSchemaIsFresh(t *testing.T) {
	p := filepath.Join("..", "docs", "scenario.schema.json")
	got := Schema()
	if *update {
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "docs/scenario.schema.json is stale: go test ./scenarios -run TestSchemaIsFresh -update")
}

func TestSchemaCoversTheFormat(t *testing.T) {
	var doc struct {
		Ref  string                     `json:"$ref"`
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(Schema(), &doc))
	require.Equal(t, "#/$defs/scenarios.Scenario", doc.Ref)
	var spec struct {
		Properties map[string]any `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(doc.Defs["scenarios.Spec"], &spec))
	for _, f := range []string{"duration", "cluster", "workloads", "timeline", "assert", "stopWhen", "behaviors", "controlPlane"} {
		require.Contains(t, spec.Properties, f)
	}
	require.Contains(t, doc.Defs, "scenarios.Generator")
	require.Contains(t, doc.Defs, "model.DistSpec")
	var ib struct {
		Properties map[string]any `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(doc.Defs["model.ImageBehavior"], &ib))
	require.Contains(t, ib.Properties, "runFor", "inline fields are flattened")
	require.Contains(t, ib.Properties, "image")
}
