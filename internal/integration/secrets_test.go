//go:build integration

package integration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/internal/faultproxy"
	"github.com/kspm-dev/kspm/inventory"
)

// TestSecretsAreListedAsMetadataOnly creates a Secret with a distinctive value and shows that
// FromConfig asks for Secrets as a Table of metadata (with the type), so that the value never
// reaches the process, let alone the inventory.
func TestSecretsAreListedAsMetadataOnly(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	ns := newNamespace(t, cs, "secrets")
	canary := freshName("kspm-canary-value") + "-" + freshName("x")
	encoded := base64.StdEncoding.EncodeToString([]byte(canary))
	_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Labels: map[string]string{"app": "db"}},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"password": []byte(canary)},
		StringData: map[string]string{"token": canary + "-token"},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	// The secret really holds the value (so that not finding it below means something).
	s, err := cs.CoreV1().Secrets(ns).Get(ctx, "db", metav1.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, canary, string(s.Data["password"]))

	cfg, rec := recordingConfig(adminConfig())
	inv, err := inventory.FromConfig(ctx, cfg)
	require.NoError(t, err)

	var (
		secretLists int
		names       []string // of the test namespace's secrets, across pages
	)
	for _, ex := range rec.exchanges() {
		for _, needle := range []string{canary, encoded} {
			assert.False(t, bytes.Contains(ex.body, []byte(needle)),
				"the secret's value reached the process in the answer to %s %s?%s", ex.method, ex.path, ex.query)
		}
		if faultproxy.ResourceOf(ex.path) != "secrets" {
			continue
		}
		secretLists++
		assert.Equal(t, http.MethodGet, ex.method)
		assert.Equal(t, http.StatusOK, ex.status)
		// Secrets are asked for as a Table (kubectl get's form: name, type, number of keys)
		// whose rows carry metadata only.
		assert.Contains(t, ex.accept, "as=Table;v=v1;g=meta.k8s.io", "Accept: %s", ex.accept)
		assert.Contains(t, ex.query, "includeObject=Metadata")
		var table metav1.Table
		require.NoError(t, json.Unmarshal(ex.body, &table), "content type %s", ex.contentType)
		assert.Equal(t, "Table", table.Kind, "the server answered with a Table")
		for _, row := range table.Rows {
			var it metav1.PartialObjectMetadata
			require.NoError(t, json.Unmarshal(row.Object.Raw, &it))
			assert.Equal(t, "PartialObjectMetadata", it.Kind, "rows carry metadata, not the Secret")
			if it.Namespace == ns {
				names = append(names, it.Name)
			}
		}
	}
	assert.Positive(t, secretLists)
	assert.Equal(t, []string{"db"}, names)

	got := inv.Get(inventory.KindSecret, ns, "db")
	require.NotNil(t, got, "the secret is in the inventory, as metadata")
	sec := got.Object().(*corev1.Secret)
	assert.Equal(t, map[string]string{"app": "db"}, sec.Labels)
	assert.Equal(t, corev1.SecretTypeOpaque, sec.Type, "the type comes from the Table's Type column")
	assert.Empty(t, sec.Data)
	assert.Empty(t, sec.StringData)
	for _, o := range inv.Objects() {
		b, err := json.Marshal(o.Object())
		require.NoError(t, err)
		for _, needle := range []string{canary, encoded} {
			assert.False(t, bytes.Contains(b, []byte(needle)), "the value is in the inventory: %s", o.Ref())
		}
	}

	// Control: the recorder does see a value when one crosses the wire.
	typed, err := kubernetes.NewForConfig(cfg)
	require.NoError(t, err)
	_, err = typed.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	exs := rec.exchanges()
	assert.True(t, bytes.Contains(exs[len(exs)-1].body, []byte(canary)), "a typed list carries the value")
}

// TestSecretsLastAppliedAnnotationIsDropped: kubectl apply copies a Secret's values into the
// last-applied-configuration annotation, which is metadata. The loader drops it, so the
// values do not reach the inventory.
func TestSecretsLastAppliedAnnotationIsDropped(t *testing.T) {
	ctx := t.Context()
	cs := adminClient(t)
	ns := newNamespace(t, cs, "applied")
	canary := freshName("kspm-applied-value")
	applied := `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"api","namespace":"` + ns +
		`"},"stringData":{"key":"` + canary + `"}}`
	_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Annotations: map[string]string{
			"kubectl.kubernetes.io/last-applied-configuration": applied, "owner": "team-a"}},
		StringData: map[string]string{"key": canary},
	}, metav1.CreateOptions{})
	require.NoError(t, err)

	cfg, rec := recordingConfig(adminConfig())
	inv, err := inventory.FromConfig(ctx, cfg, inventory.WithKinds(inventory.KindSecret))
	require.NoError(t, err)
	got := inv.Get(inventory.KindSecret, ns, "api")
	require.NotNil(t, got)
	assert.Equal(t, map[string]string{"owner": "team-a"}, got.Object().(*corev1.Secret).Annotations)
	for _, o := range inv.Objects() {
		b, err := json.Marshal(o.Object())
		require.NoError(t, err)
		assert.False(t, bytes.Contains(b, []byte(canary)), "the value is in the inventory: %s", o.Ref())
	}
	onWire := false
	for _, ex := range rec.exchanges() {
		onWire = onWire || bytes.Contains(ex.body, []byte(canary))
	}
	// The metadata API cannot leave an annotation out: this value does cross the wire.
	t.Logf("a value kept in the last-applied annotation reached the process (and was dropped there): %v", onWire)
}

// decodeMetadataList decodes a PartialObjectMetadataList answer, JSON or protobuf.
func decodeMetadataList(t *testing.T, contentType string, body []byte) metav1.PartialObjectMetadataList {
	t.Helper()
	var list metav1.PartialObjectMetadataList
	if strings.HasPrefix(contentType, "application/json") {
		require.NoError(t, json.Unmarshal(body, &list))
		return list
	}
	require.True(t, strings.HasPrefix(contentType, "application/vnd.kubernetes.protobuf"), contentType)
	magic := []byte{'k', '8', 's', 0}
	require.True(t, bytes.HasPrefix(body, magic), "protobuf envelope")
	var u runtime.Unknown
	require.NoError(t, u.Unmarshal(body[len(magic):]))
	require.NoError(t, list.Unmarshal(u.Raw))
	list.TypeMeta = metav1.TypeMeta{APIVersion: u.APIVersion, Kind: u.Kind}
	return list
}
