package secrets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// Literal credentials in env and in the ConfigMaps env reads, and look-alikes that are none.
func TestSecretsInEnvFixtures(t *testing.T) {
	checktest.Run(t, secrets.SecretsInEnv(), filepath.Join("testdata", "secrets-in-env"))
}

func TestSecretsInEnv(t *testing.T) {
	c := secrets.SecretsInEnv()
	withEnv := func(c corev1.Container, env []corev1.EnvVar, from []corev1.EnvFromSource) corev1.Container {
		c.Env, c.EnvFrom = env, from
		return c
	}
	secretKey := func(name, secret, key string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key}}}
	}
	configKey := corev1.EnvVar{Name: "MODE", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Key: "mode"}}}
	plain := corev1.EnvVar{Name: "LOG_LEVEL", Value: "info"}
	secretFrom := func(secret, prefix string) corev1.EnvFromSource {
		return corev1.EnvFromSource{Prefix: prefix, SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}}
	}
	configFrom := corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}
	settings := &corev1.ConfigMap{ObjectMeta: meta("shop", "settings"), Data: map[string]string{"mode": "fast", "LOG_FORMAT": "json"}}

	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "plain values and ConfigMaps pass",
			objs: []runtime.Object{settings, deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				withEnv(ctr("app", "web:1"), []corev1.EnvVar{plain, configKey}, []corev1.EnvFromSource{configFrom})}})},
			want: []verdict{pass("Deployment shop/web", "no environment variable comes from a Secret or holds a literal credential")},
		},
		{
			name: "a ConfigMap not in the input: what it gives was not seen",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				withEnv(ctr("app", "web:1"), []corev1.EnvVar{plain, configKey}, []corev1.EnvFromSource{configFrom})}})},
			want: []verdict{notEvaluated("Deployment shop/web", `ConfigMap "settings" was not seen: the environment it gives was not checked`)},
		},
		{
			name: "a literal credential",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				withEnv(ctr("app", "web:1"), []corev1.EnvVar{plain, {Name: "DB_PASSWORD", Value: "hunter2"}}, nil)}})},
			want: []verdict{fail("Deployment shop/web", "spec.template.spec.containers[0].env[1].value",
				`container "app" sets DB_PASSWORD to a literal value, and its name says it holds a credential`)},
		},
		{
			name: "secretKeyRef fails naming the variable and the Secret",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				withEnv(ctr("app", "web:1"), []corev1.EnvVar{plain, secretKey("DB_PASSWORD", "db", "password")}, nil)}})},
			want: []verdict{fail("Deployment shop/web", "spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef",
				`container "app" sets DB_PASSWORD from key "password" of Secret "db"`)},
		},
		{
			name: "envFrom secretRef fails naming the Secret and prefix",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				withEnv(ctr("app", "web:1"), nil, []corev1.EnvFromSource{configFrom, secretFrom("api-keys", "KEY_")})}})},
			want: []verdict{fail("Pod shop/web", "spec.containers[0].envFrom[1].secretRef",
				`container "app" takes every key of Secret "api-keys" as environment variables (prefix "KEY_")`)},
		},
		{
			name: "init containers count; every offence named",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{
				Containers:     []corev1.Container{withEnv(ctr("app", "web:1"), nil, []corev1.EnvFromSource{secretFrom("all", "")})},
				InitContainers: []corev1.Container{withEnv(ctr("migrate", "web:1"), []corev1.EnvVar{secretKey("TOKEN", "tok", "t")}, nil)},
			})},
			want: []verdict{fail("Pod shop/web", "spec.containers[0].envFrom[0].secretRef",
				`container "app" takes every key of Secret "all" as environment variables; init container "migrate" sets TOKEN from key "t" of Secret "tok"`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}

// The values of credentials never reach a result or a report, whichever bundled check looks
// at them: each value below is a marker searched for in every result field and in the JSON
// and text reports.
func TestSecretsInEnvNeverEchoesValues(t *testing.T) {
	markers := []string{"Mk1hunter2", "Mk2cmvalue", "Mk3urlpass", "Mk4keybody", "Mk5argvalue", "Mk6secretdata", "Mk7token"}
	manifest := `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data:
  DB_PASSWORD: Mk2cmvalue
  CACHE_URL: redis://:Mk3urlpass@cache:6379
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData:
  password: Mk6secretdata
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: api:latest
        args: ["--db-password=Mk5argvalue"]
        env:
        - {name: DB_PASSWORD, value: Mk1hunter2}
        - {name: API_TOKEN, value: Mk7token}
        - {name: REDIS_URL, valueFrom: {configMapKeyRef: {name: cfg, key: CACHE_URL}}}
        - name: TLS_KEY
          value: |
            -----BEGIN PRIVATE KEY-----
            Mk4keybody
            -----END PRIVATE KEY-----
        - {name: SECRET_FROM_REF, valueFrom: {secretKeyRef: {name: db, key: password}}}
        envFrom:
        - configMapRef: {name: cfg}
`
	inv, err := inventory.LoadManifests(context.Background(), []string{"-"}, inventory.WithStdin(strings.NewReader(manifest)))
	require.NoError(t, err)
	require.Empty(t, inv.Errors())
	benchmarks, err := kspm.Benchmarks()
	require.NoError(t, err)
	rep, err := kspm.Scan(context.Background(), inv, benchmarks)
	require.NoError(t, err)

	flagged := 0
	for _, r := range rep.Results {
		if r.CheckID == "secrets:secrets-in-env" && r.Status == check.StatusFail {
			flagged++
			for _, v := range []string{"DB_PASSWORD", "API_TOKEN", "REDIS_URL", "TLS_KEY", "SECRET_FROM_REF"} {
				assert.Contains(t, r.Message, v, "the failure names every variable")
			}
		}
		fields, err := json.Marshal(r)
		require.NoError(t, err)
		for _, m := range markers {
			assert.NotContains(t, string(fields), m, "%s on %v", r.CheckID, r.Object)
		}
	}
	assert.Equal(t, 1, flagged)
	var js, text bytes.Buffer
	require.NoError(t, report.WriteJSON(&js, rep))
	require.NoError(t, report.WriteText(&text, rep, report.TextOptions{Verbose: true}))
	for _, m := range markers {
		assert.NotContains(t, js.String(), m)
		assert.NotContains(t, text.String(), m)
	}
}

// On a cluster, a ConfigMap that is not listed is missing (the pod cannot start with it),
// unless ConfigMaps could not be listed: then what they give is unknown, and said so.
func TestSecretsInEnvClusterConfigMaps(t *testing.T) {
	c := secrets.SecretsInEnv()
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1",
		EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}}}}}
	listed := clusterInventory(t, nil, deployment("shop", "web", spec))
	assertVerdicts(t, c, run(t, c, listed), []verdict{pass("Deployment shop/web", "no environment variable comes from a Secret or holds a literal credential")})

	forbidden := clusterInventory(t, []inventory.Coverage{{Kind: "ConfigMap", State: inventory.Forbidden, Reason: "denied"}}, deployment("shop", "web", spec))
	assertVerdicts(t, c, run(t, c, forbidden), []verdict{
		notEvaluated("", "configmaps forbidden: denied"),
		notEvaluated("Deployment shop/web", `ConfigMap "cfg" was not seen`),
	})
}
