package cis

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// checkByID returns the cis-1.12 check with the given CIS number.
func checkByID(t *testing.T, id string) check.Check {
	t.Helper()
	for _, c := range V112().Checks {
		if c.Meta().ID == "cis:"+id {
			return c
		}
	}
	t.Fatalf("no check cis:%s", id)
	return nil
}

// run runs one check over inv the way the runner does (manual and Requires handled) and
// returns its findings.
func run(t *testing.T, id string, inv *inventory.Inventory) []check.Finding {
	t.Helper()
	c := checkByID(t, id)
	m := c.Meta()
	if m.Manual {
		return []check.Finding{{Status: check.StatusManual, Message: "manual"}}
	}
	if reason := inv.Unseen(m.Requires...); reason != "" {
		return []check.Finding{{Status: check.StatusNotEvaluated, Message: reason}}
	}
	var out []check.Finding
	pass := check.NewPass(inv, m, nil, func(f check.Finding) { out = append(out, f) })
	require.NoError(t, c.Run(context.Background(), pass))
	return out
}

// statuses returns the statuses of findings.
func statuses(fs []check.Finding) []check.Status {
	out := make([]check.Status, len(fs))
	for i, f := range fs {
		out[i] = f.Status
	}
	return out
}

// inv builds a manifest-mode inventory.
func newInv(t *testing.T, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	return inv
}

// clusterInv builds a cluster-mode inventory whose listed kinds are complete.
func clusterInv(t *testing.T, listed []inventory.KindInfo, objs ...runtime.Object) *inventory.Inventory {
	t.Helper()
	b := inventory.NewBuilder(inventory.ModeCluster)
	for _, o := range objs {
		require.NoError(t, b.Add(o, inventory.Source{}))
	}
	for _, k := range listed {
		b.SetCoverage(inventory.Coverage{Group: k.Group, Kind: k.Kind, State: inventory.Listed})
	}
	return b.Build()
}

func kindInfo(t *testing.T, name string) inventory.KindInfo {
	t.Helper()
	k, ok := inventory.LookupKind(inventory.ParseGroupKind(name))
	require.True(t, ok, name)
	return k
}

// staticPod returns a kubeadm-style mirror pod of component on node running command.
func staticPod(component, node string, command ...string) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name: component + "-" + node, Namespace: "kube-system",
			Labels:      map[string]string{"component": component, "tier": "control-plane"},
			Annotations: map[string]string{"kubernetes.io/config.mirror": "abc", "kubernetes.io/config.source": "file"},
		},
		Spec: corev1.PodSpec{
			NodeName:   node,
			Containers: []corev1.Container{{Name: component, Image: "registry.k8s.io/" + component + ":v1.37.0", Command: command}},
		},
	}
}
