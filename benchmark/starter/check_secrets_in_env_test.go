package starter_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/benchmark/starter"
)

func TestSecretsInEnv(t *testing.T) {
	c := starter.SecretsInEnv()
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

	tests := []struct {
		name string
		objs []runtime.Object
		want []verdict
	}{
		{
			name: "plain values and ConfigMaps pass",
			objs: []runtime.Object{deployment("shop", "web", corev1.PodSpec{Containers: []corev1.Container{
				withEnv(ctr("app", "web:1"), []corev1.EnvVar{plain, configKey}, []corev1.EnvFromSource{configFrom})}})},
			want: []verdict{pass("Deployment shop/web", "no environment variable comes from a Secret")},
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
