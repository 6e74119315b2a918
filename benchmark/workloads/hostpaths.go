package workloads

import (
	"path"
	"strings"
)

// sensitivePath is a path of the node whose mount into a pod hands over the node or its
// secrets.
type sensitivePath struct {
	path string
	// tree: whatever lies under path is as sensitive as path itself (e.g. a socket's
	// directory, the kubelet's state). Otherwise only path and its ancestors count: a file
	// under /etc or /run is not sensitive for being there.
	tree bool
	what string // what a pod that mounts it gets
}

// sensitivePaths are the node paths workloads:sensitive-host-path reports, on Linux nodes
// (Windows ones in sensitiveWindowsPaths). /var/run is a link to /run on most distributions:
// both spellings are listed.
var sensitivePaths = []sensitivePath{
	{"/", false, "the node's whole filesystem"},
	{"/etc", false, "the node's configuration, with its password hashes and the kubelet's credentials"},
	{"/etc/kubernetes", true, "the node's Kubernetes configuration: kubeconfigs, certificates and keys"},
	{"/etc/shadow", true, "the node's password hashes"},
	{"/etc/gshadow", true, "the node's group password hashes"},
	{"/etc/sudoers", true, "who may become root on the node"},
	{"/etc/sudoers.d", true, "who may become root on the node"},
	{"/etc/ssh", true, "the node's SSH host keys and daemon configuration"},
	{"/root", true, "root's home on the node, with its credentials"},
	{"/home", false, "the home directories of the node's users, with their credentials"},
	{"/boot", true, "the node's kernel and boot loader"},
	{"/proc", true, "the node's processes (their memory, environment and root directories) and kernel settings"},
	{"/sys", false, "the node's kernel and device settings"},
	{"/dev", false, "every device of the node, disks included"},
	{"/var/lib/kubelet", true, "the kubelet's state: every pod's volumes, Secrets and tokens, and the kubelet's credentials"},
	{"/var/lib/etcd", true, "etcd's data: every object of the cluster, Secrets included"},
	{"/var/lib/docker", true, "the Docker engine's state: every container's filesystem"},
	{"/var/lib/containerd", true, "containerd's state: every container's filesystem"},
	{"/var/lib/containers", true, "CRI-O's and Podman's storage: every container's filesystem"},
	{"/var/run", false, "the node's runtime sockets (container runtimes, systemd, D-Bus)"},
	{"/run", false, "the node's runtime sockets (container runtimes, systemd, D-Bus)"},
	{"/var/run/docker.sock", true, "the Docker engine's API, which starts privileged containers on the node"},
	{"/run/docker.sock", true, "the Docker engine's API, which starts privileged containers on the node"},
	{"/var/run/docker", true, "the Docker engine's sockets"},
	{"/run/docker", true, "the Docker engine's sockets"},
	{"/var/run/dockershim.sock", true, "the dockershim CRI socket, which starts containers on the node"},
	{"/var/run/cri-dockerd.sock", true, "the cri-dockerd CRI socket, which starts containers on the node"},
	{"/run/cri-dockerd.sock", true, "the cri-dockerd CRI socket, which starts containers on the node"},
	{"/var/run/containerd", true, "containerd's socket, which starts containers on the node"},
	{"/run/containerd", true, "containerd's socket, which starts containers on the node"},
	{"/run/k3s/containerd", true, "k3s's containerd socket, which starts containers on the node"},
	{"/var/run/crio", true, "CRI-O's socket, which starts containers on the node"},
	{"/run/crio", true, "CRI-O's socket, which starts containers on the node"},
	{"/var/run/podman", true, "Podman's socket, which starts containers on the node"},
	{"/run/podman", true, "Podman's socket, which starts containers on the node"},
}

// sensitiveWindowsPaths are the Windows node paths workloads:sensitive-host-path reports,
// lower case with backslashes. A drive's root is reported too.
var sensitiveWindowsPaths = []sensitivePath{
	{`\\.\pipe\docker_engine`, true, "the Docker engine's API, which starts containers on the node"},
	{`\\.\pipe\containerd-containerd`, true, "containerd's API, which starts containers on the node"},
	{`c:\var\lib\kubelet`, true, "the kubelet's state: every pod's volumes, Secrets and tokens, and the kubelet's credentials"},
	{`c:\etc\kubernetes`, true, "the node's Kubernetes configuration: kubeconfigs, certificates and keys"},
}

// credentialDirs are directories, wherever they are (a user's home, root's, the filesystem's
// root), that hold credentials: cloud CLIs', kubectl's, Docker's registry logins, SSH and GPG
// keys. A path in one of them, or that is one, is sensitive.
var credentialDirs = map[string]string{
	".aws":    "AWS credentials",
	".azure":  "Azure credentials",
	".kube":   "kubeconfigs",
	".docker": "Docker registry logins",
	".ssh":    "SSH keys",
	".gnupg":  "GPG keys",
	"gcloud":  "Google Cloud credentials", // under .config
}

// inCredentialDir says which credentials a cleaned Linux path is in, or "".
func inCredentialDir(clean string) string {
	elems := strings.Split(clean, "/")
	for i, e := range elems {
		what, ok := credentialDirs[e]
		if ok && (e != "gcloud" || i > 0 && elems[i-1] == ".config") {
			return what
		}
	}
	return ""
}

// cleanHostPath returns a hostPath as the node resolves it, for comparison: a Linux path made
// absolute with repeated slashes, "." and ".." elements and a trailing slash removed; a
// Windows path (a drive letter or backslashes) in lower case with backslashes.
func cleanHostPath(p string) (clean string, windows bool) {
	p = strings.TrimSpace(p)
	if strings.Contains(p, `\`) || len(p) >= 2 && p[1] == ':' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') {
		p = strings.ToLower(strings.ReplaceAll(p, "/", `\`))
		if len(p) > 3 || len(p) == 3 && p[2] != '\\' {
			p = strings.TrimRight(p, `\`)
		}
		return p, true
	}
	return path.Clean("/" + p), false
}

// sensitiveHostPath says what mounting host path p gives a pod, naming the sensitive path it
// is, lies in, or holds; "" when p is none of them.
func sensitiveHostPath(p string) string {
	clean, win := cleanHostPath(p)
	sep, list := "/", sensitivePaths
	if win {
		if len(clean) <= 3 && len(clean) >= 2 && clean[1] == ':' {
			return "the node's whole drive " + strings.ToUpper(clean[:1]) + ":"
		}
		sep, list = `\`, sensitiveWindowsPaths
	}
	if !win {
		if what := inCredentialDir(clean); what != "" {
			return "a directory of " + what
		}
	}
	under := func(p, dir string) bool { return strings.HasPrefix(p, strings.TrimSuffix(dir, sep)+sep) }
	for _, s := range list {
		if clean == s.path {
			return s.what
		}
	}
	for _, s := range list {
		if s.tree && under(clean, s.path) {
			return "inside " + s.path + ": " + s.what
		}
	}
	for _, s := range list {
		if under(s.path, clean) {
			return "which holds " + s.path + ": " + s.what
		}
	}
	return ""
}
