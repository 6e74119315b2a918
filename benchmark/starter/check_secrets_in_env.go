// kspm:secrets-in-env inspects the env and envFrom of every container, init container and
// ephemeral container of every pod template. It passes when no environment variable is taken
// from a Secret (no env[].valueFrom.secretKeyRef and no envFrom[].secretRef) and none holds a
// literal credential. A failure names each variable (or envFrom source) and its Secret or
// ConfigMap, and points at the first one; it never shows a value.
//
// A literal credential (see internal/credential) is, in env[].value or in the data of a
// ConfigMap that configMapKeyRef or envFrom reads:
//   - the value of a variable whose name says it holds a credential: its last word is
//     password, secret, token, credentials, ... or "key" after api, secret, access, private,
//     encryption, ... (DB_PASSWORD, clientSecret, AWS_SECRET_ACCESS_KEY); not PASSWORD_FILE,
//     TOKEN_URL, SECRET_NAME or AWS_ACCESS_KEY_ID, whose last word says what else they hold;
//   - whatever the name, a PEM private key, or a URL whose user information has a password.
//
// Values that are not credentials: empty ones, references to other variables ($(VAR)) or to
// templates (${VAR}, {{ ... }}, <placeholder>), booleans, file paths, URLs without a password
// and names of Secret objects. A credential-named variable read from a ConfigMap the input
// does not hold (or, on a cluster, that could not be listed) fails on its name; a template
// that reads another such ConfigMap, and has nothing else wrong, is not evaluated, since the
// values it gives were not seen.

package starter

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/credential"
	"github.com/kspm-dev/kspm/inventory"
)

// SecretsInEnv returns the check kspm:secrets-in-env: Secrets reach containers as files, not
// environment variables, and no credential is written into a container's environment.
func SecretsInEnv() check.Check {
	return check.New(check.Meta{
		ID:      "kspm:secrets-in-env",
		Section: Section,
		Title:   "Secrets and credentials are not passed in environment variables",
		Description: "Environment variables leak: into logs and crash reports, to child processes, " +
			"and through the container runtime's inspect output; a credential written into a pod " +
			"spec or a ConfigMap is also readable by whoever can read those. Inspects env and " +
			"envFrom of every container, init container and ephemeral container of every pod and " +
			"workload template. Passes when no variable is taken from a Secret (env[].valueFrom." +
			"secretKeyRef, envFrom[].secretRef) and none holds a literal credential, in env[].value " +
			"or in the ConfigMap data env reads: the value of a variable whose name says it holds a " +
			"credential (DB_PASSWORD, API_KEY, CLIENT_SECRET; not PASSWORD_FILE or TOKEN_URL), a " +
			"private key, a URL with a password. Empty values, $(VAR) references, placeholders, " +
			"booleans, paths and URLs without a password are not credentials. Values are never shown.",
		Severity: check.Low,
		Remediation: "Mount the Secret as a volume and have the application read the file, instead " +
			"of env[].valueFrom.secretKeyRef or envFrom[].secretRef. Move a credential written into " +
			"the pod spec or a ConfigMap into a Secret (and rotate it: it has been readable), then " +
			"mount that Secret as a file.",
		References: []string{refSecrets, refCIS + " 5.4.1"},
		Kinds:      slices.Clone(workloadKinds),
	}, runSecretsInEnv)
}

func runSecretsInEnv(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	reportUnseen(pass, workloadKinds...)
	readsConfigMaps := false
	for _, t := range inv.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []offence
		var unseen []string
		configMaps := credential.InventoryConfigMaps(inv.From(t.Owner), t.Namespace())
		for c := range containers(t) {
			for i, e := range c.env {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				ref := e.ValueFrom.SecretKeyRef
				offences = append(offences, offence{
					field:   c.field(fmt.Sprintf("env[%d].valueFrom.secretKeyRef", i)),
					message: fmt.Sprintf("%s sets %s from key %q of Secret %q", c, e.Name, ref.Key, ref.Name),
				})
			}
			for i, e := range c.envFrom {
				if e.SecretRef == nil {
					continue
				}
				msg := fmt.Sprintf("%s takes every key of Secret %q as environment variables", c, e.SecretRef.Name)
				if e.Prefix != "" {
					msg += fmt.Sprintf(" (prefix %q)", e.Prefix)
				}
				offences = append(offences, offence{c.field(fmt.Sprintf("envFrom[%d].secretRef", i)), msg})
			}
			found, cms := credential.InEnv(c.env, c.envFrom, configMaps)
			for _, f := range found {
				offences = append(offences, offence{c.field(f.Field), c.String() + " " + f.Message})
			}
			for _, name := range cms {
				if !slices.Contains(unseen, name) {
					unseen = append(unseen, name)
				}
			}
			readsConfigMaps = readsConfigMaps || slices.ContainsFunc(c.envFrom, func(e corev1.EnvFromSource) bool { return e.ConfigMapRef != nil }) ||
				slices.ContainsFunc(c.env, func(e corev1.EnvVar) bool { return e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil })
		}
		if len(offences) == 0 && len(unseen) > 0 {
			quoted := make([]string, len(unseen))
			for i, n := range unseen {
				quoted[i] = "ConfigMap " + strconv.Quote(n)
			}
			what := " was not seen: the environment it gives was not checked"
			if len(quoted) > 1 {
				what = " were not seen: the environment they give was not checked"
			}
			pass.NotEvaluated(t.Owner, "no environment variable comes from a Secret or holds a literal credential, but "+
				strings.Join(quoted, ", ")+what)
			continue
		}
		reportTemplate(pass, t, offences, "no environment variable comes from a Secret or holds a literal credential")
	}
	if readsConfigMaps {
		reportUnseen(pass, inventory.KindConfigMap)
	}
	return nil
}
