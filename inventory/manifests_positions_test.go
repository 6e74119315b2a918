package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLoadManifestsErrorPositions checks that each error names the line of its problem,
// once, and the field it is about.
func TestLoadManifestsErrorPositions(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		content    string
		wantErrors []string
		wantNames  []string
	}{
		{
			name: "tab in the indentation of a mapping", file: "tab.yaml",
			content:    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n\tnamespace: x\n",
			wantErrors: []string{"tab.yaml:5: yaml: found a tab character that violates indentation"},
		},
		{
			name: "tab in the indentation of a sequence entry, in a later document", file: "tab2.yaml",
			content:    "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n\t  image: x\n",
			wantErrors: []string{"tab2.yaml:12: yaml: found a tab character that violates indentation"},
			wantNames:  []string{"ok"},
		},
		{
			name: "tab in the indentation of a block scalar", file: "tab3.yaml",
			content:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    fine\n\tnot\n",
			wantErrors: []string{"tab3.yaml:7: yaml: found a tab character where an indentation space is expected"},
		},
		{
			name: "alias of an anchor that is not defined", file: "alias.yaml",
			content:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n# not *here\ndata:\n  a: \"*x\"\n  b: *x\n",
			wantErrors: []string{"alias.yaml:7: yaml: unknown anchor 'x' referenced"},
		},
		{
			name: "control character", file: "ctl.yaml",
			content:    "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  a: x\x01y\n",
			wantErrors: []string{"ctl.yaml:10: yaml: control characters are not allowed (U+0001)"},
			wantNames:  []string{"ok"},
		},
		{
			name: "escape character in a quoted string", file: "esc.yaml",
			content:    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n  labels:\n    a: \"\x1b[2J\"\n",
			wantErrors: []string{"esc.yaml:6: yaml: control characters are not allowed (U+001B)"},
		},
		{
			name: "invalid UTF-8", file: "utf8.yaml",
			content:    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  a: \xff\n",
			wantErrors: []string{"utf8.yaml:6: yaml: invalid leading UTF-8 octet"},
		},
		{
			name: "invalid base64 in a Secret names the key, not the value", file: "b64.yaml",
			content:    "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  good: YWJj\n  tls.key: not-base64!\n",
			wantErrors: []string{"b64.yaml:6: Secret s: data.tls.key: invalid base64 (illegal base64 data at input byte 3)"},
		},
		{
			name: "invalid base64 in a Secret, in JSON", file: "b64.json",
			content:    "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"},\n \"data\": {\"good\": \"YWJj\",\n  \"password\": \"hunter2\"}}\n",
			wantErrors: []string{"b64.json:3: Secret s: data.password: invalid base64 (illegal base64 data at input byte 4)"},
		},
		{
			name: "invalid base64 in a webhook's caBundle", file: "hook.yaml",
			content:    "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: h}\nwebhooks:\n- name: a.example.com\n  sideEffects: None\n  admissionReviewVersions: [v1]\n  clientConfig:\n    url: https://example.com\n    caBundle: '%%%'\n",
			wantErrors: []string{"hook.yaml:10: ValidatingWebhookConfiguration h: webhooks[0].clientConfig.caBundle: invalid base64 (illegal base64 data at input byte 0)"},
		},
		{
			name: "comment after a JSON value", file: "after.json",
			content:    "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"ok\"}}\n# a comment of several words\n",
			wantErrors: []string{"after.json:2: invalid character '#': JSON has no comments"},
			wantNames:  []string{"ok"},
		},
		{
			name: "comment before a JSON value", file: "before.json",
			content:    "# a comment of several words\n{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"ok\"}}\n",
			wantErrors: []string{"before.json:1: invalid character '#': JSON has no comments"},
		},
		{
			name: "comment in a JSON object and in a JSON array", file: "inside.json",
			content:    "[\n {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"ok\"}},\n // a comment\n {\"apiVersion\": \"v1\", \"kind\": \"Namespace\",\n  # another\n  \"metadata\": {\"name\": \"no\"}}\n]\n",
			wantErrors: []string{"inside.json:3: invalid character '/': JSON has no comments"},
			wantNames:  []string{"ok"},
		},
		{
			name: "comment among an object's members", file: "member.json",
			content:    "{\"apiVersion\": \"v1\",\n # a comment\n \"kind\": \"Namespace\", \"metadata\": {\"name\": \"no\"}}\n",
			wantErrors: []string{"member.json:2: invalid character '#': JSON has no comments"},
		},
		{
			name: "bare word in JSON", file: "word.json",
			content:    "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"ok\"}}\nnope\n",
			wantErrors: []string{"word.json:2: invalid character 'n': not the start of a JSON value"},
			wantNames:  []string{"ok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			inv := mfLoad(t, []string{mfWrite(t, dir, tt.file, tt.content)})
			assert.Equal(t, tt.wantErrors, mfErrors(inv, dir))
			var names []string
			for _, o := range inv.Objects() {
				names = append(names, o.Name())
			}
			assert.Equal(t, tt.wantNames, names)
		})
	}
}
