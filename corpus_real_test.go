package kspm_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yaml "go.yaml.in/yaml/v3"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/inventory"
)

// corpusWorkloadKinds are the kinds whose every document of the real corpus must get results.
var corpusWorkloadKinds = []string{"Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "Pod"}

// corpusDoc is one workload document of the corpus as a plain YAML pass reads it.
type corpusDoc struct {
	file, apiVersion, kind, namespace, name string
	first, last                             int // the lines the document spans (last 0: to the end)
}

// identity is the kind, namespace and name as written (namespace "" when the document sets
// none).
func (d corpusDoc) identity() string { return d.kind + " " + d.namespace + "/" + d.name }

// corpusDocs reads every workload document under root with the YAML parser alone, not the
// loader: a List's items count one each.
func corpusDocs(t *testing.T, root string) []corpusDoc {
	t.Helper()
	var docs []corpusDoc
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		var inFile []corpusDoc
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Logf("%s: not YAML past a point (%v); the documents before count", p, err)
				break
			}
			if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
				continue
			}
			top := n.Content[0]
			if items := yamlField(top, "items"); items != nil && items.Kind == yaml.SequenceNode && strings.HasSuffix(yamlScalar(top, "kind"), "List") {
				for _, it := range items.Content {
					inFile = append(inFile, corpusDocOf(p, it))
				}
				continue
			}
			inFile = append(inFile, corpusDocOf(p, top))
		}
		for i := range inFile {
			if i+1 < len(inFile) {
				inFile[i].last = inFile[i+1].first - 1
			}
			if slices.Contains(corpusWorkloadKinds, inFile[i].kind) {
				docs = append(docs, inFile[i])
			}
		}
		return nil
	})
	require.NoError(t, err)
	return docs
}

func corpusDocOf(file string, m *yaml.Node) corpusDoc {
	d := corpusDoc{file: file, apiVersion: yamlScalar(m, "apiVersion"), kind: yamlScalar(m, "kind"), first: m.Line}
	if md := yamlField(m, "metadata"); md != nil {
		d.namespace, d.name = yamlScalar(md, "namespace"), yamlScalar(md, "name")
	}
	return d
}

func yamlField(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func yamlScalar(m *yaml.Node, key string) string {
	if v := yamlField(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// TestRealCorpusEveryWorkloadDocument scans ../shared/corpus/real with every default
// benchmark and checks that each Deployment, DaemonSet, StatefulSet, Job, CronJob and Pod
// document, counted by a plain YAML pass, gets at least one result on its own definition: the
// variants of the corpus (the same object in install.yaml and ha/install.yaml, in the
// ingress-nginx providers' deploy.yaml files, ...) are each evaluated.
//
// Note: documents the loader still refuses (an unknown field or a duplicate key in them) or
// reads in an API version Kubernetes has removed (extensions/v1beta1 DaemonSets) are another
// part of issue 12, lenient decoding, built apart. Until it lands such documents are logged
// here, not failed; every other document, and every document of an object defined more than
// once, must have results.
func TestRealCorpusEveryWorkloadDocument(t *testing.T) {
	root := filepath.Join("..", "shared", "corpus", "real")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not available at %s: %v", root, err)
	}
	if testing.Short() {
		t.Skip("corpus sweep skipped in -short mode")
	}
	docs := corpusDocs(t, root)
	require.Greater(t, len(docs), 100, "the corpus holds workloads")
	defined := map[string]int{}
	for _, d := range docs {
		defined[d.identity()]++
	}

	inv, err := inventory.LoadManifests(context.Background(), []string{root})
	require.NoError(t, err)
	benchmarks, err := kspm.Benchmarks()
	require.NoError(t, err)
	rep, err := kspm.Scan(context.Background(), inv, benchmarks)
	require.NoError(t, err)

	for _, e := range inv.Errors() {
		assert.NotErrorIs(t, e, inventory.ErrDuplicate, "an object defined twice is no load error")
	}
	variantWarnings := 0
	for _, w := range inv.Warnings() {
		if errors.Is(w, inventory.ErrDuplicate) {
			variantWarnings++
		}
	}

	// Results by the file and kind and name of their object, each source once.
	type key struct{ file, kind, name string }
	sources := map[key][]inventory.Source{}
	for _, r := range rep.Results {
		if o := r.Object; o != nil && o.Source != nil {
			k := key{o.Source.File, o.Kind, o.Name}
			if !slices.Contains(sources[k], *o.Source) {
				sources[k] = append(sources[k], *o.Source)
			}
		}
	}
	// Load errors by file and line, to tell a document the loader refused.
	errLines := map[string][]int{}
	for _, e := range inv.Errors() {
		var se *inventory.SourceError
		if errors.As(e, &se) {
			errLines[se.Source.File] = append(errLines[se.Source.File], se.Source.Line)
		}
	}
	refused := func(d corpusDoc) bool {
		return slices.ContainsFunc(errLines[d.file], func(l int) bool { return l >= d.first && (d.last == 0 || l <= d.last) })
	}

	wanted := map[key]int{}
	for _, d := range docs {
		wanted[key{d.file, d.kind, d.name}]++
	}
	var refusedDocs, removedVersion []string
	covered := 0
	for _, d := range docs {
		k := key{d.file, d.kind, d.name}
		if len(sources[k]) >= wanted[k] {
			covered++
			continue
		}
		where := d.file + " " + d.identity() + " (" + d.apiVersion + ")"
		switch {
		case defined[d.identity()] > 1:
			assert.Fail(t, "a document of an object defined more than once has no result", where)
		case refused(d):
			refusedDocs = append(refusedDocs, where)
		case slices.Contains([]string{"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2", "batch/v2alpha1"}, d.apiVersion):
			removedVersion = append(removedVersion, where)
		default:
			assert.Fail(t, "a workload document has no result", where)
		}
	}
	dupDocs, dupObjects := 0, 0
	for _, n := range defined {
		if n > 1 {
			dupDocs += n
			dupObjects++
		}
	}
	assert.Positive(t, dupDocs, "the corpus holds variants")
	assert.GreaterOrEqual(t, variantWarnings, dupObjects, "a warning for each object defined more than once")
	t.Logf("%d workload documents, %d with results; %d of them define %d workloads defined more than once; %d variant warnings (all kinds)",
		len(docs), covered, dupDocs, dupObjects, variantWarnings)
	if len(refusedDocs)+len(removedVersion) > 0 {
		t.Logf("left to lenient decoding (issue 12), not failed here: %d refused by the loader: %s; %d in a removed API version: %s",
			len(refusedDocs), strings.Join(refusedDocs, ", "), len(removedVersion), strings.Join(removedVersion, ", "))
	}
}
