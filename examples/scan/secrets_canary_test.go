package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canaryManifests writes manifests in which every value that could be a secret is a unique
// marker: Secret data and stringData (and kubectl's last-applied copy of them), environment
// values, command lines, ConfigMap data (variables, configuration files, a private key, a
// URL's password, binaryData), and documents that fail to load around such values. It
// returns the directory and the markers.
func canaryManifests(t *testing.T) (string, []string) {
	t.Helper()
	var markers []string
	mark := func() string {
		m := fmt.Sprintf("Kc4n4ry%02dq", len(markers))
		markers = append(markers, m)
		return m
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	docs := []string{
		fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"%s"}}'
type: Opaque
data:
  password: %s
  token: %s
stringData:
  api-key: %s
`, mark(), b64(mark()), b64(mark()), mark()),
		fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: token, namespace: shop, annotations: {kubernetes.io/service-account.name: web}}
type: kubernetes.io/service-account-token
data:
  token: %s
`, b64(mark())),
		// Does not load: invalid base64; the error names the key.
		fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata: {name: broken, namespace: shop}\ndata:\n  password: %s!!\n", mark()),
		// Does not load: a value that is not a string.
		fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken-cm, namespace: shop}\ndata:\n  DB_PASSWORD: {nested: %s}\n", mark()),
		fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  DB_PASSWORD: %s
  LOG_LEVEL: %s
  CACHE_URL: redis://app:%s@cache:6379/0
  DSN: "Server=db;User Id=app;Password=%s;"
  application.properties: |
    spring.datasource.password=%s
    spring.datasource.username=%s
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    %s
    -----END PRIVATE KEY-----
binaryData:
  blob: %s
`, mark(), mark(), mark(), mark(), mark(), mark(), mark(), b64("-----BEGIN PRIVATE KEY-----\n"+mark()+"\n-----END PRIVATE KEY-----\n")),
		fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      initContainers:
      - name: init
        image: init:1
        env: [{name: INIT_TOKEN, value: %s}]
      containers:
      - name: web
        image: web:1
        command: [sh, -c, "exec web --db-password=%s"]
        args: ["--api-key", "%s", "--upstream=https://u:%s@up.example.com/", "--plain=%s"]
        env:
        - {name: DB_PASSWORD, value: %s}
        - {name: GREETING, value: %s}
        - {name: SLACK_TOKEN, value: xoxb-%s0000000000}
        - {name: FROM_CM, valueFrom: {configMapKeyRef: {name: app, key: DB_PASSWORD}}}
        - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: db, key: password}}}
        envFrom: [{configMapRef: {name: app}}, {secretRef: {name: db}}]
        volumeMounts: [{name: db, mountPath: /run/db}]
      volumes: [{name: db, secret: {secretName: db}}]
`, mark(), mark(), mark(), mark(), mark(), mark(), mark(), mark()),
		`apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
`,
		`apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view-secrets}
subjects: [{kind: User, name: mallory, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view-secrets}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
`,
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(strings.Join(docs, "---\n")), 0o600))
	return dir, markers
}

// TestNoSecretValueInAnyOutput runs the scanner over manifests full of markers in every mode
// it has (table, verbose table with remediation, JSON, --complete, --who-can and
// --pss-what-if in both formats, a CEL check file) and finds none of the markers in what it
// writes, on stdout or stderr. Each run must also report what it was asked for, so that the
// test cannot pass on empty output.
func TestNoSecretValueInAnyOutput(t *testing.T) {
	dir, markers := canaryManifests(t)
	runs := []struct {
		name string
		args []string
		want string // a substring of stdout that shows the run looked at the input
	}{
		{"table", nil, "secrets:env-credentials"},
		{"verbose table", []string{"-v", "--remediation"}, "secrets:configmap-credentials"},
		{"json", []string{"-o", "json"}, `"checkID": "secrets:legacy-sa-token"`},
		{"complete json", []string{"--complete", "-o", "json"}, `"checkID": "secrets:readers"`},
		{"secrets benchmark only", []string{"-b", "secrets", "-v"}, "secrets:rotation-age"},
		{"who-can", []string{"--who-can", "get", "secrets", "-n", "shop"}, "mallory"},
		{"who-can json", []string{"--who-can", "list", "secrets", "-o", "json"}, "mallory"},
		{"pss what-if", []string{"--pss-what-if", "restricted", "-n", "shop"}, "shop"},
		{"pss what-if json", []string{"--pss-what-if", "restricted", "-n", "shop", "-o", "json"}, "pss:what-if"},
		{"cel checks", []string{"--checks", "../cel-checks/configmaps.yaml", "-b", "all", "-o", "json"}, "custom:configmap-credentials"},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			_, stdout, stderr := runScan(t, "", append([]string{"-f", dir}, r.args...)...)
			require.Contains(t, stdout, r.want, "stderr: %s", stderr)
			for _, m := range markers {
				assert.NotContains(t, stdout, m, "stdout")
				assert.NotContains(t, stderr, m, "stderr")
			}
		})
	}
	// The checks did see the credentials: they fail, naming variables and keys only.
	_, stdout, _ := runScan(t, "", "-f", dir, "-b", "secrets", "-o", "json")
	for _, want := range []string{`sets DB_PASSWORD to a literal value`, `passes --api-key with a literal value`,
		`key \"CACHE_URL\" holds a URL with a literal password`, `key \"tls.key\" holds a literal private key`,
		`sets SLACK_TOKEN to a token in a known credential format`} {
		assert.Contains(t, stdout, want)
	}
}
