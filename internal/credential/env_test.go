package credential_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/internal/credential"
	"github.com/kspm-dev/kspm/inventory"
)

func TestInEnv(t *testing.T) {
	keyRef := func(env, cm, key string) corev1.EnvVar {
		return corev1.EnvVar{Name: env, ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: cm}, Key: key}}}
	}
	from := func(cm, prefix string) corev1.EnvFromSource {
		return corev1.EnvFromSource{Prefix: prefix, ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: cm}}}
	}
	configMaps := func(name string) (map[string]string, bool) {
		switch name {
		case "app":
			return map[string]string{"TOKEN": "t0k3n", "MODE": "fast", "URL": "https://u:p4ss@h"}, true
		case "gone":
			return nil, true // known not to exist
		}
		return nil, false
	}
	env := []corev1.EnvVar{
		{Name: "DB_PASSWORD", Value: "hunter2"},
		keyRef("API_TOKEN", "app", "TOKEN"),
		keyRef("MODE", "app", "MODE"),
		keyRef("SMTP_PASSWORD", "elsewhere", "smtp"),
		keyRef("LEVEL", "elsewhere", "level"),
		keyRef("OTHER_PASSWORD", "gone", "x"),
		keyRef("MISSING_KEY_PASSWORD", "app", "nope"),
	}
	found, unseen := credential.InEnv(env, []corev1.EnvFromSource{from("app", "X_"), from("elsewhere", ""), from("gone", "")}, configMaps)
	var fields, msgs []string
	for _, f := range found {
		fields = append(fields, f.Field)
		msgs = append(msgs, f.Message)
	}
	assert.Equal(t, []string{"env[0].value", "env[1].valueFrom.configMapKeyRef", "env[3].valueFrom.configMapKeyRef",
		"envFrom[0].configMapRef", "envFrom[0].configMapRef"}, fields)
	assert.Equal(t, []string{
		"sets DB_PASSWORD to " + credential.NamedLiteral,
		`sets API_TOKEN from key "TOKEN" of ConfigMap "app", whose value is ` + credential.NamedLiteral,
		`sets SMTP_PASSWORD from key "smtp" of ConfigMap "elsewhere", which was not seen; its name says it holds a credential, which has no place in a ConfigMap`,
		`takes X_TOKEN from key "TOKEN" of ConfigMap "app", whose value is ` + credential.NamedLiteral,
		`takes X_URL from key "URL" of ConfigMap "app", whose value is ` + credential.URLPassword,
	}, msgs)
	assert.Equal(t, []string{"elsewhere"}, unseen, "named once")
	for _, m := range msgs {
		for _, v := range []string{"hunter2", "t0k3n", "p4ss"} {
			assert.NotContains(t, m, v)
		}
	}
}

func TestInventoryConfigMaps(t *testing.T) {
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "app"}, Data: map[string]string{"k": "v"}}
	manifests, err := inventory.New(cm)
	require.NoError(t, err)
	b := inventory.NewBuilder(inventory.ModeCluster)
	require.NoError(t, b.Add(cm, inventory.Source{}))
	b.SetCoverage(inventory.Coverage{Kind: "ConfigMap", State: inventory.Listed})
	listed := b.Build()
	forbidden := inventory.NewBuilder(inventory.ModeCluster)
	forbidden.SetCoverage(inventory.Coverage{Kind: "ConfigMap", State: inventory.Forbidden})

	tests := []struct {
		name     string
		inv      *inventory.Inventory
		ns, cm   string
		wantData bool
		wantSeen bool
	}{
		{"manifests: held", manifests, "shop", "app", true, true},
		{"manifests: not held, may exist", manifests, "shop", "other", false, false},
		{"manifests: other namespace", manifests, "blog", "app", false, false},
		{"cluster, all listed: does not exist", listed, "shop", "other", false, true},
		{"cluster, forbidden: unknown", forbidden.Build(), "shop", "app", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, seen := credential.InventoryConfigMaps(tt.inv.From(nil), tt.ns)(tt.cm)
			assert.Equal(t, tt.wantSeen, seen)
			assert.Equal(t, tt.wantData, data != nil)
		})
	}
}

// TestInventoryConfigMapsVariants: a pod reads the definition of a ConfigMap nearest it.
func TestInventoryConfigMapsVariants(t *testing.T) {
	cm := func(v string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "app"}, Data: map[string]string{"k": v}}
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}}
	b := inventory.NewBuilder(inventory.ModeManifests)
	require.NoError(t, b.Add(cm("prod"), inventory.Source{File: "prod/cm.yaml", Line: 1}))
	require.NoError(t, b.Add(cm("dev"), inventory.Source{File: "dev/cm.yaml", Line: 1}))
	require.NoError(t, b.Add(pod, inventory.Source{File: "dev/pod.yaml", Line: 1}))
	inv := b.Build()
	data, seen := credential.InventoryConfigMaps(inv.From(inv.Get(inventory.KindPod, "shop", "web")), "shop")("app")
	assert.True(t, seen)
	assert.Equal(t, map[string]string{"k": "dev"}, data)
}
