package inventory

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kspm-dev/kspm/internal/nodefs"
)

// KindNodeFiles is the kind of the object a node scan produces (kspm.dev/v1alpha1
// NodeFiles): what was seen of the files on one node that Kubernetes' security depends on.
// Its name is the node's. Its spec holds:
//
//	node, root          the node and where its filesystem was mounted
//	controlPlane        whether a recognised layout runs control-plane components here
//	layouts[]           the layouts recognised (kubeadm, rke2, k3s): name, nodeRole
//	                    (control-plane, worker, or empty with why), evidence[],
//	                    components[], dataDir, configFiles[], datastore, and absent (file
//	                    role -> why the layout has no such file by design)
//	unrecognised[]      signs of control-plane components no recognised layout accounts
//	                    for (a process outside any pod, a systemd unit, another
//	                    distribution's directory, an unreadable static pod manifest)
//	components[]        components whose flags are in configuration files (k3s): name,
//	                    layout, args[] {name, value, unknown, from}, from[], unset (why a
//	                    flag not listed is not known), notSet[], error
//	etcdConfig          etcd's configuration file as flags: path, args[], error
//	kubeletStartedBy    the layout whose process starts the kubelet (rke2, k3s)
//	files[]             role, path, exists, type, mode ("0600"), uid, gid, user, group, error
//	searched            per role, the paths looked at (a role with no existing file was
//	                    absent at all of them)
//	kubeletArgs[]       the kubelet's flags from its systemd unit and environment files,
//	kubeletArgsFrom[]   and the files they came from
//	kubeletCommandLine  whether the kubelet's ExecStart was found (kubeletArgs complete)
//	kubeletConfigSource file or none (the kubelet runs without --config)
//	kubeletConfigDropins[] the --config-dir files merged into the configuration
//	kubeletConfigError  why the kubelet's configuration could not be read
//	encryption          the API server's EncryptionConfiguration reduced to provider names:
//	                    path, resources[] {resources[], providers[]}, error, off (why
//	                    there is none)
//	errors[]            problems met while reading
//
// Key material is never read: private keys and kubeconfigs are only stat'ed.
var KindNodeFiles = schema.GroupKind{Group: "kspm.dev", Kind: "NodeFiles"}

// Roles of the files in a NodeFiles object (the role field of a file).
const (
	NodeFileAPIServerManifest           = "kube-apiserver-manifest"
	NodeFileControllerManagerManifest   = "kube-controller-manager-manifest"
	NodeFileSchedulerManifest           = "kube-scheduler-manifest"
	NodeFileEtcdManifest                = "etcd-manifest"
	NodeFileCNI                         = "cni"
	NodeFileEtcdDataDir                 = "etcd-data-dir"
	NodeFileAdminKubeconfig             = "admin-kubeconfig"
	NodeFileSuperAdminKubeconfig        = "super-admin-kubeconfig"
	NodeFileSchedulerKubeconfig         = "scheduler-kubeconfig"
	NodeFileControllerManagerKubeconfig = "controller-manager-kubeconfig"
	NodeFilePKI                         = "pki"
	NodeFileKubeletService              = "kubelet-service"
	NodeFileKubeProxyKubeconfig         = "kube-proxy-kubeconfig"
	NodeFileKubeletKubeconfig           = "kubelet-kubeconfig"
	NodeFileKubeletClientCA             = "kubelet-client-ca"
	NodeFileKubeletConfig               = "kubelet-config"
	NodeFileEncryptionConfig            = "encryption-config"
	NodeFileAuditPolicy                 = "audit-policy"
)

// Layouts a node scan recognises (spec.layouts[].name of a NodeFiles object), and the
// node's role in one (spec.layouts[].nodeRole).
const (
	NodeLayoutKubeadm    = nodefs.LayoutKubeadm
	NodeLayoutRKE2       = nodefs.LayoutRKE2
	NodeLayoutK3s        = nodefs.LayoutK3s
	NodeRoleControlPlane = nodefs.NodeControlPlane
	NodeRoleWorker       = nodefs.NodeWorker
)

