package org

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// checkFileEntry is what the validation reads of a check file besides what check.ParseCELChecks
// validates.
type checkFileEntry struct {
	ID          string         `yaml:"id"`
	Description string         `yaml:"description"`
	Params      map[string]any `yaml:"params"`
}

// TestBenchmark validates the pack: the explicit list names every file of checks/ and nothing
// else, each file holds one control that compiles (check.ParseCELChecks type-checks every
// expression), IDs are unique and carry the org: prefix and the section, every control has a
// remediation, and every parameter is documented in the description as params.NAME.
func TestBenchmark(t *testing.T) {
	b := Org()
	require.NoError(t, b.Validate())
	assert.Equal(t, OrgName, b.Name)

	entries, err := fs.Glob(checkFiles, "checks/*.yaml")
	require.NoError(t, err)
	var onDisk []string
	for _, e := range entries {
		onDisk = append(onDisk, strings.TrimPrefix(e, "checks/"))
	}
	assert.ElementsMatch(t, onDisk, files, "the list of controls names every check file, once")

	ids := map[string]bool{}
	for i, name := range files {
		c := b.Checks[i]
		m := c.Meta()
		assert.Equal(t, "org:"+strings.TrimSuffix(name, ".yaml"), m.ID, "a file is named after its control")
		assert.False(t, ids[m.ID], "duplicate ID %s", m.ID)
		ids[m.ID] = true
		assert.Equal(t, Section, m.Section, m.ID)
		assert.NotEmpty(t, strings.TrimSpace(m.Remediation), m.ID)
		assert.NotEmpty(t, m.References, m.ID)

		data, err := checkFiles.ReadFile("checks/" + name)
		require.NoError(t, err)
		var doc struct {
			Checks []checkFileEntry `yaml:"checks"`
		}
		require.NoError(t, yaml.Unmarshal(data, &doc))
		require.Len(t, doc.Checks, 1, name)
		e := doc.Checks[0]
		assert.NotEmpty(t, e.Params, "%s: every org control is adapted through parameters", m.ID)
		for key := range e.Params {
			assert.Contains(t, e.Description, "params."+key, "%s: parameter %s is documented in the description", m.ID, key)
		}
		assert.True(t, strings.HasPrefix(string(data), "# "+m.ID+":"), "%s: the file starts with a comment naming the control", name)
	}
}

// TestFixtures runs each control over its fixtures (testdata/<name>), whose expected verdicts
// are annotated on the objects; every control must have both passing and failing fixtures.
func TestFixtures(t *testing.T) {
	for i, c := range Org().Checks {
		name := strings.TrimSuffix(files[i], ".yaml")
		t.Run(name, func(t *testing.T) {
			results := checktest.Run(t, c, "testdata/"+name)
			statuses := map[check.Status]bool{}
			for _, r := range results {
				statuses[r.Status] = true
			}
			assert.True(t, statuses[check.StatusPass], "%s has a passing fixture", name)
			assert.True(t, statuses[check.StatusFail], "%s has a failing fixture", name)
		})
	}
}

// TestImageReferences: the registry of an image is the one the container runtime pulls from.
func TestImageReferences(t *testing.T) {
	tests := []struct {
		image string
		allow []string
		pass  bool
	}{
		{"nginx", []string{"docker.io"}, true},
		{"nginx", []string{"docker.io/library"}, true},
		{"nginx:1.27", []string{"docker.io/library/nginx"}, true},
		{"acme/app", []string{"docker.io/acme"}, true},
		{"acme/app", []string{"acme"}, false}, // "acme" is a Docker Hub account, not a host
		{"docker.io/nginx", []string{"docker.io/library"}, true},
		{"index.docker.io/library/nginx", []string{"docker.io"}, true},
		{"registry.example.com/app:1", []string{"registry.example.com"}, true},
		{"registry.example.com/app:1", []string{"registry.example.com/"}, true},
		{"Registry.Example.com/app:1", []string{"registry.example.com"}, true},
		{"registry.example.com:5000/app", []string{"registry.example.com"}, false},
		{"registry.example.com:5000/app", []string{"registry.example.com:5000"}, true},
		{"registry.example.com.evil.net/app", []string{"registry.example.com"}, false},
		{"registry.example.com-evil/app", []string{"registry.example.com"}, false},
		{"localhost/app", []string{"localhost"}, true},
		{"localhost:5000/app:1", []string{"localhost:5000"}, true},
		{"localhost:5000/app:1", []string{"docker.io"}, false},
		{"[::1]:5000/app", []string{"[::1]:5000"}, true},
		{"ghcr.io/acme/app@sha256:4b1f2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", []string{"ghcr.io/acme"}, true},
		{"ghcr.io/acme-x/app", []string{"ghcr.io/acme"}, false},
		{"ghcr.io/acme", []string{"ghcr.io/acme"}, true},
		{"MyRegistry/app", []string{"myregistry"}, true}, // an upper-case first component is a host
		{"myregistry/app", []string{"myregistry"}, false},
		{"", []string{"docker.io"}, false},
		{"quay.io/prometheus/node-exporter:v1.9.1", []string{"", "quay.io"}, true},
		{"quay.io/prometheus/node-exporter:v1.9.1", []string{""}, false},
	}
	c := Org().Checks[slices.Index(files, "allowed-registries.yaml")]
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s from %v", tt.image, tt.allow), func(t *testing.T) {
			inv, err := inventory.New(
				&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
				&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "p"},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: tt.image}}}},
			)
			require.NoError(t, err)
			var got []check.Finding
			pass := check.NewPass(inv, c.Meta(), map[string]any{"registries": tt.allow, "namespaceSelector": map[string]any{}},
				func(f check.Finding) { got = append(got, f) })
			require.NoError(t, c.Run(context.Background(), pass))
			require.Len(t, got, 1)
			want := check.StatusFail
			if tt.pass {
				want = check.StatusPass
			}
			assert.Equal(t, want, got[0].Status, got[0].Message)
		})
	}
}

