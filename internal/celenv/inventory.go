package celenv

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/inventory"
)

// InventoryType is the CEL type of the `inventory` variable. Its member functions look other
// objects up through the inventory's indexes:
//
//	inventory.list(kind string) -> list(dyn)                 // every object of kind
//	inventory.list(kind string, namespace string) -> list(dyn) // the objects of kind in namespace
//	inventory.get(kind string, namespace string, name string) -> optional(dyn)
//
// kind is written as users write it ("Pod", "NetworkPolicy", "deployments.apps"; see
// inventory.ParseGroupKind); namespace is "" for cluster-scoped kinds. The lookups see the
// inventory from the object evaluated (see Inventory.From): of an object the input defines in
// several places, they give the definition nearest it, once. When the inventory does
// not hold every object of kind (see inventory.Coverage.Complete), list fails with an
// *IncompleteError, and so does get when the object is not found: an answer built on a
// partial listing could be a false pass.
var InventoryType = cel.OpaqueType("kspm.Inventory")

// Overload IDs of the inventory functions.
const (
	overloadList   = "kspm_inventory_list_string"
	overloadListNS = "kspm_inventory_list_string_string"
	overloadGet    = "kspm_inventory_get_string_string_string"
)

// IncompleteError is the evaluation error of an inventory lookup on a kind the inventory
// does not hold completely. A check reports the object it was evaluating as not evaluated.
type IncompleteError struct {
	// Kind is the kind looked up.
	Kind schema.GroupKind
	// Arg is the kind as the expression passed it ("" for namespaceObject), which may be a
	// value of the object evaluated rather than a literal.
	Arg string
	// Reason says why the kind is incomplete, e.g. "networkpolicies forbidden: ...". It names
	// the kind.
	Reason string
}

// Error implements error.
func (e *IncompleteError) Error() string {
	return "cannot be evaluated: " + e.Reason
}

// ErrBadKind is wrapped by the evaluation error of a lookup with an empty kind. The error does
// not quote the kind, which may be a value of the object evaluated.
var ErrBadKind = errors.New("invalid kind")

// Inventory is the value of the `inventory` variable during one check run: the inventory as
// seen from the object evaluated (see From), plus caches of the lists expressions asked
// through that view. It is safe for concurrent use.
type Inventory struct {
	inv  *inventory.Inventory
	view inventory.View
	run  *runLookups

	mu    sync.Mutex
	lists map[listKey]listEntry // by the arguments as written
	byGK  map[gkListKey]ref.Val // by kind, so that spellings of a kind share a list
}

// runLookups is what every view of one check run shares: kinds as parsed, and the views.
type runLookups struct {
	mu    sync.Mutex
	kinds map[string]schema.GroupKind
	views map[inventory.View]*Inventory
}

type gkListKey struct {
	gk    schema.GroupKind
	ns    string
	allNS bool
}

// listKey is a list call's arguments, as written (the inventory does not change during a run,
// so the same arguments through one view always give the same answer).
type listKey struct {
	kind  string
	ns    string
	allNS bool
}

// listEntry is a list call's answer: the list, or the error it yields.
type listEntry struct {
	val ref.Val
	err error
}

// NewInventory returns the CEL value of inv, seen from no object in particular (see From).
func NewInventory(inv *inventory.Inventory) *Inventory {
	return &Inventory{inv: inv, view: inv.From(nil), run: &runLookups{}}
}

// From returns the value of the inventory as seen from o (see inventory.Inventory.From), for
// evaluating o: one value per view in a run, each with its caches. In an inventory without
// variants every view is the same, and From returns v.
func (v *Inventory) From(o *inventory.Object) *Inventory {
	if !v.inv.HasVariants() {
		return v
	}
	view := v.inv.From(o)
	if view == v.view {
		return v
	}
	v.run.mu.Lock()
	defer v.run.mu.Unlock()
	if w, ok := v.run.views[view]; ok {
		return w
	}
	if v.run.views == nil {
		v.run.views = make(map[inventory.View]*Inventory)
	}
	w := &Inventory{inv: v.inv, view: view, run: v.run}
	v.run.views[view] = w
	return w
}

// ConvertToNative implements ref.Val.
func (v *Inventory) ConvertToNative(t reflect.Type) (any, error) {
	if reflect.TypeOf(v.inv).AssignableTo(t) {
		return v.inv, nil
	}
	return nil, fmt.Errorf("inventory cannot be converted to %v", t)
}

// ConvertToType implements ref.Val.
func (v *Inventory) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case InventoryType:
		return v
	case types.TypeType:
		return InventoryType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", InventoryType, t)
}

// Equal implements ref.Val.
func (v *Inventory) Equal(other ref.Val) ref.Val {
	o, ok := other.(*Inventory)
	return types.Bool(ok && o.inv == v.inv && o.view == v.view)
}

// Type implements ref.Val.
func (v *Inventory) Type() ref.Type { return InventoryType }

// Value implements ref.Val.
func (v *Inventory) Value() any { return v.inv }

