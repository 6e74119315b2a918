package org

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// TestInvalidNamespaceSelector: a namespaceSelector the API server would refuse as a label
// selector (an unknown operator, In without values, a label value that is not a string, a
// field it does not have) is an error result for the objects it would judge, never a
// selection that quietly judges nothing (which reads as a pass).
func TestInvalidNamespaceSelector(t *testing.T) {
	inv, err := inventory.New(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "prod", Labels: map[string]string{"environment": "production", "tier": "a"}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "prod", Name: "p"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "docker.io/evil/app:latest"}}}},
	)
	require.NoError(t, err)
	expr := func(key, op string, values ...any) map[string]any {
		e := map[string]any{"key": key, "operator": op}
		if values != nil {
			e["values"] = values
		}
		return map[string]any{"matchExpressions": []any{e}}
	}
	tests := []struct {
		name     string
		selector map[string]any
		want     check.Status // of the one pod; "" for no result
	}{
		{"valid In", expr("environment", "In", "production"), check.StatusFail},
		{"valid NotIn", expr("environment", "NotIn", "staging"), check.StatusFail},
		{"valid DoesNotExist, not selected", expr("environment", "DoesNotExist"), ""},
		{"operator in lower case", expr("environment", "in", "production"), check.StatusError},
		{"unknown operator", expr("environment", "Equals", "production"), check.StatusError},
		{"In without values", expr("environment", "In", []any{}...), check.StatusError},
		{"In with an empty list", map[string]any{"matchExpressions": []any{map[string]any{"key": "environment", "operator": "In", "values": []any{}}}}, check.StatusError},
		{"NotIn with an empty list", map[string]any{"matchExpressions": []any{map[string]any{"key": "environment", "operator": "NotIn", "values": []any{}}}}, check.StatusError},
		{"Exists with values", expr("tier", "Exists", "a"), check.StatusError},
		{"no key", map[string]any{"matchExpressions": []any{map[string]any{"operator": "Exists"}}}, check.StatusError},
		{"a label value not a string", map[string]any{"matchLabels": map[string]any{"environment": true}}, check.StatusError},
		{"a misspelt field", map[string]any{"matchLabel": map[string]any{"environment": "staging"}}, check.StatusError},
		{"an unknown operator beside matchLabels that select nothing", map[string]any{
			"matchLabels":      map[string]any{"environment": "staging"},
			"matchExpressions": []any{map[string]any{"key": "tier", "operator": "Equals", "values": []any{"a"}}}}, check.StatusError},
	}
	for _, id := range []string{"org:allowed-registries", "org:no-latest-in-production"} {
		c := Org().Checks[slices.Index(files, id[len("org:"):]+".yaml")]
		for _, tt := range tests {
			t.Run(id+"/"+tt.name, func(t *testing.T) {
				var got []check.Finding
				pass := check.NewPass(inv, c.Meta(), map[string]any{"namespaceSelector": tt.selector},
					func(f check.Finding) { got = append(got, f) })
				require.NoError(t, c.Run(context.Background(), pass))
				if tt.want == "" {
					assert.Empty(t, got)
					return
				}
				require.Len(t, got, 1)
				assert.Equal(t, tt.want, got[0].Status, got[0].Message)
				if tt.want == check.StatusError {
					assert.Contains(t, got[0].Message, "params.namespaceSelector is not a valid label selector")
				}
			})
		}
	}
}
