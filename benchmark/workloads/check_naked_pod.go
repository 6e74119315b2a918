// workloads:naked-pod inspects the owner references of every Pod. It passes for a pod with a
// controller (an owner reference with controller: true: a ReplicaSet, StatefulSet, DaemonSet,
// Job, an operator's resource, ...), which recreates it when it or its node goes away, and
// fails for a pod with none. Static pods are not applicable: the kubelet runs them from its
// manifest files and restarts them itself; a pod is taken for one when it carries the marks
// the kubelet puts on their mirrors (the kubernetes.io/config.mirror annotation,
// kubernetes.io/config.source: file, an owner reference to a Node). A pod read from manifests
// in kube-system with no owner and no such mark (a static pod manifest read from a node's
// disk looks like that) is not evaluated. Workload templates are not pods and are not judged.

package workloads

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// NakedPod returns the check workloads:naked-pod: every pod has a controller.
func NakedPod() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:naked-pod",
		Section: Section,
		Title:   "Pods are managed by a controller",
		Description: "A pod that no controller manages is not recreated when it crashes out, is " +
			"evicted or its node fails, cannot be rolled out or rolled back, and is often a " +
			"leftover of debugging that nobody maintains. Inspects the owner references of every " +
			"Pod. Passes when one is its controller; static pods, which the kubelet runs from its " +
			"manifest files, are not applicable.",
		Severity: check.Low,
		Remediation: "Run the pod from a Deployment, StatefulSet, DaemonSet or Job (kubectl create " +
			"deployment), or delete it if it is a leftover.",
		References: []string{refOwners},
		Kinds:      []schema.GroupKind{inventory.KindPod},
		Depends:    podDeps,
	}, runNakedPod)
}

// configSourceAnnotation says where the kubelet read a pod from; "file" marks a static pod.
const configSourceAnnotation = "kubernetes.io/config.source"

func runNakedPod(ctx context.Context, pass *check.Pass) error {
	inv := pass.Inventory
	for _, o := range pass.Objects(inventory.KindPod) {
		if err := ctx.Err(); err != nil {
			return err
		}
		pod, ok := o.Object().(*corev1.Pod)
		if !ok {
			continue
		}
		if ref := metav1.GetControllerOfNoCopy(pod); ref != nil && ref.Kind != "Node" {
			pass.Passf(o, "controlled by %s %s", ref.Kind, ref.Name)
			continue
		}
		if why := staticPodMark(pod); why != "" {
			pass.NotApplicablef(o, "static pod (%s): the kubelet runs it from its manifest file and restarts it", why)
			continue
		}
		if pod.Namespace == "kube-system" && len(pod.OwnerReferences) == 0 && inv.Mode() == inventory.ModeManifests &&
			!exists(&pod.ObjectMeta) {
			pass.NotEvaluated(o, "no controller, and in kube-system: a static pod manifest read from a node's disk, "+
				"which the kubelet runs and restarts itself, looks like this")
			continue
		}
		pass.Fail(o, "metadata.ownerReferences", "no controller manages the pod: nothing recreates it if it fails, "+
			"is evicted or loses its node")
	}
	return nil
}

// staticPodMark names the mark of a kubelet static pod's mirror pod carries, or "".
func staticPodMark(pod *corev1.Pod) string {
	if _, ok := pod.Annotations[mirrorPodAnnotation]; ok {
		return "annotation " + mirrorPodAnnotation
	}
	if pod.Annotations[configSourceAnnotation] == "file" {
		return "annotation " + configSourceAnnotation + ": file"
	}
	for _, ref := range pod.OwnerReferences {
		if ref.Kind == "Node" {
			return "owned by Node " + ref.Name
		}
	}
	return ""
}