func (v *Inventory) groupKind(kind string) (schema.GroupKind, error) {
	if kind == "" {
		return schema.GroupKind{}, fmt.Errorf("%w: empty kind", ErrBadKind)
	}
	v.run.mu.Lock()
	defer v.run.mu.Unlock()
	if gk, ok := v.run.kinds[kind]; ok {
		return gk, nil
	}
	gk := inventory.ParseGroupKind(kind)
	if gk.Kind == "" {
		return schema.GroupKind{}, ErrBadKind
	}
	if v.run.kinds == nil {
		v.run.kinds = make(map[string]schema.GroupKind)
	}
	v.run.kinds[kind] = gk
	return gk, nil
}

func (v *Inventory) incomplete(gk schema.GroupKind, arg string) error {
	if reason := v.inv.Unseen(gk); reason != "" {
		return &IncompleteError{Kind: gk, Arg: arg, Reason: reason}
	}
	return nil
}

// list returns the objects of kind (in namespace ns unless allNS) as a CEL list. Answers,
// errors included, are computed once per run and kept; the objects' maps are the inventory's
// cached ones.
func (v *Inventory) list(kind, ns string, allNS bool) ref.Val {
	key := listKey{kind: kind, ns: ns, allNS: allNS}
	v.mu.Lock()
	e, ok := v.lists[key]
	v.mu.Unlock()
	if !ok {
		e = v.buildList(kind, ns, allNS)
		v.mu.Lock()
		if v.lists == nil {
			v.lists = make(map[listKey]listEntry)
		}
		v.lists[key] = e
		v.mu.Unlock()
	}
	if e.err != nil {
		// A fresh error value each time: evaluation labels errors with the expression node.
		return types.WrapErr(e.err)
	}
	return e.val
}

func (v *Inventory) buildList(kind, ns string, allNS bool) listEntry {
	gk, err := v.groupKind(kind)
	if err != nil {
		return listEntry{err: err}
	}
	if err := v.incomplete(gk, kind); err != nil {
		return listEntry{err: err}
	}
	key := gkListKey{gk: gk, ns: ns, allNS: allNS}
	v.mu.Lock()
	l, ok := v.byGK[key]
	v.mu.Unlock()
	if ok {
		return listEntry{val: l}
	}
	var objs []*inventory.Object
	if allNS {
		objs = v.view.ByKind(gk)
	} else {
		objs = v.view.InNamespace(gk, ns)
	}
	elems := make([]any, len(objs))
	for i, o := range objs {
		m, err := o.Map()
		if err != nil {
			return listEntry{err: err}
		}
		elems[i] = m
	}
	l = types.NewDynamicList(types.DefaultTypeAdapter, elems)
	v.mu.Lock()
	if v.byGK == nil {
		v.byGK = make(map[gkListKey]ref.Val)
	}
	v.byGK[key] = l
	v.mu.Unlock()
	return listEntry{val: l}
}

func (v *Inventory) get(kind, ns, name string) ref.Val {
	gk, err := v.groupKind(kind)
	if err != nil {
		return types.WrapErr(err)
	}
	o := v.view.Get(gk, ns, name)
	if o == nil {
		if err := v.incomplete(gk, kind); err != nil {
			return types.WrapErr(err)
		}
		return types.OptionalNone
	}
	m, err := o.Map()
	if err != nil {
		return types.WrapErr(err)
	}
	return types.OptionalOf(types.DefaultTypeAdapter.NativeToValue(m))
}

func inventoryFunctions() cel.EnvOption {
	return cel.Lib(inventoryLib{})
}

type inventoryLib struct{}

func (inventoryLib) LibraryName() string { return "kspm.inventory" }

func (inventoryLib) CompileOptions() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Types(InventoryType),
		cel.Function("list",
			cel.MemberOverload(overloadList, []*cel.Type{InventoryType, cel.StringType}, cel.ListType(cel.DynType),
				cel.BinaryBinding(func(recv, kind ref.Val) ref.Val {
					inv, k, ok := inventoryArgs(recv, kind)
					if !ok {
						return types.NoSuchOverloadErr()
					}
					return inv.list(k, "", true)
				})),
			cel.MemberOverload(overloadListNS, []*cel.Type{InventoryType, cel.StringType, cel.StringType}, cel.ListType(cel.DynType),
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					if len(args) != 3 {
						return types.NoSuchOverloadErr()
					}
					inv, k, ok := inventoryArgs(args[0], args[1])
					ns, nsOK := args[2].(types.String)
					if !ok || !nsOK {
						return types.NoSuchOverloadErr()
					}
					return inv.list(k, string(ns), false)
				})),
		),
		cel.Function("get",
			cel.MemberOverload(overloadGet, []*cel.Type{InventoryType, cel.StringType, cel.StringType, cel.StringType},
				cel.OptionalType(cel.DynType),
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					if len(args) != 4 {
						return types.NoSuchOverloadErr()
					}
					inv, k, ok := inventoryArgs(args[0], args[1])
					ns, nsOK := args[2].(types.String)
					name, nameOK := args[3].(types.String)
					if !ok || !nsOK || !nameOK {
						return types.NoSuchOverloadErr()
					}
					return inv.get(k, string(ns), string(name))
				})),
		),
	}
}

func (inventoryLib) ProgramOptions() []cel.ProgramOption { return nil }

func inventoryArgs(recv, kind ref.Val) (*Inventory, string, bool) {
	inv, ok := recv.(*Inventory)
	k, kOK := kind.(types.String)
	return inv, string(k), ok && kOK && inv != nil
}
