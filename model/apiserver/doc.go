// Package apiserver is kubesim's API server: an object store with
// resourceVersions, admission (defaulting, validation, namespace and
// priority resolution), the Binding subresource and watch fan-out.
//
// Every change is delivered to watchers as a kernel event at the instant it
// commits, never synchronously inside the caller's handler, so components
// cannot re-enter each other and the order of deliveries is the order of
// commits. The store is the "ideal" fidelity level: it commits immediately
// and never fails for availability reasons; the etcd-Raft backed store plugs
// in behind the same model.Client interface.
package apiserver
