package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
