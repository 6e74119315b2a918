package monitor

import (
	"cmp"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// key identifies an object by kind, namespace and name.
type key struct {
	gk       schema.GroupKind
	ns, name string
}

func keyOf(o *inventory.Object) key { return key{o.GroupKind(), o.Namespace(), o.Name()} }

func keyOfRef(r *inventory.Ref) key {
	gv, _ := schema.ParseGroupVersion(r.APIVersion)
	return key{schema.GroupKind{Group: gv.Group, Kind: r.Kind}, r.Namespace, r.Name}
}

func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.gk.Group, b.gk.Group), cmp.Compare(a.gk.Kind, b.gk.Kind),
		cmp.Compare(a.ns, b.ns), cmp.Compare(a.name, b.name))
}

// record is one result as the monitor keeps it: the check by its index, the verdict, and
// nothing the check's metadata or the object already say.
type record struct {
	check   int
	status  check.Status
	field   string
	message string
	err     error
	// ref is the object of a stand-in (see standin).
	ref *inventory.Ref
	// gen is the count of the whole run that gave the record (see engine.runWhole).
	gen uint32
	// standin marks a notEvaluated stand-in for a result that could not be evaluated again
	// (see Changed): in the delta stream, not in the report.
	standin bool
}

func (r record) equal(o record) bool {
	return r.status == o.status && r.field == o.field && r.message == o.message && r.standin == o.standin
}

// compareRecords orders one check's records about one object as the runner orders findings.
func compareRecords(a, b record) int {
	return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.status, b.status), cmp.Compare(a.message, b.message))
}

// store holds the current results: by object, each object's records ordered by check (stand-ins
// after the check's real records); and per check its results about no object.
type store struct {
	byObject map[key][]record
	// nilRecs are each check's results about no object from its last whole run, without the
	// runner's NothingReported result, which report adds when the check has no other.
	nilRecs [][]record
	// counts are each check's records about objects, stand-ins left out; standins count its
	// stand-ins.
	counts   []int
	standins []int
}

func newStore(n int) store {
	return store{byObject: make(map[key][]record), nilRecs: make([][]record, n), counts: make([]int, n),
		standins: make([]int, n)}
}

// group returns the records of check i about k: a subslice of the object's records.
func (s *store) group(i int, k key) []record {
	recs := s.byObject[k]
	lo, hi := span(recs, i)
	return recs[lo:hi]
}

// span returns where check i's records are in recs, which are ordered by check.
func span(recs []record, i int) (int, int) {
	lo, _ := slices.BinarySearchFunc(recs, i, func(r record, i int) int { return cmp.Compare(r.check, i) })
	hi := lo
	for hi < len(recs) && recs[hi].check == i {
		hi++
	}
	return lo, hi
}

// set makes recs the records of check i about k.
func (s *store) set(i int, k key, recs []record) {
	old := s.byObject[k]
	lo, hi := span(old, i)
	for _, r := range old[lo:hi] {
		if r.standin {
			s.standins[i]--
		} else {
			s.counts[i]--
		}
	}
	for _, r := range recs {
		if r.standin {
			s.standins[i]++
		} else {
			s.counts[i]++
		}
	}
	if len(old)-(hi-lo)+len(recs) == 0 {
		delete(s.byObject, k)
		return
	}
	if hi-lo == len(recs) {
		// As many records as before, the common case: in place (no one else holds them).
		copy(old[lo:hi], recs)
		return
	}
	out := make([]record, 0, len(old)-(hi-lo)+len(recs))
	out = append(append(append(out, old[:lo]...), recs...), old[hi:]...)
	s.byObject[k] = out
}

// identity is a record's identity within its group: its field and its rank among the group's
// records with that field.
type identity struct {
	field string
	n     int
}

// identities returns the identity of each record of a group, in order.
func identities(recs []record) []identity {
	out := make([]identity, len(recs))
	seen := make(map[string]int, len(recs))
	for j, r := range recs {
		out[j] = identity{r.field, seen[r.field]}
		seen[r.field]++
	}
	return out
}

// change is one difference between two versions of a group.
type change struct {
	id            identity
	before, after *record
}

// diff returns the differences between the old and new records of a group.
func diff(old, new []record) []change {
	if len(old) == len(new) {
		same := true
		for j := range old {
			if !old[j].equal(new[j]) {
				same = false
				break
			}
		}
		if same {
			return nil
		}
	}
	oldIDs, newIDs := identities(old), identities(new)
	byID := make(map[identity]int, len(new))
	for j, id := range newIDs {
		byID[id] = j
	}
	var out []change
	matched := make([]bool, len(new))
	for j, id := range oldIDs {
		if k, ok := byID[id]; ok {
			matched[k] = true
			if !old[j].equal(new[k]) {
				out = append(out, change{id, &old[j], &new[k]})
			}
			continue
		}
		out = append(out, change{id, &old[j], nil})
	}
	for k, id := range newIDs {
		if !matched[k] {
			out = append(out, change{id, nil, &new[k]})
		}
	}
	return out
}
