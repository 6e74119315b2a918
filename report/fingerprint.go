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
// findings (SARIF partialFingerprints). sources are the inputs of r's report
// (InventorySummary.Sources; Fingerprints gives every result of a report its fingerprint).
//
// It is a hash of the check ID, the object's identity (API group, kind, namespace, name and,
// for manifests, the file it was read from and the Helm or kustomize render root) and the
// field path. A manifest's file is named relative to the input (one of sources) it was read
// under, not as it was spelt: "-f manifests", "-f ./manifests" and "-f /abs/manifests", from
// any working directory, give one fingerprint; a file given as an input itself is named by
// its base name. When the report read several inputs, a file under a directory input is
// named after that directory's last element too ("prod/web.yaml"), so that the variants of
// an object in two inputs stay apart. A file under no input is named as it was read, cleaned
// and written with forward slashes.
//
// It leaves out what changes when nothing about the finding does: the message text, the
// object's API version and UID, the line (lines move when a file is edited above the
// object), the result's place in the report and when the scan ran. Two results of one check
// about one object and field share a fingerprint, whatever their status or message.
func Fingerprint(r *check.Result, sources ...string) string {
	fp := newInputs(sources).fingerprint(r)
	return hex.EncodeToString(fp[:])
}

// Fingerprints returns the Fingerprint of each of rep's results, in order, each computed
// once.
func Fingerprints(rep *Report) []string {
	in := newInputs(rep.Inventory.Sources)
	out := make([]string, len(rep.Results))
	for i := range rep.Results {
		fp := in.fingerprint(&rep.Results[i])
		out[i] = hex.EncodeToString(fp[:])
	}
	return out
}

// fingerprintVersion starts what is hashed, so that a later way of computing fingerprints
// cannot give a value this one gives.
const fingerprintVersion = "kspm.dev/fingerprint/v1"

// inputs are the inputs of a report, cleaned, as fingerprints name manifest files by them.
type inputs struct {
	roots []string
	// several is set when there are several roots: a file's name then starts with its root's.
	several bool
}

// newInputs returns the inputs of a report whose InventorySummary.Sources are sources.
func newInputs(sources []string) inputs {
	var in inputs
	for _, s := range sources {
		if s != "" && s != "-" {
			in.roots = append(in.roots, cleanFile(s))
		}
	}
	in.several = len(in.roots) > 1
	return in
}

// fingerprint is Fingerprint as 16 bytes.
func (in inputs) fingerprint(r *check.Result) [16]byte {
	return in.identity(r.CheckID, r.Object, r.Field, true)
}

// objectIdentity is the fingerprint of a result of check checkID about o, its field aside.
func (in inputs) objectIdentity(checkID string, o *inventory.Ref) [16]byte {
	return in.identity(checkID, o, "", false)
}

// under reports whether the cleaned path f is root or within it.
func under(f, root string) bool {
	switch root {
	case f:
		return true
	case ".":
		return !path.IsAbs(f) && f != ".." && !strings.HasPrefix(f, "../")
	case "/":
		return path.IsAbs(f)
	}
	return strings.HasPrefix(f, root+"/")
}

// file returns the name a fingerprint gives the manifest f (see Fingerprint).
func (in inputs) file(f string) string {
	f = cleanFile(f)
	if f == "" || f == "-" {
		return f
	}
	best := -1
	for i, r := range in.roots {
		if under(f, r) && (best < 0 || len(r) > len(in.roots[best])) {
			best = i
		}
	}
	if best < 0 {
		return f
	}
	root := in.roots[best]
	switch {
	case f == root:
		return path.Base(f)
	case root == ".":
		// f as it is
	case root == "/":
		f = f[1:]
	default:
		f = f[len(root)+1:]
	}
	if b := path.Base(root); in.several && b != "." && b != ".." && b != "/" {
		f = b + "/" + f
	}
	return f
}

// renderRoot returns the name a fingerprint gives a render root, "RENDERER:DIR" (see
// inventory.Source.Root): its directory named as file names a manifest.
func (in inputs) renderRoot(root string) string {
	name, dir, ok := strings.Cut(root, ":")
	if !ok {
		return root
	}
	return name + ":" + in.file(dir)
}

// identity hashes the parts of a fingerprint (see Fingerprint); the field only withField.
func (in inputs) identity(checkID string, o *inventory.Ref, field string, withField bool) [16]byte {
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
		switch s := o.Source; {
		case s == nil:
			write("")
			write("")
		case s.Root != "":
			// A rendered object's file is named within its root already.
			write(cleanFile(s.File))
			write(in.renderRoot(s.Root))
		default:
			write(in.file(s.File))
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
