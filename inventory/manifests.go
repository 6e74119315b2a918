package inventory

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kspm-dev/kspm/internal/yamldoc"
	yaml "go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
)

// ErrUnknownField is wrapped by the warning (see Inventory.Warnings) recorded when a
// manifest sets a field that its (built-in) kind does not have. The object is loaded without
// the field, as the API server stores it under its default field validation (Warn: what a
// request without the fieldValidation parameter gets, as from Helm, Argo CD and client-go
// programs, and kubectl --validate=warn): unknown fields are dropped with a warning. Under
// strict field validation (kubectl's own default) the API server refuses the object.
var ErrUnknownField = errors.New("unknown field")

// ManifestOption configures LoadManifests.
type ManifestOption interface {
	applyManifest(*manifestConfig)
}

type manifestConfig struct {
	stdin            io.Reader
	parallelism      int
	defaultNamespace string
	maxDocument      int64
	maxInput         int64
	complete         bool
	strictFields     bool
	renderers        []Renderer
}

type manifestOptionFunc func(*manifestConfig)

func (f manifestOptionFunc) applyManifest(c *manifestConfig) { f(c) }

// WithStdin sets what the path "-" reads; the default is os.Stdin.
func WithStdin(r io.Reader) ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.stdin = r })
}

// WithParallelism sets how many files and documents are read and decoded at once; the
// default (and the value used for n < 1) is GOMAXPROCS.
func WithParallelism(n int) ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.parallelism = n })
}

// WithDefaultNamespace sets the namespace of built-in namespaced objects written without
// one, as `kubectl apply -n NS` does; the default is "default". Objects of other kinds keep
// their namespace as written: their scope is not known.
func WithDefaultNamespace(ns string) ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.defaultNamespace = ns })
}

// WithCompleteInput declares that the manifests are the whole cluster: every object the
// cluster would hold is in them (bar those the control plane creates itself, see
// Inventory.Whole). A kind with no object in the manifests is then Listed with a count of 0
// ("there are none" is a fact) instead of Absent ("whether the cluster has any cannot be
// told"), and Inventory.Whole reports true, so that an object a reference names and the
// manifests lack does not exist. Input that failed to load keeps its effect: a kind that a
// failed document may have held, and every kind when a document's kind could not be read, is
// still Incomplete. The default is cautious: without this option the manifests are a part of
// a cluster. The checks whose verdict can change under it are listed in the kspm package
// documentation (section "Manifests as the whole cluster").
func WithCompleteInput() ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.complete = true })
}

// WithStrictFieldValidation reads manifests as the API server does under Strict field
// validation, the default of kubectl apply and kubectl create (--validate=strict): a field
// a built-in kind does not have (ErrUnknownField) and a key written more than once in one
// mapping (ErrDuplicateKey) are errors, not warnings, so a file that `kubectl apply` would
// refuse makes the load report an error. The object still loads as the default mode loads
// it (unknown fields dropped, the last value of a repeated key) and is checked, so that a
// finding is never hidden behind the error. The default is the API server's Warn field
// validation, which Helm, Argo CD and client-go programs get.
func WithStrictFieldValidation() ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.strictFields = true })
}

// DefaultMaxDocumentBytes is the size of the largest document LoadManifests reads unless
// WithMaxDocumentBytes says otherwise: 8 MiB. The API server takes requests of up to 3 MiB
// and etcd stores objects of up to 1.5 MiB, as JSON; YAML can be several times larger than
// the JSON it stands for (deep indentation: argo-cd's ApplicationSet CRD is 1.4 MB of YAML
// for 0.35 MB of JSON), so the limit holds any object a cluster can store, while one
// document, which is decoded in one piece, stays a bounded amount of work.
const DefaultMaxDocumentBytes = 8 << 20

// DefaultMaxInputBytes is the most LoadManifests reads from one file or from standard input
// unless WithMaxInputBytes says otherwise: 256 MiB, the size of a dump of every object of a
// large cluster. Loading takes memory many times the size of the input (measured: 15 to 35
// times, for a List of Pods), so a larger limit wants a machine to match.
const DefaultMaxInputBytes = 256 << 20

// WithMaxDocumentBytes sets the size of the largest document (a YAML document, a JSON value)
// that is read; n < 1 removes the limit. The default is DefaultMaxDocumentBytes. A larger
// List is read when each of its items is within the limit (in the layout kubectl writes,
// for YAML). A document or item over the limit is an error wrapping ErrTooLarge, and the
// rest loads.
func WithMaxDocumentBytes(n int64) ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.maxDocument = n })
}

// WithMaxInputBytes sets the most that is read from one file or from standard input; n < 1
// removes the limit. The default is DefaultMaxInputBytes. An input over the limit is an
// error wrapping ErrTooLarge, nothing of it loads, and the other inputs do.
func WithMaxInputBytes(n int64) ManifestOption {
	return manifestOptionFunc(func(c *manifestConfig) { c.maxInput = n })
}

// isConfigFileKind reports whether gvk is a component's configuration file kind
// (KubeletConfiguration, EncryptionConfiguration, an audit Policy, kubeadm's configurations),
// which carries no metadata.name. Such an object is named after its file and line.
func isConfigFileKind(gvk schema.GroupVersionKind) bool {
	g := gvk.Group
	return strings.HasSuffix(g, ".config.k8s.io") || g == "audit.k8s.io" || g == "kubeadm.k8s.io"
}

