package kustomize

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/kspm-dev/kspm/internal/yamldoc"

	"github.com/kspm-dev/kspm/internal/regularfile"
	"github.com/kspm-dev/kspm/inventory"
)

// checkLocal returns an error wrapping ErrRemote when the kustomization at dir, or one it
// uses, refers to something kustomize would download: a file given as an http(s) URL (which
// kustomize gets over HTTP) or a directory given as a git repository (which it clones with
// the git command). kustomize offers no way to turn either off, so every reference that
// reaches its loader is looked at before the build: resources (and bases), components,
// patches, replacements, crds, configurations, openapi, the files and env files of
// configMapGenerator and secretGenerator, and generators, transformers and validators, with
// the file references of the plugin configurations those list. A kustomization file that
// cannot be read (not a regular file, larger than kustomize may read it) is an error naming
// it; one that does not parse is left to kustomize, which stops there.
//
// It also returns the deprecated fields each of those kustomizations uses, which kustomize
// notes on standard error as it loads them.
func checkLocal(dir string, fileNames []string) ([]deprecation, error) {
	c := localChecker{fileNames: fileNames, seen: map[string]bool{}}
	err := c.kustomization(dir, false)
	return c.deprecations, err
}

type localChecker struct {
	fileNames    []string
	seen         map[string]bool // kustomization directories checked, by absolute path, and mode
	deprecations []deprecation
}

// deprecation is kustomize's note on a deprecated field of a kustomization file.
type deprecation struct {
	file string // the kustomization file
	line int    // of the field, 0 when unknown
	note string // kustomize's words
}

// kustomization checks the kustomization in dir. In plugin mode (a kustomization listed as a
// generator, transformer or validator) its resources are plugin configurations, whose file
// references are checked too.
func (c *localChecker) kustomization(dir string, plugin bool) error {
	key := dir
	if abs, err := filepath.Abs(dir); err == nil {
		key = abs
	}
	key = fmt.Sprint(key, plugin)
	if c.seen[key] {
		return nil
	}
	c.seen[key] = true
	var file string
	var data []byte
	for _, n := range c.fileNames {
		// Read within the bounds kustomize reads it with (boundedFS): a file kustomize
		// reads is a file looked at here, whatever its size.
		d, err := regularfile.Read(filepath.Join(dir, n), inventory.DefaultMaxInputBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, n), err)
		}
		file, data = filepath.Join(dir, n), d
		break
	}
	var k types.Kustomization
	if file == "" || k.Unmarshal(data) != nil {
		return nil // kustomize says what is wrong
	}
	if notes := k.CheckDeprecatedFields(); notes != nil {
		for _, n := range *notes {
			c.deprecations = append(c.deprecations, deprecation{file: file, line: fieldLine(data, n), note: n})
		}
	}
	k.FixKustomization()
	ref := refChecker{dir: dir, file: file}
	for _, r := range k.Resources {
		if err := c.resource(ref, "resources", r, plugin); err != nil {
			return err
		}
	}
	for _, r := range k.Components {
		if err := c.directory(ref, "components", r, false); err != nil {
			return err
		}
	}
	files := map[string][]string{"crds": k.Crds, "configurations": k.Configurations}
	if p, ok := k.OpenAPI["path"]; ok {
		files["openapi"] = []string{p}
	}
	for _, p := range k.Patches {
		files["patches"] = append(files["patches"], p.Path)
	}
	for _, p := range k.PatchesJson6902 {
		files["patchesJson6902"] = append(files["patchesJson6902"], p.Path)
	}
	for _, p := range k.PatchesStrategicMerge {
		files["patchesStrategicMerge"] = append(files["patchesStrategicMerge"], string(p))
	}
	for _, r := range k.Replacements {
		files["replacements"] = append(files["replacements"], r.Path)
	}
	for _, g := range k.ConfigMapGenerator {
		files["configMapGenerator"] = append(files["configMapGenerator"], generatorFiles(g.GeneratorArgs)...)
	}
	for _, g := range k.SecretGenerator {
		files["secretGenerator"] = append(files["secretGenerator"], generatorFiles(g.GeneratorArgs)...)
	}
	for _, field := range sortedKeys(files) {
		for _, p := range files[field] {
			if err := ref.fileRef(field, p); err != nil {
				return err
			}
		}
	}
	for _, plugins := range []struct {
		field string
		list  []string
	}{{"generators", k.Generators}, {"transformers", k.Transformers}, {"validators", k.Validators}} {
		for _, p := range plugins.list {
			if err := c.plugin(ref, plugins.field, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// resource checks a reference kustomize reads as a file, or else as a directory.
func (c *localChecker) resource(ref refChecker, field, r string, plugin bool) error {
	if err := ref.fileRef(field, r); err != nil {
		return err
	}
	path := filepath.Join(ref.dir, r)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && !isGitRepo(r) {
		if plugin {
			return ref.pluginFile(field, path)
		}
		return nil
	}
	return c.directory(ref, field, r, plugin)
}

// directory checks a reference kustomize reads as a kustomization directory.
func (c *localChecker) directory(ref refChecker, field, r string, plugin bool) error {
	if isGitRepo(r) {
		return ref.remote(field, r)
	}
	path := filepath.Join(ref.dir, r)
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return c.kustomization(path, plugin)
	}
	return nil // kustomize says it is missing
}

// plugin checks an entry of generators, transformers or validators: an inline plugin
// configuration, or a reference to files of them.
func (c *localChecker) plugin(ref refChecker, field, p string) error {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(p), &doc) == nil && len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
		return ref.pluginRefs(field, doc.Content[0])
	}
	return c.resource(ref, field, p, true)
}

