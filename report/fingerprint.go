package report

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/kspm-dev/kspm/check"
)

// Fingerprint returns the stable identity of result r, the same across scans of the same
// input whatever changed around it: a hex SHA-256 over r's check ID, its object's API group,
// kind, namespace and name, the object's source file and render root (not its line: lines
// move when a file is edited above the object), and r's field path. Message text, status,
// severity, result order and time are left out, so that a finding keeps its fingerprint when
// its wording changes or it is fixed and comes back. A result about no object has the object
// fields empty.
//
// Two results of one check about one object and field share a fingerprint. The SARIF writer
// puts it in partialFingerprints; it is what a baseline compares reports by.
func Fingerprint(r *check.Result) string {
	var group, kind, namespace, name, file, root string
	if o := r.Object; o != nil {
		if g, _, ok := strings.Cut(o.APIVersion, "/"); ok {
			group = g // "apps/v1" → "apps"; "v1" is the core group, ""
		}
		kind, namespace, name = o.Kind, o.Namespace, o.Name
		if s := o.Source; s != nil {
			file, root = s.File, s.Root
		}
	}
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range [...]string{r.CheckID, group, kind, namespace, name, file, root, r.Field} {
		// Each field is prefixed with its length, so that no two lists of fields hash alike.
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}
