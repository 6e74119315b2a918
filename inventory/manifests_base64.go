package inventory

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// badBase64Fields returns the paths ("data.password", "webhooks[0].clientConfig.caBundle")
// of the fields of the JSON object data that the Go type t holds as bytes ([]byte, which
// JSON writes as base64) and whose value is a string that is not valid base64. The JSON
// decoder reports such a value without saying where it is; this finds it. The values are
// not kept.
func badBase64Fields(data []byte, t reflect.Type) []string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	var out []string
	findBadBase64(v, t, "", &out)
	return out
}

func findBadBase64(v any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if s, ok := v.(string); ok {
				if _, err := base64.StdEncoding.DecodeString(s); err != nil {
					*out = append(*out, path)
				}
			}
			return
		}
		elems, _ := v.([]any)
		for i, e := range elems {
			findBadBase64(e, t.Elem(), path+"["+strconv.Itoa(i)+"]", out)
		}
	case reflect.Map:
		m, _ := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			findBadBase64(m[k], t.Elem(), joinFieldPath(path, k), out)
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-" && opts == "":
			case f.Anonymous && name == "", strings.Contains(","+opts+",", ",inline,"):
				findBadBase64(v, f.Type, path, out) // its fields are the object's own
			case !f.IsExported():
			default:
				if name == "" {
					name = f.Name
				}
				if fv, ok := m[name]; ok {
					findBadBase64(fv, f.Type, joinFieldPath(path, name), out)
				}
			}
		}
	}
}

func joinFieldPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
