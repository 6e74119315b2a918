// workloads:host-namespaces inspects hostNetwork, hostPID and hostIPC of every pod template. It
// passes when all three are unset or false; a failure names each one set to true and points at
// the first (in that order).

package workloads

import (
	"context"
	"slices"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
)

// HostNamespaces returns the check workloads:host-namespaces: no pod shares the node's network, PID
// or IPC namespace.
func HostNamespaces() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:host-namespaces",
		Section: Section,
		Title:   "Pods do not share the node's network, PID or IPC namespace",
		Description: "A pod in the node's network namespace can bind and sniff the node's " +
			"interfaces and reach services listening on localhost; in its PID namespace it can see " +
			"(and signal) every process; in its IPC namespace it can read shared memory. Inspects " +
			"hostNetwork, hostPID and hostIPC of every pod and workload template. Passes when all " +
			"three are unset or false.",
		Severity: check.High,
		Remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to " +
			"false). Expose network services through a Service instead of the node's interfaces.",
		References: []string{refPSS, refCIS + " 5.2.3", refCIS + " 5.2.4", refCIS + " 5.2.5"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runHostNamespaces)
}

func runHostNamespaces(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		if t.Spec.HostNetwork {
			offences = append(offences, podverdict.At(t.Path+".hostNetwork", "uses the node's network namespace (hostNetwork: true)"))
		}
		if t.Spec.HostPID {
			offences = append(offences, podverdict.At(t.Path+".hostPID", "uses the node's PID namespace (hostPID: true)"))
		}
		if t.Spec.HostIPC {
			offences = append(offences, podverdict.At(t.Path+".hostIPC", "uses the node's IPC namespace (hostIPC: true)"))
		}
		podverdict.Report(pass, t, offences, "shares no namespace with the node")
	}
	return nil
}
