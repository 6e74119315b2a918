package report

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"path"
	"path/filepath"
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Fingerprint returns a stable identity of what r is about, as 32 hexadecimal digits: the
// same for the result of the same check on the same object and field in two scans, so that a
// finding can be followed from one report to the next (see Baseline) and by tools that track
// findings (SARIF partialFingerprints).
//
// It is a hash of the check ID, the object's identity (API group, kind, namespace, name and,
// for manifests, the file it was read from and the Helm or kustomize render root, with the
// file path cleaned and written with forward slashes) and the field path. It leaves out what
// changes when nothing about the finding does: the message text, the object's API version
// and UID, the line (lines move when a file is edited above the object), the result's place
// in the report and when the scan ran. Two results of one check about one object and field
// share a fingerprint, whatever their status or message.
func Fingerprint(r *check.Result) string {
	fp := fingerprint(r)
	return hex.EncodeToString(fp[:])
}

// fingerprintVersion starts what is hashed, so that a later way of computing fingerprints
// cannot give a value this one gives.
const fingerprintVersion = "kspm.dev/fingerprint/v1"

// fingerprint is Fingerprint as 16 bytes.
func fingerprint(r *check.Result) [16]byte {
	return identity(r.CheckID, r.Object, r.Field, true)
}

// objectIdentity is the fingerprint of a result of check checkID about o, its field aside.
func objectIdentity(checkID string, o *inventory.Ref) [16]byte {
	return identity(checkID, o, "", false)
}

// identity hashes the parts of a fingerprint (see Fingerprint); the field only withField.
func identity(checkID string, o *inventory.Ref, field string, withField bool) [16]byte {
	h := sha256.New()
	// Each part is written with its length first, so that no two lists of parts hash alike.
	var n [binary.MaxVarintLen64]byte
	write := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	write(fingerprintVersion)
	write(checkID)
	if o == nil {
		write("") // about no object: the cluster, or the check as a whole
	} else {
		write("object")
		group, _, _ := strings.Cut(o.APIVersion, "/")
		if !strings.Contains(o.APIVersion, "/") {
			group = "" // the core group: "v1"
		}
		write(group)
		write(o.Kind)
		write(o.Namespace)
		write(o.Name)
		if s := o.Source; s != nil {
			write(cleanFile(s.File))
			write(s.Root)
		} else {
			write("")
			write("")
		}
	}
	if withField {
		write(field)
	}
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

// cleanFile returns a manifest's path cleaned and with forward slashes, so that "./a/b.yaml"
// and "a/b.yaml", or a path written on Windows, name the same file.
func cleanFile(f string) string {
	if f == "" || f == "-" {
		return f
	}
	return path.Clean(filepath.ToSlash(f))
}
