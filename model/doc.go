// Package model holds the Kubernetes objects kubesim simulates and the
// semantics every component shares: the types and the fields of each that
// change behaviour, quantities, label and node selectors, taints and
// tolerations, API defaulting, and deep copies.
//
// It holds types and pure functions only, plus the interfaces components talk
// through, so a controller, a scheduler plugin or the volume binder depends on
// model and sim alone, never on the component implementing an interface.
//
// # Modeled fields
//
// Each kind models the fields that change what the simulation does and
// declares, in an `unmodeled` tag on a leading blank field, the Kubernetes
// fields it accepts but ignores (command, env, securityContext, ...). The
// manifest decoder (package model/manifest) accepts both silently and warns,
// with the field path, about any field that is neither: usually a typo.
// docs/model.md lists the modeled fields of every kind.
package model
