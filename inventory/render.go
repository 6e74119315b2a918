package inventory

import (
	"context"
	"fmt"
	"path/filepath"
)

// A Renderer turns a directory that is not a folder of manifests but the root of something
// that produces them (a Helm chart, a kustomization) into manifests. LoadManifests asks each
// Renderer given with WithRenderer about every directory it reaches, the paths it was given
// included, before it reads the directory's files.
//
// Renderers live in packages of their own (inventory/helm, inventory/kustomize), so a program
// that does not render charts does not link Helm.
type Renderer interface {
	// Name names the renderer in sources and errors, e.g. "helm".
	Name() string
	// Detect says what dir is to this renderer (see Detection). An error is recorded
	// against dir, and the directory is then neither rendered nor read.
	Detect(dir string) (Detection, error)
	// Render renders the root at dir. Each Rendered holds the documents of one source
	// file. An error (a template that fails, a base that would need a download) is
	// recorded against dir; what Render returned beside it still loads.
	Render(ctx context.Context, dir string) ([]Rendered, error)
}

// Detection is what a directory is to a Renderer.
type Detection int

const (
	// NotRoot: the directory is nothing to this renderer; the next renderer is asked, and
	// if none claims it, it is walked as a folder of manifests.
	NotRoot Detection = iota
	// Root: the directory is a root this renderer renders. Its files and subdirectories
	// are the root's own (templates, values, bases, patches, subcharts) and are not read as
	// manifests, nor searched for further roots.
	Root
	// Part: the directory belongs to a root and cannot be rendered alone (a kustomize
	// Component, a library chart). It is neither rendered nor read, and a warning says
	// so.
	Part
)

// Rendered is the output of a Renderer for one source file: YAML documents, as a
// multi-document stream.
type Rendered struct {
	// File is the file within the root that the documents came from, as the renderer
	// knows it (a chart's template from Helm's "# Source:" line, a resource file from
	// kustomize's origin annotation), relative to the root's parent directory; empty when
	// unknown.
	File string
	// Line is the line of Data's first line in File's rendered output (1 when Data is all
	// of it), or 0 when unknown: objects then get line 0 too.
	Line int
	// Data holds the documents.
	Data []byte
	// Warning, when set, is a remark of the renderer about File at Line rather than (or
	// besides) documents: a deprecated field, a message the rendering library logged. It is
	// recorded among the inventory's warnings (Inventory.Warnings), with File, Line and the
	// root as its source, and never changes an exit status.
	Warning error
}

// WithRenderer has LoadManifests render the directories r claims (see Renderer), in the
// order the options give. A directory two renderers claim is the first one's.
func WithRenderer(r Renderer) ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) {
		if r != nil {
			c.renderers = append(c.renderers, r)
		}
	})
}

// detect returns the renderer that claims dir and how, or nil. A detection error is
// recorded against dir, and then failed is true: the directory is not read.
func (l *manifestLoader) detect(dir string) (r Renderer, d Detection, failed bool) {
	for _, r := range l.renderers {
		d, err := r.Detect(dir)
		if err != nil {
			l.record(manifestFile{name: dir, seq: l.nextSeq()}, 0, "", fmt.Errorf("%s: %w", r.Name(), err))
			return r, d, true
		}
		if d != NotRoot {
			return r, d, false
		}
	}
	return nil, NotRoot, false
}

// render renders the root dir with r on the pool and loads what it produces.
func (l *manifestLoader) render(r Renderer, dir string) {
	root := r.Name() + ":" + filepath.ToSlash(dir)
	f := manifestFile{name: dir, seq: l.nextSeq()}
	l.g.Go(func() error {
		out, err := r.Render(l.ctx, dir)
		if err != nil && l.ctx.Err() == nil {
			l.record(f, 0, "", fmt.Errorf("%s: %w", r.Name(), err))
		}
		for _, o := range out {
			if l.ctx.Err() != nil {
				break
			}
			rf := manifestFile{name: o.File, seq: f.seq, root: root, lineBase: o.Line}
			if o.Warning != nil {
				l.warn(rf, 1, "", fmt.Errorf("%s: %w", r.Name(), o.Warning))
				if len(o.Data) == 0 {
					continue
				}
			}
			if int64(len(o.Data)) > l.maxInput && l.maxInput > 0 {
				l.record(rf, 0, "", inputTooLarge(l.maxInput))
				continue
			}
			l.loadYAML(fileObjectSink{l: l, f: rf}, o.Data)
		}
		return l.ctx.Err()
	})
}

// claimed reports whether a Renderer claims dir, so that the walk does not read it: a root
// is rendered, a part is reported in a warning.
func (l *manifestLoader) claimed(dir string) bool {
	r, d, failed := l.detect(dir)
	switch {
	case failed:
		return true
	case d == Root:
		l.render(r, dir)
	case d == Part:
		l.warn(manifestFile{name: dir, seq: l.nextSeq()}, 0, "",
			fmt.Errorf("%s: not rendered alone: part of a root that uses it", r.Name()))
	}
	return d != NotRoot
}
