package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/report"
)

func runChecks(t *testing.T, stdin string, args ...string) (int, *report.Report) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append(args, "-json"), strings.NewReader(stdin), &out, &errOut)
	require.Empty(t, errOut.String())
	rep, err := report.ReadJSON(&out)
	require.NoError(t, err)
	return code, rep
}

func status(rep *report.Report, id, object string) check.Status {
	for _, r := range rep.Results {
		if r.CheckID == id && r.Object != nil && r.Object.String() == object {
			return r.Status
		}
	}
	return ""
}

func TestDemo(t *testing.T) {
	code, rep := runChecks(t, "", "-f", "../demo")
	assert.Equal(t, 1, code, "the demo fails both checks")
	tests := []struct {
		id, object string
		want       check.Status
	}{
		{"custom:memory-limits", "Deployment shop/frontend", check.StatusPass},
		{"custom:memory-limits", "Deployment shop/cart", check.StatusFail},
		{"custom:memory-limits", "CronJob legacy/db-backup", check.StatusFail},
		{"custom:memory-limits", "Pod kube-system/kube-apiserver-cp-1", check.StatusFail},
		{"custom:memory-limits", "Pod kube-system/coredns-5d9f8c7b6d-k2x8p", ""}, // reported on its Deployment
		{"custom:replicas-and-pdb", "Deployment shop/frontend", check.StatusPass},
		{"custom:replicas-and-pdb", "Deployment payments/ledger-api", check.StatusPass},
		{"custom:replicas-and-pdb", "Deployment payments/payment-gateway", check.StatusFail},
		{"custom:replicas-and-pdb", "Deployment shop/cart", check.StatusFail},
	}
	for _, tt := range tests {
		t.Run(tt.id+" "+tt.object, func(t *testing.T) {
			assert.Equal(t, tt.want, status(rep, tt.id, tt.object))
		})
	}
}

func TestNoPDBsInInputIsNotAPass(t *testing.T) {
	const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.0
        resources: {limits: {memory: 128Mi}}
`
	code, rep := runChecks(t, manifest, "-f", "-")
	assert.Equal(t, 0, code)
	assert.Equal(t, check.StatusNotEvaluated, status(rep, "custom:replicas-and-pdb", "Deployment shop/web"))
	assert.Equal(t, check.StatusPass, status(rep, "custom:memory-limits", "Deployment shop/web"))
}

// TestHostileInputIsEscaped: names from the input reach the table and stderr escaped.
func TestHostileInputIsEscaped(t *testing.T) {
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata: {name: "web\e[1A\e[2K\r\u202e", namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: "app\e]0;x\a", image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: "broken\e[2K", namespace: shop}
spec: {replicas: "two"}
`
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-f", "-"}, strings.NewReader(manifest), &out, &errOut)
	assert.Equal(t, 2, code, "a load error")
	for name, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
		for i, r := range text {
			require.True(t, r == '\n' || unicode.IsPrint(r), "%s: %U at %d in\n%s", name, r, i, text)
		}
	}
	assert.Contains(t, out.String(), `Deployment shop/web\x1b[1A\x1b[2K\r\u202e`)
	assert.Contains(t, errOut.String(), `Deployment shop/broken\x1b[2K`)
}

// TestEmptyInputIsAnError: checks over no object would report success for nothing.
func TestEmptyInputIsAnError(t *testing.T) {
	for name, args := range map[string][]string{"stdin": {"-f", "-"}, "directory": {"-f", t.TempDir()}} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
			assert.Equal(t, 2, code)
			assert.Empty(t, out.String())
			assert.Contains(t, errOut.String(), "custom-check: nothing to check: no object loaded")
		})
	}
}
