// workloads:image-pull-policy inspects the image pull policy of every container, init
// container and ephemeral container of every pod template, as the API server sets it when the
// manifest leaves it out: Always for an image tagged latest or with neither tag nor digest,
// IfNotPresent otherwise. It passes when every policy is Always: the kubelet then asks the
// registry, with the pod's own pull credentials, each time a container starts. IfNotPresent
// and Never fail: a node that holds the image runs it without asking, so a pod without access
// to a private image runs it once another pod pulled it onto the node, and a tag moved in the
// registry is not followed. The AlwaysPullImages admission plugin, which sets Always on every
// pod, is not read: on a cluster that runs it, templates still show the policy they ask for.

package workloads

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
	"github.com/kspm-dev/kspm/inventory"
)

// ImagePullPolicy returns the check workloads:image-pull-policy: every container pulls its
// image each time it starts.
func ImagePullPolicy() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:image-pull-policy",
		Section: Section,
		Title:   "Containers pull their image each time they start",
		Description: "With imagePullPolicy IfNotPresent or Never, a node that already holds an " +
			"image runs it without asking the registry: a pod that has no access to a private " +
			"image runs it anyway once another pod pulled it onto the node, and a tag moved in the " +
			"registry is not followed. Inspects the pull policy of every container, init container " +
			"and ephemeral container of every pod and workload template, as the API server defaults " +
			"it when unset (Always for an image tagged latest or untagged, IfNotPresent for any " +
			"other tag or a digest). Passes when every policy is Always.",
		Severity: check.Low,
		Remediation: "Set imagePullPolicy: Always on each container (or enable the AlwaysPullImages " +
			"admission plugin, which sets it on every pod). A digest keeps pulls cheap: the registry " +
			"is asked, the layers are not downloaded again.",
		References: []string{refImages, refCIS + " 1.2.11"},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runImagePullPolicy)
}

func runImagePullPolicy(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	defaults := map[string]corev1.PullPolicy{} // the API server's policy for an image
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var offences []podverdict.Offence
		for c := range containers(t) {
			switch p := pullPolicy(c.Container, defaults); p {
			case corev1.PullAlways:
			case corev1.PullNever:
				offences = append(offences, podverdict.At(c.field("imagePullPolicy"),
					fmt.Sprintf("%s never pulls image %q (imagePullPolicy Never): it runs whatever the node holds", c, c.Image)))
			default:
				offences = append(offences, podverdict.At(c.field("imagePullPolicy"),
					fmt.Sprintf("%s pulls image %q only when the node lacks it (imagePullPolicy %s)", c, c.Image, p)))
			}
		}
		podverdict.Report(pass, t, offences, "every container pulls its image each time it starts (imagePullPolicy Always)")
	}
	return nil
}

// pullPolicy returns the pull policy c runs with: its own, or, when it has none (objects not
// read by a loader, which defaults them), the one the API server sets for its image,
// remembered in defaults.
func pullPolicy(c *corev1.Container, defaults map[string]corev1.PullPolicy) corev1.PullPolicy {
	if c.ImagePullPolicy != "" {
		return c.ImagePullPolicy
	}
	if p, ok := defaults[c.Image]; ok {
		return p
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: c.Image}}}}
	inventory.ApplyDefaults(pod)
	defaults[c.Image] = pod.Spec.Containers[0].ImagePullPolicy
	return defaults[c.Image]
}
