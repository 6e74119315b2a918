package workloads_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/benchmark/workloads"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// peerControls maps the checks of other scanners whose fixtures the shared peer suite holds
// (/work/shared/peersuite) to the control of this benchmark that judges the same thing.
var peerControls = map[string]string{
	"polaris/hostIPCSet":                  "workloads:host-namespaces",
	"polaris/hostNetworkSet":              "workloads:host-namespaces",
	"polaris/hostPIDSet":                  "workloads:host-namespaces",
	"kube-linter/host-ipc":                "workloads:host-namespaces",
	"kube-linter/host-network":            "workloads:host-namespaces",
	"kube-linter/host-pid":                "workloads:host-namespaces",
	"regolibrary/host-ipc-privileges":     "workloads:host-namespaces",
	"regolibrary/host-network-access":     "workloads:host-namespaces",
	"regolibrary/host-pid-ipc-privileges": "workloads:host-namespaces",
	"regolibrary/host-pid-privileges":     "workloads:host-namespaces",

	"polaris/runAsPrivileged":               "workloads:privileged",
	"kube-linter/privileged-container":      "workloads:privileged",
	"regolibrary/rule-privileged-container": "workloads:privileged",

	"polaris/hostPathSet":                                 "workloads:host-path",
	"regolibrary/alert-any-hostpath":                      "workloads:host-path",
	"regolibrary/alert-rw-hostpath":                       "workloads:host-path",
	"kube-linter/writable-host-mount":                     "workloads:host-path",
	"kube-linter/docker-sock":                             "workloads:sensitive-host-path",
	"kube-linter/sensitive-host-mounts":                   "workloads:sensitive-host-path",
	"regolibrary/containers-mounting-docker-socket":       "workloads:sensitive-host-path",
	"regolibrary/alert-mount-potential-credentials-paths": "workloads:sensitive-host-path",

	"polaris/hostPortSet":            "workloads:privileged-ports",
	"regolibrary/container-hostPort": "workloads:privileged-ports",

	"polaris/tagNotSpecified": "workloads:latest-tag",
	"kube-linter/latest-tag":  "workloads:latest-tag",

	"kube-linter/default-service-account":           "workloads:workload-default-sa",
	"regolibrary/automount-default-service-account": "workloads:default-sa-automount",

	"kube-linter/run-as-non-root/Deployment/group-zero": "workloads:root-group",

	"kube-linter/use-namespace":                              "workloads:default-namespace",
	"regolibrary/configmap-in-default-namespace":             "workloads:default-namespace",
	"regolibrary/ingress-in-default-namespace":               "workloads:default-namespace",
	"regolibrary/pods-in-default-namespace":                  "workloads:default-namespace",
	"regolibrary/replicationcontroller-in-default-namespace": "workloads:default-namespace",
	"regolibrary/rolebinding-in-default-namespace":           "workloads:default-namespace",
	"regolibrary/service-in-default-namespace":               "workloads:default-namespace",
	"regolibrary/serviceaccount-in-default-namespace":        "workloads:default-namespace",
}

// peerDisagreements are the peer fixture objects on which kspm's verdict differs from the
// peer's, with kspm's verdict and why kspm's is right.
var peerDisagreements = map[string]struct{ kspm, why string }{
	"polaris/hostPortSet/success.yaml": {"fail", "containerPort 80 is below 1024: the image needs root or " +
		"CAP_NET_BIND_SERVICE to bind it (polaris judges hostPort only)"},
	"regolibrary/container-hostPort/cronjob/CronJob/hello": {"pass", "hostPort 8086 is not below 1024: any " +
		"hostPort is workloads:host-namespaces' neighbour pss:hostPorts' to judge, not a privileged port"},
	"regolibrary/container-hostPort/pod/Pod/influxdb": {"pass", "hostPort 8086 is not below 1024 (see pss:hostPorts)"},
	"regolibrary/rule-privileged-container/cronjob/CronJob/hello": {"pass", "no container sets privileged: " +
		"kubescape counts SYS_ADMIN as privileged; kspm judges added capabilities in pss:capabilities_baseline"},
	"regolibrary/rule-privileged-container/cronjob-initcontainer/CronJob/priv-initcontainer-cronjob": {"pass",
		"privileged: false, with SYS_ADMIN added (pss:capabilities_baseline)"},
	"regolibrary/rule-privileged-container/pod/Pod/audit-pod": {"pass", "no container sets privileged; " +
		"SYS_ADMIN is pss:capabilities_baseline's"},
	"regolibrary/rule-privileged-container/pod-ephemeralcontainer/Pod/priv-ephemeral-pod": {"pass",
		"privileged: false, with SYS_ADMIN added (pss:capabilities_baseline)"},
	"regolibrary/alert-mount-potential-credentials-paths/deployment_no_cloud_provider_pass/Deployment/my-deployment": {"fail",
		"it mounts /.aws/credentials: AWS credentials on any node, whatever cloud kubescape detects (peer scored on failures only)"},
	"regolibrary/alert-mount-potential-credentials-paths/pod_eks_passed/Pod/test-pd": {"fail",
		"/.aws/config/good lies in a directory of AWS credentials (kubescape matches listed paths exactly; peer scored on failures only)"},
	"kube-linter/default-service-account/Deployment/app": {"notEvaluated", "it runs as the default " +
		"ServiceAccount, which the fixture does not hold: whether that one automounts its token decides; " +
		"manifests declared complete (the control plane creates it without the setting) give fail"},
}

