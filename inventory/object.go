package inventory

import (
	"fmt"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Source locates an object in the input it was read from. For objects listed from an API
// server, File is empty.
type Source struct {
	// File is the manifest's path, or "-" for standard input.
	File string `json:"file,omitempty"`
	// Line is the 1-based line of the first line of the object's document in File, or 0
	// when it is not known. For a rendered object (see Root) it is the line in File's
	// rendered output.
	Line int `json:"line,omitempty"`
	// Root is set for an object rendered from a directory rather than read from a file (see
	// Renderer): it names the renderer and the directory, e.g. "helm:charts/web" or
	// "kustomize:deploy/overlays/prod". File is then the file within that the object came from
	// (a chart's template, a kustomize resource), as far as the renderer can tell.
	Root string `json:"root,omitempty"`
}

// String returns "file:line", "file", or "" for an API object; a rendered object's source
// is followed by its root in parentheses: "web/templates/deploy.yaml:3 (helm:charts/web)".
func (s Source) String() string {
	var f string
	switch {
	case s.File == "":
		f = ""
	case s.Line == 0:
		f = s.File
	default:
		f = fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	if s.Root != "" {
		if f == "" {
			return s.Root
		}
		return f + " (" + s.Root + ")"
	}
	return f
}

// Ref identifies an object in results and reports.
type Ref struct {
	// APIVersion is the object's group and version, e.g. "apps/v1".
	APIVersion string `json:"apiVersion"`
	// Kind is the object's kind, e.g. "Deployment".
	Kind string `json:"kind"`
	// Namespace is the object's namespace; empty for a cluster-scoped object.
	Namespace string `json:"namespace,omitempty"`
	// Name is the object's name.
	Name string `json:"name"`
	// UID is the object's UID when it came from an API server.
	UID string `json:"uid,omitempty"`
	// Source is the file and line the object was read from (nil for API objects).
	Source *Source `json:"source,omitempty"`
}

// String returns "Kind namespace/name" or "Kind name".
func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Object is one object of an inventory. Built-in kinds (see BuiltinKinds) are held as their
// typed Go structs; every other kind as *unstructured.Unstructured. An Object is immutable
// and safe for concurrent use: callers must not modify what its methods return.
type Object struct {
	// What the runner reads of each finding's object, side by side (one cache line): build
	// numbers the Build that placed the object in an inventory (0: none), and rank is the
	// place there of the first object that CompareObjects finds equal to it; shared is what
	// SharedRef returns, made on first use. (rank and seq are 32 bits: an Object then takes
	// 256 bytes, a size class below 288.)
	build  uint64
	rank   int32
	seq    int32 // the order of Builder.Add, which breaks ties in compareObjects
	shared atomic.Pointer[Ref]

	gvk        schema.GroupVersionKind
	apiVersion string // gvk's group and version, as Ref writes them
	meta       metav1.Object
	// The metadata fields every lookup, sort and result reads, copied out of meta (see
	// cacheMeta) so that reading them does not go through an interface to a large struct.
	namespace, name string
	uid             types.UID
	obj             runtime.Object
	source          Source
	// variant is set when the input defines the object's kind, namespace and name more than
	// once (see View); else nil, so that objects defined once carry one pointer for it.
	variant *variant

	mapOnce sync.Once
	asMap   map[string]any
	mapErr  error
}

// newObject wraps obj; obj must carry its GroupVersionKind or gvk must be set.
func newObject(obj runtime.Object, gvk schema.GroupVersionKind, src Source) (*Object, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%s has no object metadata", gvk)
	}
	if u, ok := obj.(*unstructured.Unstructured); ok {
		o := &Object{gvk: gvk, apiVersion: gvk.GroupVersion().String(), meta: m, obj: obj, source: src, asMap: u.Object}
		o.mapOnce.Do(func() {})
		o.cacheMeta()
		return o, nil
	}
	// Typed objects carry their kind here, not in TypeMeta (which decoding may leave empty).
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	o := &Object{gvk: gvk, apiVersion: gvk.GroupVersion().String(), meta: m, obj: obj, source: src}
	o.cacheMeta()
	return o, nil
}

// cacheMeta copies the namespace, name and UID out of the metadata. Builder.Build calls it
// again, so that a change made between Add and Build is seen.
func (o *Object) cacheMeta() {
	o.namespace, o.name, o.uid = o.meta.GetNamespace(), o.meta.GetName(), o.meta.GetUID()
	o.shared.Store(nil)
}

// GroupVersionKind returns the object's group, version and kind.
func (o *Object) GroupVersionKind() schema.GroupVersionKind { return o.gvk }

// GroupKind returns the object's group and kind.
func (o *Object) GroupKind() schema.GroupKind { return o.gvk.GroupKind() }

// Kind returns the object's kind, e.g. "Deployment".
func (o *Object) Kind() string { return o.gvk.Kind }

// Namespace returns the object's namespace ("" for cluster-scoped objects).
func (o *Object) Namespace() string { return o.namespace }

// Name returns the object's name.
func (o *Object) Name() string { return o.name }

// Meta returns the object's metadata.
func (o *Object) Meta() metav1.Object { return o.meta }

// Object returns the typed object (e.g. *corev1.Pod) or, for kinds that are not built in,
// an *unstructured.Unstructured.
func (o *Object) Object() runtime.Object { return o.obj }

// Source returns where the object was read from.
func (o *Object) Source() Source { return o.source }

// Ref returns the object's reference for reports.
func (o *Object) Ref() Ref {
	r := Ref{
		APIVersion: o.apiVersion,
		Kind:       o.gvk.Kind,
		Namespace:  o.namespace,
		Name:       o.name,
		UID:        string(o.uid),
	}
	if o.source.File != "" {
		s := o.source
		r.Source = &s
	}
	return r
}

// SharedRef returns the object's reference (see Ref), made on first use: every call returns
// the same pointer, so that the results of a scan about one object point to one reference
// rather than each holding a copy of it (a scan of 100,000 objects makes about a million
// results). It holds no pointer into the object. It must not be modified.
func (o *Object) SharedRef() *Ref {
	if r := o.shared.Load(); r != nil {
		return r
	}
	// The reference and its source in one allocation, and its strings in one more: results
	// are written object after object, and reading each one's strings from where decoding
	// left them would visit as many places in memory.
	text := o.apiVersion + o.gvk.Kind + o.namespace + o.name + string(o.uid)
	k := len(o.apiVersion)
	ns := k + len(o.gvk.Kind)
	n := ns + len(o.namespace)
	u := n + len(o.name)
	s := &struct {
		ref    Ref
		source Source
	}{ref: Ref{APIVersion: text[:k], Kind: text[k:ns], Namespace: text[ns:n], Name: text[n:u], UID: text[u:]}}
	if o.source.File != "" {
		s.source = o.source
		s.ref.Source = &s.source
	}
	if o.shared.CompareAndSwap(nil, &s.ref) {
		return &s.ref
	}
	return o.shared.Load()
}

// String returns the object's reference as text, e.g. "Deployment shop/web".
func (o *Object) String() string {
	return Ref{Kind: o.gvk.Kind, Namespace: o.namespace, Name: o.name}.String()
}

// Map returns the object as generic JSON-like data (map[string]any), as CEL and other
// generic consumers see it. It is converted once, on first use, and cached; the result is
// shared and must not be modified.
func (o *Object) Map() (map[string]any, error) {
	o.mapOnce.Do(func() {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o.obj)
		if err != nil {
			o.mapErr = fmt.Errorf("convert %s: %w", o, err)
			return
		}
		m["apiVersion"] = o.apiVersion
		m["kind"] = o.gvk.Kind
		o.asMap = m
	})
	return o.asMap, o.mapErr
}
