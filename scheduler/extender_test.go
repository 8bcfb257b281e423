package scheduler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// TestHTTPExtender runs an extender on loopback that speaks kube-scheduler's
// protocol: it rejects node n0, gives n2 its top priority, and binds pods
// itself through a callback.
func TestHTTPExtender(t *testing.T) {
	var bound []string
	var c *cluster
	mux := http.NewServeMux()
	mux.HandleFunc("/filter", func(w http.ResponseWriter, r *http.Request) {
		var args struct {
			Pod       map[string]any `json:"pod"`
			NodeNames []string       `json:"nodenames"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&args))
		require.Equal(t, "default", args.Pod["metadata"].(map[string]any)["namespace"])
		var keep []string
		failed := map[string]string{}
		for _, n := range args.NodeNames {
			if n == "n0" {
				failed[n] = "n0 is reserved by the extender"
				continue
			}
			keep = append(keep, n)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"nodenames": keep, "failedNodes": failed})
	})
	mux.HandleFunc("/prioritize", func(w http.ResponseWriter, r *http.Request) {
		var args struct {
			NodeNames []string `json:"nodenames"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&args))
		var out []map[string]any
		for _, n := range args.NodeNames {
			s := 0
			if n == "n2" {
				s = 10
			}
			out = append(out, map[string]any{"host": n, "score": s})
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("/bind", func(w http.ResponseWriter, r *http.Request) {
		var args extenderBindingArgs
		require.NoError(t, json.NewDecoder(r.Body).Decode(&args))
		bound = append(bound, args.PodNamespace+"/"+args.PodName+"@"+args.Node)
		// The extender binds through the API, as a real one would.
		require.NoError(t, c.api.Bind(args.PodNamespace, args.PodName, args.Node))
		_ = json.NewEncoder(w).Encode(map[string]any{})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cfg := DefaultConfiguration()
	cfg.Extenders = []ExtenderConfig{{URLPrefix: srv.URL, FilterVerb: "filter", PrioritizeVerb: "prioritize", BindVerb: "bind",
		Weight: 5, NodeCacheCapable: true, HTTPTimeout: ptr(5 * time.Second)}}
	c = newCluster(t, 1, Options{Config: cfg})
	for i := 0; i < 3; i++ {
		c.create(t, node(fmt.Sprintf("n%d", i), "a", 4000, "8Gi"))
	}
	for i := 0; i < 3; i++ {
		c.create(t, pod(fmt.Sprintf("p%d", i), "100m", "100Mi", nil))
	}
	c.k.RunUntil(sim.Time(time.Minute), func() bool { return c.sched.Stats.Scheduled == 3 })
	// The extender's priority (10·5·10 = 500) outweighs the default
	// plugins' spread: every pod lands on n2, none on the rejected n0.
	require.Equal(t, []string{"default/p0@n2", "default/p1@n2", "default/p2@n2"}, bound)
	for _, p := range []string{"p0", "p1", "p2"} {
		require.Equal(t, "n2", c.placements()[p])
	}
	_ = model.DefaultSchedulerName
}
