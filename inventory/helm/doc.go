// Package helm renders Helm charts for inventory.LoadManifests, in process, with the Helm SDK
// (helm.sh/helm/v4): a Renderer given with inventory.WithRenderer makes a directory holding a
// Chart.yaml load as the objects `helm template RELEASE DIR` prints, with no helm binary, no
// cluster and no network. It is a package of its own so that a program that does not render
// charts does not link Helm.
//
// What a chart renders to is what `helm template` renders, step by step: the chart is loaded
// as Helm loads a directory (.helmignore applied; symbolic links followed; subcharts from
// charts/, as directories or .tgz archives), but each file is read with a bound: one that is
// not a regular file (a FIFO, a device, a link to one) fails the render with an error naming
// it, as does a chart whose files hold more than Helm's limit for a chart together
// (archive.MaxDecompressedChartSize, 100 MiB, refused by their sizes before they are read) or
// a symbolic link to a directory that holds it; every dependency Chart.yaml (or, for
// apiVersion v1, requirements.yaml) declares must be in charts/, as `helm dependency build`
// leaves it, or the chart is not rendered and the error names what is missing (nothing is
// downloaded); values are the chart's, then each values file (read with the same bounds as the
// chart's files, up to inventory.DefaultMaxInputBytes), then each --set (Helm's strvals
// syntax); conditions, tags and imported values are processed, values.schema.json is enforced
// (one that refers to a schema outside itself, which Helm's validator would download or read
// from anywhere on the machine, is an error wrapping ErrSchemaReference, and nothing is read),
// the chart's kubeVersion constraint is checked, and the templates are rendered with `helm
// template`'s defaults: release "release-name" in namespace "default", installed at revision
// 1, and the Capabilities Helm assumes with no cluster (a Kubernetes version derived from the
// client-go Helm is built with, and the API versions it knows). NOTES.txt is not rendered as a
// manifest; hooks are included, as `helm template` includes them, and hooks of an event Helm
// does not know are left out, as Helm leaves them out; files under crds/ are not included
// (helm template --include-crds is off by default). lookup finds nothing.
//
// Each rendered document is one inventory.Rendered whose File is the template's path as
// Helm's "# Source:" comment names it (mychart/templates/deployment.yaml, or
// mychart/charts/sub/templates/x.yaml for a subchart) and whose Line is the line where the
// document starts in that template's rendered text, so every object has a line of its own.
//
// What Helm logs while it loads and renders a chart (values it cannot merge, a
// requirements.yaml in a v2 chart, hooks of events it does not know), a chart marked
// deprecated and each symbolic link followed are warnings on the chart's Chart.yaml
// (inventory.Rendered.Warning). Helm has no logger of its own to give: it logs through the
// default loggers of the log and log/slog packages. While a chart renders, those are the
// renderer's: what the rendering goroutine logs becomes the chart's warnings (charts rendered
// in parallel keep theirs apart), and what the program's other goroutines log is passed on
// to the writer and handler that were in place, which are put back when no chart renders. So
// nothing Helm logs reaches the program's standard error. A program that replaces those
// defaults while charts render has its change undone when they end.
//
// A chart of type library cannot be rendered alone: Detect says it is a Part of the charts
// that use it. Anything that makes `helm template` fail (an unreadable values file, a missing
// dependency, a template that fails, output that is not YAML) makes Render fail with an error
// that names the chart and the file; nothing of that chart is loaded, as `helm template`
// prints nothing.
//
// # Limits
//
// A chart is code, and Helm's engine renders it with no bound of its own: a template can ask
// Sprig for a string of a gigabyte or count to a billion. Render bounds what it can:
//   - every Sprig function (and text/template's printf, print, println, html, js and
//     urlquery) goes through a guard; repeat, indent, nindent, randAlpha* and those built-ins
//     refuse to build a string larger than inventory.DefaultMaxDocumentBytes,
//     until, untilStep and seq to count more than 65536 numbers, and the functions of one
//     render together may return at most inventory.DefaultMaxInputBytes;
//   - the memory in use is looked at every 10 ms while a chart renders, and the render stops
//     once it grew by more than WithMaxRenderMemory (DefaultMaxRenderMemory);
//   - the rendered text of a chart may hold at most inventory.DefaultMaxInputBytes;
//   - Render returns when ctx is done, even while a template runs.
//
// The engine offers no hook but its function map, so a render stops at its next function
// call once a limit is passed or ctx is done: the error wraps ErrRenderLimit and names the
// chart. A template that loops without calling any function (ranges over lists of the chart's
// values, include of templates that include each other) is not stopped, nor is one that
// grows a string through Helm's own functions only (toJson, toYaml, include, tpl: Helm keeps
// them unexported, so they cannot be wrapped): once ctx is done, Render returns and the
// render goes on, on a goroutine of its own, to its end. Where charts are not trusted, run
// the render in a process of its own with a memory limit.
package helm
