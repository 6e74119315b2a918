package nodefs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm/internal/nodefs"
)

func TestSecretsProviders(t *testing.T) {
	entry := func(providers []string, resources ...string) nodefs.EncryptedResource {
		return nodefs.EncryptedResource{Resources: resources, Providers: providers}
	}
	tests := []struct {
		name      string
		entries   []nodefs.EncryptedResource
		want      []string
		resource  string
		wantError string
	}{
		{"no entry", nil, nil, "", ""},
		{"another resource only", []nodefs.EncryptedResource{entry([]string{"aescbc"}, "configmaps")}, nil, "", ""},
		{"secrets", []nodefs.EncryptedResource{entry([]string{"aescbc", "identity"}, "configmaps", "secrets")}, []string{"aescbc", "identity"}, "secrets", ""},
		{"secrets. is the core group too", []nodefs.EncryptedResource{entry([]string{"kms"}, "secrets.")}, []string{"kms"}, "secrets.", ""},
		{"core wildcard", []nodefs.EncryptedResource{entry([]string{"secretbox"}, "*.")}, []string{"secretbox"}, "*.", ""},
		{"any wildcard", []nodefs.EncryptedResource{entry([]string{"aesgcm"}, "*.*")}, []string{"aesgcm"}, "*.*", ""},
		{"another group's wildcard does not cover secrets", []nodefs.EncryptedResource{entry([]string{"aescbc"}, "*.apps")}, nil, "", ""},
		{"exact wins over wildcards after it", []nodefs.EncryptedResource{entry([]string{"identity"}, "secrets"), entry([]string{"aescbc"}, "*.*")},
			[]string{"identity"}, "secrets", ""},
		{"entries for secrets add up, in order", []nodefs.EncryptedResource{entry([]string{"kms"}, "secrets"), entry([]string{"identity"}, "secrets")},
			[]string{"kms", "identity"}, "secrets", ""},
		{"masked by an earlier wildcard", []nodefs.EncryptedResource{entry([]string{"aescbc"}, "*.*"), entry([]string{"identity"}, "secrets")},
			nil, "", `resources[1]: "secrets" is masked by the earlier "*.*"`},
		{"masked by the core wildcard", []nodefs.EncryptedResource{entry([]string{"aescbc"}, "*."), entry([]string{"identity"}, "secrets")},
			nil, "", `resources[1]: "secrets" is masked by the earlier "*."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, resource, err := (&nodefs.Encryption{Resources: tt.entries}).SecretsProviders()
			if tt.wantError != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantError)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.resource, resource)
		})
	}
}

func TestEncryptionFromMap(t *testing.T) {
	e, err := nodefs.EncryptionFromMap(map[string]any{"path": "/e", "resources": []any{
		map[string]any{"resources": []any{"secrets"}, "providers": []any{"aescbc", "identity"}}}})
	require.NoError(t, err)
	assert.Equal(t, &nodefs.Encryption{Path: "/e", Resources: []nodefs.EncryptedResource{
		{Resources: []string{"secrets"}, Providers: []string{"aescbc", "identity"}}}}, e)
	_, err = nodefs.EncryptionFromMap(map[string]any{"resources": "not a list"})
	assert.Error(t, err)
}
