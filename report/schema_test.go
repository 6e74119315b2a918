package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

type schemaDoc = map[string]any

func loadSchema(t *testing.T) schemaDoc {
	t.Helper()
	var s schemaDoc
	require.NoError(t, json.Unmarshal(report.Schema(), &s))
	return s
}

// validator checks a JSON value against the subset of JSON Schema that schema.json uses:
// $ref (to a definition, or "#" for the whole schema), const, type, enum, required,
// properties, additionalProperties, propertyNames, items, minimum, minLength and the
// date-time format. In strict mode a property the schema does not
// declare is an error, so that the schema cannot fall behind the Go types.
type validator struct {
	root   schemaDoc
	strict bool
	errs   []string
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

func (v *validator) resolve(s schemaDoc) schemaDoc {
	ref, ok := s["$ref"].(string)
	if !ok {
		return s
	}
	if ref == "#" {
		return v.root
	}
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		panic("unsupported $ref " + ref)
	}
	def, ok := v.root["$defs"].(map[string]any)[name].(map[string]any)
	if !ok {
		panic("undefined $ref " + ref)
	}
	return def
}

func jsonType(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", x)
}

func (v *validator) validate(s schemaDoc, x any, path string) {
	s = v.resolve(s)
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, x) {
		v.errorf(path, "want %v, got %v", c, x)
	}
	if typ, ok := s["type"].(string); ok {
		got := jsonType(x)
		if got != typ && !(typ == "number" && got == "integer") {
			v.errorf(path, "want %s, got %s", typ, got)
			return
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, x) {
		v.errorf(path, "%v is not one of %v", x, enum)
	}
	if minimum, ok := s["minimum"].(float64); ok {
		if n, isNum := x.(float64); isNum && n < minimum {
			v.errorf(path, "%v is below the minimum %v", n, minimum)
		}
	}
	if minLen, ok := s["minLength"].(float64); ok {
		if str, isStr := x.(string); isStr && float64(len(str)) < minLen {
			v.errorf(path, "%q is shorter than %v", str, minLen)
		}
	}
	if s["format"] == "date-time" {
		if _, err := time.Parse(time.RFC3339Nano, x.(string)); err != nil {
			v.errorf(path, "not a date-time: %v", err)
		}
	}
	switch x := x.(type) {
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				v.validate(items, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case map[string]any:
		for _, req := range asStrings(s["required"]) {
			if _, ok := x[req]; !ok {
				v.errorf(path, "required property %q is missing", req)
			}
		}
		props, _ := s["properties"].(map[string]any)
		extra, _ := s["additionalProperties"].(map[string]any)
		names, _ := s["propertyNames"].(map[string]any)
		for _, k := range sortedKeys(x) {
			if names != nil {
				v.validate(names, k, path+" property name")
			}
			switch {
			case props[k] != nil:
				v.validate(props[k].(map[string]any), x[k], path+"."+k)
			case extra != nil:
				v.validate(extra, x[k], path+"."+k)
			case v.strict:
				v.errorf(path, "property %q is not declared in the schema", k)
			}
		}
	}
}

func asStrings(x any) []string {
	l, _ := x.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, e.(string))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func marshalGeneric(t *testing.T, r *report.Report) any {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.WriteJSON(&buf, r))
	var doc any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	return doc
}

func TestReportMatchesSchema(t *testing.T) {
	s := loadSchema(t)
	reports := map[string]*report.Report{
		"fixture":  fixtureReport(t),
		"sections": report.New(fixtureInventory(t), nil, sectionResults(), report.Tool{Name: "kspm", Version: "1"}, fixtureTime),
		"empty":    report.New(inventory.NewBuilder(inventory.ModeManifests).Build(), nil, nil, report.Tool{}, time.Time{}),
		"warnings": report.New(fixtureManifests(), nil, nil, report.Tool{}, fixtureTime),
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			v := &validator{root: s, strict: true}
			v.validate(s, marshalGeneric(t, r), "$")
			assert.Empty(t, v.errs)
		})
	}
}

