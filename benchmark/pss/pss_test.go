package pss

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kspm-dev/kspm/benchmark"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

func checkIDs(b benchmark.Benchmark) []string {
	ids := make([]string, len(b.Checks))
	for i, c := range b.Checks {
		ids[i] = c.Meta().ID
	}
	return ids
}

// TestControlsDescribeEveryUpstreamCheck lints the bundled metadata: every upstream default
// check has a control with a title, description, remediation and valid severity, and no
// control describes a check upstream does not have.
func TestControlsDescribeEveryUpstreamCheck(t *testing.T) {
	upstream := map[policy.CheckID]bool{}
	for _, c := range policy.DefaultChecks() {
		upstream[c.ID] = true
		t.Run(string(c.ID), func(t *testing.T) {
			ctl, ok := controls[c.ID]
			require.True(t, ok, "no control for upstream check %s", c.ID)
			assert.NotEmpty(t, ctl.title)
			assert.True(t, strings.HasSuffix(ctl.description, "."), "description ends a sentence")
			assert.True(t, strings.HasSuffix(ctl.remediation, "."), "remediation ends a sentence")
			assert.True(t, ctl.severity.Valid())
		})
	}
	assert.Len(t, upstream, 19, "k8s.io/pod-security-admission v0.37.2 has 19 default checks")
	for id := range controls {
		assert.True(t, upstream[id], "control %s describes no upstream check", id)
	}
}

func TestBenchmarksValidateAtEveryVersion(t *testing.T) {
	versions := []string{"latest", "v1.99"}
	for minor := 0; minor <= rules().newest.Minor(); minor++ {
		versions = append(versions, fmt.Sprintf("v1.%d", minor))
	}
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			for _, mk := range []func(...Option) (benchmark.Benchmark, error){Baseline, Restricted} {
				b, err := mk(WithVersion(v))
				require.NoError(t, err)
				require.NoError(t, b.Validate())
				for _, c := range b.Checks {
					m := c.Meta()
					assert.True(t, strings.HasPrefix(m.ID, IDPrefix), m.ID)
					assert.Contains(t, []string{"baseline", "restricted"}, m.Level)
					assert.NotEmpty(t, m.References)
				}
			}
		})
	}
}

