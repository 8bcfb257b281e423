package scheduler

import (
	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/scheduler/plugins/balancedallocation"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultbinder"
	"github.com/kubesim/kubesim/scheduler/plugins/defaultpreemption"
	"github.com/kubesim/kubesim/scheduler/plugins/dotproduct"
	"github.com/kubesim/kubesim/scheduler/plugins/imagelocality"
	"github.com/kubesim/kubesim/scheduler/plugins/interpodaffinity"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeaffinity"
	"github.com/kubesim/kubesim/scheduler/plugins/nodename"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeports"
	"github.com/kubesim/kubesim/scheduler/plugins/noderesources"
	"github.com/kubesim/kubesim/scheduler/plugins/nodeunschedulable"
	"github.com/kubesim/kubesim/scheduler/plugins/nodevolumelimits"
	"github.com/kubesim/kubesim/scheduler/plugins/podtopologyspread"
	"github.com/kubesim/kubesim/scheduler/plugins/queuesort"
	"github.com/kubesim/kubesim/scheduler/plugins/schedulinggates"
	"github.com/kubesim/kubesim/scheduler/plugins/tainttoleration"
	"github.com/kubesim/kubesim/scheduler/plugins/volumebinding"
	"github.com/kubesim/kubesim/scheduler/plugins/volumerestrictions"
	"github.com/kubesim/kubesim/scheduler/plugins/volumezone"
)

// InTreeRegistry returns every plugin kubesim ships: kube-scheduler's
// default set plus the research policies. Add your own with Register
// before passing the registry in Options:
//
//	reg := scheduler.InTreeRegistry()
//	reg.Register("MyScore", framework.Registration{Factory: myplugin.New})
func InTreeRegistry() framework.Registry {
	r := framework.Registry{}
	add := func(name string, f framework.PluginFactory, args func() framework.Args) {
		if err := r.Register(name, framework.Registration{Factory: f, NewArgs: args}); err != nil {
			panic(err) // two in-tree plugins with one name is a build error
		}
	}
	add(schedulinggates.Name, schedulinggates.New, nil)
	add(queuesort.Name, queuesort.New, nil)
	add(nodeunschedulable.Name, nodeunschedulable.New, nil)
	add(nodename.Name, nodename.New, nil)
	add(tainttoleration.Name, tainttoleration.New, nil)
	add(nodeaffinity.Name, nodeaffinity.New, nodeaffinity.NewArgs)
	add(nodeports.Name, nodeports.New, nil)
	add(noderesources.Name, noderesources.New, noderesources.NewArgs)
	add(volumerestrictions.Name, volumerestrictions.New, nil)
	add(nodevolumelimits.Name, nodevolumelimits.New, nil)
	add(volumebinding.Name, volumebinding.New, volumebinding.NewArgs)
	add(volumezone.Name, volumezone.New, nil)
	add(podtopologyspread.Name, podtopologyspread.New, podtopologyspread.NewArgs)
	add(interpodaffinity.Name, interpodaffinity.New, interpodaffinity.NewArgs)
	add(defaultpreemption.Name, defaultpreemption.New, defaultpreemption.NewArgs)
	add(balancedallocation.Name, balancedallocation.New, balancedallocation.NewArgs)
	add(imagelocality.Name, imagelocality.New, nil)
	add(defaultbinder.Name, defaultbinder.New, nil)
	add(dotproduct.Name, dotproduct.New, dotproduct.NewArgs)
	return r
}
