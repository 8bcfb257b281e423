package scenarios

import (
	"github.com/kubesim/kubesim/model/controllers/cronjob"
	"github.com/kubesim/kubesim/model/controllers/daemonset"
	"github.com/kubesim/kubesim/model/controllers/deployment"
	"github.com/kubesim/kubesim/model/controllers/disruption"
	"github.com/kubesim/kubesim/model/controllers/endpointslice"
	"github.com/kubesim/kubesim/model/controllers/garbagecollector"
	"github.com/kubesim/kubesim/model/controllers/job"
	"github.com/kubesim/kubesim/model/controllers/namespace"
	"github.com/kubesim/kubesim/model/controllers/nodelifecycle"
	"github.com/kubesim/kubesim/model/controllers/podautoscaler"
	"github.com/kubesim/kubesim/model/controllers/podgc"
	"github.com/kubesim/kubesim/model/controllers/replicaset"
	"github.com/kubesim/kubesim/model/controllers/resourcequota"
	"github.com/kubesim/kubesim/model/controllers/statefulset"
)

// startControllers starts kube-controller-manager's loops, each with its
// own throttled client and upstream's defaults.
func (r *Run) startControllers() []string {
	k, connect := r.Kernel, r.API.NewClient
	rs := replicaset.DefaultConfig()
	rs.Start = r.start
	replicaset.New(k, connect, rs).Start()
	dp := deployment.DefaultConfig()
	dp.Start = r.start
	deployment.New(k, connect, dp).Start()
	ds := daemonset.DefaultConfig()
	ds.Start = r.start
	daemonset.New(k, connect, ds).Start()
	jb := job.DefaultConfig()
	jb.Start = r.start
	job.New(k, connect, jb).Start()
	cj := cronjob.DefaultConfig()
	cj.Start = r.start
	cronjob.New(k, connect, cj).Start()
	nl := nodelifecycle.DefaultConfig()
	nl.Start = r.start
	nodelifecycle.New(k, connect, nl).Start()
	dr := disruption.DefaultConfig()
	dr.Start = r.start
	disruption.New(k, connect, dr).Start()
	ss := statefulset.DefaultConfig()
	ss.Start = r.start
	statefulset.New(k, connect, ss).Start()
	hpa := podautoscaler.DefaultConfig()
	hpa.Start = r.start
	hpa.Metrics = machineMetrics{r: r}
	podautoscaler.New(k, connect, hpa).Start()
	ns := namespace.DefaultConfig()
	ns.Start = r.start
	namespace.New(k, connect, ns).Start()
	rq := resourcequota.DefaultConfig()
	rq.Start = r.start
	resourcequota.New(k, connect, rq).Start()
	garbagecollector.New(k, connect, garbagecollector.DefaultConfig()).Start()
	endpointslice.New(k, connect, endpointslice.DefaultConfig()).Start()
	gc := podgc.DefaultConfig()
	gc.Start = r.start
	podgc.New(k, connect, gc).Start()
	return []string{"replicaset", "deployment", "statefulset", "daemonset", "job", "cronjob", "horizontalpodautoscaler",
		"nodelifecycle", "disruption", "namespace", "resourcequota", "garbagecollector", "endpointslice", "podgc"}
}
