// secrets:secrets-in-env inspects the env and envFrom of every container, init container and
// ephemeral container of every pod template. It passes when no environment variable is taken
// from a Secret: no env[].valueFrom.secretKeyRef and no envFrom[].secretRef, so that Secrets
// reach the containers as files (a secret volume, or a projected volume's secret source). A
// failure names each variable (or envFrom source) and its Secret and key, and points at the
// first one; it never shows a value.

package secrets

import (
	"context"
	"fmt"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// SecretsInEnv returns the check secrets:secrets-in-env: Secrets reach containers as files,
// not environment variables.
func SecretsInEnv() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:secrets-in-env",
		Section: Section,
		Title:   "Secrets are mounted as files, not passed in environment variables",
		Description: "Environment variables leak: into logs and crash reports, to child processes, and " +
			"through the container runtime's inspect output; they cannot be updated without a restart. " +
			"Inspects env and envFrom of every container, init container and ephemeral container of every " +
			"pod and workload template. Passes when no variable is taken from a Secret (env[].valueFrom." +
			"secretKeyRef, envFrom[].secretRef).",
		Severity: check.Low,
		Remediation: "Mount the Secret as a volume (secret, or a projected volume's secret source) and have " +
			"the application read the file, instead of env[].valueFrom.secretKeyRef or envFrom[].secretRef.",
		References: []string{refSecrets, refCIS + " 5.4.1"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runSecretsInEnv)
}

func runSecretsInEnv(ctx context.Context, pass *check.Pass) error {
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		for c := range containers(t) {
			for i, e := range c.env {
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				ref := e.ValueFrom.SecretKeyRef
				offences = append(offences, podverdict.At(
					c.field(fmt.Sprintf("env[%d].valueFrom.secretKeyRef", i)),
					fmt.Sprintf("%s sets %s from key %q of Secret %q", c, e.Name, ref.Key, ref.Name),
				))
			}
			for i, e := range c.envFrom {
				if e.SecretRef == nil {
					continue
				}
				msg := fmt.Sprintf("%s takes every key of Secret %q as environment variables", c, e.SecretRef.Name)
				if e.Prefix != "" {
					msg += fmt.Sprintf(" (prefix %q)", e.Prefix)
				}
				offences = append(offences, podverdict.At(c.field(fmt.Sprintf("envFrom[%d].secretRef", i)), msg))
			}
		}
		podverdict.Report(pass, t, offences, "no environment variable comes from a Secret")
	}
	return nil
}
