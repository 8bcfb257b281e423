package raft

import (
	"bytes"
	"fmt"

	pb "go.etcd.io/raft/v3/raftpb"
)

// StateMachine is the replicated state one member applies committed entries
// to; the caller implements it (storage/etcd's MVCC store, a test's log).
// NewCluster asks for one instance per member, and Restart asks for a fresh
// one: a crash loses the member's in-memory state, and the new instance is
// rebuilt from the member's persisted snapshot and log.
//
// The methods run inside the member's Ready handling, at the simulated
// instant its disk write completed. They must not call back into the
// Cluster, and they must be deterministic: no wall clock, no goroutines.
type StateMachine interface {
	// Apply applies the committed entry at index. Entries arrive in
	// increasing index order, each once per state-machine instance; indices
	// may skip entries that carry no data (the no-op every new leader
	// appends). data is immutable: never modify it. It may be kept: every
	// member is handed the same bytes, so what members keep of it they
	// share.
	Apply(index uint64, data []byte)
	// Snapshot returns the state as of the last applied entry. The member
	// stores it with its log, compacts the log behind it, and ships it to
	// followers too far behind to catch up from the log.
	Snapshot() []byte
	// Restore replaces the whole state with a snapshot's: on Restart, and on
	// a follower that receives a snapshot from the leader. Apply calls that
	// follow continue from the snapshot's index.
	Restore(snapshot []byte)
}

// ImageStateMachine is a StateMachine whose snapshots can stay in memory as
// immutable images instead of bytes. A member then stores a short marker as
// its snapshot's data and keeps the image beside its storage (where it
// survives a crash, as etcd's snap file does), and a MsgSnap carries the
// sender's image to the follower. Every member would otherwise hold a full
// serialized copy of the state it already holds live, which dominates the
// memory of a long run.
type ImageStateMachine interface {
	StateMachine
	// SnapshotImage returns an immutable image of the state as of the last
	// applied entry. Images of two instances at the same index are
	// interchangeable.
	SnapshotImage() any
	// RestoreImage replaces the whole state with an image's, like Restore.
	// The image must be left unchanged: other members may restore it too.
	RestoreImage(image any)
}

// imageMarker is the data of a snapshot whose state is an image.
var imageMarker = []byte("kubesim:image")

// indexedImage is an image and the index it was taken at.
type indexedImage struct {
	index uint64
	image any
}

// maxRecentImages bounds the images a member remembers for snapshots in
// flight: its own last two (raft may still ship the previous one in the next
// Ready) and a couple received from leaders.
const maxRecentImages = 4

// rememberImage records an image a MsgSnap may refer to.
func (m *member) rememberImage(index uint64, image any) {
	if len(m.recentImages) == maxRecentImages {
		m.recentImages = append(m.recentImages[:0], m.recentImages[1:]...)
	}
	m.recentImages = append(m.recentImages, indexedImage{index: index, image: image})
}

// imageAt returns the image of the snapshot at index.
func (m *member) imageAt(index uint64) any {
	if m.snapImage != nil && m.snapIndex == index {
		return m.snapImage
	}
	for i := len(m.recentImages) - 1; i >= 0; i-- {
		if m.recentImages[i].index == index {
			return m.recentImages[i].image
		}
	}
	panic(fmt.Sprintf("raft: member %d: no image for the snapshot at %d", m.id, index))
}

// takeSnapshot returns the state machine's snapshot data, keeping the image
// when the state machine makes images.
func (m *member) takeSnapshot(index uint64) []byte {
	im, ok := m.sm.(ImageStateMachine)
	if !ok {
		return m.sm.Snapshot()
	}
	img := im.SnapshotImage()
	m.rememberImage(index, img)
	m.snapImage = img
	return imageMarker
}

// restore replaces the state machine's state with a snapshot's.
func (m *member) restore(snap *pb.Snapshot) {
	data := snap.GetData()
	if bytes.Equal(data, imageMarker) {
		m.sm.(ImageStateMachine).RestoreImage(m.imageAt(snap.GetMetadata().GetIndex()))
		return
	}
	m.sm.Restore(data)
}
