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
