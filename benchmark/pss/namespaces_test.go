package pss

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

const (
	lEnforce        = "pod-security.kubernetes.io/enforce"
	lEnforceVersion = "pod-security.kubernetes.io/enforce-version"
	lAudit          = "pod-security.kubernetes.io/audit"
	lWarn           = "pod-security.kubernetes.io/warn"
)

// namespaceFixture is a small cluster: one namespace per labelling case, each with workloads.
func namespaceFixture() []runtime.Object {
	kata := baselineSpec()
	kata.RuntimeClassName = ptr("kata")
	return []runtime.Object{
		namespace("kube-system", nil),
		namespace("open", nil),
		namespace("priv", map[string]string{lEnforce: "privileged"}),
		namespace("base", map[string]string{lEnforce: "baseline"}),
		namespace("strict", map[string]string{lEnforce: "restricted", lEnforceVersion: "v1.24"}),
		namespace("typo", map[string]string{lEnforce: "restrcted"}),
		namespace("badver", map[string]string{lEnforce: "baseline", lEnforceVersion: "1.30"}),
		namespace("staged", map[string]string{lEnforce: "baseline", lAudit: "restricted", lWarn: "restricted"}),
		namespace("badaudit", map[string]string{lEnforce: "baseline", lAudit: "strict"}),

		pod("kube-system", "kube-proxy", privilegedSpec()),
		deployment("open", "anything", privilegedSpec()),
		deployment("priv", "agent", privilegedSpec()),
		deployment("base", "web", baselineSpec()),
		deployment("base", "miner", privilegedSpec()),
		deployment("base", "sandboxed", kata),
		pod("strict", "root", baselineSpec()),
		deployment("strict", "good", restrictedSpec()),
		deployment("typo", "web", baselineSpec()),
		deployment("badver", "web", baselineSpec()),
		deployment("staged", "web", baselineSpec()),
		deployment("badaudit", "web", baselineSpec()),
		deployment("ghost", "web", baselineSpec()),
	}
}

func namespaceChecks(t *testing.T, opts ...Option) map[string]check.Check {
	t.Helper()
	b, err := Namespaces(opts...)
	require.NoError(t, err)
	require.NoError(t, b.Validate())
	assert.Equal(t, "pss-namespaces", b.Name)
	out := map[string]check.Check{}
	for _, c := range b.Checks {
		out[c.Meta().ID] = c
	}
	require.Len(t, out, 4)
	return out
}

func statuses(got map[string]outcome) map[string]check.Status {
	out := map[string]check.Status{}
	for k, v := range got {
		out[k] = v.status
	}
	return out
}

func TestNamespaceEnforceLabel(t *testing.T) {
	inv := newInventory(t, namespaceFixture()...)
	c := namespaceChecks(t)[NamespaceEnforceLabelID]
	got := runCheck(t, inv, c)
	assert.Equal(t, map[string]check.Status{
		"Namespace kube-system": check.StatusNotApplicable,
		"Namespace open":        check.StatusFail,
		"Namespace priv":        check.StatusFail,
		"Namespace base":        check.StatusPass,
		"Namespace strict":      check.StatusPass,
		"Namespace typo":        check.StatusFail,
		"Namespace badver":      check.StatusFail,
		"Namespace staged":      check.StatusPass,
		"Namespace badaudit":    check.StatusPass,
	}, statuses(got))
	assert.Equal(t, `no pod-security.kubernetes.io/enforce label and the cluster default enforces "privileged:latest": any pod is admitted`,
		got["Namespace open"].message)
	assert.Equal(t, "metadata.labels[pod-security.kubernetes.io/enforce]", got["Namespace priv"].field)
	assert.Contains(t, got["Namespace typo"].message, `label pod-security.kubernetes.io/enforce="restrcted" is invalid`)
	assert.Contains(t, got["Namespace typo"].message, `falls back to enforcing "restricted:latest"`)
	assert.Equal(t, "metadata.labels[pod-security.kubernetes.io/enforce-version]", got["Namespace badver"].field)
	assert.Equal(t, `enforces "restricted:v1.24"`, got["Namespace strict"].message)

	t.Run("options", func(t *testing.T) {
		c := namespaceChecks(t,
			WithExemptNamespaces("priv"),
			WithAdmissionDefaults("baseline", "", ""),
			WithAdmissionExemptions([]string{"base"}, nil),
		)[NamespaceEnforceLabelID]
		got := runCheck(t, inv, c)
		assert.Equal(t, check.StatusPass, got["Namespace kube-system"].status, "no longer skipped; the baseline default applies")
		assert.Equal(t, check.StatusNotApplicable, got["Namespace priv"].status)
		assert.Equal(t, check.StatusPass, got["Namespace open"].status)
		assert.Equal(t, `no pod-security.kubernetes.io/enforce label; the cluster default "baseline:latest" is enforced`,
			got["Namespace open"].message)
		assert.Equal(t, check.StatusFail, got["Namespace base"].status, "exempt from admission: nothing enforced")
	})
}