// ReadNodeFiles scans a node's filesystem mounted at root (e.g. a read-only hostPath mount
// of / at /host) and returns a NodeFiles object for node and, when the kubelet's
// configuration is known, a KubeletConfiguration object named after the node and annotated
// with AnnotationNode and AnnotationKubeletConfigSource (file, or none when the kubelet runs
// without --config); when its configuration file cannot be read, that object is empty and
// carries AnnotationKubeletConfigError. Add them all to a Builder. Files that cannot be read are recorded in the object; only an unusable root is
// an error.
func ReadNodeFiles(ctx context.Context, root, node string) ([]*unstructured.Unstructured, error) {
	snap, err := nodefs.Read(ctx, root, node)
	if err != nil {
		return nil, err
	}
	spec, err := runtime.DefaultUnstructuredConverter.ToUnstructured(snap)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", node, err)
	}
	nf := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	nf.SetAPIVersion("kspm.dev/v1alpha1")
	nf.SetKind(KindNodeFiles.Kind)
	nf.SetName(node)
	nf.SetAnnotations(map[string]string{AnnotationNode: node})
	out := []*unstructured.Unstructured{nf}
	if snap.KubeletConfig != nil || snap.KubeletConfigError != "" {
		cfg := snap.KubeletConfig
		if snap.KubeletConfigError != "" {
			cfg = map[string]any{} // settings partly read are not settings
		}
		kc := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(normalizeJSON(cfg).(map[string]any))}
		kc.SetAPIVersion("kubelet.config.k8s.io/v1beta1")
		kc.SetKind(KindKubeletConfiguration.Kind)
		kc.SetName(node)
		source := KubeletConfigFromFile
		if snap.KubeletConfigSource == nodefs.KubeletConfigNone {
			source = KubeletConfigWithoutFile
		}
		ann := map[string]string{AnnotationNode: node, AnnotationKubeletConfigSource: source}
		if snap.KubeletConfigError != "" {
			ann[AnnotationKubeletConfigError] = snap.KubeletConfigError
		}
		kc.SetAnnotations(ann)
		out = append(out, kc)
	}
	return out, nil
}

// NodeStaticPod is a control-plane static pod manifest found on a node: the Pod, and the
// file it was read from (its path as the node sees it).
type NodeStaticPod struct {
	// Object is the Pod the manifest defines.
	Object *unstructured.Unstructured
	// Source is the manifest's path on the node, and the line where the Pod starts.
	Source Source
}

// ReadNodeStaticPods returns the control-plane static pods of the node whose filesystem is
// mounted at root, as ReadNodeFiles finds them (kubeadm's /etc/kubernetes/manifests and the
// kubelet's staticPodPath, RKE2's agent/pod-manifests), so that a scan run on the node can
// judge the components' flags from the files the kubelet runs. A manifest that is not a
// single Pod is an error naming its file; the others are still returned.
func ReadNodeStaticPods(ctx context.Context, root, node string) ([]NodeStaticPod, error) {
	snap, err := nodefs.Read(ctx, root, node)
	if err != nil {
		return nil, err
	}
	var out []NodeStaticPod
	var errs []error
	for _, sp := range snap.StaticPods {
		var m map[string]any
		if err := yaml.Unmarshal(sp.Data, &m); err != nil || m == nil {
			if err == nil {
				err = errors.New("empty manifest")
			}
			errs = append(errs, &SourceError{Source: Source{File: sp.Path}, Err: err})
			continue
		}
		u := &unstructured.Unstructured{Object: normalizeJSON(m).(map[string]any)}
		if u.GetKind() != KindPod.Kind || u.GetAPIVersion() != "v1" {
			errs = append(errs, &SourceError{Source: Source{File: sp.Path}, Err: fmt.Errorf("not a v1 Pod (%s %s)", u.GetAPIVersion(), u.GetKind())})
			continue
		}
		out = append(out, NodeStaticPod{Object: u, Source: Source{File: sp.Path}})
	}
	return out, errors.Join(errs...)
}

// normalizeJSON turns the numbers sigs.k8s.io/yaml decodes (float64) into int64 where they
// are whole, as unstructured objects hold them.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
		return x
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	}
	return v
}
