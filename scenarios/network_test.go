package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const webService = `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: default}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers: [{name: web, image: "web:1", ports: [{name: http, containerPort: 8080}], resources: {requests: {cpu: 100m}}}]
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec:
        clusterIP: 10.96.0.20
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
`

func clientDeployment(name, role string) string {
	return `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ` + name + `, namespace: default}
      spec:
        replicas: 2
        selector: {matchLabels: {role: ` + role + `}}
        template:
          metadata: {labels: {role: ` + role + `}}
          spec:
            containers: [{name: c, image: "client:1", resources: {requests: {cpu: 50m}}}]
`
}

// A NetworkPolicy selecting the web pods admits only the frontend pods;
// the other clients' connections are dropped and time out.
func TestNetworkPolicyDeniesTraffic(t *testing.T) {
	r, _ := runScenario(t, storageBase+`  workloads:
  - inline:
`+webService+clientDeployment("frontend", "frontend")+clientDeployment("batch", "batch")+`    - apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web-from-frontend, namespace: default}
      spec:
        podSelector: {matchLabels: {app: web}}
        ingress:
        - from: [{podSelector: {matchLabels: {role: frontend}}}]
          ports: [{port: http}]
  traffic:
  - {name: frontend, to: default/web, rate: 20, from: {selector: {role: frontend}}, start: 30s, retries: 0}
  - {name: batch, to: default/web, rate: 20, from: {selector: {role: batch}}, start: 30s, retries: 0}
`)
	s := r.Summary.Requests
	require.NotNil(t, s)
	require.Len(t, s.Clients, 2)
	byName := map[string]int{}
	for i, c := range s.Clients {
		byName[c.Client] = i
	}
	fe, batch := s.Clients[byName["frontend"]], s.Clients[byName["batch"]]
	assert.Greater(t, fe.Total, int64(4000))
	assert.Equal(t, 1.0, fe.SuccessRate, "frontend pods are admitted")
	assert.Greater(t, batch.Total, int64(4000))
	assert.Equal(t, 0.0, batch.SuccessRate, "every batch connection is denied")
	assert.Equal(t, batch.Failed, s.Services[0].Failures["timeout: denied by NetworkPolicy"])
}
