// Package kustomize builds kustomizations for the manifest loader: New returns an
// inventory.Renderer that LoadManifests uses, given inventory.WithRenderer, on every
// directory holding a kustomization file (kustomization.yaml, kustomization.yml or
// Kustomization). It is a package of its own so that a program that does not build
// kustomizations does not link kustomize.
//
// # Building
//
// A root is built in process with sigs.k8s.io/kustomize/api, as `kustomize build DIR` does
// with its default flags: files may be loaded only from within the kustomization's own
// directory (the root-only load restrictor; bases and components are directories of their
// own and may be anywhere), only builtin generators and transformers run (no exec,
// container or Go plugins), helmCharts are refused (as without --enable-helm: kustomize
// would run a helm binary, which may download charts), and objects come out in kustomize's
// legacy order unless the kustomization's sortOptions say otherwise.
//
// Only local files are read, and only regular files of at most inventory.DefaultMaxInputBytes:
// a resource, patch or generator file that is a FIFO or a device (kustomize refuses a link out
// of the kustomization's directory before) or larger fails the build with an error naming it,
// rather than hanging it or reading without end. A reference that kustomize would download — a
// file given as an http(s) URL, a base or component given as a git repository — is an error
// wrapping ErrRemote that names the reference and the file holding it, and the root is then
// not built at all: no connection is attempted and no git command is run. The references are
// checked before the build, in every kustomization the root uses.
//
// Builds run one at a time in a process (kustomize keeps the OpenAPI schema of a build in
// package state), and a build cannot be interrupted: the context is checked before and
// after it.
//
// # Warnings
//
// kustomize writes its notes on deprecated fields (bases, commonLabels, imageTags,
// patchesJson6902, patchesStrategicMerge, vars) straight onto os.Stderr, and logs a few
// remarks (vars never used) through the log package; it has no option to do otherwise. The
// Renderer returns them as warnings instead (inventory.Rendered.Warning, then
// Inventory.Warnings): each deprecated field as a warning on the kustomization file that uses
// it, at the field's line, whichever kustomization of the build it is in; anything else
// kustomize printed or logged as a warning on the root's kustomization file. Nothing reaches
// the program's standard error. To that end a build runs with the log package's output
// captured for its goroutine, and a build of kustomizations that use a deprecated field (and
// only such a build) runs with the variable os.Stderr pointing at a pipe (one build at a time
// in the process, as they run anyway): what another goroutine of the program writes through
// os.Stderr during such a build becomes a warning of that build, and a goroutine that reads
// the variable os.Stderr then races with the Renderer. Programs that cannot have that should
// fix deprecated fields (kustomize edit fix) before rendering. What the program logs through
// log and log/slog is passed on as before. Warnings come with the documents, and also when the
// build fails.
//
// # Sources
//
// The root's kustomization is read with originAnnotations added to its buildMetadata (the
// file on disk is not changed), so that kustomize records where each object came from; the
// annotations are then removed, unless the user asked for them, so that checks see what
// `kustomize build` prints. Each object's Source names the root ("kustomize:DIR") and, as
// the inventory.Rendered contract asks, a file relative to the root's parent directory:
//   - an object read from a file: that file ("base/deployment.yaml"; "../base/..." for a
//     file outside the root's parent directory), and the line of its
//     document there (the line the manifest loader gives the same document read as a
//     plain file), or 0 when the document cannot be told apart from the other documents of
//     its kind in that file;
//   - an object made by configMapGenerator or secretGenerator: the kustomization file that
//     configures the generator, and the line of the generator's entry;
//   - an object made by a generator configured in a file of its own: that file;
//   - anything else: the root's kustomization file, line 0.
//
// Patches and transformers change objects but do not make them: an object patched by an
// overlay still names the file that declares it.
//
// # Directory walks
//
// In a walk, LoadManifests asks the Renderer about each directory before reading it:
//   - a directory holding a kustomization is a root. It is built, and the loader does not
//     descend into it: every file and directory under it is the root's (its resources,
//     patches, bases and components), read only as the build reads them. A kustomization
//     nested under a root is therefore not built on its own;
//   - a directory holding a Component is not built (a component cannot be) nor read, and
//     a warning says so;
//   - bases and overlays that are siblings (base/, overlays/prod/, overlays/dev/) are each
//     reached by the walk and each built, as variants of their own: the base's objects are
//     in the inventory as the base builds them, and again as each overlay builds them.
//
// Name a root itself (LoadManifests of "overlays/prod") to build only that.
//
// # Binary size
//
// kustomize links Go's plugin package, for Go plugins that this package never loads. With
// cgo enabled (the default where a C compiler is installed) that makes the linker export
// every symbol and keep code it would otherwise drop: the scanner's binary doubles. Build
// with -tags kustomize_disable_go_plugin_support (kustomize's own tag) or CGO_ENABLED=0 to
// leave it out; builds are the same either way.
package kustomize