// TestSelectorOperators: the namespace selector of the image controls is a Kubernetes label
// selector, matched as a binding's namespaceSelector matches the object's Namespace.
func TestSelectorOperators(t *testing.T) {
	tests := []struct {
		selector map[string]any
		selected []string
	}{
		{map[string]any{}, []string{"a", "b", "c"}},
		{map[string]any{"matchLabels": map[string]any{"env": "prod"}}, []string{"a"}},
		{map[string]any{"matchExpressions": []any{map[string]any{"key": "env", "operator": "In", "values": []any{"prod", "staging"}}}}, []string{"a", "b"}},
		{map[string]any{"matchExpressions": []any{map[string]any{"key": "env", "operator": "NotIn", "values": []any{"prod"}}}}, []string{"b", "c"}},
		{map[string]any{"matchExpressions": []any{map[string]any{"key": "env", "operator": "Exists"}}}, []string{"a", "b"}},
		{map[string]any{"matchExpressions": []any{map[string]any{"key": "env", "operator": "DoesNotExist"}}}, []string{"c"}},
		{map[string]any{"matchExpressions": []any{map[string]any{"key": "kubernetes.io/metadata.name", "operator": "In", "values": []any{"c"}}}}, []string{"c"}},
		{map[string]any{"matchLabels": map[string]any{"env": "prod"},
			"matchExpressions": []any{map[string]any{"key": "tier", "operator": "Exists"}}}, nil},
	}
	objs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Labels: map[string]string{"env": "prod"}}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "b", Labels: map[string]string{"env": "staging"}}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "c", Labels: map[string]string{"kubernetes.io/metadata.name": "c"}}},
	}
	for _, ns := range []string{"a", "b", "c"} {
		objs = append(objs, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "p"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}})
	}
	inv, err := inventory.New(objs...)
	require.NoError(t, err)
	c := Org().Checks[slices.Index(files, "no-latest-in-production.yaml")]
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.selector), func(t *testing.T) {
			var got []string
			pass := check.NewPass(inv, c.Meta(), map[string]any{"namespaceSelector": tt.selector}, func(f check.Finding) {
				if f.Object != nil {
					got = append(got, f.Object.Namespace())
				}
			})
			require.NoError(t, c.Run(context.Background(), pass))
			assert.Equal(t, tt.selected, got)
		})
	}
}

// TestCheckFiles: each control's file and its admission form are there to copy.
func TestCheckFiles(t *testing.T) {
	for _, c := range Org().Checks {
		id := c.Meta().ID
		data, ok := CheckFile(id)
		require.True(t, ok, id)
		parsed, err := check.ParseCELChecks(data, id)
		require.NoError(t, err)
		assert.Equal(t, id, parsed[0].Meta().ID)
		_, hasVAP := AdmissionPolicyFile(id)
		assert.Equal(t, !strings.HasPrefix(id, "org:namespace-"), hasVAP, "%s: an admission form exactly when admission can judge it", id)
	}
	for _, id := range []string{"org:", "org:../org", "workloads:latest-tag", "org:nope", ""} {
		_, ok := CheckFile(id)
		assert.False(t, ok, id)
		_, ok = AdmissionPolicyFile(id)
		assert.False(t, ok, id)
	}
}

// TestCompleteInput: under WithCompleteInput a Namespace the manifests lack does not exist;
// the image controls judge its pods with the one label the API server would have set, where
// without it they are not evaluated.
func TestCompleteInput(t *testing.T) {
	path := filepath.Join("testdata", "complete", "pods.yaml")
	byID := map[string]check.Check{}
	for _, c := range Org().Checks {
		byID[c.Meta().ID] = c
	}
	run := func(t *testing.T, id string, opts ...inventory.ManifestOption) map[string]check.Status {
		t.Helper()
		inv, err := inventory.LoadManifests(context.Background(), []string{path}, opts...)
		require.NoError(t, err)
		got := map[string]check.Status{}
		pass := check.NewPass(inv, byID[id].Meta(), nil, func(f check.Finding) {
			if f.Object != nil {
				got[f.Object.String()] = f.Status
			}
		})
		require.NoError(t, byID[id].Run(context.Background(), pass))
		return got
	}
	assert.Equal(t, map[string]check.Status{"Pod shop/web": check.StatusNotEvaluated, "Pod kube-system/proxy": check.StatusNotEvaluated},
		run(t, "org:allowed-registries"))
	assert.Equal(t, map[string]check.Status{"Pod shop/web": check.StatusFail}, run(t, "org:allowed-registries", inventory.WithCompleteInput()),
		"kube-system is left out by its name label")
	assert.Empty(t, run(t, "org:no-latest-in-production", inventory.WithCompleteInput()), "no namespace is labelled production")
}