// LoadManifests reads Kubernetes objects from manifests and returns them as an inventory in
// ModeManifests. Each path is a file, a directory, or "-" for standard input (see
// WithStdin); a path that is a symbolic link is followed. A directory is read recursively, in
// lexical order: files named *.yaml, *.yml or *.json, skipping hidden files and directories.
// Symbolic links in it are followed, to files and to directories; a file or directory
// reached several ways is read once, and a link back to a directory that contains it (a
// loop) is not followed, since its files are read already. A link that leads nowhere (or to
// itself), and a FIFO, socket or device named like a manifest, are not read and are recorded
// as errors wrapping ErrNotRead: what they stand for is unknown, so every kind's coverage is
// then incomplete.
// A path given that is a named pipe is read only when it names one of the process's own
// descriptors (/dev/fd/N, /proc/self/fd/N, /dev/stdin), as a shell's process substitution
// -f <(helm template ...) does; a named pipe elsewhere is not opened, since nothing says its
// writer will ever come, and is recorded as an error wrapping ErrNotRead (a pipe is read as
// "-", standard input).
// A path that does not exist is a returned error; so is a cancelled ctx, and the error then
// names the input whose read it interrupted, if any. Everything else
// that is wrong with the input is recorded in the inventory's Errors, and the rest loads.
//
// Input. A YAML file may hold several documents ("---"); an empty document is skipped. A
// JSON file holds one or more values, each an object or an array of objects; standard input
// is read as JSON when it starts with '{' or '[', else as YAML. A List stands for its items,
// as kubectl's resource builder reads it: a document whose items field is a list, or of a
// kind named "...List" (List, PodList, ...) that has items, is a List, and so is such an
// item of a List: nested Lists are flattened, up to 16 deep (an item without kind and
// apiVersion takes them from its List: Pod from PodList). Each item's Source line is its own.
// YAML is read as kubectl reads it (YAML 1.1 scalars: unquoted yes/no are booleans).
//
// Objects. Built-in kinds (see BuiltinKinds) are decoded into their typed structs, matched
// by group and kind whatever the version; other kinds are kept as
// *unstructured.Unstructured, with their namespace as written (the loader cannot know
// whether such a kind is namespaced). A kind that its API group does not have, when the
// group is one the API server serves itself (apps/v1 Deploymnet, v1 pod, apps/v1 Pod), is
// not loaded: the API server would reject it, and the error wraps ErrUnknownKind; any kind
// of another group (a custom resource) loads.
//
// Removed API versions. An object of a built-in kind written in an API version Kubernetes no
// longer serves loads, with a warning wrapping ErrRemovedAPIVersion that names the version
// and the release that removed it (from k8s.io/api's lifecycle data). Where the inventory
// types the kind, the object is read as its current equivalent, as the API server read and
// stored it: decoded as the old version (so that an unknown field is one that version did not
// have), given the old version's defaults where the current version has none or other ones
// (extensions/v1beta1 and apps/v1beta1 workloads: the selector, and the labels when there are
// none, from the pod template; extensions/v1beta1 DaemonSets and apps/v1beta1 StatefulSets:
// updates OnDelete; admissionregistration.k8s.io/v1beta1 webhooks: failurePolicy Ignore,
// matchPolicy Exact, timeoutSeconds 30), with renamed fields converted (an Ingress backend's
// serviceName and servicePort; an rbac.authorization.k8s.io/v1alpha1 subject's apiVersion,
// and its User "*", which is the Group system:authenticated), and decoded as the current
// version: extensions/v1beta1 DaemonSet is an apps/v1 DaemonSet. A field the current version
// does not have (spec.templateGeneration) is named in the warning. Other kinds
// (policy/v1beta1 PodSecurityPolicy, which nothing replaces; policy/v1beta1
// PodDisruptionBudget) are kept as written. Every object's Source is its file and the line where
// it starts (the first line of its document's content; for a List item, the item's line).
// Objects are then defaulted as the API server would where that changes a security verdict
// (see ApplyDefaults). Secrets keep the names of their data and stringData keys, with empty
// values; their last-applied-configuration annotation, which copies the values, is dropped.
//
// Decoding follows what the API server stores under its default field validation (the one
// Helm, Argo CD and client-go programs use): a manifest it would accept loads, with warnings
// (see Inventory.Warnings) where it would warn.
//
// Errors. A document that cannot become an object is not loaded, and a *SourceError naming
// its file and the line of the problem is recorded: a YAML or JSON syntax error, a value of
// the wrong type (the error names the field path, e.g.
// spec.containers[0].ports[0].containerPort, and its line), a kind without apiVersion, an
// apiVersion without kind, a missing metadata.name, or an item of a List that is no object.
// A file that cannot be read is an error naming the file. Errors are in input order: by
// path, then file (walked in lexical order), then line; objects defined twice (see
// Builder.Build) are reported after them.
//
// Warnings. Each names the file and line it is about, and takes nothing from the inventory
// or its coverage. A field a built-in kind does not have (ErrUnknownField) is dropped, as the
// API server drops it. A key written more than once in one mapping (ErrDuplicateKey) takes
// its last value, whole, at any depth: a mapping written again replaces the earlier one. That
// is how kubectl and Helm read YAML and JSON before sending an object, and how the API server
// reads a YAML request body (sigs.k8s.io/yaml's YAMLToJSON). Under WithStrictFieldValidation
// these two are errors, and the object loads all the same. A document that is no Kubernetes
// object (ErrNotObject) is a notice and is skipped: a mapping with neither an apiVersion nor a
// kind field (an application's configuration file, a values file, a docker-compose file), a
// scalar, or a list that holds no mapping.
//
// Coverage: kinds with objects are Loaded; the others are Absent, or Listed with a count of
// 0 under WithCompleteInput; a kind that a document which failed to load may have held
// (every kind, when its kind could not be read) is Incomplete.
//
// Limits. At most DefaultMaxInputBytes are read from one file or standard input, and a
// document of more than DefaultMaxDocumentBytes is not decoded unless it is a List whose
// items are each within that size (see WithMaxInputBytes, WithMaxDocumentBytes); what is over
// a limit is an error wrapping ErrTooLarge. Reading and decoding stop when ctx is done
// (between reads, documents and List items); a read that blocks (standard input from a
// terminal, a FIFO with no writer) is then abandoned, and LoadManifests returns.
//
// Files are read, and documents decoded, by a bounded pool of workers (WithParallelism);
// the documents of a large file, and the items of a large List, are spread over the pool.
// The result does not depend on the parallelism.
func LoadManifests(ctx context.Context, paths []string, opts ...ManifestOption) (*Inventory, error) {
	cfg := manifestConfig{stdin: os.Stdin, maxDocument: DefaultMaxDocumentBytes, maxInput: DefaultMaxInputBytes}
	for _, o := range opts {
		if o != nil {
			o.applyManifest(&cfg)
		}
	}
	if cfg.parallelism < 1 {
		cfg.parallelism = goruntime.GOMAXPROCS(0)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("load manifests: %w", ErrNoInput)
	}
	infos := make([]fs.FileInfo, len(paths))
	for i, p := range paths {
		if p == "-" {
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("load manifests: %w", err)
		}
		infos[i] = fi
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load manifests: %w", err)
	}

	b := NewBuilder(ModeManifests)
	b.complete = cfg.complete
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.parallelism)
	l := &manifestLoader{ctx: gctx, g: g, workers: cfg.parallelism, b: b, stdin: cfg.stdin, defaultNamespace: cfg.defaultNamespace,
		maxDocument: cfg.maxDocument, maxInput: cfg.maxInput, renderers: cfg.renderers, strictFields: cfg.strictFields,
		seen: make(map[string]bool), walked: make(map[string]bool)}
	var walkErr error
	for i, p := range paths {
		b.AddSource(p)
		if walkErr = l.input(p, infos[i]); walkErr != nil {
			break
		}
	}
	g.Go(l.readPending) // the files no worker has taken, if any (see dispatch)
	err := g.Wait()
	if err == nil {
		err = cmp.Or(walkErr, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("load manifests: %w", err)
	}
	slices.SortStableFunc(l.errs, func(a, b manifestError) int {
		return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.line, b.line), cmp.Compare(a.err.Error(), b.err.Error()))
	})
	for _, e := range l.errs {
		b.AddError(e.err)
	}
	slices.SortStableFunc(l.warnings, func(a, b manifestError) int {
		return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.line, b.line), cmp.Compare(a.err.Error(), b.err.Error()))
	})
	for _, e := range l.warnings {
		b.AddWarning(e.err)
	}
	return b.Build(), nil
}

