package inventory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"

	"github.com/kspm-dev/kspm/inventory"
)

// TestFromClientsetSecretManagedFields: a Secret listed from a cluster keeps, of its
// managedFields, who wrote which top-level fields and when (what tells when its data was last
// written), and nothing under them; other objects keep none.
func TestFromClientsetSecretManagedFields(t *testing.T) {
	when := metav1.NewTime(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	mf := []metav1.ManagedFieldsEntry{
		{Manager: "kubectl-client-side-apply", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", Time: &when,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:data":{".":{},"f:password":{}},"f:metadata":{"f:annotations":{".":{},"f:team":{}}},"f:type":{}}`)}},
		{Manager: "broken", Operation: metav1.ManagedFieldsOperationApply, FieldsV1: &metav1.FieldsV1{Raw: []byte(`not json`)}},
		{Manager: "no-fields", Operation: metav1.ManagedFieldsOperationApply},
	}
	meta := metav1.ObjectMeta{Name: "db", Namespace: "shop", ManagedFields: mf}
	want := []metav1.ManagedFieldsEntry{{Manager: "kubectl-client-side-apply", Operation: metav1.ManagedFieldsOperationUpdate,
		APIVersion: "v1", Time: &when, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:data":{},"f:metadata":{},"f:type":{}}`)}}}
	for _, metadata := range []bool{false, true} {
		cs := fake.NewClientset(&corev1.Secret{ObjectMeta: *meta.DeepCopy(), Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"password": []byte("x")}},
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c", Namespace: "shop", ManagedFields: mf}})
		var opts []inventory.ClusterOption
		if metadata {
			scheme := metadatafake.NewTestScheme()
			require.NoError(t, metav1.AddMetaToScheme(scheme))
			opts = append(opts, inventory.WithMetadataClient(metadatafake.NewSimpleMetadataClient(scheme, &metav1.PartialObjectMetadata{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: *meta.DeepCopy()})))
		}
		inv, err := inventory.FromClientset(t.Context(), cs, opts...)
		require.NoError(t, err)
		secrets := inv.Secrets()
		require.Len(t, secrets, 1)
		assert.Equal(t, want, secrets[0].ManagedFields, "metadata client: %v", metadata)
		require.Len(t, inv.ConfigMaps(), 1)
		assert.Nil(t, inv.ConfigMaps()[0].ManagedFields)
	}
}