// refChecker checks the references of one kustomization file.
type refChecker struct {
	dir, file string
}

// remote returns the error for the reference r of field.
func (ref refChecker) remote(field, r string) error {
	return fmt.Errorf("%s: %s: %q: %w", ref.file, field, r, ErrRemote)
}

// fileRef checks a reference kustomize reads as a file.
func (ref refChecker) fileRef(field, r string) error {
	if isURL(r) {
		return ref.remote(field, r)
	}
	return nil
}

// pluginFile checks the file references of the plugin configurations in the file at path;
// an error names that file.
func (ref refChecker) pluginFile(field, path string) error {
	data, err := regularfile.Read(path, inventory.DefaultMaxInputBytes)
	if err != nil {
		return nil // kustomize says it is unreadable
	}
	in := refChecker{dir: ref.dir, file: path}
	for _, d := range yamldoc.Split(data) {
		var doc yaml.Node
		if yaml.Unmarshal(d.Data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		if err := in.pluginRefs(field, doc.Content[0]); err != nil {
			return err
		}
	}
	return nil
}

// pluginFileKeys are the keys under which builtin plugin configurations name files that
// kustomize loads (PatchTransformer's path, a generator's files and envs, ...).
var pluginFileKeys = map[string]bool{
	"path": true, "paths": true, "files": true, "envs": true, "env": true,
	"valuesFile": true, "additionalValuesFiles": true, "argsFromFile": true,
}

// pluginRefs checks every value under a pluginFileKeys key anywhere in the configuration n.
func (ref refChecker) pluginRefs(field string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if pluginFileKeys[k.Value] {
				for _, s := range scalars(v) {
					if isURL(s) || isURL(afterKey(s)) {
						return ref.remote(field, s)
					}
				}
			}
			if err := ref.pluginRefs(field, v); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if err := ref.pluginRefs(field, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// scalars returns the value of the scalar n, or those of the sequence n.
func scalars(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, e := range n.Content {
			if e.Kind == yaml.ScalarNode {
				out = append(out, e.Value)
			}
		}
		return out
	}
	return nil
}

// generatorFiles returns the files a ConfigMap or Secret generator reads.
func generatorFiles(g types.GeneratorArgs) []string {
	var out []string
	for _, f := range g.FileSources {
		out = append(out, f, afterKey(f))
	}
	out = append(out, g.EnvSources...)
	if g.EnvSource != "" {
		out = append(out, g.EnvSource)
	}
	return out
}

// afterKey returns the path of a "key=path" file source.
func afterKey(s string) string {
	_, p, _ := strings.Cut(s, "=")
	return p
}

// isURL reports whether kustomize would get the file s over HTTP.
func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// gitUser matches the user of an scp-like git address ("git@host:org/repo").
var gitUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// isGitRepo reports whether kustomize could take s for a git repository to clone: an
// address with a scheme kustomize clones from (ssh, https, http, file; "git::" before it is
// ignored), an scp-like address with a user, or a github.com path. It errs on the side of
// "remote": kustomize may still reject such an address, but then it would not build either.
func isGitRepo(s string) bool {
	if len(s) >= 5 && strings.EqualFold(s[:5], "git::") {
		s = s[5:]
	}
	if filepath.IsAbs(s) {
		return false
	}
	l := strings.ToLower(s)
	for _, p := range []string{"ssh://", "https://", "http://", "file://", "github.com/", "github.com:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return gitUser.MatchString(s)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// fieldLine returns the line of the top-level key of the kustomization data that kustomize's
// note names (the first word it quotes, "# Warning: 'bases' is deprecated..."), or 0. Keys
// are matched as kustomize reads them, regardless of case.
func fieldLine(data []byte, note string) int {
	_, rest, ok := strings.Cut(note, "'")
	field, _, ok2 := strings.Cut(rest, "'")
	if !ok || !ok2 || field == "" {
		return 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if strings.EqualFold(top.Content[i].Value, field) {
			return top.Content[i].Line
		}
	}
	return 0
}
