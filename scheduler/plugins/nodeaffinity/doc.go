// Package nodeaffinity re-implements kube-scheduler's NodeAffinity plugin
// (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go, k8s 1.35),
// with its NodeAffinityArgs (pkg/scheduler/apis/config, validation in
// validation_pluginargs.go ValidateNodeAffinityArgs).
//
// PreFilter compiles pod.spec.nodeSelector and the required node affinity
// once per pod (model.RequiredNodeAffinity) and, when every required term
// pins metadata.name with In, narrows the candidate nodes to those names
// (PreFilterResult). Filter checks the scheduler-enforced addedAffinity,
// then the pod's own requirement. PreScore/Score sum the weights of the
// matching preferred terms of the pod and of addedAffinity; NormalizeScore
// scales onto 0..100 (not reversed).
//
// Deviations: none known. Invalid required terms never match and their
// parse errors are ignored in Filter, as upstream ("backwards
// compatibility"). Events and hints are the SchedulerQueueingHints-enabled
// ones (the 1.35 default).
package nodeaffinity
