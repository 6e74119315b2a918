package secrets_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// verdict is what the tests compare of a result: status, object ("Kind ns/name", "" for
// none) and field exactly, and a substring of the message.
type verdict struct {
	Status  check.Status
	Object  string
	Field   string
	Message string
}

func pass(obj, msg string) verdict { return verdict{check.StatusPass, obj, "", msg} }

func fail(obj, field, msg string) verdict { return verdict{check.StatusFail, obj, field, msg} }

func notEvaluated(obj, msg string) verdict { return verdict{check.StatusNotEvaluated, obj, "", msg} }

func notApplicable(obj, msg string) verdict { return verdict{check.StatusNotApplicable, obj, "", msg} }

// newInventory builds a manifest inventory of objs.
func newInventory(t *testing.T, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

// clusterInventory builds an inventory as listed from a cluster where every built-in kind was
// listed, except the kinds of gaps, which get the coverage given.
func clusterInventory(t *testing.T, gaps []inventory.Coverage, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	for _, k := range inventory.BuiltinKinds() {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	for _, c := range gaps {
		b.SetCoverage(c)
	}
	return b.Build()
}

// run runs c over inv through the kspm runner, with params for c when given.
func run(t *testing.T, c check.Check, inv *inventory.Inventory, params ...map[string]any) []check.Result {
	t.Helper()
	var opts []kspm.Option
	for _, p := range params {
		opts = append(opts, kspm.WithParams(c.Meta().ID, p))
	}
	results, err := kspm.Run(context.Background(), inv, []check.Check{c}, opts...)
	require.NoError(t, err)
	return results
}

// assertVerdicts compares results with want, in order. Every result carries the check's ID
// and severity, and every failure its remediation.
func assertVerdicts(t *testing.T, c check.Check, results []check.Result, want []verdict) {
	t.Helper()
	got := make([]verdict, 0, len(results))
	for _, r := range results {
		assert.Equal(t, c.Meta().ID, r.CheckID)
		assert.Equal(t, c.Meta().Severity, r.Severity)
		if r.Status == check.StatusFail {
			assert.Equal(t, c.Meta().Remediation, r.Remediation)
		}
		v := verdict{Status: r.Status, Field: r.Field, Message: r.Message}
		if r.Object != nil {
			v.Object = r.Object.String()
		}
		got = append(got, v)
	}
	require.Len(t, got, len(want), "results: %+v", got)
	for i, w := range want {
		assert.Equal(t, w.Status, got[i].Status, "result %d: %+v", i, got[i])
		assert.Equal(t, w.Object, got[i].Object, "result %d", i)
		assert.Equal(t, w.Field, got[i].Field, "result %d", i)
		assert.Contains(t, got[i].Message, w.Message, "result %d", i)
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
