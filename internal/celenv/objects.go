package celenv

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/inventory"
)

// NamespaceOf returns the map form of the Namespace object obj lives in (of a Namespace the
// input defines in several places, the definition nearest obj: see inventory.View), or nil
// when obj is cluster-scoped or its Namespace is not in the inventory (see NamespaceUnseen for
// telling "does not exist" from "not known").
func NamespaceOf(inv *inventory.Inventory, obj *inventory.Object) (map[string]any, error) {
	ns := obj.Namespace()
	if ns == "" {
		return nil, nil
	}
	o := inv.From(obj).Get(inventory.KindNamespace, "", ns)
	if o == nil {
		return nil, nil
	}
	return o.Map()
}

// NamespaceUnseen returns an *IncompleteError when obj is namespaced and its Namespace is not
// in the inventory, unless the inventory is known to hold every Namespace there is (it is
// Whole, and the Namespaces were listed completely): only then does the Namespace not exist,
// and namespaceObject is null. Otherwise a null namespaceObject would be a guess: manifests
// that are a part of a cluster may leave the Namespace to another file, and a cluster's
// Namespaces may be forbidden to list. It returns nil when the Namespace is known.
func NamespaceUnseen(inv *inventory.Inventory, obj *inventory.Object) error {
	ns := obj.Namespace()
	if ns == "" || inv.Get(inventory.KindNamespace, "", ns) != nil {
		return nil
	}
	if inv.Gap(inventory.KindNamespace) {
		return &IncompleteError{Kind: inventory.KindNamespace, Reason: inv.Unseen(inventory.KindNamespace)}
	}
	if inv.Whole() {
		return nil
	}
	return &IncompleteError{Kind: inventory.KindNamespace, Reason: fmt.Sprintf(
		"its Namespace %s is not in the manifests: it may be defined elsewhere (declare the manifests complete to judge)", ns)}
}

// PodTemplateMaps returns the map forms of a pod template's spec and metadata. They are taken
// from the owner's cached map (at t.Path and beside it), so nothing is converted twice; when
// the owner's map lacks them they are converted from the typed template.
func PodTemplateMaps(t inventory.PodTemplate) (spec, meta map[string]any, err error) {
	owner, err := t.Owner.Map()
	if err != nil {
		return nil, nil, err
	}
	path := strings.Split(t.Path, ".")
	spec = lookup(owner, path)
	meta = lookup(owner, append(path[:len(path)-1:len(path)-1], "metadata"))
	if spec == nil && t.Spec != nil {
		if spec, err = runtime.DefaultUnstructuredConverter.ToUnstructured(t.Spec); err != nil {
			return nil, nil, fmt.Errorf("convert pod template of %s: %w", t.Owner, err)
		}
	}
	if meta == nil && t.Metadata != nil {
		if meta, err = runtime.DefaultUnstructuredConverter.ToUnstructured(t.Metadata); err != nil {
			return nil, nil, fmt.Errorf("convert pod template metadata of %s: %w", t.Owner, err)
		}
	}
	if spec == nil {
		spec = map[string]any{}
	}
	if meta == nil {
		meta = map[string]any{}
	}
	return spec, meta, nil
}

func lookup(m map[string]any, path []string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}
