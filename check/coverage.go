package check

import (
	"fmt"
	"slices"
	"strings"

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

// maxUnlistedNamed bounds the resources UnlistedInDefault names.
const maxUnlistedNamed = 20

// UnlistedInDefault returns, for an inventory listed from a cluster, why the namespaced
// resources of namespace default besides the built-in kinds (PersistentVolumeClaims, Leases,
// custom resources, ...) were not all seen: not listed at all (the load did not use
// inventory.WithDefaultNamespaceListing), or some of them forbidden, failed or cut short (at
// most 20 of each sort named). It returns "" when every one was listed, and for manifests, which hold
// every kind there is. A check that says what namespace default holds passes only when it
// returns "" (and UnseenKinds of the built-in kinds it reads does too).
func UnlistedInDefault(inv *inventory.Inventory) string {
	if inv.Mode() != inventory.ModeCluster {
		return ""
	}
	l := inv.DefaultNamespaceListing()
	if l == nil {
		return "the namespaced resources of namespace default besides the built-in kinds (PersistentVolumeClaims, " +
			"Leases, custom resources, ...) were not listed (the load did not use inventory.WithDefaultNamespaceListing)"
	}
	unseen := l.Unseen()
	if len(unseen) == 0 {
		return ""
	}
	// Forbidden ones are named together: the server's message only repeats who may not list what.
	var forbidden, named []string
	for _, r := range unseen {
		switch {
		case r.State == inventory.Forbidden && len(forbidden) < maxUnlistedNamed:
			forbidden = append(forbidden, r.String())
		case r.State != inventory.Forbidden && len(named) < maxUnlistedNamed:
			named = append(named, fmt.Sprintf("%s %s: %s", r, r.State, r.Reason))
		}
	}
	if n := len(unseen) - len(forbidden) - len(named); n > 0 {
		named = append(named, fmt.Sprintf("and %d more", n))
	}
	if len(forbidden) > 0 {
		named = append([]string{"forbidden: " + strings.Join(forbidden, ", ")}, named...)
	}
	return "these resources of namespace default were not listed completely: " + strings.Join(named, "; ")
}
