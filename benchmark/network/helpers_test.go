package network_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/network"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// findCheck returns the benchmark's check with the given ID.
func findCheck(t testing.TB, id string) check.Check {
	t.Helper()
	for _, c := range network.Network().Checks {
		if c.Meta().ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}

// verdict is the part of a result the tests compare. Message is matched as a substring.
type verdict struct {
	Status  check.Status
	Object  string // Ref.String(), or "" for a result about no object
	Field   string
	Message string
}

func pass(obj, msg string) verdict {
	return verdict{Status: check.StatusPass, Object: obj, Message: msg}
}

func fail(obj, field, msg string) verdict {
	return verdict{Status: check.StatusFail, Object: obj, Field: field, Message: msg}
}

func notEvaluated(obj, msg string) verdict {
	return verdict{Status: check.StatusNotEvaluated, Object: obj, Message: msg}
}

func notApplicable(obj, msg string) verdict {
	return verdict{Status: check.StatusNotApplicable, Object: obj, Message: msg}
}

// newInventory builds a manifest inventory of objs.
func newInventory(t *testing.T, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

// run runs c over inv through the kspm runner.
func run(t *testing.T, c check.Check, inv *inventory.Inventory, opts ...kspm.Option) []check.Result {
	t.Helper()
	results, err := kspm.Run(context.Background(), inv, []check.Check{c}, opts...)
	require.NoError(t, err)
	return results
}

// assertVerdicts compares results with want, in order: status, object and field exactly, the
// message as a substring. Every result carries the check's ID.
func assertVerdicts(t *testing.T, c check.Check, results []check.Result, want []verdict) {
	t.Helper()
	got := make([]verdict, len(results))
	for i, r := range results {
		assert.Equal(t, c.Meta().ID, r.CheckID)
		obj := ""
		if r.Object != nil {
			obj = r.Object.String()
		}
		got[i] = verdict{Status: r.Status, Object: obj, Field: r.Field, Message: r.Message}
		if r.Status == check.StatusFail {
			assert.Equal(t, c.Meta().Remediation, r.Remediation, "a failure carries the remediation")
		}
	}
	require.Len(t, got, len(want), "results: %+v", got)
	for i := range want {
		assert.Equal(t, want[i].Status, got[i].Status, "result %d: %+v", i, got[i])
		assert.Equal(t, want[i].Object, got[i].Object, "result %d", i)
		assert.Equal(t, want[i].Field, got[i].Field, "result %d", i)
		assert.Contains(t, got[i].Message, want[i].Message, "result %d", i)
	}
}

func meta(ns, name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }

func pod(ns, name string, spec corev1.PodSpec) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: meta(ns, name), Spec: spec}
}

func deployment(ns, name string, spec corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: meta(ns, name),
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}}}
}

func ctr(name, image string) corev1.Container { return corev1.Container{Name: name, Image: image} }

func ptr[T any](v T) *T { return &v }

// clusterInventory builds a cluster inventory of objs where every built-in kind was listed
// and no kind of inventory.OtherNetworkPolicyKinds is served (as the loader finds on a cluster
// without CNI policy kinds), except those given in gaps, which get the coverage given.
func clusterInventory(t *testing.T, gaps []inventory.Coverage, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, k := range inventory.OtherNetworkPolicyKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.NotServed})
	}
	for _, c := range gaps {
		b.SetCoverage(c)
	}
	return b.Build()
}

// loadCluster loads manifests as if listed from a cluster holding exactly these objects:
// every built-in kind listed, no CNI policy kind served, but for the coverage given.
func loadCluster(t *testing.T, path string, gaps ...inventory.Coverage) *inventory.Inventory {
	t.Helper()
	m, err := inventory.LoadManifests(context.Background(), []string{path})
	require.NoError(t, err)
	require.Empty(t, m.Errors())
	var objs []runtime.Object
	for _, o := range m.Objects() {
		if !slices.ContainsFunc(gaps, func(c inventory.Coverage) bool { return c.GroupKind() == o.GroupKind() }) {
			objs = append(objs, o.Object())
		}
	}
	return clusterInventory(t, gaps, objs...)
}

// runPartialAndComplete runs a check over dir/partial as manifests that are a part of a
// cluster, and over dir/complete as manifests declared complete.
func runPartialAndComplete(t *testing.T, id, dir string) {
	t.Helper()
	c := findCheck(t, id)
	checktest.Run(t, c, filepath.Join(dir, "partial"))
	inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join(dir, "complete")}, inventory.WithCompleteInput())
	require.NoError(t, err)
	checktest.RunInventory(t, c, inv)
}
