package publish

import (
	"cmp"
	"slices"

	"github.com/openreports/reports-api/apis/openreports.io/v1alpha1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/monitor"
)

// unitBase is what the results of one unit are about: one object, or, for the results about
// no object, one check. The results of a unit are written in one part.
type unitBase struct {
	group, kind, namespace, name string
	check                        string // results about no object
}

// unit is a unit, or, for one with more results than a part holds, one chunk of it.
type unit struct {
	base  unitBase
	chunk int
}

func baseOf(r check.Result) unitBase {
	if o := r.Object; o != nil {
		return unitBase{group: groupOf(o.APIVersion), kind: o.Kind, namespace: o.Namespace, name: o.Name}
	}
	return unitBase{check: r.CheckID}
}

func compareBases(a, b unitBase) int {
	return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.kind, b.kind), cmp.Compare(a.namespace, b.namespace),
		cmp.Compare(a.name, b.name), cmp.Compare(a.check, b.check))
}

// part is one report object's share of a scope's results.
type part struct {
	index   int
	results []v1alpha1.ReportResult
}

// packed is one unit with its results, in order, and their size.
type packed struct {
	unit    unit
	results []v1alpha1.ReportResult
	size    int
}

// fill is how full a part is.
type fill struct{ n, size int }

func (f fill) fits(u *packed, maxResults, maxBytes int) bool {
	return f.n == 0 || f.n+len(u.results) <= maxResults && f.size+u.size <= maxBytes
}

// pack splits the scope's results into parts of at most maxResults results and maxBytes
// bytes of JSON, keeping each unit in the part that held it while that part has room (so
// that a change to one object rewrites one part), putting the others in the first part with
// room, and packing everything again from part 0 when the parts hold less than half of what
// they could. It records which part holds which unit.
func (s *scope) pack(maxResults, maxBytes int) []part {
	units := s.units(maxResults, maxBytes)
	fills := make(map[int]fill)
	placed := make(map[unit]int, len(units))
	var unplaced []*packed
	for _, u := range units {
		if i, ok := s.assign[u.unit]; ok && fills[i].fits(u, maxResults, maxBytes) {
			place(fills, placed, i, u)
			continue
		}
		unplaced = append(unplaced, u)
	}
	for _, u := range unplaced {
		i := 0
		for !fills[i].fits(u, maxResults, maxBytes) {
			i++
		}
		place(fills, placed, i, u)
	}
	needed, highest := 0, -1
	var f fill
	for _, u := range units {
		if !f.fits(u, maxResults, maxBytes) || needed == 0 {
			needed++
			f = fill{}
		}
		f.n, f.size = f.n+len(u.results), f.size+u.size
	}
	for i := range fills {
		highest = max(highest, i)
	}
	if len(fills) > 1 && len(fills) >= 2*needed || highest+1 >= 2*len(fills) {
		clear(fills)
		clear(placed)
		i := 0
		for _, u := range units {
			if !fills[i].fits(u, maxResults, maxBytes) {
				i++
			}
			place(fills, placed, i, u)
		}
	}
	s.assign = placed
	byPart := make(map[int]*part)
	for _, u := range units {
		i := placed[u.unit]
		pt := byPart[i]
		if pt == nil {
			pt = &part{index: i}
			byPart[i] = pt
		}
		pt.results = append(pt.results, u.results...)
	}
	out := make([]part, 0, len(byPart))
	for _, pt := range byPart {
		out = append(out, *pt)
	}
	slices.SortFunc(out, func(a, b part) int { return a.index - b.index })
	return out
}

func place(fills map[int]fill, placed map[unit]int, i int, u *packed) {
	f := fills[i]
	fills[i] = fill{f.n + len(u.results), f.size + u.size}
	placed[u.unit] = i
}

// units returns the scope's results as units in order (by object, then by check about no
// object), each unit's results ordered by check, field and rank, a unit too large for one
// part cut into chunks.
func (s *scope) units(maxResults, maxBytes int) []*packed {
	byBase := make(map[unitBase][]monitor.Key)
	for k, e := range s.results {
		byBase[e.base] = append(byBase[e.base], k)
	}
	bases := make([]unitBase, 0, len(byBase))
	for b := range byBase {
		bases = append(bases, b)
	}
	slices.SortFunc(bases, compareBases)
	var out []*packed
	for _, b := range bases {
		keys := byBase[b]
		slices.SortFunc(keys, func(x, y monitor.Key) int {
			return cmp.Or(cmp.Compare(x.CheckID, y.CheckID), cmp.Compare(x.Field, y.Field), cmp.Compare(x.N, y.N))
		})
		cur := &packed{unit: unit{base: b}}
		for _, k := range keys {
			e := s.results[k]
			if len(cur.results) > 0 && (len(cur.results)+1 > maxResults || cur.size+e.size > maxBytes) {
				out = append(out, cur)
				cur = &packed{unit: unit{base: b, chunk: cur.unit.chunk + 1}}
			}
			cur.results = append(cur.results, e.rr)
			cur.size += e.size
		}
		out = append(out, cur)
	}
	return out
}
