package workloads_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/benchmark/workloads"
)

func TestSensitiveHostPathFixtures(t *testing.T) {
	runFixtures(t, workloads.SensitiveHostPath())
}

func TestSensitiveHostPath(t *testing.T) {
	c := workloads.SensitiveHostPath()
	tests := []struct {
		path string
		want string // a part of the failure message; "" for a pass
	}{
		{"/", "the node's whole filesystem"},
		{"", "the node's whole filesystem"}, // relative to the root
		{"etc", "the node's configuration"},
		{"/etc/shadow", "the node's password hashes"},
		{"/etc/ssh/ssh_host_rsa_key", "inside /etc/ssh"},
		{"/etc/hosts", ""},
		{"/var/lib", "which holds /var/lib/kubelet"},
		{"/var/lib/kubelet/", "the kubelet's state"},
		{"/var/lib/kubelet/../kubelet/pods", "inside /var/lib/kubelet"},
		{"/var/lib/kubeletx", ""},
		{"/var/lib/etcd", "etcd's data"},
		{"/var/lib/docker/containers", "inside /var/lib/docker"},
		{"/run", "the node's runtime sockets"},
		{"/run/containerd/containerd.sock", "inside /run/containerd"},
		{"/run/crio/crio.sock", "inside /run/crio"},
		{"/var/run/cri-dockerd.sock", "cri-dockerd"},
		{"/run/k3s/containerd/containerd.sock", "inside /run/k3s/containerd"},
		{"/run/k3s", "which holds /run/k3s/containerd"},
		{"/run/xtables.lock", ""},
		{"/dev", "every device of the node"},
		{"/dev/fuse", ""},
		{"/root/.kube/config", "a directory of kubeconfigs"},
		{"/root/bin", "inside /root"},
		{"/.aws/credentials", "a directory of AWS credentials"},
		{"/home/admin/.aws/", "a directory of AWS credentials"},
		{"/home/ci/.docker/config.json", "a directory of Docker registry logins"},
		{"/home/ci/.config/gcloud", "a directory of Google Cloud credentials"},
		{"/opt/gcloud", ""},
		{"/home/ci/work", ""},
		{"/home", "home directories"},
		{"/sys", "the node's kernel and device settings"},
		{"/sys/fs/bpf", ""},
		{"/data/app", ""},
		{`C:\var\lib\kubelet\pods`, `inside c:\var\lib\kubelet`},
		{`c:`, "the node's whole drive C:"},
		{`\\.\pipe\containerd-containerd`, "containerd's API"},
		{`C:\ProgramData\app`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			spec := corev1.PodSpec{Containers: []corev1.Container{ctr("app", "a:1")}, Volumes: []corev1.Volume{
				{Name: "v", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: tt.path}}}}}
			want := pass("Pod shop/p", "mounts no sensitive host path")
			if tt.want != "" {
				want = fail("Pod shop/p", "spec.volumes[0].hostPath.path", tt.want)
			}
			assertVerdicts(t, c, run(t, c, newInventory(t, pod("shop", "p", spec))), []verdict{want})
		})
	}
}