// manifestLoader is the state of one LoadManifests call.
type manifestLoader struct {
	ctx     context.Context
	g       *errgroup.Group
	workers int
	b       *Builder
	stdin   io.Reader

	defaultNamespace string
	maxDocument      int64 // < 1: no limit
	maxInput         int64 // < 1: no limit
	renderers        []Renderer
	strictFields     bool // WithStrictFieldValidation

	seq    int             // files dispatched so far; orders errors
	seen   map[string]bool // files dispatched, by real path
	walked map[string]bool // directories walked, by real path

	pendingMu sync.Mutex
	pending   []pendingFile // files dispatched and not yet taken by a worker, in order

	mu       sync.Mutex
	errs     []manifestError
	warnings []manifestError
}

type manifestError struct {
	seq, line int
	err       error
}

// manifestFile is one input file; name is "-" for standard input.
type manifestFile struct {
	name string
	seq  int
	// For documents a Renderer produced: the root (Source.Root), and the line of the
	// documents' first line in the rendered file (0: unknown).
	root     string
	lineBase int
}

// source returns the Source of what starts at line of f's data.
func (f manifestFile) source(line int) Source {
	if f.root == "" {
		return Source{File: f.name, Line: line}
	}
	if f.lineBase < 1 || line < 1 {
		return Source{File: f.name, Root: f.root}
	}
	return Source{File: f.name, Line: f.lineBase + line - 1, Root: f.root}
}

// splitListMin is the size from which a List document is split into its items textually,
// so that they are parsed in parallel, rather than parsed whole. A variable for tests.
var splitListMin = 1 << 20

// input walks one path argument and dispatches its files.
func (l *manifestLoader) input(path string, fi fs.FileInfo) error {
	real, err := realPath(path)
	if err != nil {
		real = path
	}
	if path == "-" || !fi.IsDir() {
		l.dispatch(path, real, true)
		return nil
	}
	// The argument is followed when it is a symbolic link: the user named it.
	l.walked[real] = true
	if l.claimed(path) {
		return nil
	}
	return l.walk(path, []string{real})
}

// walk dispatches the manifest files under dir, in lexical order, skipping hidden files and
// directories. Symbolic links are followed, to files and to directories; a directory is
// walked once however many ways lead to it, and a link back to a directory being walked (a
// loop) is not followed (its files are read through the walk already under way). What
// cannot be read is recorded (see ErrNotRead). stack holds the real paths of dir and the
// directories it is in.
func (l *manifestLoader) walk(dir string, stack []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		// An unreadable directory (or one that vanished): the rest goes on.
		l.record(manifestFile{name: dir, seq: l.nextSeq()}, 0, "", fmt.Errorf("read: %w", unwrapPathError(err)))
	}
	for _, e := range entries {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(dir, name)
		real := filepath.Join(stack[len(stack)-1], name)
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				if isManifestName(name) {
					target, _ := os.Readlink(p)
					l.notRead(p, fmt.Errorf("symbolic link to %q: %w", target, unwrapPathError(err)))
				}
				continue
			}
			if real, err = realPath(p); err != nil {
				l.notRead(p, fmt.Errorf("symbolic link: %w", unwrapPathError(err)))
				continue
			}
			typ = fi.Mode().Type()
		}
		switch {
		case typ.IsDir():
			switch {
			case slices.Contains(stack, real) || l.walked[real]:
				// A link back to a directory being walked (a loop), or one walked already
				// through another path: its files are read through that path, so nothing is
				// lost and there is nothing to report.
			default:
				l.walked[real] = true
				if l.claimed(p) {
					continue
				}
				if err := l.walk(p, append(stack[:len(stack):len(stack)], real)); err != nil {
					return err
				}
			}
		case !isManifestName(name):
		case !typ.IsRegular():
			l.notRead(p, fmt.Errorf("not a regular file (%s)", fileTypeName(typ)))
		default:
			l.dispatch(p, real, false)
		}
	}
	return nil
}

// realPath returns p with symbolic links resolved, absolute; "-" stays "-".
func realPath(p string) (string, error) {
	if p == "-" {
		return p, nil
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}

// notRead records that the walk did not read the entry at p, and why.
func (l *manifestLoader) notRead(p string, why error) {
	l.record(manifestFile{name: p, seq: l.nextSeq()}, 0, "", fmt.Errorf("%w: %w", ErrNotRead, why))
}

// fileTypeName names a file type that is not a regular file or a directory.
func fileTypeName(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a device"
	}
	return "type " + t.String()
}

func isManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (l *manifestLoader) nextSeq() int {
	l.seq++
	return l.seq
}

// dispatch has one file (or standard input) read on the pool, once per file: real is its
// real path (symbolic links resolved, absolute), which says whether it was read already.
// The file joins the pending files, and a worker is started when the pool has room; else a
// running worker takes it when done with its file (and LoadManifests starts one once the walk
// is over). A worker reads file after file: a goroutine per file would grow a new stack to
// the depth of decoding for each (tens of thousands of files in some inputs).
func (l *manifestLoader) dispatch(name, real string, explicit bool) {
	if l.seen[real] {
		return
	}
	l.seen[real] = true
	l.pendingMu.Lock()
	l.pending = append(l.pending, pendingFile{manifestFile{name: name, seq: l.nextSeq()}, explicit})
	l.pendingMu.Unlock()
	l.g.TryGo(l.readPending)
}

// pendingFile is a file dispatched, and whether it was named explicitly (see readFile).
type pendingFile struct {
	f        manifestFile
	explicit bool
}

// readPending reads the pending files, in order, until there is none.
func (l *manifestLoader) readPending() error {
	for l.ctx.Err() == nil {
		l.pendingMu.Lock()
		if len(l.pending) == 0 {
			l.pendingMu.Unlock()
			break
		}
		p := l.pending[0]
		l.pending = l.pending[1:]
		l.pendingMu.Unlock()
		if err := l.readFile(p.f, p.explicit); err != nil {
			return err
		}
	}
	return l.ctx.Err()
}

// readFile reads and decodes f. It returns an error, naming f, only when ctx ended its read;
// what else goes wrong is recorded.
func (l *manifestLoader) readFile(f manifestFile, explicit bool) error {
	data, err := l.readInput(f)
	if err != nil {
		if cerr := l.ctx.Err(); cerr != nil {
			return fmt.Errorf("read %s: %w", inputName(f.name), cerr)
		}
		l.record(f, 0, "", fmt.Errorf("read: %w", err))
		return nil
	}
	ext := strings.ToLower(filepath.Ext(f.name))
	isJSON := ext == ".json"
	if f.name == "-" || (explicit && ext != ".yaml" && ext != ".yml" && ext != ".json") {
		isJSON = looksLikeJSON(data)
	}
	s := fileObjectSink{l: l, f: f}
	if isJSON {
		l.loadJSON(s, data)
	} else {
		l.loadYAML(s, data)
	}
	return nil
}

