package monitor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// celChecks parses a CheckList of one entry (spec, indented under "- ").
func celChecks(t *testing.T, entry string) []check.Check {
	t.Helper()
	cs, err := check.ParseCELChecks([]byte("apiVersion: kspm.dev/v1alpha1\nkind: CheckList\nchecks:\n"+entry), "checks.yaml")
	require.NoError(t, err)
	return cs
}

// modelOf returns a model holding objs alone, for clusterInventory.
func modelOf(objs ...runtime.Object) *model {
	m := &model{objs: map[key]runtime.Object{}, forbidden: map[schema.GroupKind]map[key]runtime.Object{}}
	for _, o := range objs {
		m.add(o)
	}
	return m
}

// TestCELChecksFollowWhatTheyRead: a CEL check that declares no dependencies gets them from
// its expressions; a change to anything it reads re-runs it, so that the engine's results
// stay kspm.Run's after each change: a check of every object (no kinds) reads every kind,
// an inventory reached otherwise than by the variable's name reads any kind, and a check that
// reads every kind reads every kind's coverage.
func TestCELChecksFollowWhatTheyRead(t *testing.T) {
	ns := func(name string, labels map[string]string) *corev1.Namespace {
		return &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("ns-" + name), Labels: labels}}
	}
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "settings", Namespace: "shop", UID: "cm-settings"}}
	np := &networkingv1.NetworkPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: "deny", Namespace: "shop", UID: "np-deny"}}
	secrets := inventory.Coverage{Kind: "Secret", State: inventory.Forbidden, Reason: "secrets is forbidden"}
	tests := []struct {
		name  string
		entry string
		start []runtime.Object
		edit  inventory.Edit
	}{
		{"every object, an object added", `- id: custom:owner
  title: Objects name their owner
  severity: low
  remediation: Label it.
  expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
`, []runtime.Object{ns("shop", map[string]string{"owner": "a"})}, inventory.Put(cm)},
		{"every object, a kind made forbidden", `- id: custom:owner
  title: Objects name their owner
  severity: low
  remediation: Label it.
  expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
`, []runtime.Object{ns("shop", map[string]string{"owner": "a"})}, inventory.SetCoverage(secrets, nil)},
		{"inventory bound to another name", `- id: custom:policy
  title: Namespaces have a NetworkPolicy
  severity: low
  remediation: Add one.
  kinds: [Namespace]
  expression: "cel.bind(inv, inventory, inv.list('NetworkPolicy', object.metadata.name).size() > 0)"
`, []runtime.Object{ns("shop", nil), np}, inventory.Remove(inventory.KindNetworkPolicy, "shop", "deny")},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := celChecks(t, tt.entry)
			inv := clusterInventory(t, modelOf(tt.start...))
			e, err := newEngine(checks, nil, 0, nil)
			require.NoError(t, err)
			_, _, err = e.step(ctx, inv, nil, false, false)
			require.NoError(t, err)
			next, err := inv.With(tt.edit)
			require.NoError(t, err)
			var changes []inventory.Change
			for _, o := range next.Objects() {
				if inv.Get(o.GroupKind(), o.Namespace(), o.Name()) != o {
					changes = append(changes, inventory.Change{New: o})
				}
			}
			for _, o := range inv.Objects() {
				if next.Get(o.GroupKind(), o.Namespace(), o.Name()) == nil {
					changes = append(changes, inventory.Change{Old: o})
				}
			}
			_, _, err = e.step(ctx, next, changes, false, false)
			require.NoError(t, err)
			want, err := kspm.Run(ctx, next, checks)
			require.NoError(t, err)
			require.Equal(t, briefs(want), briefs(e.results()))
		})
	}
}
