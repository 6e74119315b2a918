package nodefs

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// EncryptionFromMap reads an Encryption from its form in a NodeFiles object's spec
// (spec.encryption, as runtime.DefaultUnstructuredConverter wrote it).
func EncryptionFromMap(m map[string]any) (*Encryption, error) {
	var e Encryption
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &e); err != nil {
		return nil, fmt.Errorf("encryption: %w", err)
	}
	return &e, nil
}

// SecretsProviders returns the providers the API server uses for Secrets under the
// configuration, in the order it tries them (the first encrypts what it writes, all decrypt),
// and the resource of the entry they come from ("secrets", "*." or "*.*"), resolved as the API
// server resolves them: every entry naming a group and resource adds its providers to that
// resource's list, an exact entry for secrets wins over "*." (every resource of the core
// group), which wins over "*.*"; an entry masked by an earlier wildcard makes the API server
// refuse the whole configuration, an error here. No providers and no error: no entry covers
// Secrets, and they are stored as they are (identity).
func (e *Encryption) SecretsProviders() (providers []string, resource string, err error) {
	byResource := make(map[schema.GroupResource][]string)
	spelled := make(map[schema.GroupResource]string)
	anyAny := schema.GroupResource{Group: "*", Resource: "*"}
	for i, entry := range e.Resources {
		for _, r := range entry.Resources {
			gr := schema.ParseGroupResource(r)
			for _, mask := range []schema.GroupResource{{Group: gr.Group, Resource: "*"}, anyAny} {
				if _, masked := byResource[mask]; masked {
					return nil, "", fmt.Errorf("resources[%d]: %q is masked by the earlier %q, so the API server refuses the configuration",
						i, r, spelled[mask])
				}
			}
			byResource[gr] = append(byResource[gr], entry.Providers...)
			if _, ok := spelled[gr]; !ok {
				spelled[gr] = r
			}
		}
	}
	for _, gr := range []schema.GroupResource{{Resource: "secrets"}, {Resource: "*"}, anyAny} {
		if p, ok := byResource[gr]; ok {
			return p, strings.TrimSpace(spelled[gr]), nil
		}
	}
	return nil, "", nil
}

// EncryptionConfigFlag returns the --encryption-provider-config that kube-apiserver pod runs
// with: its value when set, "" when it is not set (no encryption: Secrets are stored as they
// are), and known false when the pod does not tell (no container runs kube-apiserver by name,
// the value comes from a reference, or words whose value is not visible may set it).
func EncryptionConfigFlag(pod *corev1.Pod) (value string, known bool) {
	v, state := componentFlag(pod, "kube-apiserver", "encryption-provider-config", "")
	return v, state != flagUnknown
}
