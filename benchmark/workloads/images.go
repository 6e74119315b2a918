package workloads

import (
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/podverdict"
	"github.com/kspm-dev/kspm/inventory"
)

// digestHexLen are the digest algorithms container runtimes verify, with the length of
// their lowercase hexadecimal encoding (the OCI image specification's registered
// algorithms).
var digestHexLen = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// imageDigest splits an image reference at its digest: name@algorithm:hex. It returns the
// digest ("" when the reference has none) and whether it is one a runtime can verify: a
// registered algorithm with its full lowercase hexadecimal value, after a non-empty name.
func imageDigest(image string) (digest string, valid bool) {
	name, digest, ok := strings.Cut(image, "@")
	if !ok {
		return "", false
	}
	alg, hex, _ := strings.Cut(digest, ":")
	n, known := digestHexLen[alg]
	if !known || len(hex) != n || name == "" {
		return digest, false
	}
	for _, c := range []byte(hex) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return digest, false
		}
	}
	return digest, true
}

// reportImages reports the one result of an image control for pod template t: judge says
// what is wrong with each container's image ("" for nothing), trimmed of spaces; a template
// whose only containers without a fault have no image at all is not evaluated, since what
// they run is not known.
func reportImages(pass *check.Pass, t inventory.PodTemplate, judge func(c container, image string) string, passMsg string) {
	var offences []podverdict.Offence
	var noImage []string
	for c := range containers(t) {
		image := strings.TrimSpace(c.Image)
		if image == "" {
			noImage = append(noImage, c.String())
			continue
		}
		if msg := judge(c, image); msg != "" {
			offences = append(offences, podverdict.At(c.field("image"), msg))
		}
	}
	if len(offences) == 0 && len(noImage) > 0 {
		pass.NotEvaluated(t.Owner, strings.Join(noImage, ", ")+" has no image")
		return
	}
	podverdict.Report(pass, t, offences, passMsg)
}