func TestNamespaceViolations(t *testing.T) {
	inv := newInventory(t, namespaceFixture()...)
	checks := namespaceChecks(t, WithAdmissionExemptions(nil, []string{"kata"}))

	enforce := runCheck(t, inv, checks[NamespaceViolationsID])
	assert.Equal(t, map[string]check.Status{
		"Pod kube-system/kube-proxy": check.StatusNotApplicable,
		"Deployment open/anything":   check.StatusNotApplicable,
		"Deployment priv/agent":      check.StatusNotApplicable,
		"Deployment base/web":        check.StatusPass,
		"Deployment base/miner":      check.StatusFail,
		"Deployment base/sandboxed":  check.StatusNotApplicable,
		"Pod strict/root":            check.StatusFail,
		"Deployment strict/good":     check.StatusPass,
		"Deployment typo/web":        check.StatusFail, // an invalid level enforces restricted
		"Deployment badver/web":      check.StatusPass, // an invalid version means latest
		"Deployment staged/web":      check.StatusPass,
		"Deployment badaudit/web":    check.StatusPass,
		"Deployment ghost/web":       check.StatusNotEvaluated,
	}, statuses(enforce))
	assert.Equal(t, `violates PodSecurity "baseline:latest" (enforce policy of namespace "base"), so admission would reject the pods this Deployment creates: privileged (container "app" must not set securityContext.privileged=true)`,
		enforce["Deployment base/miner"].message)
	assert.Equal(t, "spec.template.spec.containers[0].securityContext.privileged", enforce["Deployment base/miner"].field)
	assert.Contains(t, enforce["Pod strict/root"].message, `violates PodSecurity "restricted:v1.24"`)
	assert.Contains(t, enforce["Pod strict/root"].message, "admission would reject this pod if it were created again")
	assert.Contains(t, enforce["Pod strict/root"].message, "runAsNonRoot != true")
	assert.Contains(t, enforce["Deployment typo/web"].message, `"restricted:latest"`)
	assert.Contains(t, enforce["Deployment typo/web"].message, "[invalid labels")
	assert.Contains(t, enforce["Deployment ghost/web"].message, `namespace "ghost" is not in the inventory`)
	assert.Contains(t, enforce["Deployment base/sandboxed"].message, `runtime class "kata" is exempt`)

	audit := runCheck(t, inv, checks[NamespaceAuditViolationsID])
	assert.Equal(t, check.StatusFail, audit["Deployment staged/web"].status)
	assert.Contains(t, audit["Deployment staged/web"].message, "admission records an audit violation for it")
	assert.Equal(t, check.StatusNotApplicable, audit["Deployment base/miner"].status, "no audit label: privileged")
	assert.Equal(t, check.StatusNotApplicable, audit["Deployment badaudit/web"].status, "an invalid audit level fails open")
	assert.Equal(t, check.StatusNotEvaluated, audit["Deployment ghost/web"].status)

	warn := runCheck(t, inv, checks[NamespaceWarnViolationsID])
	assert.Equal(t, check.StatusFail, warn["Deployment staged/web"].status)
	assert.Equal(t, check.StatusFail, warn["Deployment base/miner"].status, "warn defaults to a stricter enforce level")
	assert.Equal(t, check.StatusFail, warn["Pod strict/root"].status)
	assert.Contains(t, warn["Pod strict/root"].message, `"restricted:v1.24"`, "with the enforce version too")
	assert.Equal(t, check.StatusPass, warn["Deployment base/web"].status)

	sev := map[string]check.Severity{}
	for id, c := range checks {
		sev[id] = c.Meta().Severity
	}
	assert.Equal(t, check.High, sev[NamespaceViolationsID])
	assert.Equal(t, check.Medium, sev[NamespaceAuditViolationsID])
	assert.Equal(t, check.Low, sev[NamespaceWarnViolationsID])
}

func TestNamespaceViolationsWithoutNamespaces(t *testing.T) {
	// Manifests holding workloads but no Namespace objects: every workload is notEvaluated.
	inv := newInventory(t, deployment("shop", "web", privilegedSpec()), pod("", "loose", baselineSpec()))
	require.Equal(t, inventory.Absent, inv.Coverage(inventory.KindNamespace).State)
	for _, id := range []string{NamespaceViolationsID, NamespaceAuditViolationsID, NamespaceWarnViolationsID} {
		t.Run(id, func(t *testing.T) {
			got := runCheck(t, inv, namespaceChecks(t)[id])
			require.Len(t, got, 2)
			web := got["Deployment shop/web"]
			assert.Equal(t, check.StatusNotEvaluated, web.status)
			assert.Contains(t, web.message, `namespace "shop" is not in the inventory`)
			assert.Contains(t, web.message, "namespaces absent")
			assert.Equal(t, check.StatusNotEvaluated, got["Pod loose"].status)
			assert.Contains(t, got["Pod loose"].message, "sets no namespace")
		})
	}
}

func TestNamespaceOptionsValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  Option
	}{
		{"bad default level", WithAdmissionDefaults("strict", "", "")},
		{"bad default version", WithAdmissionDefaults("", "baseline:v2", "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Namespaces(tt.opt)
			assert.Error(t, err)
		})
	}
	c := namespaceChecks(t, WithAdmissionDefaults("baseline:v1.30", "restricted", ""))[NamespaceViolationsID]
	inv := newInventory(t, namespace("open", nil), deployment("open", "miner", privilegedSpec()),
		deployment("open", "web", baselineSpec()))
	got := runCheck(t, inv, c)
	assert.Equal(t, check.StatusFail, got["Deployment open/miner"].status)
	assert.Contains(t, got["Deployment open/miner"].message, `"baseline:v1.30"`)
	assert.Equal(t, check.StatusPass, got["Deployment open/web"].status)
}
