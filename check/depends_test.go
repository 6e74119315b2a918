package check_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func TestValidateDependencies(t *testing.T) {
	withDeps := func(d *check.Dependencies) check.Check {
		m := testMeta("d", inventory.KindPod)
		m.Requires = []schema.GroupKind{inventory.KindNetworkPolicy}
		m.Depends = d
		return check.New(m, func(context.Context, *check.Pass) error { return nil })
	}
	tests := []struct {
		name string
		deps *check.Dependencies
		want string
	}{
		{"none", nil, ""},
		{"every kind", &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindPod, inventory.KindNetworkPolicy, inventory.KindNamespace}}, ""},
		{"a kind of Kinds missing", &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindNetworkPolicy}},
			"check d: Depends.Kinds does not hold Pod, which Kinds or Requires names"},
		{"a kind of Requires missing", &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindPod}},
			"check d: Depends.Kinds does not hold NetworkPolicy.networking.k8s.io, which Kinds or Requires names"},
		{"Affected without Kinds: asked about every change", &check.Dependencies{Affected: check.AffectedSelf}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check.Validate([]check.Check{withDeps(tt.deps)})
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestSameControlIgnoresDepends(t *testing.T) {
	a, b := testMeta("x"), testMeta("x")
	a.Depends = &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindPod}, Affected: check.AffectedSelf}
	assert.True(t, check.SameControl(a, b))
	b.Title = "another title"
	assert.False(t, check.SameControl(a, b))
}

func TestPassForTargets(t *testing.T) {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", UID: "rs"}}
	inv, err := inventory.New(pod("ns", "a"), pod("ns", "b"), rs)
	require.NoError(t, err)
	a := inv.Get(inventory.KindPod, "ns", "a")
	web := inv.Get(inventory.KindReplicaSet, "ns", "web")
	tmpl, ok := inv.PodTemplateOf(a)
	require.True(t, ok)

	whole := check.NewPass(inv, testMeta("x"), nil, func(check.Finding) {})
	_, scoped := whole.Targets()
	assert.False(t, scoped)
	assert.Len(t, whole.Objects(inventory.KindPod), 2)
	assert.Len(t, whole.PodTemplates(), 3)

	some := check.NewPassFor(inv, testMeta("x"), nil, []*inventory.Object{a, web}, []inventory.PodTemplate{tmpl},
		func(check.Finding) {})
	targets, scoped := some.Targets()
	assert.True(t, scoped)
	assert.Equal(t, []*inventory.Object{a, web}, targets)
	assert.Equal(t, []*inventory.Object{a}, some.Objects(inventory.KindPod))
	assert.Equal(t, []*inventory.Object{web}, some.Objects(inventory.KindReplicaSet))
	assert.Empty(t, some.Objects(inventory.KindNamespace))
	assert.Equal(t, []inventory.PodTemplate{tmpl}, some.PodTemplates())
}

// TestCELDependenciesFromExpressions: a CEL check that declares nothing depends on its kinds,
// Namespaces and the kinds its inventory lookups name literally; a lookup of a kind that is
// not a literal, the inventory reached by another name, and a check of every object can read
// any kind, so the check is re-run on every change; a declaration the author makes is kept.
func TestCELDependenciesFromExpressions(t *testing.T) {
	meta := check.Meta{ID: "t:dep", Title: "T", Severity: check.Low, Remediation: "R",
		Kinds: []schema.GroupKind{inventory.KindNamespace}, Requires: []schema.GroupKind{inventory.KindResourceQuota}}
	for _, tc := range []struct {
		name, expr   string
		podTemplates bool
		everyObject  bool               // no Kinds: every object
		want         []schema.GroupKind // nil: no declaration
	}{
		{name: "kinds only", expr: "true",
			want: []schema.GroupKind{inventory.KindNamespace, inventory.KindResourceQuota}},
		{name: "literal lookups", expr: "inventory.list('ResourceQuota', object.metadata.name).size() > 0 && " +
			"inventory.get('deployments.apps', 'a', 'b').hasValue() || inventory.list('LimitRange').size() > 0",
			want: []schema.GroupKind{inventory.KindLimitRange, inventory.KindNamespace, inventory.KindResourceQuota, inventory.KindDeployment}},
		{name: "kind from params", expr: "inventory.list(params.kind).size() > 0"},
		{name: "kind built at run time", expr: "inventory.get('Config' + 'Map', '', 'x').hasValue()"},
		{name: "inventory bound to another name", expr: "cel.bind(inv, inventory, inv.list('NetworkPolicy').size() > 0)"},
		{name: "inventory in a comprehension", expr: "[inventory].all(i, i.list('NetworkPolicy').size() > 0)"},
		{name: "every object", expr: "true", everyObject: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := meta
			if tc.everyObject {
				m.Kinds, m.Requires = nil, nil
			}
			c, err := check.CEL(check.CELSpec{Meta: m, Expression: tc.expr, Params: map[string]any{"kind": "Pod"}})
			require.NoError(t, err)
			d := c.Meta().Depends
			if tc.want == nil {
				assert.Nil(t, d)
				return
			}
			require.NotNil(t, d)
			assert.ElementsMatch(t, tc.want, d.Kinds)
			assert.Nil(t, d.Affected)
		})
	}
	own := &check.Dependencies{Kinds: []schema.GroupKind{inventory.KindNamespace, inventory.KindResourceQuota}, Clock: true}
	m := meta
	m.Depends = own
	c, err := check.CEL(check.CELSpec{Meta: m, Expression: "inventory.list('Secret').size() > 0"})
	require.NoError(t, err)
	assert.Same(t, own, c.Meta().Depends)
}
