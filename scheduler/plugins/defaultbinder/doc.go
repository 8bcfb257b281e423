// Package defaultbinder re-implements kube-scheduler's DefaultBinder plugin
// (pkg/scheduler/framework/plugins/defaultbinder/default_binder.go, k8s
// 1.35): it binds the pod to the chosen node through the pods/binding
// subresource.
//
// Deviations: none; the Binding carries namespace, name and node (the
// model.Client Bind call has no UID precondition).
package defaultbinder
