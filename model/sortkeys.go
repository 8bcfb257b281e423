package model

import (
	"cmp"
	"slices"
)

// sortedKeys returns a map's keys in order, so that whatever iterates them
// produces the same output every run.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SortedKeys is sortedKeys for other packages.
func SortedKeys[K cmp.Ordered, V any](m map[K]V) []K { return sortedKeys(m) }

// SortedValues returns the map's values in the order of their keys.
func SortedValues[K cmp.Ordered, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