// inputName is how an error names the input file name: quoted, since it comes from the
// command line or a directory and may hold anything; "standard input" for "-".
func inputName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return strconv.Quote(name)
}

// readInput reads the file f, or standard input, whole, up to the input limit (see
// readAbandonable).
func (l *manifestLoader) readInput(f manifestFile) ([]byte, error) {
	return readAbandonable(l.ctx, func() ([]byte, error) {
		if f.name == "-" {
			if l.stdin == nil {
				return nil, errors.New("no standard input")
			}
			return readLimited(l.ctx, l.stdin, 0, l.maxInput)
		}
		return readPath(l.ctx, f.name, l.maxInput)
	})
}

// readAbandonable runs read on a goroutine of its own and returns what it returns, or
// ctx's error as soon as ctx is done: a read that blocks (standard input from a terminal, a
// FIFO with no writer) does not keep the caller waiting. An abandoned read ends when its
// Open or Read returns.
func readAbandonable(ctx context.Context, read func() ([]byte, error)) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := read()
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readPath reads the file at name whole, up to limit bytes (see readLimited).
func readPath(ctx context.Context, name string, limit int64) ([]byte, error) {
	file, err := openInput(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	stop := context.AfterFunc(ctx, func() { _ = file.Close() }) // ends a read the poller waits on
	defer stop()
	var size int64
	if fi, err := file.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
		if limit > 0 && size > limit {
			return nil, inputTooLarge(limit)
		}
	}
	data, err := readLimited(ctx, file, size, limit)
	return data, unwrapPathError(err)
}

// readChunk is the most readLimited reads between two looks at its context.
const readChunk = 1 << 20

// readLimited reads r to its end, looking at ctx between reads; size, when known, is what
// to expect. More than limit bytes (limit > 0) is an error wrapping ErrTooLarge.
func readLimited(ctx context.Context, r io.Reader, size, limit int64) ([]byte, error) {
	n := max(size+1, 512) // room to read the end without growing, as os.ReadFile
	if limit > 0 {
		n = min(n, limit+1)
	}
	buf := make([]byte, 0, n)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 1)
		}
		end := min(cap(buf), len(buf)+readChunk)
		if limit > 0 {
			end = int(min(int64(end), limit+1))
		}
		m, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+m]
		if limit > 0 && int64(len(buf)) > limit {
			return nil, inputTooLarge(limit)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// limitError is a limit exceeded; it wraps ErrTooLarge.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return ErrTooLarge }

func inputTooLarge(limit int64) error {
	return &limitError{fmt.Sprintf("larger than the limit of %s for one input", byteSize(limit))}
}

// documentTooLarge returns the error for a document (what: "document", "List item") of
// size bytes, over the document limit.
func (l *manifestLoader) documentTooLarge(what string, size int) error {
	return &limitError{fmt.Sprintf("%s of %d bytes: larger than the limit of %s for one document", what, size, byteSize(l.maxDocument))}
}

// overDocumentLimit reports whether a document of n bytes is over the document limit.
func (l *manifestLoader) overDocumentLimit(n int) bool {
	return l.maxDocument > 0 && int64(n) > l.maxDocument
}

// byteSize writes n in bytes, KiB or MiB, whichever is exact.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func looksLikeJSON(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}

func (l *manifestLoader) record(f manifestFile, line int, object string, err error) {
	e := &SourceError{Source: f.source(line), Object: object, Err: err}
	l.mu.Lock()
	l.errs = append(l.errs, manifestError{seq: f.seq, line: line, err: e})
	l.mu.Unlock()
}

// warn records a warning about what starts at line of f (see Inventory.Warnings); under
// WithStrictFieldValidation, an unknown field or a repeated key is an error instead.
func (l *manifestLoader) warn(f manifestFile, line int, object string, err error) {
	if l.strictFields && (errors.Is(err, ErrUnknownField) || errors.Is(err, ErrDuplicateKey)) {
		l.record(f, line, object, err)
		return
	}
	e := &SourceError{Source: f.source(line), Object: object, Err: err}
	l.mu.Lock()
	l.warnings = append(l.warnings, manifestError{seq: f.seq, line: line, err: e})
	l.mu.Unlock()
}

// decodeScratch is a worker's reusable buffer.
type decodeScratch struct{ json []byte }

var decodeScratchPool = sync.Pool{New: func() any { return new(decodeScratch) }}

// each calls fn for 0 <= i < n on the calling goroutine and on helpers started while the
// pool has room (work stealing, one index at a time), and returns when all calls are done.
func (l *manifestLoader) each(n int, fn func(i int, sc *decodeScratch)) {
	var next atomic.Int64
	work := func() {
		sc := decodeScratchPool.Get().(*decodeScratch)
		defer decodeScratchPool.Put(sc)
		for {
			i := int(next.Add(1)) - 1
			if i >= n || l.ctx.Err() != nil {
				return
			}
			fn(i, sc)
		}
	}
	var wg sync.WaitGroup
	for range min(l.workers-1, n-1) {
		wg.Add(1)
		if !l.g.TryGo(func() error { defer wg.Done(); work(); return nil }) {
			wg.Done()
			break
		}
	}
	work()
	wg.Wait()
}

// objectSink receives what decoding one document produces: objects (with the line they
// start at), problems (input not loaded) and warnings (see Inventory.Warnings).
type objectSink interface {
	add(obj runtime.Object, line int, object string)
	fail(line int, object string, err error)
	warn(line int, object string, err error)
}

// fileObjectSink adds to the inventory directly.
type fileObjectSink struct {
	l *manifestLoader
	f manifestFile
}

func (s fileObjectSink) add(obj runtime.Object, line int, object string) {
	if m, ok := obj.(metav1.Object); ok {
		if m.GetName() == "" { // a component's configuration file (see isConfigFileKind)
			m.SetName(fmt.Sprintf("%s:%d", s.f.name, line))
		}
	}
	if err := s.l.b.Add(obj, s.f.source(line)); err != nil {
		s.fail(line, object, err)
	}
}

func (s fileObjectSink) fail(line int, object string, err error) { s.l.record(s.f, line, object, err) }

func (s fileObjectSink) warn(line int, object string, err error) { s.l.warn(s.f, line, object, err) }

// bufferedSink holds results until they are known to stand (see splitList).
type bufferedSink struct {
	objs     []bufferedManifestObject
	errs     []bufferedManifestError
	warnings []bufferedManifestError
}

type bufferedManifestObject struct {
	obj    runtime.Object
	line   int
	object string
}

type bufferedManifestError struct {
	line   int
	object string
	err    error
}

func (s *bufferedSink) add(obj runtime.Object, line int, object string) {
	s.objs = append(s.objs, bufferedManifestObject{obj, line, object})
}

func (s *bufferedSink) fail(line int, object string, err error) {
	s.errs = append(s.errs, bufferedManifestError{line, object, err})
}

func (s *bufferedSink) warn(line int, object string, err error) {
	s.warnings = append(s.warnings, bufferedManifestError{line, object, err})
}

func (s *bufferedSink) commit(to objectSink) {
	for _, o := range s.objs {
		to.add(o.obj, o.line, o.object)
	}
	for _, e := range s.errs {
		to.fail(e.line, e.object, e.err)
	}
	for _, w := range s.warnings {
		to.warn(w.line, w.object, w.err)
	}
}

// YAML

func (l *manifestLoader) loadYAML(s fileObjectSink, data []byte) {
	docs := yamldoc.Split(data)
	l.each(len(docs), func(i int, sc *decodeScratch) { l.yamlDocument(s, docs[i], sc) })
}

func (l *manifestLoader) yamlDocument(s objectSink, d yamldoc.Document, sc *decodeScratch) {
	tooLarge := l.overDocumentLimit(len(d.Data))
	if tooLarge || len(d.Data) >= splitListMin {
		// A List over the document limit is read when its items are within it.
		if head, items, ok := yamldoc.SplitItems(d); ok && !l.overDocumentLimit(len(head)) && l.splitList(s, d, head, items) {
			return
		}
	}
	if tooLarge {
		s.fail(d.ContentLine, "", l.documentTooLarge("document", len(d.Data)))
		return
	}
	if l.fastYAMLDocument(s, d, sc) {
		return
	}
	root, err := parseYAML(d.Data)
	if err != nil {
		line, msg := yamlErrorLine(d, err)
		s.fail(line, "", errors.New(msg))
		return
	}
	if root == nil || len(root.Content) == 0 {
		return
	}
	n := root.Content[0]
	switch n.Kind {
	case yaml.MappingNode:
		l.yamlObject(s, d.Line, n, nil, sc)
	case yaml.SequenceNode:
		// Not something kubectl reads, but unambiguous: a list of objects. A list holding
		// no mapping at all is not a Kubernetes object, as a scalar is not.
		if !slices.ContainsFunc(n.Content, func(e *yaml.Node) bool { return derefNode(e).Kind == yaml.MappingNode }) {
			s.warn(d.Line+n.Line-1, "", notObject("a list"))
			return
		}
		for _, e := range n.Content {
			l.yamlObject(s, d.Line, e, nil, sc)
		}
	default:
		if v, _ := yamldoc.ScalarValue(n); v.Kind != "null" {
			s.warn(d.Line+n.Line-1, "", notObject("a scalar"))
		}
	}
}

// parseYAML parses the one document of data; it returns nil for an empty document.
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err != nil:
		return nil, err
	default:
		// The splitter and the parser disagree on where documents start: never drop one.
		return nil, &yamldoc.Error{Line: extra.Line, Msg: "unexpected second document (a document marker the splitter did not see)"}
	}
}

