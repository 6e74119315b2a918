// secrets:env-credentials inspects the env, envFrom, command and args of every container,
// init container and ephemeral container of every pod template. It passes when no literal
// credential is given to a container: none in env[].value, in the ConfigMap data that
// env[].valueFrom.configMapKeyRef and envFrom[].configMapRef read, or on its command line. A
// failure names each variable or flag, and the ConfigMap and key it comes from, and points at
// the first one; it never shows a value.
//
// A literal credential (see internal/credential) is:
//   - the value of a variable whose name says it holds a credential: its last word is
//     password, secret, token, credentials, ... or "key" after api, secret, access, private,
//     encryption, ... (DB_PASSWORD, clientSecret, AWS_SECRET_ACCESS_KEY); not PASSWORD_FILE,
//     TOKEN_URL, SECRET_NAME or AWS_ACCESS_KEY_ID, whose last word says what else they hold;
//   - whatever the name, a PEM private key, a URL whose user information has a password, a
//     connection string with a password, or a token in a format that says it is one (GitHub,
//     GitLab, Slack, Stripe live keys, Google API keys, npm, SendGrid, JSON Web Tokens);
//   - on the command line, --NAME=VALUE or --NAME VALUE judged as the variable NAME, and any
//     word for what it holds whatever its name.
//
// Values that are not credentials: empty or masked ones, references to other variables
// ($(VAR)) or to templates (${VAR}, {{ ... }}, <placeholder>), booleans, file paths, URLs
// without a password and names of Secret objects. A credential-named variable read from a
// ConfigMap the input does not hold (or, on a cluster, that could not be listed) fails on
// its name; a template that reads another such ConfigMap, and has nothing else wrong, is not
// evaluated, since the values it gives were not seen.

package secrets

import (
	"context"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/credential"
	"github.com/kspm-dev/kspm/internal/podverdict"
	"github.com/kspm-dev/kspm/inventory"
)

// EnvCredentials returns the check secrets:env-credentials: no credential is written into a
// container's environment or command line.
func EnvCredentials() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:env-credentials",
		Section: Section,
		Title:   "Containers are not given literal credentials",
		Description: "A credential written into a pod spec or a ConfigMap is readable by whoever can read " +
			"those, which is more people than can read Secrets, and it leaks through environment dumps, " +
			"process listings and the container runtime's inspect output. Inspects env, envFrom, command " +
			"and args of every container, init container and ephemeral container of every pod and workload " +
			"template. Passes when none holds a literal credential, in env[].value, in the ConfigMap data env " +
			"reads, or on the command line: the value of a variable or flag whose name says it holds a " +
			"credential (DB_PASSWORD, API_KEY, --client-secret; not PASSWORD_FILE or TOKEN_URL), a private " +
			"key, a URL or connection string with a password, a token in a known format. Empty and masked " +
			"values, $(VAR) references, placeholders, booleans, paths and URLs without a password are not " +
			"credentials. Values are never shown.",
		Severity: check.High,
		Remediation: "Move the credential into a Secret, mount that Secret as a file, and have the application " +
			"read it from there; then rotate the credential: it has been readable by everyone who can read " +
			"the pod spec or ConfigMap.",
		References: []string{refSecrets, refCIS + " 5.4.1"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    envCredentialsDeps,
	}, runEnvCredentials)
}

func runEnvCredentials(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	readsConfigMaps := false
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		var unseen []string
		configMaps := credential.InventoryConfigMaps(inv.From(t.Owner), t.Namespace())
		for c := range containers(t) {
			found, cms := credential.InEnv(c.env, c.envFrom, configMaps)
			found = append(found, credential.InArgs(c.command, c.args)...)
			for _, f := range found {
				offences = append(offences, podverdict.At(c.field(f.Field), c.String()+" "+f.Message))
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
			pass.NotEvaluated(t.Owner, "no literal credential in the environment or command line, but "+
				strings.Join(quoted, ", ")+what)
			continue
		}
		podverdict.Report(pass, t, offences, "no literal credential in the environment or command line")
	}
	// ConfigMaps are read beyond Meta.Kinds: the runner's rule for those, applied here.
	if reason := check.UnseenKinds(inv, inventory.KindConfigMap); readsConfigMaps && reason != "" {
		pass.NotEvaluated(nil, check.NotSeenMessage(reason))
	}
	return nil
}