func TestCheckSelectionPerVersion(t *testing.T) {
	tests := []struct {
		name, level, version string
		want                 []string // IDs without the prefix, in order
	}{
		{
			name: "baseline v1.0", level: "baseline", version: "v1.0",
			want: []string{"appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes",
				"hostPorts", "privileged", "procMount", "seLinuxOptions", "seccompProfile_baseline", "sysctls",
				"windowsHostProcess"},
		},
		{
			name: "baseline latest adds hostProbesAndHostLifecycle", level: "baseline", version: "latest",
			want: []string{"appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPathVolumes",
				"hostPorts", "hostProbesAndHostLifecycle", "privileged", "procMount", "seLinuxOptions",
				"seccompProfile_baseline", "sysctls", "windowsHostProcess"},
		},
		{
			// At v1.0 restricted replaces only hostPathVolumes; seccomp and capabilities have
			// no restricted form yet, runAsUser does not exist yet.
			name: "restricted v1.0", level: "restricted", version: "v1.0",
			want: []string{"appArmorProfile", "capabilities_baseline", "hostNamespaces", "hostPorts",
				"privileged", "procMount", "seLinuxOptions", "seccompProfile_baseline", "sysctls",
				"windowsHostProcess", "restrictedVolumes", "runAsNonRoot"},
		},
		{
			name: "restricted v1.24", level: "restricted", version: "v1.24",
			want: []string{"appArmorProfile", "hostNamespaces", "hostPorts", "privileged", "procMount",
				"seLinuxOptions", "sysctls", "windowsHostProcess", "allowPrivilegeEscalation",
				"capabilities_restricted", "restrictedVolumes", "runAsNonRoot", "runAsUser",
				"seccompProfile_restricted"},
		},
		{
			// From v1.35 procMount_restricted replaces the baseline procMount check.
			name: "restricted latest", level: "restricted", version: "latest",
			want: []string{"appArmorProfile", "hostNamespaces", "hostPorts", "hostProbesAndHostLifecycle",
				"privileged", "seLinuxOptions", "sysctls", "windowsHostProcess", "allowPrivilegeEscalation",
				"capabilities_restricted", "procMount_restricted", "restrictedVolumes", "runAsNonRoot",
				"runAsUser", "seccompProfile_restricted"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks, err := Checks(tt.level, tt.version)
			require.NoError(t, err)
			var got []string
			for _, c := range checks {
				got = append(got, strings.TrimPrefix(c.Meta().ID, IDPrefix))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestBenchmarkNamesAndVersions(t *testing.T) {
	b, err := Baseline()
	require.NoError(t, err)
	assert.Equal(t, "pss-baseline", b.Name)
	assert.Contains(t, b.Title, "latest = v1.37")

	r, err := Restricted(WithVersion("v1.24"))
	require.NoError(t, err)
	assert.Equal(t, "pss-restricted", r.Name)
	assert.Contains(t, r.Title, "v1.24")
	assert.Contains(t, checkIDs(r), "pss:runAsNonRoot")

	future, err := Restricted(WithVersion("v1.99"))
	require.NoError(t, err)
	assert.Contains(t, future.Title, "v1.99, evaluated as v1.37")
	latest, err := Restricted()
	require.NoError(t, err)
	assert.Equal(t, checkIDs(latest), checkIDs(future))

	for _, bad := range []string{"1.24", "v2.0", "v1.x", "newest", "v1.024"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			_, err := Restricted(WithVersion(bad))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidVersion), "%v", err)
			assert.Contains(t, err.Error(), bad)
		})
	}
	_, err = Checks("privileged", "latest")
	assert.ErrorIs(t, err, ErrInvalidLevel)
	_, err = Checks("strict", "latest")
	assert.ErrorIs(t, err, ErrInvalidLevel)
}

func TestPodControlsReportOnOwners(t *testing.T) {
	webSpec := privilegedSpec()
	webSpec.InitContainers = []corev1.Container{{Name: "init", Image: "init"}}
	webSpec.InitContainers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
	webSpec.Containers[0].SecurityContext = nil
	dbgSpec := baselineSpec()
	dbgSpec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Image: "busybox", SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)}}}}
	owned := pod("shop", "web-abc", *webSpec.DeepCopy()) // runs its template: the Deployment stands for it
	owned.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Controller: ptr(true)}}
	inv := newInventory(t,
		deployment("shop", "web", webSpec),
		owned,
		pod("shop", "debugged", dbgSpec),
		pod("shop", "plain", baselineSpec()),
	)
	checks, err := Checks("baseline", "latest")
	require.NoError(t, err)
	var priv check.Check
	for _, c := range checks {
		if c.Meta().ID == "pss:privileged" {
			priv = c
		}
	}
	require.NotNil(t, priv)
	got := runCheck(t, inv, priv)
	assert.Equal(t, map[string]outcome{
		"Deployment shop/web": {check.StatusFail, "spec.template.spec.initContainers[0].securityContext.privileged",
			`privileged: container "init" must not set securityContext.privileged=true`},
		"Pod shop/debugged": {check.StatusFail, "spec.ephemeralContainers[0].securityContext.privileged",
			`privileged: container "debug" must not set securityContext.privileged=true`},
		"Pod shop/plain": {check.StatusPass, "spec", `allowed by PodSecurity "baseline:latest"`},
	}, got, "the Deployment's pod is reported through the Deployment")
}