// yamlErrorLine returns the line of the input a parse error of d is about, and the error's
// message without its document-relative line (see yamldoc.SyntaxErrorPos). An error with
// no known line is placed at the document's first content.
func yamlErrorLine(d yamldoc.Document, err error) (int, string) {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return d.Line + ye.Line - 1, ye.Msg
	}
	line, _, msg := yamldoc.SyntaxErrorPos(d.Data, err)
	if line == 0 {
		return d.ContentLine, msg
	}
	return d.Line + line - 1, msg
}

// maxListDepth bounds how deep Lists may be nested in one another.
const maxListDepth = 16

// listItemDefaults are what a List gives its items, and how deep they are nested.
type listItemDefaults struct {
	apiVersion, kind string
	depth            int // of the List the items are in: 1 for a List that is not an item
}

// depth returns the nesting depth a List would have as an item of list (nil: none).
func (list *listItemDefaults) next() int {
	if list == nil {
		return 1
	}
	return list.depth + 1
}

// errListTooDeep is recorded for a List nested deeper than maxListDepth.
var errListTooDeep = fmt.Errorf("Lists nested more than %d deep", maxListDepth)

// yamlObject decodes the mapping n, whose lines count from base: an object or a List (see
// isList), whose items it decodes in turn; list is the List n is an item of, if any.
func (l *manifestLoader) yamlObject(s objectSink, base int, n *yaml.Node, list *listItemDefaults, sc *decodeScratch) {
	line := base + n.Line - 1
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		v, ok := yamldoc.ScalarValue(n)
		switch {
		case list != nil:
			s.fail(line, "", notAnObject("not an object"))
		case !ok || v.Kind != "null":
			s.warn(line, "", notObject("not a mapping"))
		}
		return
	}
	apiVersion, kind := yamldoc.Get(n, "apiVersion"), yamldoc.Get(n, "kind")
	h := docHeader{apiVersion: yamlText(apiVersion), kind: yamlText(kind), identified: apiVersion != nil || kind != nil}
	if md := yamldoc.Get(n, "metadata"); md != nil {
		h.name = yamlText(yamldoc.Get(md, "name"))
		h.namespace = yamlText(yamldoc.Get(md, "namespace"))
	}
	h.inherit(list)
	if items := derefNode(yamldoc.Get(n, "items")); items != nil && isList(h.kind, items.Kind == yaml.SequenceNode) {
		depth := list.next()
		if depth > maxListDepth {
			s.fail(line, h.describe(), errListTooDeep)
			return
		}
		dups, err := yamldoc.CheckExcept(n, "items")
		if err != nil {
			var ye *yamldoc.Error
			if errors.As(err, &ye) {
				line = base + ye.Line - 1
				err = errors.New(ye.Msg)
			}
			s.fail(line, h.describe(), err)
			return
		}
		if len(dups) > 0 {
			for _, w := range yamlDuplicates(base, n, dups, h.describe()) {
				s.warn(w.line, w.object, w.err)
			}
		}
		ld := h.itemDefaults(depth)
		switch items.Kind {
		case yaml.SequenceNode:
			for _, it := range items.Content {
				l.yamlObject(s, base, it, &ld, sc)
			}
		case yaml.ScalarNode:
			if v, _ := yamldoc.ScalarValue(items); v.Kind != "null" {
				s.fail(base+items.Line-1, h.describe(), errors.New("items is not a list"))
			}
		default:
			s.fail(base+items.Line-1, h.describe(), errors.New("items is not a list"))
		}
		return
	}
	if list == nil && !h.identified {
		s.warn(line, "", notObject("neither apiVersion nor kind"))
		return
	}
	gvk, err := h.gvk()
	if err != nil {
		s.fail(line, h.describe(), err)
		return
	}
	var dups []yamldoc.Duplicate
	sc.json, dups, err = yamldoc.AppendJSON(sc.json[:0], n)
	if err != nil {
		var ye *yamldoc.Error
		if errors.As(err, &ye) {
			s.fail(base+ye.Line-1, h.describe(), errors.New(ye.Msg))
		} else {
			s.fail(line, h.describe(), err)
		}
		return
	}
	var remarks []bufferedManifestError
	if len(dups) > 0 {
		remarks = yamlDuplicates(base, n, dups, h.describe())
	}
	decodeManifestObject(s, sc.json, gvk, line, h, yamlFieldLocator{base: base, n: n, line: line}, l.defaultNamespace, remarks, false)
}

