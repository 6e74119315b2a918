package helm_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/inventory/helm"
)

// A values.schema.json that refers to a schema Helm's validator would download or read from
// the machine fails the render, naming the reference, before anything is loaded; references
// within the document, to the meta-schemas the validator holds and to URNs load nothing.
func TestRenderSchemaReferences(t *testing.T) {
	tests := []struct {
		name, file, schema string
		wantErr            string
		wantWarning        string
	}{
		{name: "references within the document", file: "values.schema.json",
			schema: `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
				"properties": {"image": {"$ref": "#/definitions/image"}}, "definitions": {"image": {"type": "object"}}}`},
		{name: "the 2020-12 meta-schema", file: "values.schema.json",
			schema: `{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"x": {"type": "string"}}}`},
		{name: "a URN, which Helm answers with a permissive schema and a warning", file: "values.schema.json",
			schema:      `{"properties": {"image": {"$ref": "urn:example:image"}}}`,
			wantWarning: "unresolved URN reference ignored; using permissive schema urn=urn:example:image"},
		{name: "a download", file: "values.schema.json", schema: `{"properties": {"image": {"$ref": "https://example.com/image.json"}}}`,
			wantErr: `chart web: web/values.schema.json: $ref "https://example.com/image.json": values.schema.json refers to a schema outside the chart`},
		{name: "a file of the machine", file: "values.schema.json", schema: `{"allOf": [{"$ref": "file:///etc/passwd"}]}`,
			wantErr: `$ref "file:///etc/passwd"`},
		{name: "a relative reference (resolved against file:///values.schema.json)", file: "values.schema.json",
			schema: `{"$ref": "defs.json#/image"}`, wantErr: `$ref "defs.json#/image"`},
		{name: "an unknown meta-schema", file: "values.schema.json", schema: `{"$schema": "https://json-schema.org/draft/2020-12/meta/core"}`,
			wantErr: `$schema "https://json-schema.org/draft/2020-12/meta/core"`},
		{name: "in a subchart", file: "charts/sub/values.schema.json", schema: `{"$dynamicRef": "http://example.com/x"}`,
			wantErr: `web/charts/sub/values.schema.json: $dynamicRef "http://example.com/x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "web")
			copyDir(t, "testdata/web", dir)
			writeFile(t, filepath.Join(dir, filepath.FromSlash(tt.file)), tt.schema)
			out, err := render(t, dir)
			if tt.wantErr != "" {
				assert.ErrorIs(t, err, helm.ErrSchemaReference)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, docs(t, out))
			if tt.wantWarning != "" {
				assert.Contains(t, warnings(out), "web/Chart.yaml: "+tt.wantWarning)
			}
		})
	}
}
