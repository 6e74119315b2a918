package pss

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// rule is one upstream check as it stands at one policy version: the implementation in force
// and the baseline checks it replaces.
type rule struct {
	id        policy.CheckID
	level     api.Level // the upstream check's own level
	since     api.Version
	fn        policy.CheckPodFn
	overrides []policy.CheckID
}

// ruleTable holds, for each level and each policy version from v1.0 to the newest one any
// check defines, the rules the admission controller runs, in the order it runs them. It is
// built once from policy.DefaultChecks and read-only afterwards.
type ruleTable struct {
	newest  api.Version
	byLevel map[api.Level][][]rule // index: minor version
}

var rules = sync.OnceValue(func() *ruleTable { return newRuleTable(policy.DefaultChecks()) })

// newRuleTable lays out checks per level and version with the upstream evaluator's rules: a
// check's implementation applies from its MinimumVersion until the next one; a baseline check
// is left out of restricted at a version where a restricted implementation lists it in
// OverrideCheckIDs; checks run baseline first, then restricted, each sorted by ID.
func newRuleTable(checks []policy.Check) *ruleTable {
	t := &ruleTable{byLevel: map[api.Level][][]rule{}}
	for _, c := range checks {
		if last := c.Versions[len(c.Versions)-1].MinimumVersion; t.newest.Older(last) {
			t.newest = last
		}
	}
	ordered := slices.Clone(checks)
	slices.SortStableFunc(ordered, func(a, b policy.Check) int {
		return cmp.Or(cmp.Compare(levelRank(a.Level), levelRank(b.Level)), cmp.Compare(a.ID, b.ID))
	})
	for minor := 0; minor <= t.newest.Minor(); minor++ {
		v := api.MajorMinorVersion(1, minor)
		var inForce []rule
		for _, c := range ordered {
			if r, ok := ruleAt(c, v); ok {
				inForce = append(inForce, r)
			}
		}
		overridden := map[policy.CheckID]bool{}
		for _, r := range inForce {
			if r.level == api.LevelRestricted {
				for _, id := range r.overrides {
					overridden[id] = true
				}
			}
		}
		var baseline, restricted []rule
		for _, r := range inForce {
			if r.level == api.LevelBaseline {
				baseline = append(baseline, r)
				if !overridden[r.id] {
					restricted = append(restricted, r)
				}
			} else {
				restricted = append(restricted, r)
			}
		}
		t.byLevel[api.LevelBaseline] = append(t.byLevel[api.LevelBaseline], baseline)
		t.byLevel[api.LevelRestricted] = append(t.byLevel[api.LevelRestricted], restricted)
	}
	return t
}

func levelRank(l api.Level) int {
	if l == api.LevelBaseline {
		return 0
	}
	return 1
}

// ruleAt returns the implementation of c in force at v, if any.
func ruleAt(c policy.Check, v api.Version) (rule, bool) {
	var (
		found rule
		ok    bool
	)
	for _, vc := range c.Versions {
		if v.Older(vc.MinimumVersion) {
			break
		}
		found = rule{id: c.ID, level: c.Level, since: vc.MinimumVersion, fn: vc.CheckPod, overrides: vc.OverrideCheckIDs}
		ok = true
	}
	return found, ok
}

// effective returns the version the admission controller evaluates for v: v itself, or the
// newest policy version it knows when v is latest or newer. That is the newest version any
// check defines, or, for a cluster of version cluster (nil: not known), that version when it
// is older, as the cluster's own admission controller knows no newer policy.
func (t *ruleTable) effective(v api.Version, cluster *api.Version) api.Version {
	newest := t.newest
	if cluster != nil && cluster.Older(newest) {
		newest = *cluster
	}
	if newest.Older(v) {
		return newest
	}
	return v
}

// rulesFor returns the rules run for lv in a cluster of version cluster (nil: not known; see
// effective), in upstream order; none for privileged.
func (t *ruleTable) rulesFor(lv api.LevelVersion, cluster *api.Version) []rule {
	if lv.Level != api.LevelBaseline && lv.Level != api.LevelRestricted {
		return nil
	}
	v := t.effective(lv.Version, cluster)
	return t.byLevel[lv.Level][v.Minor()]
}

// replacedBy returns the rule in rs that replaces check id, if any.
func replacedBy(rs []rule, id policy.CheckID) (rule, bool) {
	for _, r := range rs {
		if slices.Contains(r.overrides, id) {
			return r, true
		}
	}
	return rule{}, false
}

// violation is one failing check for one pod template.
type violation struct {
	id     policy.CheckID
	reason string
	detail string
	field  string
}

// message renders a failure as upstream words it for one object: "reason: detail", or the
// reason alone when there is no detail.
func (v violation) message() string {
	if v.detail == "" {
		return v.reason
	}
	return v.reason + ": " + v.detail
}

// evaluate runs r over one pod template.
func (r rule) evaluate(meta *metav1.ObjectMeta, spec *corev1.PodSpec, path string) (violation, bool) {
	res := r.fn(meta, spec)
	if res.Allowed {
		return violation{}, false
	}
	v := violation{id: r.id, reason: res.ForbiddenReason, detail: res.ForbiddenDetail}
	if v.reason == "" {
		v.reason = policy.UnknownForbiddenReason
	}
	v.field = locate(r.id, spec, path, v.detail)
	return v, true
}

// evaluateAll runs rs over one pod template and returns the failures, in rule order.
func evaluateAll(rs []rule, meta *metav1.ObjectMeta, spec *corev1.PodSpec, path string) []violation {
	var out []violation
	for _, r := range rs {
		if v, failed := r.evaluate(meta, spec, path); failed {
			out = append(out, v)
		}
	}
	return out
}

// aggregate renders failures as the admission controller's denial detail:
// "reason (detail), reason, ...".
func aggregate(vs []violation) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.reason)
		if v.detail != "" {
			fmt.Fprintf(&b, " (%s)", v.detail)
		}
	}
	return b.String()
}

// podInput returns the metadata and spec to hand to the policy checks, defaulted where the
// API server's defaulting changes a verdict: a volume with no source is an emptyDir. The
// inventory's objects are shared, so a spec that needs defaulting is copied, never changed.
func podInput(meta *metav1.ObjectMeta, spec *corev1.PodSpec) (*metav1.ObjectMeta, *corev1.PodSpec) {
	if meta == nil {
		meta = &metav1.ObjectMeta{}
	}
	if spec == nil {
		return meta, &corev1.PodSpec{}
	}
	for i := range spec.Volumes {
		if spec.Volumes[i].VolumeSource == (corev1.VolumeSource{}) {
			cp := *spec
			cp.Volumes = slices.Clone(spec.Volumes)
			for j := i; j < len(cp.Volumes); j++ {
				if cp.Volumes[j].VolumeSource == (corev1.VolumeSource{}) {
					cp.Volumes[j].EmptyDir = &corev1.EmptyDirVolumeSource{}
				}
			}
			return meta, &cp
		}
	}
	return meta, spec
}