// yamlDuplicates returns the warnings about the keys of the mapping n (whose lines count from
// base) written more than once, once per key written again (an anchored mapping used several
// times is reported once).
func yamlDuplicates(base int, n *yaml.Node, dups []yamldoc.Duplicate, object string) []bufferedManifestError {
	var out []bufferedManifestError
	seen := make(map[*yaml.Node]bool, len(dups))
	for _, d := range dups {
		if seen[d.Key] {
			continue
		}
		seen[d.Key] = true
		path := yamldoc.PathOf(n, d.Key)
		if path == "" {
			path = d.Name
		}
		out = append(out, bufferedManifestError{base + d.Key.Line - 1, object, duplicateKeyWarning(path, base+d.Prev.Line-1)})
	}
	return out
}

func derefNode(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// yamlText returns a scalar's text when it reads as a string, else "".
func yamlText(n *yaml.Node) string {
	if v, ok := yamldoc.ScalarValue(n); ok && v.Kind == "string" {
		return v.Text
	}
	return ""
}

// splitList loads a large List document from its textually split items (see
// yamldoc.SplitItems), parsing the items in parallel. It reports false, having recorded
// nothing, when the split does not hold up; the caller then parses the document whole.
func (l *manifestLoader) splitList(s objectSink, d yamldoc.Document, head []byte, items []yamldoc.Document) bool {
	root, err := parseYAML(head)
	if err != nil || root == nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return false
	}
	top := root.Content[0]
	// A head with a repeated key goes through the whole-document path, which reports it with
	// its line (head's lines after the items are not those of the document).
	if dups, err := yamldoc.CheckExcept(top, "items"); err != nil || len(dups) > 0 {
		return false
	}
	h := docHeader{apiVersion: yamlText(yamldoc.Get(top, "apiVersion")), kind: yamlText(yamldoc.Get(top, "kind"))}
	// The items were a block sequence: the document is a List whatever its kind (see isList).
	if v, ok := yamldoc.ScalarValue(yamldoc.Get(top, "items")); !ok || v.Kind != "null" {
		return false
	}
	ld := h.itemDefaults(1)
	results := make([]bufferedSink, len(items))
	var bad atomic.Bool
	l.each(len(items), func(i int, sc *decodeScratch) {
		if bad.Load() {
			return
		}
		if l.overDocumentLimit(len(items[i].Data)) {
			results[i].fail(items[i].Line, "", l.documentTooLarge("List item", len(items[i].Data)))
			return
		}
		n, err := parseYAML(items[i].Data)
		if err != nil || n == nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.SequenceNode || len(n.Content[0].Content) != 1 {
			bad.Store(true)
			return
		}
		l.yamlObject(&results[i], items[i].Line, n.Content[0].Content[0], &ld, sc)
	})
	if bad.Load() || l.ctx.Err() != nil {
		return false
	}
	for i := range results {
		results[i].commit(s)
	}
	return true
}

// yamlFieldLocator finds lines in a YAML object for decoding errors.
type yamlFieldLocator struct {
	base int
	n    *yaml.Node
	line int
}

func (y yamlFieldLocator) offset(off int) (int, string, string) {
	key, value, path := yamldoc.Locate(y.n, off)
	if key == nil {
		return y.line, "", ""
	}
	hint := ""
	if yamldoc.IsYAML11Bool(value) {
		hint = fmt.Sprintf(" (unquoted %s is a boolean in YAML 1.1, as kubectl reads it: quote it)", value.Value)
	}
	return y.base + key.Line - 1, path, hint
}

func (y yamlFieldLocator) field(path string, _ bool) int {
	if k := yamldoc.Lookup(y.n, path); k != nil {
		return y.base + k.Line - 1
	}
	return y.line
}

// JSON

func (l *manifestLoader) loadJSON(s fileObjectSink, data []byte) {
	vals, err := yamldoc.SplitJSON(data)
	var docs []yamldoc.Document
	for _, v := range vals {
		if v.Data[0] != '[' {
			docs = append(docs, v)
			continue
		}
		elems, err := yamldoc.JSONElements(v)
		if err != nil {
			s.fail(jsonErrorLine(v, err), "", jsonError(err))
		}
		docs = append(docs, elems...)
	}
	if err != nil {
		s.fail(jsonErrorLine(yamldoc.Document{Line: 1}, err), "", jsonError(err))
	}
	l.each(len(docs), func(i int, sc *decodeScratch) { l.jsonObject(s, docs[i], nil) })
}

func jsonErrorLine(d yamldoc.Document, err error) int {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return ye.Line
	}
	return d.Line
}

// jsonError turns a structure error into an error without its line (the SourceError has it).
func jsonError(err error) error {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return errors.New(ye.Msg)
	}
	return err
}

func (l *manifestLoader) jsonObject(s objectSink, d yamldoc.Document, list *listItemDefaults) {
	if bytes.Equal(d.Data, []byte("null")) && list == nil {
		return
	}
	if d.Data[0] != '{' {
		if list != nil {
			s.fail(d.Line, "", notAnObject("not an object"))
		} else {
			s.warn(d.Line, "", notObject("not a JSON object"))
		}
		return
	}
	members, err := yamldoc.JSONMembers(d)
	if err != nil {
		s.fail(jsonErrorLine(d, err), "", jsonError(err))
		return
	}
	var h docHeader
	var items *yamldoc.Document
	for i, m := range members {
		switch m.Key {
		case "apiVersion":
			h.apiVersion, _ = yamldoc.JSONString(m.Value)
			h.identified = true
		case "kind":
			h.kind, _ = yamldoc.JSONString(m.Value)
			h.identified = true
		case "items":
			items = &members[i].Value
		case "metadata":
			if md, err := yamldoc.JSONMembers(m.Value); err == nil {
				for _, mm := range md {
					switch mm.Key {
					case "name":
						h.name, _ = yamldoc.JSONString(mm.Value)
					case "namespace":
						h.namespace, _ = yamldoc.JSONString(mm.Value)
					}
				}
			}
		}
	}
	h.inherit(list)
	if items != nil && isList(h.kind, items.Data[0] == '[') {
		depth := list.next()
		if depth > maxListDepth {
			s.fail(d.Line, h.describe(), errListTooDeep)
			return
		}
		if bytes.Equal(items.Data, []byte("null")) {
			return
		}
		elems, err := yamldoc.JSONElements(*items)
		if err != nil {
			s.fail(jsonErrorLine(*items, err), h.describe(), jsonError(err))
			return
		}
		ld := h.itemDefaults(depth)
		l.each(len(elems), func(i int, _ *decodeScratch) { l.jsonObject(s, elems[i], &ld) })
		return
	}
	if l.overDocumentLimit(len(d.Data)) {
		what := "document"
		if list != nil {
			what = "List item"
		}
		s.fail(d.Line, h.describe(), l.documentTooLarge(what, len(d.Data)))
		return
	}
	if list == nil && !h.identified {
		s.warn(d.Line, "", notObject("neither apiVersion nor kind"))
		return
	}
	gvk, err := h.gvk()
	if err != nil {
		s.fail(d.Line, h.describe(), err)
		return
	}
	decodeManifestObject(s, d.Data, gvk, d.Line, h, jsonFieldLocator{d}, l.defaultNamespace, nil, false)
}

