package celenv

import (
	"fmt"
	"maps"
	"reflect"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// NormalizeParams returns a deep copy of params in the JSON-like form CEL adapts without
// surprises: maps with string keys become map[string]any, slices []any, integers int64,
// unsigned integers uint64 and floats float64. Other values (structs, functions) are errors
// naming the parameter.
func NormalizeParams(params map[string]any) (map[string]any, error) {
	if params == nil {
		return nil, nil
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		n, err := normalize(v)
		if err != nil {
			return nil, fmt.Errorf("param %q: %w", k, err)
		}
		out[k] = n
	}
	return out, nil
}

// MergeParams returns defaults overridden key by key by overrides. Neither is modified; when
// overrides is empty, defaults itself is returned.
func MergeParams(defaults, overrides map[string]any) map[string]any {
	if len(overrides) == 0 {
		return defaults
	}
	out := make(map[string]any, len(defaults)+len(overrides))
	maps.Copy(out, defaults)
	maps.Copy(out, overrides)
	return out
}

// emptyParams is the value of params when a check has none.
var emptyParams = types.NewStringInterfaceMap(types.DefaultTypeAdapter, map[string]any{})

// ParamsValue returns the CEL value of normalized params (see NormalizeParams), converted once
// so that evaluations do not wrap the same maps and lists again on every read. Maps and lists
// keep the types CEL gives map[string]any and []any, so expressions see no difference. A nil
// map is the empty map.
func ParamsValue(params map[string]any) ref.Val {
	if params == nil {
		return emptyParams
	}
	return celValue(params)
}

func celValue(v any) ref.Val {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = celValue(e)
		}
		return types.NewStringInterfaceMap(types.DefaultTypeAdapter, m)
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = celValue(e)
		}
		return types.NewDynamicList(types.DefaultTypeAdapter, l)
	}
	return types.DefaultTypeAdapter.NativeToValue(v)
}

func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, int64, uint64, float64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = n
		}
		return out, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint(), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			n, err := normalize(rv.Index(i).Interface())
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = n
		}
		return out, nil
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k, ok := iter.Key().Interface().(string)
			if !ok {
				if iter.Key().Kind() != reflect.String {
					return nil, fmt.Errorf("map key %v is not a string", iter.Key().Interface())
				}
				k = iter.Key().String()
			}
			n, err := normalize(iter.Value().Interface())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}
