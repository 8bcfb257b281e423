package garbagecollector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/controllers/deployment"
	"github.com/kubesim/kubesim/model/controllers/replicaset"
)

// TestDeploymentDeletionCascades runs the Deployment and ReplicaSet
// controllers with the collector: deleting the Deployment (background, the
// default) removes its ReplicaSet and pods; deleting it in the foreground
// removes the pods and ReplicaSet before the Deployment itself.
func TestDeploymentDeletionCascades(t *testing.T) {
	for _, policy := range []model.DeletionPropagation{model.DeletePropagationBackground, model.DeletePropagationForeground} {
		t.Run(string(policy), func(t *testing.T) {
			h := newHarness(t)
			replicaset.New(h.k, h.s.NewClient, replicaset.DefaultConfig()).Start()
			deployment.New(h.k, h.s.NewClient, deployment.DefaultConfig()).Start()
			d := testDeployment("web")
			d.Spec.Replicas = model.Ptr[int32](3)
			h.create(t, d)
			h.run(10 * time.Second)
			require.Equal(t, 1, h.s.Count("ReplicaSet"))
			require.Equal(t, 3, h.s.Count("Pod"))

			var deploymentGoneAt, lastPodGoneAt time.Duration
			h.s.Watch("Deployment", func(ev model.WatchEvent) {
				if ev.Type == model.Deleted {
					deploymentGoneAt = time.Duration(h.k.Now())
				}
			})
			h.s.Watch("Pod", func(ev model.WatchEvent) {
				if ev.Type == model.Deleted {
					lastPodGoneAt = time.Duration(h.k.Now())
				}
			})
			p := policy
			require.NoError(t, h.s.DeleteWith("Deployment", "default", "web", model.DeleteOptions{PropagationPolicy: &p}))
			h.run(30 * time.Second)
			require.Equal(t, 0, h.s.Count("Deployment"))
			require.Equal(t, 0, h.s.Count("ReplicaSet"))
			require.Equal(t, 0, h.s.Count("Pod"))
			if policy == model.DeletePropagationForeground {
				require.Greater(t, deploymentGoneAt, lastPodGoneAt, "foreground: the owner goes last")
			} else {
				require.Less(t, deploymentGoneAt, lastPodGoneAt, "background: the owner goes first")
			}
		})
	}
}
