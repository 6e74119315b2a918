package workloads

import "strings"

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
