// Package manifest reads real Kubernetes manifests into kubesim's model and
// writes objects back out as Kubernetes YAML.
//
// It reads multi-document YAML files, directories and globs, `kind: List`
// documents, and dispatches on apiVersion and kind. Every problem is a
// [Diagnostic] naming the file, line, column and field path and saying what
// was expected; decoding goes on after an error so that one pass reports
// everything. Fields Kubernetes defines but kubesim does not simulate are
// accepted silently; fields that are neither (usually typos) are warnings,
// or errors in strict mode. Kinds kubesim does not model are reported and
// skipped.
//
// The field walker ([Decoder]) is generic and also reads kubesim's own
// formats (scenarios, sweeps) with the same precision.
package manifest
