package check

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kspm-dev/kspm/internal/celenv"
)

// ParamType is the type of a declared parameter's value.
type ParamType string

// Parameter types. Values given in other JSON-like forms are converted: a whole float64 (as
// JSON and YAML decoders give numbers) to int, a []any of strings to []string.
const (
	// ParamString: a string.
	ParamString ParamType = "string"
	// ParamInt: an int.
	ParamInt ParamType = "int"
	// ParamBool: a bool.
	ParamBool ParamType = "bool"
	// ParamStringList: a []string. A string is also taken, as a comma-separated list (as a
	// command-line flag gives it): its items, trimmed, empty ones left out.
	ParamStringList ParamType = "stringList"
)

// Valid reports whether t is one of the defined parameter types.
func (t ParamType) Valid() bool {
	switch t {
	case ParamString, ParamInt, ParamBool, ParamStringList:
		return true
	}
	return false
}

// Param declares one parameter of a Go check (see Meta.Params). CEL checks declare theirs in
// CELSpec.Params.
type Param struct {
	// Name is the key of the parameter in Pass.Params and in kspm.WithParams.
	Name string `json:"name"`
	// Type is the type of its value.
	Type ParamType `json:"type"`
	// Default is its value when the caller sets none; nil for no value (the key is then
	// absent from Pass.Params).
	Default any `json:"default,omitempty"`
	// Description says what it does.
	Description string `json:"description,omitempty"`
}

// convert returns v as a value of type t, or an error saying what was wanted.
func (t ParamType) convert(v any) (any, error) {
	switch t {
	case ParamString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case ParamBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case ParamInt:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if i := rv.Int(); i >= math.MinInt && i <= math.MaxInt {
				return int(i), nil
			}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if u := rv.Uint(); u <= math.MaxInt {
				return int(u), nil
			}
			return nil, fmt.Errorf("want int, got %d", rv.Uint())
		case reflect.Float32, reflect.Float64:
			if f := rv.Float(); f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
				return int(f), nil
			}
			return nil, fmt.Errorf("want int, got %s", strconv.FormatFloat(rv.Float(), 'g', -1, 64))
		}
	case ParamStringList:
		switch l := v.(type) {
		case []string:
			return slices.Clone(l), nil
		case string:
			out := []string{}
			for item := range strings.SplitSeq(l, ",") {
				if item = strings.TrimSpace(item); item != "" {
					out = append(out, item)
				}
			}
			return out, nil
		case []any:
			out := make([]string, len(l))
			for i, e := range l {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("want stringList, got %T at index %d", e, i)
				}
				out[i] = s
			}
			return out, nil
		}
	default:
		return nil, fmt.Errorf("invalid type %q", t)
	}
	return nil, fmt.Errorf("want %s, got %T", t, v)
}

// validateParams checks a check's parameter declarations.
func validateParams(ps []Param) error {
	var errs []error
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		name := p.Name
		if name == "" {
			errs = append(errs, fmt.Errorf("parameter #%d: empty name", i))
			name = fmt.Sprintf("#%d", i)
		} else if seen[name] {
			errs = append(errs, fmt.Errorf("parameter %q: declared twice", name))
		}
		seen[p.Name] = true
		if !p.Type.Valid() {
			errs = append(errs, fmt.Errorf("parameter %q: invalid type %q", name, p.Type))
			continue
		}
		if p.Default != nil {
			if _, err := p.Type.convert(p.Default); err != nil {
				errs = append(errs, fmt.Errorf("parameter %q: default: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// ResolveParams returns the parameters a run of c sees in Pass.Params when the caller sets
// params, or an error naming each parameter c does not take:
//   - a Go check that declares Meta.Params gets its defaults overridden key by key by params,
//     converted to the declared types; a key it does not declare, or a value of the wrong
//     type, is an error;
//   - a CEL check gets params as they are; a key that is neither in CELSpec.Params nor read by
//     an expression is an error, as is a value that is not JSON-like;
//   - a Go check that declares no parameters takes none: any key is an error.
//
// The runner (kspm.Run) calls it for every check before running any.
func ResolveParams(c Check, params map[string]any) (map[string]any, error) {
	if cc, ok := c.(*celCheck); ok {
		if len(params) == 0 {
			return params, nil
		}
		if err := cc.checkParams(params); err != nil {
			return nil, err
		}
		if _, err := celenv.NormalizeParams(params); err != nil {
			return nil, fmt.Errorf("check %s: %w", cc.meta.ID, err)
		}
		return params, nil
	}
	m := c.Meta()
	if len(m.Params) == 0 {
		if len(params) == 0 {
			return params, nil
		}
		return nil, fmt.Errorf("check %s: takes no parameters (set: %s)", m.ID,
			strings.Join(slices.Sorted(maps.Keys(params)), ", "))
	}
	out := make(map[string]any, len(m.Params))
	for _, p := range m.Params {
		if p.Default != nil {
			if v, err := p.Type.convert(p.Default); err == nil {
				out[p.Name] = v
			}
		}
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(params)) {
		i := slices.IndexFunc(m.Params, func(p Param) bool { return p.Name == k })
		if i < 0 {
			known := make([]string, len(m.Params))
			for j, p := range m.Params {
				known[j] = p.Name
			}
			slices.Sort(known)
			errs = append(errs, fmt.Errorf("check %s: unknown parameter %q (known: %s)", m.ID, k, strings.Join(known, ", ")))
			continue
		}
		v, err := m.Params[i].Type.convert(params[k])
		if err != nil {
			errs = append(errs, fmt.Errorf("check %s: parameter %q: %w", m.ID, k, err))
			continue
		}
		out[k] = v
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
