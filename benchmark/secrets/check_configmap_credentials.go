// secrets:configmap-credentials inspects the data and binaryData of every ConfigMap, whether
// or not a pod reads it. It passes when no key holds a literal credential (see
// internal/credential): a key named like a credential with a literal value (DB_PASSWORD:
// hunter2), a private key, a URL or connection string with a password, a token in a known
// format, or, in a key holding a configuration file (YAML, JSON, properties, INI, TOML, .env),
// a line that assigns a literal value to a credential-named key (password: hunter2,
// spring.datasource.password=hunter2, "clientSecret": "..."). A failure names each key, and
// the line and assigned key within a file, and points at the first key; it never shows a value.

package secrets

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/credential"
	"github.com/kspm-dev/kspm/inventory"
)

// ConfigMapCredentials returns the check secrets:configmap-credentials: no ConfigMap holds a
// credential.
func ConfigMapCredentials() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:configmap-credentials",
		Section: Section,
		Title:   "ConfigMaps hold no credentials",
		Description: "ConfigMaps are meant for configuration that is not secret: RBAC roles that read them are " +
			"handed out freely, they are not encrypted at rest, and they are printed by kubectl describe. " +
			"Inspects the data and binaryData of every ConfigMap. Passes when no key holds a literal credential: " +
			"a credential-named key with a literal value, a private key, a URL or connection string with a " +
			"password, a token in a known format, or a line of a configuration file that assigns a literal " +
			"value to a credential-named key. Values are never shown.",
		Severity: check.High,
		Remediation: "Move the credential into a Secret and mount it as a file (a configuration file can keep a " +
			"placeholder, or read the credential from a second file); then rotate the credential: it has been " +
			"readable by everyone who can read the ConfigMap.",
		References: []string{refSecrets, refConfigMaps},
		Kinds:      []schema.GroupKind{inventory.KindConfigMap},
		Depends:    configMapDeps,
	}, func(ctx context.Context, pass *check.Pass) error {
		for i, o := range pass.Objects(inventory.KindConfigMap) {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			cm, ok := o.Object().(*corev1.ConfigMap)
			if !ok {
				continue
			}
			found := credential.InConfigMap(cm.Data, cm.BinaryData)
			if len(found) == 0 {
				pass.Pass(o, "no key holds a literal credential")
				continue
			}
			msgs := make([]string, len(found))
			for i, f := range found {
				msgs[i] = f.Message
			}
			pass.Fail(o, found[0].Field, strings.Join(msgs, "; "))
		}
		return nil
	})
}
