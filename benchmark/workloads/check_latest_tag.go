// workloads:latest-tag inspects the image of every container, init container and ephemeral container
// of every pod template. It passes when every image is pinned: by a digest (image@sha256:...) or
// by a tag other than "latest". An image with no tag (which means latest) or the tag latest, and
// no digest, fails; the failure names each such container and points at the first one's image.
// A template whose only unpinned containers have no image at all is not evaluated.

package workloads

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

// LatestTag returns the check workloads:latest-tag: every image is pinned by digest or version tag.
func LatestTag() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:latest-tag",
		Section: Section,
		Title:   "Images are pinned by digest or version tag",
		Description: "An image with no tag or the tag latest changes under the workload: two " +
			"nodes may run different code, a rollback does not roll back, and what was scanned " +
			"is not what runs. Inspects the image of every container, init container and " +
			"ephemeral container of every pod and workload template. Passes when each image has " +
			"a digest, or a tag other than latest.",
		Severity: check.Low,
		Remediation: "Reference images by digest (registry/name@sha256:...) or by an immutable " +
			"version tag (registry/name:1.2.3), never by latest or no tag.",
		References: []string{refImages},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runLatestTag)
}

func runLatestTag(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		reportImages(pass, t, func(c container, image string) string {
			switch tag, pinned := imageTag(image); {
			case pinned:
				return ""
			case tag == "":
				return fmt.Sprintf("%s uses image %q, which has no tag or digest (so means latest)", c, image)
			default:
				return fmt.Sprintf("%s uses image %q, whose tag latest is not pinned", c, image)
			}
		}, "every image is pinned")
	}
	return nil
}

// imageTag returns the tag of an image reference ("" when it has none) and whether the
// reference is pinned: it has a digest, or a tag other than latest.
func imageTag(image string) (tag string, pinned bool) {
	if strings.Contains(image, "@") {
		return "", true
	}
	// A colon after the last slash separates the tag; one before it is a registry's port.
	name := image[strings.LastIndex(image, "/")+1:]
	if i := strings.LastIndex(name, ":"); i >= 0 {
		tag = name[i+1:]
	}
	return tag, tag != "" && tag != "latest"
}
