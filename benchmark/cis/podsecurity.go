package cis

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/credential"
	"github.com/kspm-dev/kspm/inventory"
)

// podSecurityControls are 5.2.2 to 5.2.12, 5.4.1, 5.6.2 and 5.6.3: rules over each pod
// specification. 5.2.1 (an admission policy per namespace) is in namespaces.go.
func podSecurityControls() []control {
	pcs := []podControl{
		{id: "5.2.2", title: "Minimize privileged containers", level: l1, severity: check.Critical,
			what: "passes when no container sets securityContext.privileged: true",
			fix:  "Remove privileged: true from the containers' securityContext; grant only the specific capabilities needed.",
			rule: eachContainer(func(_ *corev1.PodSpec, c containerRef) *problem {
				if sc := c.c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged {
					return &problem{field: c.field + ".securityContext.privileged", msg: c.name() + " is privileged"}
				}
				return nil
			})},
		{id: "5.2.3", title: "Minimize pods sharing the host PID namespace", level: l1, severity: check.High,
			what: "passes when hostPID is unset or false",
			fix:  "Remove hostPID: true from the pod spec.",
			rule: hostNamespace("hostPID", func(s *corev1.PodSpec) bool { return s.HostPID })},
		{id: "5.2.4", title: "Minimize pods sharing the host IPC namespace", level: l1, severity: check.High,
			what: "passes when hostIPC is unset or false",
			fix:  "Remove hostIPC: true from the pod spec.",
			rule: hostNamespace("hostIPC", func(s *corev1.PodSpec) bool { return s.HostIPC })},
		{id: "5.2.5", title: "Minimize pods using the host network", level: l1, severity: check.High,
			what: "passes when hostNetwork is unset or false",
			fix:  "Remove hostNetwork: true from the pod spec; expose the pod through a Service instead.",
			rule: hostNamespace("hostNetwork", func(s *corev1.PodSpec) bool { return s.HostNetwork })},
		{id: "5.2.6", title: "Minimize containers allowing privilege escalation", level: l1, severity: check.High,
			what: "fails when a container sets securityContext.allowPrivilegeEscalation: true (unset passes, as the " +
				"control's audit reads it; Pod Security 'restricted' further requires false)",
			fix: "Set allowPrivilegeEscalation: false in every container's securityContext.",
			rule: eachContainer(func(_ *corev1.PodSpec, c containerRef) *problem {
				if sc := c.c.SecurityContext; sc != nil && sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation {
					return &problem{field: c.field + ".securityContext.allowPrivilegeEscalation", msg: c.name() + " allows privilege escalation"}
				}
				return nil
			})},
		{id: "5.2.7", title: "Minimize containers running as root", level: l2, severity: check.Medium,
			what: "passes when every container runs with runAsNonRoot: true or a non-zero runAsUser (pod or container " +
				"level, the container's setting winning) and none runs as UID 0",
			fix:  "Set runAsNonRoot: true (and a non-zero runAsUser when the image has no numeric non-root user) in the pod's securityContext.",
			rule: eachContainer(runsAsRoot)},
		{id: "5.2.8", title: "Minimize containers with the NET_RAW capability", level: l1, severity: check.Medium,
			what: "passes when no container adds NET_RAW (or ALL) and every container drops NET_RAW or ALL " +
				"(container runtimes grant NET_RAW by default)",
			fix:  "Add capabilities.drop: [ALL] (or [NET_RAW]) to every container's securityContext and do not add NET_RAW.",
			rule: eachContainer(netRaw)},
		{id: "5.2.9", title: "Minimize containers with added capabilities", level: l1, severity: check.Medium,
			what: "passes when every container drops ALL capabilities and adds none beyond NET_BIND_SERVICE (Pod Security 'restricted')",
			fix:  "Set capabilities.drop: [ALL] in every container and add back only NET_BIND_SERVICE where needed.",
			rule: eachContainer(addedCapabilities)},
		{id: "5.2.10", title: "Minimize Windows HostProcess containers", level: l1, severity: check.High,
			what: "passes when no pod or container sets windowsOptions.hostProcess: true",
			fix:  "Remove windowsOptions.hostProcess: true from the pod and container security contexts.",
			rule: hostProcess},
		{id: "5.2.11", title: "Minimize HostPath volumes", level: l1, severity: check.High,
			what: "passes when the pod has no hostPath volume",
			fix:  "Replace hostPath volumes with persistent volumes, configMaps, secrets or emptyDir.",
			rule: func(t inventory.PodTemplate) []problem {
				var out []problem
				for i, v := range t.Spec.Volumes {
					if v.HostPath != nil {
						out = append(out, problem{field: fmt.Sprintf("volumes[%d].hostPath", i), msg: fmt.Sprintf("volume %q mounts host path %s", v.Name, v.HostPath.Path)})
					}
				}
				return out
			}},
		{id: "5.2.12", title: "Minimize containers using host ports", level: l1, severity: check.Medium,
			what: "passes when no container port sets a non-zero hostPort",
			fix:  "Remove hostPort from container ports; expose the pod through a Service instead.",
			rule: func(t inventory.PodTemplate) []problem {
				var out []problem
				for _, c := range containersOf(t.Spec) {
					for j, p := range c.c.Ports {
						if p.HostPort != 0 {
							out = append(out, problem{field: fmt.Sprintf("%s.ports[%d].hostPort", c.field, j), msg: fmt.Sprintf("%s uses host port %d", c.name(), p.HostPort)})
						}
					}
				}
				return out
			}},
		{id: "5.4.1", title: "Prefer Secret files over Secret environment variables", level: l2, severity: check.Low,
			what: "passes when no container reads a Secret through env[].valueFrom.secretKeyRef or envFrom[].secretRef, " +
				"and none is given a literal credential, in env[].value or in the ConfigMap data its env reads: the " +
				"value of a variable whose name says it holds a credential (DB_PASSWORD, API_KEY, CLIENT_SECRET; not " +
				"PASSWORD_FILE or TOKEN_URL), a private key, a URL with a password (empty values, $(VAR) references, " +
				"placeholders, booleans, paths and URLs without a password are not credentials; values are never " +
				"shown). A pod whose env reads a ConfigMap that was not seen, and that has nothing else wrong, " +
				"is not evaluated",
			fix: "Mount Secrets as files (a secret volume) and have the application read them from there. Move " +
				"credentials written into the pod spec or a ConfigMap into a Secret (and rotate them), mounted as a file.",
			ruleOf: secretEnv},
		{id: "5.6.2", title: "Pods use RuntimeDefault seccomp profile", level: l2, severity: check.Medium,
			what: "passes when every container's effective seccompProfile.type (container, else pod) is RuntimeDefault or Localhost",
			fix:  "Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec (or per container).",
			rule: seccomp},
		{id: "5.6.3", title: "Apply security contexts to pods and containers", level: l2, severity: check.Medium,
			what: "passes when the pod meets the Pod Security Standards 'restricted' profile (latest), which is what " +
				"a hardened security context amounts to",
			fix: "Set the pod and container securityContext fields the restricted profile requires: runAsNonRoot, " +
				"allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile RuntimeDefault.",
			rule: restrictedProfile},
	}
	out := make([]control, len(pcs))
	for i, pc := range pcs {
		out[i] = pc.control()
	}
	return out
}

