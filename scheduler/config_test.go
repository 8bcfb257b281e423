package scheduler

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func names(s PluginSet) []string {
	var out []string
	for _, p := range s.Enabled {
		out = append(out, p.Name)
	}
	return out
}

// Cases after upstream apis/config/v1 default_plugins_test.go TestMergePlugins.
func TestMergePluginSet(t *testing.T) {
	def := PluginSet{Enabled: []PluginRef{{Name: "A"}, {Name: "B"}, {Name: "C"}}}
	w := func(n int32) *int32 { return &n }
	cases := []struct {
		name   string
		custom PluginSet
		want   []string
	}{
		{"no custom", PluginSet{}, []string{"A", "B", "C"}},
		{"disable one", PluginSet{Disabled: []PluginRef{{Name: "B"}}}, []string{"A", "C"}},
		{"disable all, enable one", PluginSet{Disabled: []PluginRef{{Name: "*"}}, Enabled: []PluginRef{{Name: "X"}}}, []string{"X"}},
		{"append custom", PluginSet{Enabled: []PluginRef{{Name: "X"}}}, []string{"A", "B", "C", "X"}},
		{"reconfigure default in place", PluginSet{Enabled: []PluginRef{{Name: "X"}, {Name: "B", Weight: w(5)}}}, []string{"A", "B", "C", "X"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, names(mergePluginSet(def, c.custom)))
		})
	}
	got := mergePluginSet(def, PluginSet{Enabled: []PluginRef{{Name: "B", Weight: w(5)}}})
	require.Equal(t, int32(5), *got.Enabled[1].Weight)
}

func TestParseConfigurationDefaultsAndErrors(t *testing.T) {
	c, diags := ParseConfiguration("c.yaml", []byte("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"), false)
	require.False(t, diags.HasErrors(), "%v", diags)
	require.Equal(t, int32(16), *c.Parallelism)
	require.Equal(t, int32(0), *c.PercentageOfNodesToScore)
	require.Equal(t, int64(1), *c.PodInitialBackoffSeconds)
	require.Equal(t, int64(10), *c.PodMaxBackoffSeconds)
	require.Equal(t, 50.0, *c.ClientConnection.QPS)
	require.Equal(t, int32(100), *c.ClientConnection.Burst)
	require.Len(t, c.Profiles, 1)
	require.Equal(t, "default-scheduler", c.Profiles[0].SchedulerName)
	require.Len(t, c.Profiles[0].Plugins.MultiPoint.Enabled, 18)

	bad := []struct{ yaml, want string }{
		{"apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n", "c.yaml:1:13: error: apiVersion: must be kubescheduler.config.k8s.io/v1"},
		{"apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 120\n", "c.yaml:3:27: error: percentageOfNodesToScore: not in valid range [0-100]"},
		{"apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n- schedulerName: a\n", "duplicate profile \"a\""},
		{"apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: a\n  plugns: {}\n", `c.yaml:5:3: error: profiles[0].plugns: unknown field "plugns" (did you mean "plugins"?)`},
	}
	for _, b := range bad {
		_, diags := ParseConfiguration("c.yaml", []byte(b.yaml), true)
		var all []string
		for _, d := range diags {
			all = append(all, d.String())
		}
		require.Contains(t, strings.Join(all, "\n"), b.want)
	}
}
