package check

import (
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// UnseenKinds is the coverage rule of Meta.Kinds, the same for Go and CEL checks: it says
// which of kinds inv did not see completely (forbidden, failed, not listed, or possibly held
// by input that failed to load), and why, in the words of inventory.Inventory.Unseen; "" when
// it saw them all. A kind with no object in manifests is not a gap: the manifests are the
// input asked about.
//
// The runner (kspm.Run) applies it to every check that is run: when UnseenKinds of the
// check's Meta.Kinds is not "", the run has one notEvaluated result about no object naming
// the kinds, unless the check itself reported a notEvaluated result about no object.
func UnseenKinds(inv *inventory.Inventory, kinds ...schema.GroupKind) string {
	var gaps []schema.GroupKind
	for _, gk := range kinds {
		if inv.Gap(gk) && !slices.Contains(gaps, gk) {
			gaps = append(gaps, gk)
		}
	}
	if len(gaps) == 0 {
		return ""
	}
	return inv.Unseen(gaps...)
}

// NotSeenMessage is the message of the notEvaluated result for kinds not seen completely;
// reason is what UnseenKinds returned.
func NotSeenMessage(reason string) string {
	return "objects of kinds not completely seen were not evaluated: " + reason
}