// TestSchemaValidatorCatchesErrors makes sure the validator above is not vacuous.
func TestSchemaValidatorCatchesErrors(t *testing.T) {
	s := loadSchema(t)
	tests := []struct {
		name string
		edit func(doc map[string]any)
		want string
	}{
		{"missing checkID", func(d map[string]any) { delete(result0(d), "checkID") }, `$.results[0]: required property "checkID" is missing`},
		{"missing status", func(d map[string]any) { delete(result0(d), "status") }, `$.results[0]: required property "status" is missing`},
		{"bad status", func(d map[string]any) { result0(d)["status"] = "ok" }, `$.results[0].status: ok is not one of`},
		{"bad severity", func(d map[string]any) { result0(d)["severity"] = "urgent" }, `$.results[0].severity: urgent is not one of`},
		{"object without kind", func(d map[string]any) { delete(result0(d)["object"].(map[string]any), "kind") }, `$.results[0].object: required property "kind" is missing`},
		{"undeclared field", func(d map[string]any) { result0(d)["score"] = 3.0 }, `$.results[0]: property "score" is not declared`},
		{"bad byStatus key", func(d map[string]any) { d["summary"].(map[string]any)["byStatus"].(map[string]any)["ok"] = 1.0 }, `$.summary.byStatus property name: ok is not one of`},
		{"bad coverage state", func(d map[string]any) {
			d["inventory"].(map[string]any)["coverage"].([]any)[0].(map[string]any)["state"] = "hidden"
		}, `$.inventory.coverage[0].state: hidden is not one of`},
		{"other schema version", func(d map[string]any) { d["schemaVersion"] = "v2" }, `$.schemaVersion: want kspm.dev/report/v1, got v2`},
		{"negative count", func(d map[string]any) { d["summary"].(map[string]any)["total"] = -1.0 }, `$.summary.total: -1 is below the minimum`},
		{"warning that is not a string", func(d map[string]any) {
			d["inventory"].(map[string]any)["warnings"] = []any{1.0}
		}, `$.inventory.warnings[0]: want string, got integer`},
		{"check without a zero count", func(d map[string]any) {
			delete(d["checks"].([]any)[0].(map[string]any)["counts"].(map[string]any), "error")
		}, `$.checks[0].counts: required property "error" is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := marshalGeneric(t, fixtureReport(t)).(map[string]any)
			tt.edit(doc)
			v := &validator{root: s, strict: true}
			v.validate(s, doc, "$")
			require.Len(t, v.errs, 1, "errors: %v", v.errs)
			assert.Contains(t, v.errs[0], tt.want)
		})
	}
}

func result0(doc map[string]any) map[string]any {
	return doc["results"].([]any)[0].(map[string]any)
}

// TestSchemaDescribesGoTypes checks, type by type, that the schema declares exactly the JSON
// fields the Go types marshal and requires exactly those that are never omitted.
func TestSchemaDescribesGoTypes(t *testing.T) {
	s := loadSchema(t)
	defs := s["$defs"].(map[string]any)
	types := map[string]struct {
		typ    reflect.Type
		schema map[string]any
	}{
		"Report":               {reflect.TypeFor[report.Report](), s},
		"Tool":                 {reflect.TypeFor[report.Tool](), defs["tool"].(map[string]any)},
		"InventorySummary":     {reflect.TypeFor[report.InventorySummary](), defs["inventory"].(map[string]any)},
		"Summary":              {reflect.TypeFor[report.Summary](), defs["summary"].(map[string]any)},
		"check.Result":         {reflect.TypeFor[check.Result](), defs["result"].(map[string]any)},
		"CheckSummary":         {reflect.TypeFor[report.CheckSummary](), defs["check"].(map[string]any)},
		"StatusCounts":         {reflect.TypeFor[report.StatusCounts](), defs["statusCounts"].(map[string]any)},
		"inventory.Ref":        {reflect.TypeFor[inventory.Ref](), defs["ref"].(map[string]any)},
		"inventory.Source":     {reflect.TypeFor[inventory.Source](), defs["source"].(map[string]any)},
		"inventory.Coverage":   {reflect.TypeFor[inventory.Coverage](), defs["coverage"].(map[string]any)},
		"ExceptionsSummary":    {reflect.TypeFor[report.ExceptionsSummary](), defs["exceptions"].(map[string]any)},
		"ExceptionUse":         {reflect.TypeFor[report.ExceptionUse](), defs["exceptionUse"].(map[string]any)},
		"AnnotationExemptions": {reflect.TypeFor[report.AnnotationExemptions](), defs["exceptions"].(map[string]any)["properties"].(map[string]any)["annotations"].(map[string]any)},
		"check.Exception":      {reflect.TypeFor[check.Exception](), defs["result"].(map[string]any)["properties"].(map[string]any)["exception"].(map[string]any)},
		"BaselineSummary":      {reflect.TypeFor[report.BaselineSummary](), defs["baseline"].(map[string]any)},
		"BaselineFinding":      {reflect.TypeFor[report.BaselineFinding](), defs["baselineFinding"].(map[string]any)},

		"Fleet":               {reflect.TypeFor[report.Fleet](), defs["fleet"].(map[string]any)},
		"FleetCluster":        {reflect.TypeFor[report.FleetCluster](), defs["fleetCluster"].(map[string]any)},
		"FleetSummary":        {reflect.TypeFor[report.FleetSummary](), defs["fleetSummary"].(map[string]any)},
		"FleetClusterSummary": {reflect.TypeFor[report.FleetClusterSummary](), defs["fleetClusterSummary"].(map[string]any)},
		"FleetCounts":         {reflect.TypeFor[report.FleetCounts](), defs["fleetCounts"].(map[string]any)},
	}
	for name, tt := range types {
		t.Run(name, func(t *testing.T) {
			fields, required := []string{}, []string{}
			for f := range tt.typ.Fields() {
				tag, ok := f.Tag.Lookup("json")
				require.True(t, ok, "%s.%s has no json tag", name, f.Name)
				jsonName, opts, _ := strings.Cut(tag, ",")
				if jsonName == "-" {
					continue
				}
				fields = append(fields, jsonName)
				if !strings.Contains(opts, "omitempty") {
					required = append(required, jsonName)
				}
			}
			props := sortedKeys(tt.schema["properties"].(map[string]any))
			sort.Strings(fields)
			assert.Equal(t, fields, props, "schema properties")
			req := asStrings(tt.schema["required"])
			sort.Strings(req)
			sort.Strings(required)
			assert.Equal(t, required, req, "schema required")
		})
	}
}

func TestSchemaEnums(t *testing.T) {
	s := loadSchema(t)
	defs := s["$defs"].(map[string]any)
	enum := func(def map[string]any) []string {
		out := asStrings(def["enum"])
		sort.Strings(out)
		return out
	}
	sorted := func(l []string) []string { sort.Strings(l); return l }

	var statuses, severities []string
	for _, st := range check.Statuses() {
		statuses = append(statuses, string(st))
	}
	for _, sev := range check.Severities() {
		severities = append(severities, string(sev))
	}
	assert.Equal(t, sorted(statuses), enum(defs["status"].(map[string]any)))
	assert.Equal(t, sorted(severities), enum(defs["severity"].(map[string]any)))
	states := []string{string(inventory.Listed), string(inventory.Loaded), string(inventory.Absent),
		string(inventory.Forbidden), string(inventory.NotServed), string(inventory.Failed), string(inventory.Incomplete)}
	assert.Equal(t, sorted(states), enum(defs["coverage"].(map[string]any)["properties"].(map[string]any)["state"].(map[string]any)))
	modes := []string{string(inventory.ModeCluster), string(inventory.ModeManifests)}
	assert.Equal(t, sorted(modes), enum(defs["inventory"].(map[string]any)["properties"].(map[string]any)["mode"].(map[string]any)))
	assert.Equal(t, report.SchemaVersion, s["properties"].(map[string]any)["schemaVersion"].(map[string]any)["const"])
	assert.Equal(t, report.FleetSchemaVersion, defs["fleet"].(map[string]any)["properties"].(map[string]any)["schemaVersion"].(map[string]any)["const"])
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", s["$schema"])
}

func TestSchemaIsACopy(t *testing.T) {
	a := report.Schema()
	a[0] = 'x'
	assert.Equal(t, byte('{'), report.Schema()[0])
}
