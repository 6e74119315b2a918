package secrets_test

import (
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check/checktest"
	"github.com/kspm-dev/kspm/inventory"
)

// Literal credentials in env, on the command line and in the ConfigMaps env reads, and
// look-alikes that are none.
func TestEnvCredentialsFixtures(t *testing.T) {
	checktest.Run(t, secrets.EnvCredentials(), filepath.Join("testdata", "env-credentials"))
}

func TestEnvCredentials(t *testing.T) {
	c := secrets.EnvCredentials()
	configKey := corev1.EnvVar{Name: "MODE", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Key: "mode"}}}
	configFrom := corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}
	secretKey := corev1.EnvVar{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}
	settings := &corev1.ConfigMap{ObjectMeta: meta("shop", "settings"), Data: map[string]string{"mode": "fast", "LOG_FORMAT": "json"}}
	app := func(env []corev1.EnvVar, from []corev1.EnvFromSource, args ...string) corev1.PodSpec {
		c := ctr("app", "web:1")
		c.Env, c.EnvFrom, c.Args = env, from, args
		return corev1.PodSpec{Containers: []corev1.Container{c}}
	}
	const clean = "no literal credential in the environment or command line"
	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "plain values, ConfigMaps and a Secret reference pass",
			objs: []runtime.Object{settings, deployment("shop", "web", app([]corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}, configKey, secretKey},
				[]corev1.EnvFromSource{configFrom}, "--password-file=/run/secrets/db"))},
			want: []verdict{pass("Deployment shop/web", clean)},
		},
		{
			name: "a ConfigMap not in the input: what it gives was not seen",
			objs: []runtime.Object{deployment("shop", "web", app([]corev1.EnvVar{configKey}, []corev1.EnvFromSource{configFrom}))},
			want: []verdict{notEvaluated("Deployment shop/web", `ConfigMap "settings" was not seen: the environment it gives was not checked`)},
		},
		{
			name: "a literal credential in env",
			objs: []runtime.Object{deployment("shop", "web", app([]corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}, {Name: "DB_PASSWORD", Value: "hunter2"}}, nil))},
			want: []verdict{fail("Deployment shop/web", "spec.template.spec.containers[0].env[1].value",
				`container "app" sets DB_PASSWORD to a literal value, and its name says it holds a credential`)},
		},
		{
			name: "a literal credential on the command line",
			objs: []runtime.Object{pod("shop", "web", app(nil, nil, "serve", "--api-token", "t0k3n"))},
			want: []verdict{fail("Pod shop/web", "spec.containers[0].args[1]",
				`container "app" passes --api-token with a literal value, and its name says it holds a credential`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}

// On a cluster, a ConfigMap that is not listed is missing (the pod cannot start with it),
// unless ConfigMaps could not be listed: then what they give is unknown, and said so.
func TestEnvCredentialsClusterConfigMaps(t *testing.T) {
	c := secrets.EnvCredentials()
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1",
		EnvFrom: []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}}}}}
	listed := clusterInventory(t, nil, deployment("shop", "web", spec))
	assertVerdicts(t, c, run(t, c, listed), []verdict{pass("Deployment shop/web", "no literal credential")})

	forbidden := clusterInventory(t, []inventory.Coverage{{Kind: "ConfigMap", State: inventory.Forbidden, Reason: "denied"}}, deployment("shop", "web", spec))
	assertVerdicts(t, c, run(t, c, forbidden), []verdict{
		notEvaluated("", "configmaps forbidden: denied"),
		notEvaluated("Deployment shop/web", `ConfigMap "cfg" was not seen`),
	})
}