func hostNamespace(field string, get func(*corev1.PodSpec) bool) podRule {
	return func(t inventory.PodTemplate) []problem {
		if get(t.Spec) {
			return []problem{{field: field, msg: field + " is true"}}
		}
		return nil
	}
}

func runsAsRoot(spec *corev1.PodSpec, c containerRef) *problem {
	if isWindows(spec) {
		return nil
	}
	var nonRoot *bool
	var uid *int64
	if psc := spec.SecurityContext; psc != nil {
		nonRoot, uid = psc.RunAsNonRoot, psc.RunAsUser
	}
	if sc := c.c.SecurityContext; sc != nil {
		if sc.RunAsNonRoot != nil {
			nonRoot = sc.RunAsNonRoot
		}
		if sc.RunAsUser != nil {
			uid = sc.RunAsUser
		}
	}
	switch {
	case uid != nil && *uid == 0:
		return &problem{field: c.field + ".securityContext.runAsUser", msg: c.name() + " runs as UID 0"}
	case uid != nil && *uid > 0, nonRoot != nil && *nonRoot:
		return nil
	}
	return &problem{field: c.field + ".securityContext.runAsNonRoot", msg: c.name() + " may run as root (neither runAsNonRoot: true nor a non-zero runAsUser)"}
}

func capsOf(c containerRef) (add, drop []string) {
	if sc := c.c.SecurityContext; sc != nil && sc.Capabilities != nil {
		for _, a := range sc.Capabilities.Add {
			add = append(add, strings.ToUpper(strings.TrimPrefix(string(a), "CAP_")))
		}
		for _, d := range sc.Capabilities.Drop {
			drop = append(drop, strings.ToUpper(strings.TrimPrefix(string(d), "CAP_")))
		}
	}
	return add, drop
}

func netRaw(spec *corev1.PodSpec, c containerRef) *problem {
	if isWindows(spec) {
		return nil
	}
	add, drop := capsOf(c)
	if slices.Contains(add, "NET_RAW") || slices.Contains(add, "ALL") {
		return &problem{field: c.field + ".securityContext.capabilities.add", msg: c.name() + " adds NET_RAW"}
	}
	if !slices.Contains(drop, "NET_RAW") && !slices.Contains(drop, "ALL") {
		return &problem{field: c.field + ".securityContext.capabilities.drop", msg: c.name() + " does not drop NET_RAW (or ALL)"}
	}
	return nil
}