type peerRow struct {
	ID        string          `json:"id"`
	Peer      string          `json:"peer"`
	PeerCheck string          `json:"peerCheck"`
	Fixture   string          `json:"fixture"`
	Object    json.RawMessage `json:"object"`
	Expected  string          `json:"expected"`
	Skip      string          `json:"skip"`
}

// TestPeerFixtures runs the controls over the fixtures other scanners test the same rules
// with, and holds kspm to each peer's verdict but where peerDisagreements says otherwise.
func TestPeerFixtures(t *testing.T) {
	root := corpusDir(t, "peersuite")
	if root == "" {
		t.Skip("peer suite not available")
	}
	data, err := os.ReadFile(filepath.Join(root, "mapping.json"))
	require.NoError(t, err)
	var m struct{ Rows []peerRow }
	require.NoError(t, json.Unmarshal(data, &m))
	byID := make(map[string]check.Check)
	for _, c := range workloads.Workloads().Checks {
		byID[c.Meta().ID] = c
	}
	ran := 0
	for _, row := range m.Rows {
		id, ok := peerControls[row.Peer+"/"+row.PeerCheck]
		if !ok {
			id, ok = peerControls[row.ID]
		}
		if !ok || row.Skip != "" {
			continue
		}
		ran++
		t.Run(row.ID, func(t *testing.T) {
			c := byID[id]
			require.NotNil(t, c, id)
			inv, err := inventory.LoadManifests(context.Background(), []string{filepath.Join(root, row.Fixture)})
			require.NoError(t, err)
			results, err := kspm.Run(context.Background(), inv, []check.Check{c})
			require.NoError(t, err)
			got := peerVerdict(t, row, id, results)
			want, why := row.Expected, ""
			if d, ok := peerDisagreements[row.ID]; ok {
				want, why = d.kspm, d.why
				assert.NotEqual(t, row.Expected, d.kspm, "listed as a disagreement, but the peer says the same")
			}
			assert.Equal(t, want, got, "%s on %s (peer: %s) %s", id, row.ID, row.Expected, why)
		})
	}
	assert.Positive(t, ran)
}

// offendersOnly are the controls that report only objects that fail, and one result about
// no object when none does: an object without a result passed.
var offendersOnly = map[string]bool{"workloads:default-namespace": true}

// peerVerdict sums up the results about the row's object ("*": any object): fail when one
// failed, else the statuses found, joined.
func peerVerdict(t *testing.T, row peerRow, id string, results []check.Result) string {
	t.Helper()
	var want struct{ Kind, Name, Namespace string }
	if string(row.Object) != `"*"` {
		require.NoError(t, json.Unmarshal(row.Object, &want))
	}
	var statuses []string
	for _, r := range results {
		if r.Object == nil {
			if r.Status != check.StatusPass {
				continue
			}
		} else if want.Kind != "" && (r.Object.Kind != want.Kind || r.Object.Name != want.Name ||
			want.Namespace != "" && r.Object.Namespace != want.Namespace) {
			continue
		}
		if s := string(r.Status); !slices.Contains(statuses, s) {
			statuses = append(statuses, s)
		}
	}
	if slices.Contains(statuses, string(check.StatusFail)) {
		return string(check.StatusFail)
	}
	if len(statuses) == 0 && offendersOnly[id] {
		return string(check.StatusPass)
	}
	slices.Sort(statuses)
	return strings.Join(statuses, ",")
}
