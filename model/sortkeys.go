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
