package cis

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
	"github.com/kspm-dev/kspm/internal/nodefs"
	"github.com/kspm-dev/kspm/inventory"
)

// fileControl is a control over the mode or owner of files on nodes.
type fileControl struct {
	id, title string
	cisManual bool
	roles     []string
	// match, when set, keeps only the files it accepts (e.g. *.crt in the PKI directory).
	match func(p string) bool
	// maxMode is the most permissive mode allowed (0 for an ownership control).
	maxMode uint32
	// owner is "user:group" for an ownership control.
	owner string
	// controlPlane marks files only control-plane nodes have.
	controlPlane bool
	fix          string
	// notApplicableOn gives, per layout, why the control does not apply to the layout's
	// control-plane nodes whatever their files.
	notApplicableOn map[string]string
}

func hasSuffix(s string) func(string) bool {
	return func(p string) bool { return strings.HasSuffix(p, s) }
}

// nodeFileControls are sections 1.1 and 4.1, 1.2.28 and 4.2.7: what node scans saw.
func nodeFileControls() []control {
	return nodeFileControlsFrom(fileControlTable())
}

// fileControlTable lists the file mode and ownership controls.
func fileControlTable() []fileControl {
	const cpManifest = "on each control-plane node"
	return []fileControl{
		{id: "1.1.1", title: "kube-apiserver static pod manifest mode 600 or stricter", roles: []string{inventory.NodeFileAPIServerManifest}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.2", title: "kube-apiserver static pod manifest owned by root:root", roles: []string{inventory.NodeFileAPIServerManifest}, owner: "root:root", controlPlane: true},
		{id: "1.1.3", title: "kube-controller-manager manifest mode 600 or stricter", roles: []string{inventory.NodeFileControllerManagerManifest}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.4", title: "kube-controller-manager manifest owned by root:root", roles: []string{inventory.NodeFileControllerManagerManifest}, owner: "root:root", controlPlane: true},
		{id: "1.1.5", title: "kube-scheduler manifest mode 600 or stricter", roles: []string{inventory.NodeFileSchedulerManifest}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.6", title: "kube-scheduler manifest owned by root:root", roles: []string{inventory.NodeFileSchedulerManifest}, owner: "root:root", controlPlane: true},
		{id: "1.1.7", title: "etcd static pod manifest mode 600 or stricter", roles: []string{inventory.NodeFileEtcdManifest}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.8", title: "etcd static pod manifest owned by root:root", roles: []string{inventory.NodeFileEtcdManifest}, owner: "root:root", controlPlane: true},
		{id: "1.1.9", title: "CNI config files mode 600 or stricter", cisManual: true, roles: []string{inventory.NodeFileCNI}, maxMode: 0o600},
		{id: "1.1.10", title: "CNI config files owned by root:root", cisManual: true, roles: []string{inventory.NodeFileCNI}, owner: "root:root"},
		{id: "1.1.11", title: "etcd data directory mode 700 or stricter", roles: []string{inventory.NodeFileEtcdDataDir}, maxMode: 0o700, controlPlane: true},
		{id: "1.1.12", title: "etcd data directory owned by etcd:etcd", roles: []string{inventory.NodeFileEtcdDataDir}, owner: "etcd:etcd", controlPlane: true,
			fix: "Create an etcd user and group if needed and run chown etcd:etcd on the etcd data directory (see --data-dir) " + cpManifest + ".",
			notApplicableOn: map[string]string{inventory.NodeLayoutK3s: "k3s runs etcd inside its own process, as root: " +
				"there is no etcd user, and its data directory is owned by root (k3s's CIS self-assessment guide)"}},
		{id: "1.1.13", title: "admin.conf and super-admin.conf mode 600", roles: []string{inventory.NodeFileAdminKubeconfig, inventory.NodeFileSuperAdminKubeconfig}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.14", title: "admin.conf and super-admin.conf owned by root:root", roles: []string{inventory.NodeFileAdminKubeconfig, inventory.NodeFileSuperAdminKubeconfig}, owner: "root:root", controlPlane: true},
		{id: "1.1.15", title: "scheduler.conf kubeconfig mode 600 or stricter", roles: []string{inventory.NodeFileSchedulerKubeconfig}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.16", title: "scheduler.conf kubeconfig owned by root:root", roles: []string{inventory.NodeFileSchedulerKubeconfig}, owner: "root:root", controlPlane: true},
		{id: "1.1.17", title: "controller-manager.conf kubeconfig mode 600 or stricter", roles: []string{inventory.NodeFileControllerManagerKubeconfig}, maxMode: 0o600, controlPlane: true},
		{id: "1.1.18", title: "controller-manager.conf kubeconfig owned by root:root", roles: []string{inventory.NodeFileControllerManagerKubeconfig}, owner: "root:root", controlPlane: true},
		{id: "1.1.19", title: "PKI directory and all files owned by root:root", roles: []string{inventory.NodeFilePKI}, owner: "root:root", controlPlane: true,
			fix: "Run chown -R root:root /etc/kubernetes/pki/ " + cpManifest + "."},
		{id: "1.1.20", title: "PKI certificate (*.crt) files mode 644 or stricter", cisManual: true, roles: []string{inventory.NodeFilePKI}, match: hasSuffix(".crt"), maxMode: 0o644, controlPlane: true,
			fix: "Run chmod 644 on every *.crt file under /etc/kubernetes/pki/ " + cpManifest + "."},
		{id: "1.1.21", title: "PKI private key (*.key) files mode 600", cisManual: true, roles: []string{inventory.NodeFilePKI}, match: hasSuffix(".key"), maxMode: 0o600, controlPlane: true,
			fix: "Run chmod 600 on every *.key file under /etc/kubernetes/pki/ " + cpManifest + "."},
		{id: "4.1.1", title: "kubelet systemd unit/drop-in file mode 600 or stricter", roles: []string{inventory.NodeFileKubeletService}, maxMode: 0o600},
		{id: "4.1.2", title: "kubelet systemd unit/drop-in file owned by root:root", roles: []string{inventory.NodeFileKubeletService}, owner: "root:root"},
		{id: "4.1.3", title: "kube-proxy kubeconfig mode 600 or stricter, if present", cisManual: true, roles: []string{inventory.NodeFileKubeProxyKubeconfig}, maxMode: 0o600},
		{id: "4.1.4", title: "kube-proxy kubeconfig owned by root:root, if present", cisManual: true, roles: []string{inventory.NodeFileKubeProxyKubeconfig}, owner: "root:root"},
		{id: "4.1.5", title: "kubelet kubeconfig (kubelet.conf) mode 600 or stricter", roles: []string{inventory.NodeFileKubeletKubeconfig}, maxMode: 0o600},
		{id: "4.1.6", title: "kubelet kubeconfig (kubelet.conf) owned by root:root", roles: []string{inventory.NodeFileKubeletKubeconfig}, owner: "root:root"},
		{id: "4.1.7", title: "kubelet client CA file mode 644 or stricter", cisManual: true, roles: []string{inventory.NodeFileKubeletClientCA}, maxMode: 0o644},
		{id: "4.1.8", title: "kubelet client CA file owned by root:root", cisManual: true, roles: []string{inventory.NodeFileKubeletClientCA}, owner: "root:root"},
		{id: "4.1.9", title: "kubelet config.yaml mode 600 or stricter", roles: []string{inventory.NodeFileKubeletConfig}, maxMode: 0o600},
		{id: "4.1.10", title: "kubelet config.yaml owned by root:root", roles: []string{inventory.NodeFileKubeletConfig}, owner: "root:root"},
	}
}

// roleFiles says, for the remediation texts, which files a role stands for.
var roleFiles = map[string]string{
	inventory.NodeFileAPIServerManifest:           "/etc/kubernetes/manifests/kube-apiserver.yaml (RKE2: /var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml)",
	inventory.NodeFileControllerManagerManifest:   "/etc/kubernetes/manifests/kube-controller-manager.yaml (RKE2: /var/lib/rancher/rke2/agent/pod-manifests/kube-controller-manager.yaml)",
	inventory.NodeFileSchedulerManifest:           "/etc/kubernetes/manifests/kube-scheduler.yaml (RKE2: /var/lib/rancher/rke2/agent/pod-manifests/kube-scheduler.yaml)",
	inventory.NodeFileEtcdManifest:                "/etc/kubernetes/manifests/etcd.yaml (RKE2: /var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml)",
	inventory.NodeFileCNI:                         "the CNI configuration files (/etc/cni/net.d/*, k3s: /var/lib/rancher/k3s/agent/etc/cni/net.d/*) and /var/lib/cni/networks",
	inventory.NodeFileEtcdDataDir:                 "the etcd data directory (--data-dir, kubeadm: /var/lib/etcd, RKE2 and k3s: /var/lib/rancher/<rke2|k3s>/server/db/etcd)",
	inventory.NodeFileAdminKubeconfig:             "/etc/kubernetes/admin.conf (RKE2 and k3s: server/cred/admin.kubeconfig and /etc/rancher/<rke2|k3s>/<rke2|k3s>.yaml)",
	inventory.NodeFileSuperAdminKubeconfig:        "/etc/kubernetes/super-admin.conf",
	inventory.NodeFileSchedulerKubeconfig:         "/etc/kubernetes/scheduler.conf (RKE2 and k3s: server/cred/scheduler.kubeconfig)",
	inventory.NodeFileControllerManagerKubeconfig: "/etc/kubernetes/controller-manager.conf (RKE2 and k3s: server/cred/controller.kubeconfig)",
	inventory.NodeFilePKI:                         "/etc/kubernetes/pki (RKE2 and k3s: server/tls) and everything under it",
	inventory.NodeFileKubeletService:              "the kubelet's systemd unit and drop-ins (kubelet.service, kubelet.service.d/*.conf)",
	inventory.NodeFileKubeProxyKubeconfig:         "the kube-proxy kubeconfig (RKE2 and k3s: agent/kubeproxy.kubeconfig)",
	inventory.NodeFileKubeletKubeconfig:           "the kubelet's --kubeconfig (kubeadm: /etc/kubernetes/kubelet.conf, RKE2 and k3s: agent/kubelet.kubeconfig)",
	inventory.NodeFileKubeletClientCA:             "the kubelet's client CA file (authentication.x509.clientCAFile; RKE2 and k3s: agent/client-ca.crt)",
	inventory.NodeFileKubeletConfig:               "the kubelet's --config file (kubeadm: /var/lib/kubelet/config.yaml)",
}

func filesOf(roles []string) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = roleFiles[r]
		if parts[i] == "" {
			parts[i] = "the " + r + " file"
		}
	}
	return strings.Join(parts, " and ")
}

func nodeFileControlsFrom(fcs []fileControl) []control {
	out := make([]control, 0, len(fcs)+2)
	for _, fc := range fcs {
		what := fmt.Sprintf("Reads node scans (NodeFiles) for %s: passes when ", filesOf(fc.roles))
		fix := fc.fix
		if fc.maxMode != 0 {
			what += fmt.Sprintf("each has mode %04o or stricter (no permission bit beyond those)", fc.maxMode)
			if fix == "" {
				fix = fmt.Sprintf("Run chmod %o on %s, on each node that has them.", fc.maxMode, filesOf(fc.roles))
			}
		} else {
			what += "each is owned by " + fc.owner
			if fix == "" {
				fix = fmt.Sprintf("Run chown %s on %s, on each node that has them.", fc.owner, filesOf(fc.roles))
			}
		}
		out = append(out, control{
			id: fc.id, title: fc.title, level: l1, cisManual: fc.cisManual, severity: check.Medium,
			what: what, remediation: fix,
			kinds:   []schema.GroupKind{inventory.KindNodeFiles},
			depends: nodeFileDeps,
			run:     runNodes(fc.judge),
		})
	}
	out = append(out,
		control{id: "1.2.28", title: "Encryption config uses aescbc, kms or secretbox", level: l1, cisManual: true, severity: check.High,
			what: "Reads the API server's encryption configuration from node scans: passes when the first provider " +
				"for secrets is aescbc, kms or secretbox",
			remediation: "In the EncryptionConfiguration named by --encryption-provider-config, list kms (v2), aescbc or " +
				"secretbox first for secrets, restart the API server, then rewrite all Secrets so they are stored encrypted.",
			kinds:   []schema.GroupKind{inventory.KindNodeFiles},
			depends: nodeFileDeps,
			run:     runNodes(judgeEncryption)},
		control{id: "4.2.7", title: "Kubelet hostname override not used", level: l1, cisManual: true, severity: check.Low,
			what: "Reads the kubelet's command line from node scans (systemd unit and environment files): passes when " +
				"--hostname-override is not set",
			remediation: "Remove --hostname-override from the kubelet's flags (its systemd drop-in or " +
				"/var/lib/kubelet/kubeadm-flags.env) and restart the kubelet.",
			kinds:   []schema.GroupKind{inventory.KindNodeFiles},
			depends: nodeFileDeps,
			run:     runNodes(judgeHostnameOverride)},
	)
	return out
}

// nodeFiles is one node scan.
type nodeFiles struct {
	obj          *inventory.Object
	spec         map[string]any
	controlPlane bool
	files        []map[string]any
	layouts      []nodeLayout
	unrecognised []string
}

func (n nodeFiles) searched(role string) []string {
	s, _ := n.spec["searched"].(map[string]any)
	var out []string
	if list, ok := s[role].([]any); ok {
		for _, p := range list {
			if ps, ok := p.(string); ok {
				out = append(out, ps)
			}
		}
	}
	return out
}

func runNodes(judge func(n nodeFiles) verdict) check.RunFunc {
	return func(ctx context.Context, pass *check.Pass) error {
		objs := pass.Inventory.ByKind(inventory.KindNodeFiles)
		if len(objs) == 0 {
			pass.NotEvaluated(nil, "no node file data: run a node scan (examples/node-scan) on the nodes and include its output")
			return nil
		}
		for _, o := range objs {
			if err := ctx.Err(); err != nil {
				return err
			}
			m, err := o.Map()
			if err != nil {
				pass.Error(o, err)
				continue
			}
			spec, _ := m["spec"].(map[string]any)
			n := nodeFiles{obj: o, spec: spec}
			n.controlPlane, _ = spec["controlPlane"].(bool)
			if list, ok := spec["files"].([]any); ok {
				for _, f := range list {
					if fm, ok := f.(map[string]any); ok {
						n.files = append(n.files, fm)
					}
				}
			}
			n.parseLayouts()
			v := judge(n)
			pass.Report(check.Finding{Status: v.status, Object: o, Field: v.flag, Message: v.msg + " (" + n.describe() + ")"})
		}
		return nil
	}
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func (fc fileControl) judge(n nodeFiles) verdict {
	for l, why := range fc.notApplicableOn {
		if n.hasLayout(l, inventory.NodeRoleControlPlane) {
			return verdict{check.StatusNotApplicable, "", why}
		}
	}
	type found struct {
		i int
		f map[string]any
	}
	var files []found
	for i, f := range n.files {
		if exists, _ := f["exists"].(bool); !exists || !slices.Contains(fc.roles, str(f, "role")) {
			continue
		}
		// An entry with an error (a file that could not be stat'ed, a directory that could
		// not be listed or was only partly read) may hide files of any kind: it always counts.
		if str(f, "error") == "" {
			if fc.match != nil && !fc.match(str(f, "path")) {
				continue
			}
			if fc.maxMode != 0 && str(f, "type") == "dir" && !slices.Contains(fc.roles, inventory.NodeFileEtcdDataDir) {
				continue // directories listed with their files are judged for ownership only
			}
		}
		files = append(files, found{i, f})
	}
	if len(files) == 0 {
		return n.noFile(fc.roles, fc.controlPlane, strings.Join(fc.roles, " or ")+" file")
	}
	var bad, unreadable []string
	badField := ""
	for _, ff := range files {
		f, p := ff.f, str(ff.f, "path")
		if e := str(f, "error"); e != "" {
			unreadable = append(unreadable, p+": "+e)
			continue
		}
		var problem string
		if fc.maxMode != 0 {
			mode, err := strconv.ParseUint(str(f, "mode"), 8, 32)
			switch {
			case err != nil:
				unreadable = append(unreadable, p+": mode unknown")
				continue
			case uint32(mode)&^fc.maxMode != 0:
				problem = fmt.Sprintf("%s has mode %04o", p, mode)
			}
		} else {
			got, ok := ownerOf(f)
			switch {
			case !ok:
				unreadable = append(unreadable, p+": owner unknown")
				continue
			case got != fc.owner:
				problem = fmt.Sprintf("%s is owned by %s", p, got)
			}
		}
		if problem != "" {
			if badField == "" {
				badField = fmt.Sprintf("spec.files[%d]", ff.i)
			}
			bad = append(bad, problem)
		}
	}
	want := fc.owner
	if fc.maxMode != 0 {
		want = fmt.Sprintf("mode %04o or stricter", fc.maxMode)
	}
	switch {
	case len(bad) > 0:
		return failf(badField, "%s (want %s)", strings.Join(bad, "; "), want)
	case len(unreadable) > 0:
		return unknownf("", "cannot judge %s", strings.Join(unreadable, "; "))
	}
	paths := make([]string, 0, len(files))
	for _, ff := range files {
		paths = append(paths, str(ff.f, "path"))
	}
	if len(paths) > 3 {
		return passf("", "%d files (%s, ...) have %s", len(paths), strings.Join(paths[:3], ", "), want)
	}
	return passf("", "%s: %s", strings.Join(paths, ", "), want)
}

// ownerOf returns "user:group" for a file, with names from the node; ID 0 is root whatever
// the node's account files call it, and an ID without a name is given as a number.
func ownerOf(f map[string]any) (string, bool) {
	name := func(nameKey, idKey string) string {
		id, hasID := f[idKey].(int64)
		switch {
		case hasID && id == 0:
			return "root"
		case str(f, nameKey) != "":
			return str(f, nameKey)
		case hasID:
			return strconv.FormatInt(id, 10)
		}
		return ""
	}
	user, group := name("user", "uid"), name("group", "gid")
	return user + ":" + group, user != "" && group != ""
}

var strongProviders = set("aescbc", "kms", "secretbox")

func judgeEncryption(n nodeFiles) verdict {
	hasAPIServer := false
	for _, f := range n.files {
		if exists, _ := f["exists"].(bool); exists && str(f, "role") == inventory.NodeFileAPIServerManifest {
			hasAPIServer = true
		}
	}
	for _, c := range n.components() {
		hasAPIServer = hasAPIServer || str(c, "name") == kubeAPIServer.name
	}
	if !hasAPIServer {
		if n.hasLayout(inventory.NodeLayoutK3s, inventory.NodeRoleControlPlane) {
			return verdict{check.StatusNotApplicable, "", "kube-apiserver is disabled on this k3s server (disable-apiserver)"}
		}
		return n.noFile([]string{inventory.NodeFileAPIServerManifest}, true, "kube-apiserver static pod manifest")
	}
	encMap, ok := n.spec["encryption"].(map[string]any)
	if !ok {
		return failf("", "the kube-apiserver manifest sets no --encryption-provider-config: Secrets are stored unencrypted")
	}
	if off := str(encMap, "off"); off != "" {
		return failf("spec.encryption", "%s", off)
	}
	enc, err := nodefs.EncryptionFromMap(encMap)
	if err != nil {
		return unknownf("spec.encryption", "cannot read the encryption configuration: %v", err)
	}
	if enc.Error != "" {
		return unknownf("spec.encryption", "cannot read the encryption configuration %s: %s", enc.Path, enc.Error)
	}
	provs, resource, err := enc.SecretsProviders()
	switch {
	case err != nil:
		return unknownf("spec.encryption", "the encryption configuration %s: %v", enc.Path, err)
	case resource == "":
		return failf("spec.encryption", "the encryption configuration %s has no entry for secrets", enc.Path)
	case len(provs) == 0:
		return failf("spec.encryption", "the entry for secrets lists no provider")
	case strongProviders[provs[0]]:
		return passf("spec.encryption", "secrets are encrypted with %s (%s)", provs[0], enc.Path)
	}
	return failf("spec.encryption", "the first provider for secrets is %s; want aescbc, kms or secretbox", provs[0])
}

func judgeHostnameOverride(n nodeFiles) verdict {
	if by := str(n.spec, "kubeletStartedBy"); by != "" {
		return verdict{check.StatusNotApplicable, "", layoutName(by) + " starts the kubelet from its own process and always " +
			"passes --hostname-override (the node's name), by design; its CIS self-assessment guide marks the control " +
			"not applicable"}
	}
	from, _ := n.spec["kubeletArgsFrom"].([]any)
	if len(from) == 0 {
		return unknownf("", "the kubelet's command line was not found (no systemd unit or environment file)")
	}
	if found, _ := n.spec["kubeletCommandLine"].(bool); !found {
		return unknownf("", "no systemd unit that runs the kubelet was found: only the flags in its environment "+
			"files are known, and --hostname-override may be set elsewhere")
	}
	var args []string
	if list, ok := n.spec["kubeletArgs"].([]any); ok {
		for _, a := range list {
			if s, ok := a.(string); ok {
				args = append(args, s)
			}
		}
	}
	fs := flags.Parse(args, flags.KubeletSpec())
	if p := fs.Problems(); len(p) > 0 {
		return unknownf("spec.kubeletArgs", "the kubelet would not start with its command line: %s", p[0])
	}
	if v, ok := fs.Lookup("hostname-override"); ok && v.Unknown {
		return unknownf("spec.kubeletArgs", "--hostname-override is not known: %s", v.Why)
	} else if ok {
		return failf("spec.kubeletArgs", "the kubelet runs with --hostname-override=%s", v.Raw)
	}
	names := make([]string, len(from))
	for i, f := range from {
		names[i] = path.Base(fmt.Sprint(f))
	}
	return passf("spec.kubeletArgs", "--hostname-override is not set (read from %s)", strings.Join(names, ", "))
}
