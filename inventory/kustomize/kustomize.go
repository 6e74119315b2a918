package kustomize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/kspm-dev/kspm/internal/liblog"
	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/internal/yamldoc"
	"github.com/kspm-dev/kspm/inventory"
)

// ErrRemote is wrapped by the error of a kustomization that refers to something that would
// have to be downloaded: a resource, base, component, patch or generator file given as a URL
// or a git repository. Nothing is fetched; the error names the reference and the
// kustomization file that holds it.
var ErrRemote = errors.New("remote reference: kspm builds local files only, nothing is downloaded")

// Renderer is an inventory.Renderer that builds kustomization directories in process, as
// `kustomize build DIR` does with its default flags. Its zero value is not usable: make
// one with New. A Renderer is safe for concurrent use; builds run one at a time (see the
// package documentation).
type Renderer struct {
	// fileNames are the kustomization file names, in kustomize's order.
	fileNames []string
}

// New returns a Renderer for inventory.WithRenderer.
func New() *Renderer {
	return &Renderer{fileNames: konfig.RecognizedKustomizationFileNames()}
}

var _ inventory.Renderer = (*Renderer)(nil)

// Name returns "kustomize".
func (*Renderer) Name() string { return "kustomize" }

// Detect says that dir is a Root when it holds a kustomization file (kustomization.yaml,
// kustomization.yml or Kustomization), and a Part when that file's kind is Component. A
// kustomization file that cannot be read or is not a YAML mapping, or two of them in one
// directory, are an error naming the file.
func (r *Renderer) Detect(dir string) (inventory.Detection, error) {
	name, err := r.kustomizationFile(dir)
	if err != nil || name == "" {
		return inventory.NotRoot, err
	}
	data, err := regularfile.Read(filepath.Join(dir, name), inventory.DefaultMaxDocumentBytes)
	if err != nil {
		return inventory.NotRoot, fmt.Errorf("read %s: %w", name, err)
	}
	top, err := parseKustomization(name, data)
	if err != nil {
		return inventory.NotRoot, err
	}
	if kind := yamldoc.Get(top, "kind"); kind != nil && kind.Value == types.ComponentKind {
		return inventory.Part, nil
	}
	return inventory.Root, nil
}

// kustomizationFile returns the name of dir's kustomization file, "" when it has none, or
// an error when it has several (kustomize refuses to choose).
func (r *Renderer) kustomizationFile(dir string) (string, error) {
	var found []string
	for _, n := range r.fileNames {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("several kustomization files: %s (kustomize builds a directory with one)", strings.Join(found, ", "))
}

// parseKustomization returns the top mapping of the kustomization file name, or an error
// naming name and the line when it is not YAML or not a mapping. An empty file is an empty
// mapping, for kustomize to judge.
func parseKustomization(name string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, _, msg := yamldoc.SyntaxErrorPos(data, err)
		return nil, fmt.Errorf("%s: %s", position(name, line), msg)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a kustomization: the document is not a mapping", position(name, top.Line))
	}
	return top, nil
}

// position returns "file:line", or file when line is unknown (0).
func position(file string, line int) string {
	if line < 1 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// buildMu serialises builds: kustomize keeps the OpenAPI schema a build uses (the
// kustomization's openapi field) in package state.
var buildMu sync.Mutex

// Render builds the kustomization at dir and returns each object as its own Rendered, with
// the file that declared it (see the package documentation). A reference to anything
// remote is an error wrapping ErrRemote, and nothing is built then; so is any error of
// kustomize's. A build cannot be interrupted: ctx is checked before and after it.
func (r *Renderer) Render(ctx context.Context, dir string) ([]inventory.Rendered, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name, err := r.kustomizationFile(dir)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("%s: no kustomization file (%s)", dir, strings.Join(r.fileNames, ", "))
	}
	deprecated, err := checkLocal(dir, r.fileNames)
	if err != nil {
		return nil, err
	}
	fs, err := withOriginAnnotations(boundedFS{filesys.MakeFsOnDisk()}, dir, name)
	if err != nil {
		return nil, err
	}
	sources := newSourceFinder(dir, name)
	m, warnings, err := build(fs, dir, deprecated, sources)
	if err != nil {
		return warnings, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]inventory.Rendered, 0, m.Size()+len(warnings))
	for _, res := range m.Resources() {
		origin, err := res.GetOrigin()
		if err != nil {
			return nil, fmt.Errorf("build %s: read the origin of %s: %w", dir, res.CurId(), err)
		}
		file, line := sources.find(origin, res)
		out = append(out, inventory.Rendered{File: file, Line: line})
	}
	if fs.added {
		if err := m.RemoveOriginAnnotations(); err != nil {
			return nil, fmt.Errorf("build %s: remove origin annotations: %w", dir, err)
		}
	}
	for i, res := range m.Resources() {
		data, err := res.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("build %s: %s: %w", dir, res.CurId(), err)
		}
		out[i].Data = data
	}
	return append(out, warnings...), nil
}

