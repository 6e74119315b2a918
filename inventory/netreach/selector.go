package netreach

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// selector is a compiled label selector: the conjunction of its requirements. One with no
// requirement (an empty selector) matches every label set.
type selector struct {
	reqs []labels.Requirement
	text string // as written for messages: "app=web,tier in (a,b)", or "{}" when empty
}

// compileSelector compiles s as the API server reads it; an invalid selector is an error
// (the API server rejects the object that holds it).
func compileSelector(s *metav1.LabelSelector) (*selector, error) {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		return nil, err
	}
	reqs, _ := sel.Requirements()
	out := &selector{reqs: reqs, text: sel.String()}
	if out.text == "" {
		out.text = "{}"
	}
	return out, nil
}

// empty reports whether the selector matches every label set.
func (s *selector) empty() bool { return len(s.reqs) == 0 }

// labelView is a label set of which some keys may be unknown.
type labelView struct {
	labels labels.Set
	// unknown reports whether the value (or presence) of a key is unknown; nil: every key
	// is known.
	unknown func(key string) bool
	// why says why unknown keys are unknown, for messages.
	why string
}

// match evaluates s on v: a requirement on an unknown key is Unknown.
func (s *selector) match(v labelView) Verdict {
	out := Yes
	for i := range s.reqs {
		r := &s.reqs[i]
		if v.unknown != nil && v.unknown(r.Key()) {
			out = and(out, Unknown)
			continue
		}
		if !r.Matches(v.labels) {
			return No
		}
	}
	return out
}

// unknownKeys returns the keys s reads that v does not know.
func (s *selector) unknownKeys(v labelView) []string {
	var out []string
	if v.unknown == nil {
		return nil
	}
	for i := range s.reqs {
		if k := s.reqs[i].Key(); v.unknown(k) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// freshValue is a label value no selector names: it stands for "any other value".
const freshValue = "\x00other"

// candidates returns, for each key the selectors read, the values that stand for every
// value the key may take as far as the selectors can tell: absent (""), each value they
// name, and one other value. Requirements only test presence and membership in the values
// they name, so a label set built from these candidates is as good as any.
func candidates(sels []*selector) map[string][]string {
	out := make(map[string][]string)
	for _, s := range sels {
		for i := range s.reqs {
			r := &s.reqs[i]
			k := r.Key()
			if _, ok := out[k]; !ok {
				out[k] = []string{"", freshValue}
			}
			for v := range r.Values() {
				if !slices.Contains(out[k], v) {
					out[k] = append(out[k], v)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// satisfiable reports whether some label set matches s: requirements on different keys are
// independent, so each key needs one value (or absence) that meets all of its own.
func (s *selector) satisfiable() bool {
	cand := candidates([]*selector{s})
	for k, values := range cand {
		if !slices.ContainsFunc(values, func(v string) bool { return s.matchesKeyAlone(k, v) }) {
			return false
		}
	}
	return true
}

// matchesKeyAlone reports whether every requirement of s on key k holds when k has value v
// ("" for absent).
func (s *selector) matchesKeyAlone(k, v string) bool {
	set := labels.Set{}
	if v != "" {
		set[k] = v
	}
	for i := range s.reqs {
		if r := &s.reqs[i]; r.Key() == k && !r.Matches(set) {
			return false
		}
	}
	return true
}

// maxRegions bounds the label sets covers tries.
const maxRegions = 1 << 16

// covers reports whether every label set in which the keys of present are set matches at
// least one of sels: Yes or No, or Unknown when there are too many combinations of the
// values they name to try.
func covers(sels []*selector, present ...string) Verdict {
	if slices.ContainsFunc(sels, (*selector).empty) {
		return Yes
	}
	if len(sels) == 0 {
		return No
	}
	cand := candidates(sels)
	keys := make([]string, 0, len(cand))
	total := 1
	for k, values := range cand {
		if slices.Contains(present, k) {
			cand[k] = values[1:] // sorted: "" is first
		}
		keys = append(keys, k)
		total *= len(cand[k])
		if total > maxRegions {
			return Unknown
		}
	}
	slices.Sort(keys)
	idx := make([]int, len(keys))
	set := make(labels.Set, len(keys))
	for {
		clear(set)
		for i, k := range keys {
			if v := cand[k][idx[i]]; v != "" {
				set[k] = v
			}
		}
		if !slices.ContainsFunc(sels, func(s *selector) bool { return s.match(labelView{labels: set}) == Yes }) {
			return No
		}
		i := 0
		for ; i < len(keys); i++ {
			idx[i]++
			if idx[i] < len(cand[keys[i]]) {
				break
			}
			idx[i] = 0
		}
		if i == len(keys) {
			return Yes
		}
	}
}
