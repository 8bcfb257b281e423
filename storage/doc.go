// Package storage holds the persistence layers: raft/ drives etcd's Raft
// (go.etcd.io/raft/v3 RawNode) on the kernel's clock, etcd/ is the MVCC
// store with watches built on it, and volume/ is PersistentVolume binding,
// provisioning and attach.
//
// It may import model and sim only.
package storage
