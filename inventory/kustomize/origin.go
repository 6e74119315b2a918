package kustomize

import (
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"

	"github.com/kspm-dev/kspm/internal/yamldoc"

	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/inventory"
)

// sourceFinder turns the origin kustomize gives a built object into the file and line the
// user wrote it in. Files are read once per build.
type sourceFinder struct {
	dir      string // the root, as given
	parent   string // the root's parent directory, absolute: Rendered.File is relative to it
	kustFile string // the root's kustomization file name
	files    map[string]*fileIndex
}

// fileIndex is what a file declares: its objects (documents and List items) and its first
// document's top mapping (a kustomization's, for the lines of generator entries).
type fileIndex struct {
	objects []declared
	top     *yaml.Node
}

// declared is an object as a file declares it, before kustomize changed it.
type declared struct {
	kind, namespace, name string
	line                  int // of its mapping's first key
}

func newSourceFinder(dir, kustFile string) *sourceFinder {
	parent := filepath.Dir(dir)
	if abs, err := filepath.Abs(dir); err == nil {
		parent = filepath.Dir(abs)
	}
	return &sourceFinder{dir: dir, parent: parent, kustFile: kustFile, files: map[string]*fileIndex{}}
}

// find returns the file (relative to the root's parent) and line of the object res built
// with the given origin (nil when kustomize recorded none):
//   - an object read from a file: that file, and the line of its document there;
//   - an object a builtin generator made (configMapGenerator, secretGenerator): the
//     kustomization file that configures the generator, and the line of its entry;
//   - an object a generator configured in a file of its own made: that file, and the line
//     of the generator's document;
//   - otherwise the root's kustomization file, line 0.
//
// The line is 0 where it cannot be told which document of the file the object is.
func (s *sourceFinder) find(origin *resource.Origin, res *resource.Resource) (string, int) {
	switch {
	case origin != nil && origin.Path != "":
		path := filepath.Join(s.dir, origin.Path)
		return s.rel(path), s.index(path).line(res.GetKind(), res.GetNamespace(), res.GetName())
	case origin != nil && origin.ConfiguredIn != "":
		path := filepath.Join(s.dir, origin.ConfiguredIn)
		by := origin.ConfiguredBy
		if by.APIVersion == "builtin" {
			return s.rel(path), s.index(path).generatorLine(by.Kind, res.GetName())
		}
		return s.rel(path), s.index(path).line(by.Kind, by.Namespace, by.Name)
	}
	return s.rel(filepath.Join(s.dir, s.kustFile)), 0
}

// rel returns path relative to the root's parent, or path when it cannot be.
func (s *sourceFinder) rel(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	r, err := filepath.Rel(s.parent, abs)
	if err != nil {
		return path
	}
	return r
}

// index returns what the file at path declares; an unreadable file declares nothing.
func (s *sourceFinder) index(path string) *fileIndex {
	if ix, ok := s.files[path]; ok {
		return ix
	}
	ix := &fileIndex{}
	s.files[path] = ix
	data, err := regularfile.Read(path, inventory.DefaultMaxInputBytes)
	if err != nil {
		return ix
	}
	for i, d := range yamldoc.Split(data) {
		var doc yaml.Node
		if yaml.Unmarshal(d.Data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		n := doc.Content[0]
		if i == 0 {
			ix.top = n
		}
		ix.add(n, d.Line-1)
	}
	return ix
}

// add records the object of the mapping n, or the items of a List, whose lines are offset
// by base.
func (ix *fileIndex) add(n *yaml.Node, base int) {
	if n.Kind != yaml.MappingNode {
		return
	}
	d := declared{kind: text(yamldoc.Get(n, "kind")), line: base + n.Line}
	if md := yamldoc.Get(n, "metadata"); md != nil {
		d.namespace, d.name = text(yamldoc.Get(md, "namespace")), text(yamldoc.Get(md, "name"))
	}
	if items := yamldoc.Get(n, "items"); strings.HasSuffix(d.kind, "List") && items != nil && items.Kind == yaml.SequenceNode {
		for _, it := range items.Content {
			ix.add(it, base)
		}
		return
	}
	ix.objects = append(ix.objects, d)
}

// line returns the line of the object of kind that became the object named name in
// namespace: the only one of its kind in the file, else the one of that name (and
// namespace), else the one whose name is the longest part of name (a name prefix or suffix
// was added); 0 when none or several fit.
func (ix *fileIndex) line(kind, namespace, name string) int {
	var same []declared
	for _, d := range ix.objects {
		if d.kind == kind {
			same = append(same, d)
		}
	}
	if len(same) == 1 {
		return same[0].line
	}
	var named []declared
	for _, d := range same {
		if d.name == name {
			named = append(named, d)
		}
	}
	if len(named) > 1 {
		var inNS []declared
		for _, d := range named {
			if d.namespace == namespace {
				inNS = append(inNS, d)
			}
		}
		named = inNS
	}
	if len(named) == 1 {
		return named[0].line
	}
	if len(named) > 1 {
		return 0
	}
	return longestPart(same, name, func(d declared) (string, int) { return d.name, d.line })
}

// generatorLine returns the line of the entry of a kustomization's generator of kind
// (ConfigMapGenerator, SecretGenerator) that made the object named name: the only entry,
// else the one whose name is the longest part of name (kustomize adds a hash, and maybe a
// prefix and suffix); 0 when none or several fit.
func (ix *fileIndex) generatorLine(kind, name string) int {
	key := map[string]string{"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}[kind]
	if ix.top == nil || key == "" {
		return 0
	}
	list := yamldoc.Get(ix.top, key)
	if list == nil || list.Kind != yaml.SequenceNode {
		return 0
	}
	if len(list.Content) == 1 {
		return list.Content[0].Line
	}
	return longestPart(list.Content, name, func(e *yaml.Node) (string, int) { return text(yamldoc.Get(e, "name")), e.Line })
}

// longestPart returns the line of the element whose name is the longest non-empty part of
// name, or 0 when there is none or two are as long.
func longestPart[T any](elems []T, name string, of func(T) (string, int)) int {
	best, line, tie := 0, 0, false
	for _, e := range elems {
		n, l := of(e)
		switch {
		case n == "" || !strings.Contains(name, n) || len(n) < best:
		case len(n) == best:
			tie = true
		default:
			best, line, tie = len(n), l, false
		}
	}
	if tie {
		return 0
	}
	return line
}

// text returns the value of the scalar n, or "".
func text(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
