package celenv

import (
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// Activation supplies the variables of one evaluation. One value can be refilled and reused
// for each object of a check run (evaluation does not keep it), which saves an allocation per
// object. A zero field resolves to null.
type Activation struct {
	Object          map[string]any
	NamespaceObject map[string]any
	// NamespaceErr, when set, is what reading namespaceObject yields instead of a value: the
	// Namespace is unknown (see NamespaceUnseen), and null would be a guess.
	NamespaceErr error
	// Params is the value of params (see ParamsValue); nil is the empty map.
	Params      ref.Val
	PodSpec     map[string]any
	PodMetadata map[string]any
	Inventory   *Inventory
	// Meter is the cost account of the evaluation under way (see Metered); Reset it before
	// each evaluation.
	Meter Meter
}

// ResolveName implements interpreter.Activation.
func (a *Activation) ResolveName(name string) (any, bool) {
	switch name {
	case VarObject:
		return orNull(a.Object), true
	case VarNamespaceObject:
		if a.NamespaceErr != nil {
			return types.WrapErr(a.NamespaceErr), true
		}
		return orNull(a.NamespaceObject), true
	case VarParams:
		if a.Params == nil {
			return emptyParams, true
		}
		return a.Params, true
	case VarPodSpec:
		return orNull(a.PodSpec), true
	case VarPodMetadata:
		return orNull(a.PodMetadata), true
	case VarInventory:
		if a.Inventory == nil {
			return types.NullValue, true
		}
		return a.Inventory, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *Activation) Parent() interpreter.Activation { return nil }

func orNull(m map[string]any) any {
	if m == nil {
		return types.NullValue
	}
	return m
}
