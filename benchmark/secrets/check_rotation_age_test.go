package secrets_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm/benchmark/secrets"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/check/checktest"
)

func TestRotationAgeFixtures(t *testing.T) {
	checktest.Run(t, secrets.RotationAge(), filepath.Join("testdata", "rotation-age"),
		checktest.WithParams(map[string]any{"asOf": "2025-06-30T00:00:00Z"}))
}

func TestRotationAge(t *testing.T) {
	c := secrets.RotationAge()
	asOf := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	ago := func(days int) *metav1.Time { t := metav1.NewTime(asOf.AddDate(0, 0, -days)); return &t }
	entry := func(manager string, days int, fields string) metav1.ManagedFieldsEntry {
		e := metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, FieldsType: "FieldsV1",
			FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}
		if days >= 0 {
			e.Time = ago(days)
		}
		return e
	}
	secret := func(createdDaysAgo int, mf ...metav1.ManagedFieldsEntry) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "s", CreationTimestamp: *ago(createdDaysAgo),
			ManagedFields: mf}, Type: corev1.SecretTypeOpaque}
	}
	tests := []struct {
		name   string
		secret *corev1.Secret
		params map[string]any
		want   verdict
	}{
		{"young", secret(89), nil, pass("Secret shop/s", "created 89 days ago")},
		{"exactly the age", secret(90), nil, pass("Secret shop/s", "created 90 days ago")},
		{"old, no managed fields", secret(91), nil, notEvaluated("Secret shop/s", "it has no managedFields")},
		{"old, data written long ago", secret(400, entry("m", 100, `{"f:data":{}}`)), nil,
			fail("Secret shop/s", "metadata.managedFields[0]", "its data was last written 100 days ago at the latest (by m,")},
		{"the latest data owner decides", secret(400, entry("a", 300, `{"f:data":{}}`), entry("b", 100, `{"f:data":{},"f:metadata":{}}`)), nil,
			fail("Secret shop/s", "metadata.managedFields[1]", "last written 100 days ago at the latest (by b,")},
		{"a recent change of labels only says nothing of the data", secret(400, entry("a", 300, `{"f:data":{}}`), entry("l", 1, `{"f:metadata":{}}`)), nil,
			fail("Secret shop/s", "metadata.managedFields[0]", "by a,")},
		{"data rewritten recently by a data-only owner", secret(400, entry("a", 300, `{"f:data":{},"f:metadata":{}}`), entry("eso", 5, `{"f:data":{},"f:type":{}}`)), nil,
			pass("Secret shop/s", "its data was rewritten 5 days ago (by eso,")},
		{"recent, but other fields too", secret(400, entry("a", 5, `{"f:data":{},"f:metadata":{}}`)), nil,
			notEvaluated("Secret shop/s", "whether the data was rewritten is not known")},
		{"no owner of the data", secret(400, entry("l", 5, `{"f:metadata":{}}`)), nil,
			notEvaluated("Secret shop/s", "no managedFields entry owns its data")},
		{"an owner without a time", secret(400, entry("a", -1, `{"f:data":{}}`)), nil,
			notEvaluated("Secret shop/s", "which owns its data, has no time")},
		{"a longer rotation age", secret(200, entry("a", 200, `{"f:data":{}}`)), map[string]any{"maxAgeDays": 365},
			pass("Secret shop/s", "within the rotation age of 365 days")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := map[string]any{"asOf": asOf.Format(time.RFC3339)}
			for k, v := range tt.params {
				params[k] = v
			}
			assertVerdicts(t, c, run(t, c, clusterInventory(t, nil, tt.secret), params), []verdict{tt.want})
		})
	}
}

// A rotation age that is not positive, or an asOf that is not a time, is the check's error,
// not a verdict.
func TestRotationAgeBadParams(t *testing.T) {
	c := secrets.RotationAge()
	inv := clusterInventory(t, nil, &corev1.Secret{ObjectMeta: meta("shop", "s")})
	for _, params := range []map[string]any{{"maxAgeDays": 0}, {"asOf": "yesterday"}} {
		results := run(t, c, inv, params)
		if assert.Len(t, results, 1) {
			assert.Equal(t, check.StatusError, results[0].Status)
			assert.Contains(t, results[0].Message, "invalid parameter")
		}
	}
}