func TestFieldLocation(t *testing.T) {
	base := func(mut func(*corev1.PodSpec)) *corev1.PodSpec {
		s := restrictedSpec()
		s.InitContainers = []corev1.Container{{Name: "init", Image: "init", SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}}
		mut(&s)
		return &s
	}
	tests := []struct {
		name  string
		id    policy.CheckID
		spec  *corev1.PodSpec
		meta  metav1.ObjectMeta
		field string
	}{
		{"host network", "hostNamespaces", base(func(s *corev1.PodSpec) { s.HostPID = true }), metav1.ObjectMeta{}, "spec.template.spec.hostPID"},
		{"hostPath volume", "restrictedVolumes", base(func(s *corev1.PodSpec) {
			s.Volumes = []corev1.Volume{{Name: "cfg", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		}), metav1.ObjectMeta{}, "spec.template.spec.volumes[1]"},
		{"pod-level runAsNonRoot=false", "runAsNonRoot", base(func(s *corev1.PodSpec) {
			s.SecurityContext.RunAsNonRoot = ptr(false)
		}), metav1.ObjectMeta{}, "spec.template.spec.securityContext.runAsNonRoot"},
		{"second container drops nothing", "capabilities_restricted", base(func(s *corev1.PodSpec) {
			s.Containers = append(s.Containers, corev1.Container{Name: "side", Image: "side",
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false)}})
		}), metav1.ObjectMeta{}, "spec.template.spec.containers[1].securityContext.capabilities"},
		{"init container escalates", "allowPrivilegeEscalation", base(func(s *corev1.PodSpec) {
			s.InitContainers[0].SecurityContext.AllowPrivilegeEscalation = nil
		}), metav1.ObjectMeta{}, "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation"},
		{"sysctls", "sysctls", base(func(s *corev1.PodSpec) {
			s.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "kernel.msgmax", Value: "1"}}
		}), metav1.ObjectMeta{}, "spec.template.spec.securityContext.sysctls"},
		{"unconfined AppArmor annotation", "appArmorProfile", base(func(*corev1.PodSpec) {}),
			metav1.ObjectMeta{Annotations: map[string]string{"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
			"spec.template.metadata.annotations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r rule
			for _, c := range rules().rulesFor(api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}, nil) {
				if c.id == tt.id {
					r = c
				}
			}
			require.NotNil(t, r.fn, "check %s in force", tt.id)
			v, failed := r.evaluate(&tt.meta, tt.spec, "spec.template.spec")
			require.True(t, failed, "the spec must fail %s", tt.id)
			assert.Equal(t, tt.field, v.field, v.message())
		})
	}
}

func TestVolumeWithoutSourceIsEmptyDir(t *testing.T) {
	spec := restrictedSpec()
	spec.Volumes = []corev1.Volume{{Name: "scratch"}, {Name: "nfs", VolumeSource: corev1.VolumeSource{
		NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "/"}}}, {Name: "tmp"}}
	d := deployment("shop", "web", spec)
	inv := newInventory(t, d)
	checks, err := Checks("restricted", "latest")
	require.NoError(t, err)
	for _, c := range checks {
		if c.Meta().ID != "pss:restrictedVolumes" {
			continue
		}
		got := runCheck(t, inv, c)["Deployment shop/web"]
		assert.Equal(t, check.StatusFail, got.status)
		assert.Equal(t, `restricted volume types: volume "nfs" uses restricted volume type "nfs"`, got.message,
			"volumes with no source are emptyDirs, not unknown types")
		assert.Equal(t, "spec.template.spec.volumes[1]", got.field)
	}
	assert.Nil(t, d.Spec.Template.Spec.Volumes[0].EmptyDir, "the inventory's object is not modified")
}

func TestBlindSpotsAndEmptyInventory(t *testing.T) {
	checks, err := Checks("baseline", "latest")
	require.NoError(t, err)
	c := checks[0]

	empty := newInventory(t)
	assert.Equal(t, map[string]outcome{"": {check.StatusNotApplicable, "", "no pods or workload pod templates in the inventory"}},
		runCheck(t, empty, c))

	b := inventory.NewBuilder(inventory.ModeCluster)
	require.NoError(t, b.Add(deployment("shop", "web", baselineSpec()), inventory.Source{}))
	b.SetCoverage(inventory.Coverage{Group: "apps", Kind: "Deployment", State: inventory.Listed})
	b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Forbidden, Reason: "pods is forbidden"})
	got := runCheck(t, b.Build(), c)
	assert.Equal(t, check.StatusPass, got["Deployment shop/web"].status)
	assert.Equal(t, check.StatusNotEvaluated, got[""].status)
	assert.Contains(t, got[""].message, "Pod forbidden (pods is forbidden)")

	// Nothing loaded, but Pods could not be read: not evaluated, and not also "no pods".
	b = inventory.NewBuilder(inventory.ModeCluster)
	b.SetCoverage(inventory.Coverage{Kind: "Pod", State: inventory.Forbidden, Reason: "pods is forbidden"})
	got = runCheck(t, b.Build(), c)
	require.Len(t, got, 1)
	assert.Equal(t, check.StatusNotEvaluated, got[""].status)
	assert.Contains(t, got[""].message, "some workloads could not be read, so they were not evaluated: Pod forbidden (pods is forbidden)")
}