// jsonFieldLocator finds lines in a JSON object for decoding errors.
type jsonFieldLocator struct{ d yamldoc.Document }

func (j jsonFieldLocator) offset(off int) (int, string, string) {
	return yamldoc.LineAt(j.d, off), "", ""
}

func (j jsonFieldLocator) field(path string, last bool) int {
	if line, ok := yamldoc.JSONLookup(j.d, path, last); ok {
		return line
	}
	return j.d.Line
}

// Decoding, shared by YAML and JSON.

// docHeader is what an object says about itself, read before decoding it.
type docHeader struct {
	apiVersion, kind, name, namespace string
	// identified: the object has an apiVersion or a kind field (whatever its value). A
	// document with neither is not a Kubernetes object (see notObject).
	identified bool
}

func isListKindName(kind string) bool { return strings.HasSuffix(kind, "List") }

// isList reports whether an object of kind that has the field items stands for its items,
// as kubectl's resource builder reads it: when items is a list (kubectl decodes any object
// with items as a list, and flattens nested ones that hold a list), or, for a kind named
// "...List", whatever items holds (null is no items; anything else but a list is an error).
func isList(kind string, itemsIsList bool) bool { return itemsIsList || isListKindName(kind) }

// itemDefaults returns what the List h, nested depth deep, gives its items.
func (h docHeader) itemDefaults(depth int) listItemDefaults {
	return listItemDefaults{apiVersion: h.apiVersion, kind: strings.TrimSuffix(h.kind, "List"), depth: depth}
}

func (h *docHeader) inherit(list *listItemDefaults) {
	if list == nil {
		return
	}
	if h.kind == "" {
		h.kind = list.kind
		if h.apiVersion == "" {
			h.apiVersion = list.apiVersion
		}
	}
}

// describe names the object for errors: "Deployment shop/web", "Deployment web", "Deployment".
func (h docHeader) describe() string {
	switch {
	case h.kind == "":
		return ""
	case h.name == "":
		return h.kind
	case h.namespace == "":
		return h.kind + " " + h.name
	default:
		return h.kind + " " + h.namespace + "/" + h.name
	}
}

func (h docHeader) gvk() (schema.GroupVersionKind, error) {
	switch {
	case h.apiVersion == "" && h.kind == "":
		return schema.GroupVersionKind{}, notAnObject("apiVersion and kind are missing")
	case h.apiVersion == "":
		return schema.GroupVersionKind{}, errors.New("apiVersion is missing")
	case h.kind == "":
		return schema.GroupVersionKind{}, notAnObject("kind is missing")
	}
	gv, err := schema.ParseGroupVersion(h.apiVersion)
	if err != nil {
		return schema.GroupVersionKind{}, fmt.Errorf("apiVersion: %w", err)
	}
	return gv.WithKind(h.kind), nil
}

// fieldLocator finds the line of a decoding error's field.
type fieldLocator interface {
	// offset returns the line and field path of the value at a byte offset of the JSON, and
	// a hint for the user about that value.
	offset(off int) (line int, path, hint string)
	// field returns the line of the field at path; last picks the last of duplicates.
	field(path string, last bool) int
}