// build runs kustomize on dir, reading files through fs, as `kustomize build` does with its
// default flags. It returns kustomize's notes on the deprecated fields of the kustomizations
// the build loads (deprecated, found before the build) as warnings on their files (named
// as sources names them), and what kustomize printed or logged besides as warnings on the
// root's kustomization file: nothing reaches standard error. On error the warnings are
// returned too.
func build(fs filesys.FileSystem, dir string, deprecated []deprecation, sources *sourceFinder) (resmap.ResMap, []inventory.Rendered, error) {
	var warnings []inventory.Rendered
	noted := map[string]bool{}
	rel := sources.rel
	kustFile := rel(filepath.Join(dir, sources.kustFile))
	for _, d := range deprecated {
		if noted[d.file+"\x00"+d.note] {
			continue // a kustomization loaded twice (as a resource and a component, say)
		}
		noted[d.file+"\x00"+d.note], noted[d.note] = true, true
		warnings = append(warnings, inventory.Rendered{File: rel(d.file), Line: d.line,
			Warning: errors.New(strings.TrimPrefix(d.note, "# Warning: "))})
	}
	opts := krusty.MakeDefaultOptions()
	// As the CLI without --reorder: kustomize's legacy order unless sortOptions says otherwise.
	opts.Reorder = krusty.ReorderOptionUnspecified
	var m resmap.ResMap
	var err error
	var logged []string
	run := func() {
		logged = liblog.Capture(func() {
			buildMu.Lock()
			defer buildMu.Unlock()
			m, err = krusty.MakeKustomizer(opts).Run(fs, dir)
		})
	}
	// kustomize prints to os.Stderr only its notes on deprecated fields. Replacing the
	// process's os.Stderr is a last resort (see liblog.Stderr): it is done only for a build
	// that has such fields, never for one that has none.
	var printed []string
	var perr error
	if len(deprecated) > 0 {
		printed, perr = liblog.Stderr(run)
	} else {
		run()
	}
	if perr != nil {
		return nil, warnings, fmt.Errorf("build %s: %w", dir, perr)
	}
	for _, line := range append(printed, logged...) {
		if !noted[line] { // kustomize's own copy of a note made above
			warnings = append(warnings, inventory.Rendered{File: kustFile, Warning: errors.New(line)})
		}
	}
	if err != nil {
		return nil, warnings, fmt.Errorf("build %s: %w", dir, err)
	}
	return m, warnings, nil
}

// boundedFS is the disk as kustomize reads it, but for ReadFile, which reads only regular
// files of at most inventory.DefaultMaxInputBytes (see regularfile): a resource, patch or
// generator file that is a FIFO, a device (or a link to one) or larger fails the build with an
// error naming it, instead of hanging it or reading without end.
type boundedFS struct{ filesys.FileSystem }

// ReadFile reads the file at path, within the bounds.
func (boundedFS) ReadFile(path string) ([]byte, error) {
	data, err := regularfile.Read(path, inventory.DefaultMaxInputBytes)
	var pe *fs.PathError
	if err != nil && !errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", path, err)
	}
	return data, err
}

// originFS is the file system kustomize reads, but for the root's kustomization file, which
// it reads with originAnnotations added to buildMetadata: kustomize then annotates each
// object with the file that declared it. The user's file is not changed.
type originFS struct {
	filesys.FileSystem
	path  string // the root kustomization file, as kustomize's loader names it
	data  []byte // its content, as kustomize is to see it
	added bool   // originAnnotations was added (the user did not ask for it)
}

// ReadFile returns the content of path, the amended one for the root kustomization file.
func (f *originFS) ReadFile(path string) ([]byte, error) {
	if path == f.path {
		return bytes.Clone(f.data), nil
	}
	return f.FileSystem.ReadFile(path)
}

// withOriginAnnotations returns fs with the kustomization file name of dir read with
// originAnnotations in its buildMetadata.
func withOriginAnnotations(fs filesys.FileSystem, dir, name string) (*originFS, error) {
	d, f, err := fs.CleanedAbs(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	path := d.Join(f)
	data, err := fs.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, name), err)
	}
	out := &originFS{FileSystem: fs, path: path, data: data}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		// Not a kustomization kustomize will build: it says why.
		return out, nil
	}
	top := doc.Content[0]
	bm := yamldoc.Get(top, "buildMetadata")
	switch {
	case bm == nil:
		top.Content = append(top.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "buildMetadata"},
			&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
		bm = top.Content[len(top.Content)-1]
	case bm.Kind != yaml.SequenceNode:
		return out, nil // kustomize says what is wrong with it
	}
	for _, e := range bm.Content {
		if e.Value == types.OriginAnnotations {
			return out, nil // asked for by the user: kept in the output, as the CLI does
		}
	}
	bm.Content = append(bm.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: types.OriginAnnotations})
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	out.data, out.added = b.Bytes(), true
	return out, nil
}
