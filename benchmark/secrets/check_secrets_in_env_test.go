package secrets_test

import (
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check/checktest"
)

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
	secretFrom := func(secret, prefix string) corev1.EnvFromSource {
		return corev1.EnvFromSource{Prefix: prefix, SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}}
	}
	configFrom := corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}
	plain := corev1.EnvVar{Name: "LOG_LEVEL", Value: "info"}
	mounted := corev1.PodSpec{
		Containers: []corev1.Container{withEnv(ctr("app", "web:1"), []corev1.EnvVar{plain, {Name: "DB_PASSWORD", Value: "hunter2"}}, []corev1.EnvFromSource{configFrom})},
		Volumes:    []corev1.Volume{{Name: "db", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "db"}}}},
	}

	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			// A literal credential is secrets:env-credentials' to report, not this control's.
			name: "a Secret mounted as a file, ConfigMaps and literal values pass",
			objs: []runtime.Object{deployment("shop", "web", mounted)},
			want: []verdict{pass("Deployment shop/web", "no environment variable comes from a Secret")},
		},
		{
			name: "secretKeyRef fails naming the variable, the Secret and the key",
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
			name: "init and ephemeral containers count; every offence named",
			objs: []runtime.Object{pod("shop", "web", corev1.PodSpec{
				Containers:     []corev1.Container{withEnv(ctr("app", "web:1"), nil, []corev1.EnvFromSource{secretFrom("all", "")})},
				InitContainers: []corev1.Container{withEnv(ctr("migrate", "web:1"), []corev1.EnvVar{secretKey("TOKEN", "tok", "t")}, nil)},
				EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
					Name: "debug", Image: "busybox", Env: []corev1.EnvVar{secretKey("X", "x", "x")}}}},
			})},
			want: []verdict{fail("Pod shop/web", "spec.containers[0].envFrom[0].secretRef",
				`container "app" takes every key of Secret "all" as environment variables; init container "migrate" sets TOKEN from key "t" of Secret "tok"; ephemeral container "debug" sets X from key "x" of Secret "x"`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertVerdicts(t, c, run(t, c, newInventory(t, tt.objs...)), tt.want)
		})
	}
}
