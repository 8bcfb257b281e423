// Package imagelocality is the ImageLocality score plugin, re-implemented
// from kube-scheduler 1.35's
// pkg/scheduler/framework/plugins/imagelocality/image_locality.go.
//
// A node scores by the images of the pod's containers, init containers
// included, that it already has: each image counts its size scaled by the
// share of snapshot nodes that have it (spread), and the sum is clamped to
// [23MiB, 1000MiB × number of containers] and mapped linearly onto
// 0..MaxNodeScore.
//
// Deliberate deviation: a PreScore step (upstream has none) normalizes the
// pod's image names and counts the snapshot's nodes once per cycle, so that
// Score does not allocate per node. It never returns Skip and does not
// change any score; Score without it computes the same values itself.
package imagelocality
