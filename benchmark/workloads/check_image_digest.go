// workloads:image-digest inspects the image of every container, init container and
// ephemeral container of every pod template. It passes when every image is referenced by
// digest (name@sha256:<64 hex digits>, or sha384 or sha512): the digest names the image's
// content, which no push to the registry can change, while a tag, even a version tag, may be
// moved to other content. A reference with a digest a runtime cannot verify (an unknown
// algorithm, a short or upper-case value) fails too. A template whose only containers without
// a digest have no image at all is not evaluated.

package workloads

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

// ImageDigest returns the check workloads:image-digest: every image is referenced by digest.
func ImageDigest() check.Check {
	return check.New(check.Meta{
		ID:      "workloads:image-digest",
		Section: Section,
		Title:   "Images are referenced by digest",
		Description: "A tag is a pointer the registry lets anyone with push access move: the " +
			"same reference can run other code tomorrow, on one node and not another, and what " +
			"was reviewed or scanned is not what runs. A digest names the content itself. " +
			"Inspects the image of every container, init container and ephemeral container of " +
			"every pod and workload template. Passes when each is referenced by a digest a " +
			"runtime verifies (name@sha256:, sha384: or sha512: with the full lowercase value).",
		Severity: check.Low,
		Remediation: "Reference each image by digest (registry/name@sha256:...; registry/name:tag@sha256:... " +
			"keeps the tag for readers), and update the digest through your release process.",
		References: []string{refImages},
		Kinds:      slices.Clone(workloadKinds),
		Depends:    templateDeps,
	}, runImageDigest)
}

func runImageDigest(ctx context.Context, pass *check.Pass) error {
	reportUnseen(pass, workloadKinds...)
	for _, t := range pass.PodTemplates() {
		if err := ctx.Err(); err != nil {
			return err
		}
		reportImages(pass, t, func(c container, image string) string {
			switch digest, valid := imageDigest(image); {
			case valid:
				return ""
			case strings.Contains(image, "@"):
				return fmt.Sprintf("%s uses image %q, whose digest %q is not one a runtime verifies", c, image, digest)
			default:
				return fmt.Sprintf("%s uses image %q, not pinned by digest", c, image)
			}
		}, "every image is referenced by digest")
	}
	return nil
}
