package inventory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markerRenderer claims directories holding a file named ROOT (rendered) or PART (not),
// and renders a root as the Namespaces named in ROOT, one per line, each as its own file.
type markerRenderer struct{ detectErr error }

func (markerRenderer) Name() string { return "marker" }

func (m markerRenderer) Detect(dir string) (Detection, error) {
	if _, err := os.Stat(filepath.Join(dir, "ROOT")); err == nil {
		return Root, m.detectErr
	}
	if _, err := os.Stat(filepath.Join(dir, "PART")); err == nil {
		return Part, nil
	}
	return NotRoot, nil
}

func (markerRenderer) Render(_ context.Context, dir string) ([]Rendered, error) {
	data, err := os.ReadFile(filepath.Join(dir, "ROOT"))
	if err != nil {
		return nil, err
	}
	var out []Rendered
	for i, name := range splitLines(string(data)) {
		out = append(out, Rendered{File: filepath.Base(dir) + "/templates/" + name + ".yaml", Line: 10 * (i + 1),
			Data: []byte("# comment\n" + mfNamespace(name))})
	}
	return out, errors.New("one template failed")
}

func splitLines(s string) []string {
	var out []string
	for _, l := range filepath.SplitList(s) {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestLoadManifestsRenderer checks that a directory a Renderer claims is rendered (as a
// path argument and inside a walk), that its own files are not read as manifests, that a
// Part is neither rendered nor read, and that sources name the rendered file, its line and
// the root.
func TestLoadManifestsRenderer(t *testing.T) {
	dir := t.TempDir()
	mfWrite(t, dir, "plain.yaml", mfNamespace("plain"))
	mfWrite(t, dir, "chart/ROOT", "one"+string(filepath.ListSeparator)+"two")
	mfWrite(t, dir, "chart/templates/raw.yaml", mfNamespace("template-file"))
	mfWrite(t, dir, "chart/sub/ROOT", "nested")
	mfWrite(t, dir, "component/PART", "")
	mfWrite(t, dir, "component/patch.yaml", mfNamespace("component-file"))

	inv := mfLoad(t, []string{dir}, WithRenderer(markerRenderer{}))
	got := map[string]Source{}
	for _, o := range inv.Namespaces() {
		got[o.Name] = inv.Get(KindNamespace, "", o.Name).Source()
	}
	root := "marker:" + filepath.ToSlash(filepath.Join(dir, "chart"))
	assert.Equal(t, map[string]Source{
		"plain": {File: filepath.Join(dir, "plain.yaml"), Line: 1},
		"one":   {File: "chart/templates/one.yaml", Line: 11, Root: root},
		"two":   {File: "chart/templates/two.yaml", Line: 21, Root: root},
	}, got, "the root's files, a nested root and a part are not read")
	require.Len(t, inv.Errors(), 1)
	assert.ErrorContains(t, inv.Errors()[0], "marker: one template failed")
	require.Len(t, inv.Warnings(), 1)
	assert.ErrorContains(t, inv.Warnings()[0], filepath.Join(dir, "component")+": marker: not rendered alone")
	assert.Equal(t, "chart/templates/one.yaml:11 ("+root+")", got["one"].String())

	// The root named as the path argument.
	inv = mfLoad(t, []string{filepath.Join(dir, "chart")}, WithRenderer(markerRenderer{}))
	assert.Len(t, inv.Namespaces(), 2)

	// A detection error is recorded, and the directory is not read.
	inv = mfLoad(t, []string{dir}, WithRenderer(markerRenderer{detectErr: errors.New("bad Chart.yaml")}))
	assert.Len(t, inv.Namespaces(), 1)
	require.Len(t, inv.Errors(), 1)
	assert.ErrorContains(t, inv.Errors()[0], "marker: bad Chart.yaml")
	assert.Len(t, inv.Warnings(), 1, "only the part's warning")
}

// warnRenderer renders a root as markerRenderer claims it, into one Namespace, with a
// warning about the root's file and one beside the documents.
type warnRenderer struct{ markerRenderer }

func (warnRenderer) Render(_ context.Context, dir string) ([]Rendered, error) {
	base := filepath.Base(dir)
	return []Rendered{
		{File: base + "/ROOT", Line: 3, Warning: errors.New("field x is deprecated")},
		{File: base + "/templates/ns.yaml", Line: 1, Data: []byte(mfNamespace("rendered")), Warning: errors.New("the library logged this")},
	}, nil
}

// TestLoadManifestsRendererWarnings: a Renderer's warnings are the inventory's, with the file,
// line and root they are about, and do not keep the documents beside them from loading.
func TestLoadManifestsRendererWarnings(t *testing.T) {
	dir := t.TempDir()
	mfWrite(t, dir, "chart/ROOT", "")
	inv := mfLoad(t, []string{dir}, WithRenderer(warnRenderer{}))
	assert.Empty(t, inv.Errors())
	assert.Len(t, inv.Namespaces(), 1)
	root := "marker:" + filepath.ToSlash(filepath.Join(dir, "chart"))
	var got []string
	for _, w := range inv.Warnings() {
		got = append(got, w.Error())
	}
	assert.Equal(t, []string{
		"chart/ROOT:3 (" + root + "): marker: field x is deprecated",
		"chart/templates/ns.yaml:1 (" + root + "): marker: the library logged this",
	}, got)
}

// TestLoadManifestsFilesAndRootsAtAnyParallelism: files the walk dispatches while rendered
// roots hold the pool are all read, whatever the parallelism, and load alike.
func TestLoadManifestsFilesAndRootsAtAnyParallelism(t *testing.T) {
	dir := t.TempDir()
	for i := range 40 {
		mfWrite(t, dir, fmt.Sprintf("d%02d/a.yaml", i), mfNamespace(fmt.Sprintf("file-%d-a", i)))
		if i%5 == 0 {
			mfWrite(t, dir, fmt.Sprintf("d%02d/chart/ROOT", i), fmt.Sprintf("root-%d", i))
		}
		mfWrite(t, dir, fmt.Sprintf("d%02d/z.yaml", i), mfNamespace(fmt.Sprintf("file-%d-z", i)))
	}
	want := mfLoad(t, []string{dir}, WithRenderer(markerRenderer{}), WithParallelism(1))
	require.Len(t, want.Namespaces(), 40*2+8)
	for _, n := range []int{2, 3, 16} {
		got := mfLoad(t, []string{dir}, WithRenderer(markerRenderer{}), WithParallelism(n))
		assert.Equal(t, mfObjects(want), mfObjects(got), "parallelism %d", n)
	}
}
