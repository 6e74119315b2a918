package helm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// ErrSchemaReference is wrapped by the error of a chart whose values.schema.json refers to a
// schema outside itself: Helm's validator would download it (http, https) or read it from
// anywhere on the machine (file, or a relative reference, which Helm resolves against
// file:///values.schema.json). kspm does neither; the error names the reference.
var ErrSchemaReference = errors.New("values.schema.json refers to a schema outside the chart, which Helm would read or download")

// schemaRefKeys are the keywords of JSON Schema whose value is a reference Helm's validator
// may load.
var schemaRefKeys = map[string]bool{"$ref": true, "$dynamicRef": true, "$recursiveRef": true, "$schema": true}

// checkSchemaRefs returns an error wrapping ErrSchemaReference when the values.schema.json of
// ch or of one of its subcharts holds a reference that Helm's validator would load from
// outside it. A reference within the document ("#/$defs/port"), to a JSON Schema meta-schema
// (json-schema.org, which the validator holds) or to a URN (which Helm answers with a
// permissive schema) loads nothing and is accepted. A schema that is not JSON is left to
// Helm, which says so.
func checkSchemaRefs(ch *chart.Chart) error {
	if len(ch.Schema) > 0 {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(ch.Schema))
		dec.UseNumber()
		if dec.Decode(&doc) == nil {
			if ref := outsideRef(doc); ref != "" {
				return fmt.Errorf("%s/values.schema.json: %s: %w", ch.ChartFullPath(), ref, ErrSchemaReference)
			}
		}
	}
	for _, sub := range ch.Dependencies() {
		if err := checkSchemaRefs(sub); err != nil {
			return err
		}
	}
	return nil
}

// outsideRef returns the first reference (`"$ref": "..."`) in v that loads a schema from
// outside the document, or "".
func outsideRef(v any) string {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := t[k].(string); ok && schemaRefKeys[k] && loadsOutside(s) {
				return fmt.Sprintf("%s %q", k, s)
			}
			if ref := outsideRef(t[k]); ref != "" {
				return ref
			}
		}
	case []any:
		for _, e := range t {
			if ref := outsideRef(e); ref != "" {
				return ref
			}
		}
	}
	return ""
}

// metaSchemas are the JSON Schema meta-schemas the validator Helm uses holds a copy of (under
// http(s)://json-schema.org/), and so never loads. Others of that site it would download.
var metaSchemas = map[string]bool{"schema": true, "draft-04/schema": true, "draft-06/schema": true,
	"draft-07/schema": true, "draft/2019-09/schema": true, "draft/2020-12/schema": true}

// loadsOutside reports whether Helm's validator would load the reference ref from outside
// the schema document.
func loadsOutside(ref string) bool {
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(strings.ToLower(ref), "urn:") {
		return false
	}
	doc, _, _ := strings.Cut(ref, "#")
	for _, site := range []string{"http://json-schema.org/", "https://json-schema.org/"} {
		if path, ok := strings.CutPrefix(doc, site); ok && metaSchemas[path] {
			return false
		}
	}
	return true
}
