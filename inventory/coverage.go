package inventory

import "k8s.io/apimachinery/pkg/runtime/schema"

// State says how much of one kind an inventory saw.
type State string

// The coverage states of a kind.
const (
	// Listed: the kind was listed completely from an API server; or, from manifests declared
	// complete (WithCompleteInput), the manifests hold no object of it, so the cluster has
	// none.
	Listed State = "listed"
	// Loaded: objects of the kind were found in the manifests read.
	Loaded State = "loaded"
	// Absent: the manifests read contain no object of the kind, and they were not declared
	// complete (WithCompleteInput). Whether the cluster has any cannot be told, so "there are
	// none" is not concluded: checks that need it report notEvaluated.
	Absent State = "absent"
	// Forbidden: the API server refused to list the kind.
	Forbidden State = "forbidden"
	// NotServed: the API server does not serve the kind, so the cluster has none.
	NotServed State = "notServed"
	// Failed: listing the kind failed for another reason (see Reason).
	Failed State = "failed"
	// Incomplete: objects of the kind may be missing because some of the input failed to
	// load (see Reason): a document of the kind, or one whose kind could not be read. The
	// objects that did load are in the inventory.
	Incomplete State = "incomplete"
)

// Coverage records whether and how one kind was seen.
type Coverage struct {
	// Group is the kind's API group ("" for the core group).
	Group string `json:"group,omitempty"`
	// Kind is the kind's name, e.g. "Deployment".
	Kind string `json:"kind"`
	// State says whether and how the kind was seen.
	State State `json:"state"`
	// Count is the number of objects of the kind in the inventory.
	Count int `json:"count"`
	// Reason says why the kind was not seen completely (the API server's refusal, the
	// documents that failed to load, ...); empty when it was.
	Reason string `json:"reason,omitempty"`
	// NoneInInput is set for an Absent kind when the input was read and holds no object of
	// it, rather than the kind was not asked for or could not be read.
	NoneInInput bool `json:"noneInInput,omitempty"`
}

// GroupKind returns the kind the coverage is about.
func (c Coverage) GroupKind() schema.GroupKind { return schema.GroupKind{Group: c.Group, Kind: c.Kind} }

// Complete reports whether the inventory holds every object of the kind that was asked about,
// so that "these are all" is a fact rather than a blind spot: the kind was listed (from an API
// server, or from manifests declared complete), is not served, or was loaded from manifests
// (whose objects of the kind are, by definition, the input). An Absent kind is not complete:
// from manifests not declared complete, a check never concludes that the cluster has no
// object of a kind the manifests do not mention. Whether an object that a reference names and
// the inventory lacks exists is a further question: see Inventory.Whole.
func (c Coverage) Complete() bool {
	switch c.State {
	case Listed, Loaded, NotServed:
		return true
	}
	return false
}