func addedCapabilities(spec *corev1.PodSpec, c containerRef) *problem {
	if isWindows(spec) {
		return nil
	}
	add, drop := capsOf(c)
	var extra []string
	for _, a := range add {
		if a != "NET_BIND_SERVICE" {
			extra = append(extra, a)
		}
	}
	if len(extra) > 0 {
		return &problem{field: c.field + ".securityContext.capabilities.add", msg: c.name() + " adds " + strings.Join(extra, ", ")}
	}
	if !slices.Contains(drop, "ALL") {
		return &problem{field: c.field + ".securityContext.capabilities.drop", msg: c.name() + " does not drop ALL capabilities"}
	}
	return nil
}

func hostProcess(t inventory.PodTemplate) []problem {
	var out []problem
	if psc := t.Spec.SecurityContext; psc != nil && psc.WindowsOptions != nil && psc.WindowsOptions.HostProcess != nil && *psc.WindowsOptions.HostProcess {
		out = append(out, problem{field: "securityContext.windowsOptions.hostProcess", msg: "the pod runs as a Windows HostProcess"})
	}
	for _, c := range containersOf(t.Spec) {
		if sc := c.c.SecurityContext; sc != nil && sc.WindowsOptions != nil && sc.WindowsOptions.HostProcess != nil && *sc.WindowsOptions.HostProcess {
			out = append(out, problem{field: c.field + ".securityContext.windowsOptions.hostProcess", msg: c.name() + " is a Windows HostProcess container"})
		}
	}
	return out
}

// secretEnv returns the rule of 5.4.1 over inv: Secrets read into env, and literal
// credentials in env or in the ConfigMaps env reads (see internal/credential).
func secretEnv(inv *inventory.Inventory) podRule {
	return func(t inventory.PodTemplate) []problem {
		out := secretRefs(t)
		configMaps := credential.InventoryConfigMaps(inv.From(t.Owner), t.Namespace())
		var unseen []string
		for _, c := range containersOf(t.Spec) {
			found, cms := credential.InEnv(c.c.Env, c.c.EnvFrom, configMaps)
			for _, f := range found {
				out = append(out, problem{field: c.field + "." + f.Field, msg: c.name() + " " + f.Message})
			}
			for _, n := range cms {
				if !slices.Contains(unseen, n) {
					unseen = append(unseen, n)
					out = append(out, problem{unknown: true,
						msg: fmt.Sprintf("ConfigMap %q, which the environment reads, was not seen: the values it gives were not checked", n)})
				}
			}
		}
		return out
	}
}

// secretRefs returns the Secrets t reads into environment variables.
func secretRefs(t inventory.PodTemplate) []problem {
	var out []problem
	for _, c := range containersOf(t.Spec) {
		for j, e := range c.c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				out = append(out, problem{field: fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", c.field, j), msg: fmt.Sprintf("%s reads Secret %q into env %s", c.name(), e.ValueFrom.SecretKeyRef.Name, e.Name)})
			}
		}
		for j, e := range c.c.EnvFrom {
			if e.SecretRef != nil {
				out = append(out, problem{field: fmt.Sprintf("%s.envFrom[%d].secretRef", c.field, j), msg: fmt.Sprintf("%s reads all of Secret %q into its environment", c.name(), e.SecretRef.Name)})
			}
		}
	}
	return out
}

func seccomp(t inventory.PodTemplate) []problem {
	if isWindows(t.Spec) {
		return nil
	}
	var podType corev1.SeccompProfileType
	if psc := t.Spec.SecurityContext; psc != nil && psc.SeccompProfile != nil {
		podType = psc.SeccompProfile.Type
	}
	var out []problem
	for _, c := range containersOf(t.Spec) {
		typ := podType
		field := "securityContext.seccompProfile.type"
		if sc := c.c.SecurityContext; sc != nil && sc.SeccompProfile != nil {
			typ, field = sc.SeccompProfile.Type, c.field+".securityContext.seccompProfile.type"
		}
		switch typ {
		case corev1.SeccompProfileTypeRuntimeDefault, corev1.SeccompProfileTypeLocalhost:
		case "":
			out = append(out, problem{field: field, msg: c.name() + " has no seccomp profile (it runs Unconfined)"})
		default:
			out = append(out, problem{field: field, msg: fmt.Sprintf("%s uses seccomp profile %s", c.name(), typ)})
		}
	}
	return out
}

var restrictedEvaluator = sync.OnceValues(func() (psapolicy.Evaluator, error) {
	return psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
})

func restrictedProfile(t inventory.PodTemplate) []problem {
	ev, err := restrictedEvaluator()
	if err != nil {
		return []problem{{msg: fmt.Sprintf("cannot build the Pod Security evaluator: %v", err)}}
	}
	lv := psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}
	res := psapolicy.AggregateCheckResults(ev.EvaluatePod(lv, t.Metadata, t.Spec))
	if res.Allowed {
		return nil
	}
	return []problem{{field: "securityContext", msg: "does not meet Pod Security 'restricted': " + res.ForbiddenDetail()}}
}