// decodeManifestObject decodes the JSON of one object (starting at line) into its typed
// struct or an Unstructured, checks it, and hands it to s with the warnings about it: remarks
// (found before decoding), unknown fields, fields written twice, a removed API version.
// Warnings are about objects that load: an object that does not is an error alone.
//
// uniqueKeys says that no object of data holds a key twice (yamldoc.FastJSON writes none):
// then decoding does not look for them, which costs a set of keys for every object decoded.
func decodeManifestObject(s objectSink, data []byte, gvk schema.GroupVersionKind, line int, h docHeader, loc fieldLocator, defaultNS string, remarks []bufferedManifestError, uniqueKeys bool) {
	desc := h.describe()
	fail := func(line int, err error) {
		clear(data) // not loaded: its text (a Secret's values, perhaps) is not kept either
		s.fail(line, desc, err)
	}
	dec, err := manifestDecoder(gvk)
	dec.uniqueKeys = uniqueKeys
	if err != nil {
		fail(line, err)
		return
	}
	d, err := dec.decode(data)
	// A field written twice in JSON: the last value wins whole, as in YAML (see
	// lastValueWins). A decoding error may be about an earlier value, so it asks too.
	var dupPaths []string
	if err != nil || hasDuplicateField(d.strict) {
		if dedup, paths := lastValueWins(data); len(paths) > 0 {
			dupPaths = paths
			d, err = dec.decode(dedup)
			clear(dedup)
			// Offsets in errors are those of dedup, not of data: locate fields by name.
			loc = pathOnlyLocator{loc}
		}
	}
	if err != nil {
		if gvk.GroupKind() == KindSecret {
			loc = secretFieldLocator{loc}
		}
		fail(decodeErrorLine(err, line, loc, data, reflect.TypeOf(d.obj)))
		return
	}
	obj := d.obj
	warnings := remarks
	for _, p := range dupPaths {
		warnings = append(warnings, bufferedManifestError{loc.field(p, true), desc, duplicateKeyWarning(p, loc.field(p, false))})
	}
	for _, se := range d.strict {
		var fe sigsjson.FieldError
		path := ""
		if errors.As(se, &fe) {
			path = fe.FieldPath()
		}
		if strings.HasPrefix(se.Error(), "unknown field") {
			warnings = append(warnings, bufferedManifestError{loc.field(path, false), desc, unknownFieldWarning(path)})
		}
	}
	if r := dec.removed; dec.isRemoved {
		warnings = append(warnings, bufferedManifestError{line, desc, r.warning(gvk, d.dropped)})
		if r.convert != nil {
			gvk = r.replacement
		}
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	meta, ok := obj.(metav1.Object)
	if !ok || (meta.GetName() == "" && !isConfigFileKind(gvk)) {
		fail(line, errors.New("metadata.name is missing"))
		return
	}
	if forgetSecretValues(obj) {
		clear(data) // the JSON text held the values too
	}
	if defaultNS != "" && meta.GetNamespace() == "" {
		if k, ok := LookupKind(gvk.GroupKind()); ok && k.Namespaced {
			meta.SetNamespace(defaultNS)
		}
	}
	ApplyDefaults(obj)
	s.add(obj, line, desc)
	for _, w := range warnings {
		s.warn(w.line, w.object, w.err)
	}
}

// objectDecoder decodes the JSON of an object of one kind (see manifestDecoder).
type objectDecoder struct {
	kind      KindInfo
	typed     bool // a built-in kind, decoded into kind's typed struct
	isRemoved bool // a removed API version, as removed says
	removed   removedAPI
	// uniqueKeys: the data decoded holds no key twice in any object (see decodeManifestObject).
	uniqueKeys bool
}

// manifestDecoder returns how to decode an object of gvk: a built-in kind into its typed
// struct, a removed API version of one into its replacement (see removedConverters), and
// anything else into an Unstructured (a removed API version of a kind the inventory does not
// type too). A kind that an API group the API
// server serves does not have is an error wrapping ErrUnknownKind.
func manifestDecoder(gvk schema.GroupVersionKind) (objectDecoder, error) {
	if r, ok := lookupRemovedAPI(gvk); ok {
		return objectDecoder{isRemoved: true, removed: r}, nil
	}
	if k, ok := LookupKind(gvk.GroupKind()); ok {
		return objectDecoder{kind: k, typed: true}, nil
	}
	if err := unknownBuiltinKind(gvk); err != nil {
		return objectDecoder{}, err
	}
	return objectDecoder{}, nil
}

func (d objectDecoder) decode(data []byte) (decoded, error) {
	switch {
	case d.isRemoved && d.removed.convert != nil:
		return d.removed.convert(data)
	case d.typed && d.uniqueKeys:
		obj := d.kind.New()
		strict, err := sigsjson.UnmarshalStrict(data, obj, sigsjson.DisallowUnknownFields)
		return decoded{obj: obj, strict: strict}, err
	case d.typed:
		obj := d.kind.New()
		strict, err := sigsjson.UnmarshalStrict(data, obj)
		return decoded{obj: obj, strict: strict}, err
	}
	return decodeUnstructured(data)
}

func decodeUnstructured(data []byte) (decoded, error) {
	m := make(map[string]any)
	strict, err := sigsjson.UnmarshalStrict(data, &m, sigsjson.DisallowDuplicateFields)
	return decoded{obj: &unstructured.Unstructured{Object: m}, strict: strict}, err
}

// hasDuplicateField reports whether a strict decoder's remarks include a field written twice.
func hasDuplicateField(strict []error) bool {
	return slices.ContainsFunc(strict, func(e error) bool { return strings.HasPrefix(e.Error(), "duplicate field") })
}

// lastValueWins returns the JSON object data with each field written more than once reduced
// to its last value, whole (a later object replaces an earlier one; it is not merged into
// it), and the paths of those fields; nil when there are none (or data does not decode). It
// is what kubectl and Helm send of such a manifest: they decode it into a map before sending
// it, so that the API server, which would merge the objects of a field written twice in a
// typed request body, never sees the repetition. YAML gets the same reading from its
// conversion to JSON (see yamldoc.AppendJSON).
func lastValueWins(data []byte) ([]byte, []string) {
	var m map[string]any
	strict, err := sigsjson.UnmarshalStrict(data, &m, sigsjson.DisallowDuplicateFields)
	if err != nil {
		return nil, nil
	}
	var paths []string
	for _, e := range strict {
		var fe sigsjson.FieldError
		if errors.As(e, &fe) && !slices.Contains(paths, fe.FieldPath()) {
			paths = append(paths, fe.FieldPath())
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, nil
	}
	return out, paths
}

// pathOnlyLocator locates errors by field path only: for JSON re-encoded from the input, whose
// offsets are not the input's.
type pathOnlyLocator struct{ fieldLocator }

func (l pathOnlyLocator) offset(int) (int, string, string) { return l.field("", false), "", "" }

// decodeErrorLine turns an error decoding data into a value of type t into the line and
// error to record.
func decodeErrorLine(err error, line int, loc fieldLocator, data []byte, t reflect.Type) (int, error) {
	var ce base64.CorruptInputError
	if errors.As(err, &ce) {
		// The decoder does not say which field: find it (the first, by line).
		best, bestLine := "", 0
		for _, path := range badBase64Fields(data, t) {
			if l := loc.field(path, false); best == "" || l < bestLine {
				best, bestLine = path, l
			}
		}
		if best != "" {
			return bestLine, &manifestFieldError{path: best, err: err, msg: "invalid base64 (" + err.Error() + ")"}
		}
		return line, err
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		l, path, hint := loc.offset(int(te.Offset))
		if path == "" {
			path = te.Field
		}
		return l, &manifestFieldError{path: path, err: te,
			msg: fmt.Sprintf("wrong type: found %s, want %s%s", jsonValueName(te.Value), goTypeName(te.Type), hint)}
	}
	if ok, off := sigsjson.SyntaxErrorOffset(err); ok {
		l, _, _ := loc.offset(int(off))
		return l, err
	}
	return line, err
}

// manifestFieldError is a decoding error about one field.
type manifestFieldError struct {
	path, msg string
	err       error
}

func (e *manifestFieldError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

func (e *manifestFieldError) Unwrap() error { return e.err }

// secretFieldLocator locates fields of a Secret without hints, which quote the value.
type secretFieldLocator struct{ fieldLocator }

func (l secretFieldLocator) offset(off int) (int, string, string) {
	line, path, _ := l.fieldLocator.offset(off)
	return line, path, ""
}

// jsonValueName names the kind of JSON value an UnmarshalTypeError found, without the value
// itself (which may be a Secret's).
func jsonValueName(v string) string {
	switch {
	case v == "string":
		return "a string"
	case v == "bool":
		return "a boolean"
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return v
}

func goTypeName(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer (" + t.Kind().String() + ")"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// forgetSecretValues empties a Secret's values as soon as it is decoded, keeping the names of
// its keys: the inventory never holds secret values. The last-applied-configuration
// annotation, which kubectl fills with the whole object, values included, is dropped. It
// reports whether obj is a Secret.
func forgetSecretValues(obj runtime.Object) bool {
	sec, ok := obj.(*corev1.Secret)
	if !ok {
		return false
	}
	for k := range sec.Data {
		sec.Data[k] = nil
	}
	for k := range sec.StringData {
		sec.StringData[k] = ""
	}
	delete(sec.Annotations, corev1.LastAppliedConfigAnnotation)
	return true
}
