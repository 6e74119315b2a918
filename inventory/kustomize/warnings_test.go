package kustomize_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/testio"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/inventory/kustomize"
)

const deprecatedApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
`

// A kustomization's deprecated fields, in the root and in a base, become warnings naming the
// field, the kustomization file and its line, and what kustomize logs besides (vars it could
// not use) a warning on the root's kustomization file; nothing is written to standard error
// or to the log, while several builds run at once.
func TestDeprecationWarnings(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"base/app.yaml": deprecatedApp,
		"base/kustomization.yaml": "resources: [app.yaml]\ncommonLabels: {team: shop}\nvars:\n" +
			"- name: UNUSED\n  objref: {kind: Deployment, name: web, apiVersion: apps/v1}\n  fieldref: {fieldpath: metadata.name}\n",
		"overlay/kustomization.yaml": "# an overlay\nbases: [../base]\npatchesStrategicMerge: [patch.yaml]\n",
		"overlay/patch.yaml":         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
		"modern/kustomization.yaml":  "resources: [app.yaml]\nlabels: [{pairs: {team: shop}}]\n",
		"modern/app.yaml":            deprecatedApp,
	})
	root := "kustomize:" + filepath.ToSlash(filepath.Join(dir, "overlay"))
	want := []string{
		"base/kustomization.yaml:2 (" + root + "): kustomize: 'commonLabels' is deprecated. Please use 'labels' instead.",
		"base/kustomization.yaml:3 (" + root + "): kustomize: 'vars' is deprecated. Please use 'replacements' instead.",
		"overlay/kustomization.yaml (" + root + "): kustomize: well-defined vars that were never replaced: UNUSED",
		"overlay/kustomization.yaml:2 (" + root + "): kustomize: 'bases' is deprecated. Please use 'resources' instead.",
		"overlay/kustomization.yaml:3 (" + root + "): kustomize: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead.",
	}
	var invs [4]*inventory.Inventory
	out := testio.CaptureStderr(t, func() {
		var wg sync.WaitGroup
		for i := range invs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				path := filepath.Join(dir, "overlay")
				if i%2 == 1 {
					path = filepath.Join(dir, "modern")
				}
				inv, err := inventory.LoadManifests(context.Background(), []string{path}, inventory.WithRenderer(kustomize.New()))
				if assert.NoError(t, err) {
					invs[i] = inv
				}
			}()
		}
		wg.Wait()
	})
	assert.Empty(t, out, "nothing on standard error or in the log")
	for i, inv := range invs {
		require.NotNil(t, inv)
		assert.Empty(t, inv.Errors())
		require.Len(t, inv.Deployments(), 1)
		var got []string
		for _, w := range inv.Warnings() {
			got = append(got, w.Error())
		}
		if i%2 == 1 {
			assert.Empty(t, got, "a kustomization without deprecated fields, built beside the other")
			continue
		}
		require.Len(t, got, len(want), "%q", got)
		for j := range want {
			assert.Contains(t, got[j], want[j])
		}
	}
}

// A build that fails still reports the deprecated fields it met.
func TestDeprecationWarningsFailedBuild(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"kustomization.yaml": "resources: [missing.yaml]\ncommonLabels: {team: shop}\n",
	})
	var inv *inventory.Inventory
	assert.Empty(t, testio.CaptureStderr(t, func() { inv = load(t, dir) }))
	require.Len(t, inv.Errors(), 1)
	require.Len(t, inv.Warnings(), 1)
	assert.Contains(t, inv.Warnings()[0].Error(), filepath.Base(dir)+"/kustomization.yaml:2 ")
	assert.Contains(t, inv.Warnings()[0].Error(), "'commonLabels' is deprecated")
}
