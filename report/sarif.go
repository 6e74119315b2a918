package report

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/printable"
)

// SARIFSchemaURI is the $schema WriteSARIF writes: the SARIF 2.1.0 schema as GitHub code
// scanning names it.
const SARIFSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// sarifAs says what a result of some status becomes in SARIF.
type sarifAs int

const (
	// asResult: a SARIF result, with its location, fingerprints and the level of its
	// severity. An alert in code scanning.
	asResult sarifAs = iota + 1
	// asNotification: a tool execution notification of the invocation, at the entry's level:
	// what could not be judged is said, and is not an alert.
	asNotification
	// asCount: counted in the run's properties only (a pass is no finding).
	asCount
)

// sarifStatus is how WriteSARIF writes the results of one status.
type sarifStatus struct {
	as sarifAs
	// kind is the SARIF result kind (asResult).
	kind string
	// level is the notification level (asNotification).
	level string
	// suppressed adds a suppression (kind "external", the result's message as its
	// justification) to the result (asResult): a finding accepted on purpose, shown as such.
	suppressed bool
}

// sarifStatuses is the mapping of every status to SARIF. A status with no entry is written as
// a warning notification, never dropped; a test fails for a status of check.Statuses with no
// entry, so that one is chosen for each.
var sarifStatuses = map[check.Status]sarifStatus{
	check.StatusFail:          {as: asResult, kind: "fail"},
	check.StatusExcepted:      {as: asResult, kind: "fail", suppressed: true},
	check.StatusError:         {as: asNotification, level: "error"},
	check.StatusNotEvaluated:  {as: asNotification, level: "warning"},
	check.StatusManual:        {as: asNotification, level: "note"},
	check.StatusNotApplicable: {as: asCount},
	check.StatusPass:          {as: asCount},
}

// sarifStatusOf returns the mapping of status s.
func sarifStatusOf(s check.Status) sarifStatus {
	if m, ok := sarifStatuses[s]; ok {
		return m
	}
	return sarifStatus{as: asNotification, level: "warning"}
}

// sarifLevel returns the SARIF level of a failure of severity s: error for critical and
// high, warning for medium, note for low and info.
func sarifLevel(s check.Severity) string {
	switch s {
	case check.Critical, check.High:
		return "error"
	case check.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity returns the security-severity score of severity s as GitHub code scanning
// reads it (over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low), or ""
// for info, which has none.
func securitySeverity(s check.Severity) string {
	switch s {
	case check.Critical:
		return "9.5"
	case check.High:
		return "8.0"
	case check.Medium:
		return "5.5"
	case check.Low:
		return "2.0"
	}
	return ""
}

// GitHub code scanning's limits on a rule's text.
const (
	sarifMaxName        = 255
	sarifMaxDescription = 1024
	sarifMaxTags        = 20
)

// fingerprintKey names kspm's fingerprint (Fingerprint) among a result's partialFingerprints.
const fingerprintKey = "kspmFingerprint/v1"

// WriteSARIF writes r as a SARIF 2.1.0 log of one run, for GitHub code scanning and other
// SARIF viewers:
//
//   - one rule per check that has results (rule ID = check ID, which stays the same across
//     releases), named by its title, described by its description, with its remediation as
//     help, its severity as default level (critical and high: error; medium: warning; low
//     and info: note) and as properties.security-severity, and tags for its benchmarks;
//   - one result per failing result, at its object's manifest file and line
//     (physicalLocation, the path relative to opts.BaseDir) with the object and field path
//     as logical locations; an object read from a cluster, standard input or rendered output
//     whose line is not one of a file has logical locations (and the file) only.
//     partialFingerprints hold Fingerprint, under "kspmFingerprint/v1" and, shortened, under
//     "primaryLocationLineHash", the one key GitHub matches alerts by: an alert follows its
//     object when lines move;
//   - results that are not findings are not dropped: error, notEvaluated and manual results
//     become tool execution notifications of the invocation (levels error, warning and note),
//     naming their check and object; passing and not-applicable results are counted in the
//     run's properties. The load errors and warnings of the inventory are notifications too,
//     and the invocation is successful only when no notification is an error.
//
// The results are at most opts.SARIFMaxResults (default 25,000, GitHub's limit), the most
// severe kept; a notification says how many were left out. Text is escaped as WriteJSON
// escapes it.
func WriteSARIF(w io.Writer, r *Report, opts Options) error {
	if r == nil {
		return errors.New("write SARIF report: nil report")
	}
	log := buildSARIF(r, opts)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write SARIF report: %w", err)
	}
	if _, err := w.Write(printable.EscapeJSON(buf.Bytes())); err != nil {
		return fmt.Errorf("write SARIF report: %w", err)
	}
	return nil
}

// The SARIF objects WriteSARIF writes (a subset of SARIF 2.1.0's).
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                   `json:"tool"`
		AutomationDetails  *sarifAutomation            `json:"automationDetails,omitempty"`
		Invocations        []sarifInvocation           `json:"invocations"`
		OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
		Results            []sarifResult               `json:"results"`
		Properties         map[string]any              `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name          string            `json:"name"`
		Version       string            `json:"version,omitempty"`
		Rules         []sarifRule       `json:"rules"`
		Notifications []sarifDescriptor `json:"notifications,omitempty"`
	}
	sarifDescriptor struct {
		ID               string    `json:"id"`
		ShortDescription sarifText `json:"shortDescription"`
	}
	sarifAutomation struct {
		ID string `json:"id"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name,omitempty"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		HelpURI              string         `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
		WorkingDirectory           *sarifArtifactLoc   `json:"workingDirectory,omitempty"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level          string          `json:"level"`
		Message        sarifText       `json:"message"`
		Descriptor     *sarifReference `json:"descriptor,omitempty"`
		AssociatedRule *sarifReference `json:"associatedRule,omitempty"`
		Locations      []sarifLocation `json:"locations,omitempty"`
		Properties     map[string]any  `json:"properties,omitempty"`
	}
	sarifReference struct {
		ID    string `json:"id"`
		Index *int   `json:"index,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Kind                string             `json:"kind"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations,omitempty"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          map[string]any     `json:"properties,omitempty"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Status        string `json:"status,omitempty"`
		Justification string `json:"justification,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
		Message          *sarifText     `json:"message,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           *sarifRegion     `json:"region,omitempty"`
	}
	sarifArtifactLoc struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogical struct {
		Name               string `json:"name,omitempty"`
		FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
		Kind               string `json:"kind,omitempty"`
	}
)

// srcRoot is the uriBaseId of paths relative to Options.BaseDir.
const srcRoot = "SRCROOT"

func buildSARIF(r *Report, opts Options) *sarifLog {
	c := newCatalog(r, opts)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: cmp.Or(r.Tool.Name, "kspm"), Version: r.Tool.Version,
			Rules: []sarifRule{}}},
		Results: []sarifResult{},
	}
	if opts.SARIFCategory != "" {
		cat := strings.TrimSuffix(opts.SARIFCategory, "/")
		run.AutomationDetails = &sarifAutomation{ID: cat + "/"}
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	if !r.GeneratedAt.IsZero() {
		inv.EndTimeUTC = r.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	uriBase := ""
	paths := newSourcePaths(opts.BaseDir)
	if paths.absBase != "" {
		base := &url.URL{Scheme: "file", Path: strings.TrimSuffix(filepath.ToSlash(paths.absBase), "/") + "/"}
		inv.WorkingDirectory = &sarifArtifactLoc{URI: base.String()}
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: base.String()}}
		uriBase = srcRoot
	}

	notes := &notificationKinds{driver: &run.Tool.Driver, index: make(map[string]int)}

	// Rules: every check with results, in benchmark order.
	ruleIndex := make(map[string]int, len(c.order))
	for _, id := range c.order {
		ruleIndex[id] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(c.meta[id], c.benchmarks[id]))
	}

	counts := make(map[check.Status]int)
	var results []*check.Result
	for i := range r.Results {
		res := &r.Results[i]
		counts[res.Status]++
		m := sarifStatusOf(res.Status)
		switch m.as {
		case asResult:
			results = append(results, res)
		case asNotification:
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
				sarifNotificationOf(res, m.level, notes, ruleIndex, paths, uriBase))
		}
	}
	// Most severe first when some must be left out; otherwise in report order.
	limit := opts.SARIFMaxResults
	if limit == 0 {
		limit = DefaultSARIFMaxResults
	}
	if limit > 0 && len(results) > limit {
		slices.SortStableFunc(results, func(a, b *check.Result) int { return cmp.Compare(b.Severity.Rank(), a.Severity.Rank()) })
		left := results[limit:]
		results = results[:limit]
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "error",
			Message: sarifText{Text: fmt.Sprintf("%d results left out of this log, the least severe: a run holds at most %d "+
				"(GitHub code scanning rejects more); the JSON, CSV or HTML report lists every result", len(left), limit)},
			Descriptor: notes.ref("kspm/results-left-out", "Results left out of the log: it holds at most so many"),
		})
	}
	occurrences := make(map[string]int) // of each fingerprint, as results share one
	in := newInputs(r.Inventory.Sources)
	for _, res := range results {
		sr := sarifResultOf(res, in, ruleIndex, paths, uriBase)
		fp := sr.PartialFingerprints[fingerprintKey]
		occurrences[fp]++
		// GitHub matches alerts by primaryLocationLineHash alone; the upload action computes
		// one from the line's text only when it is missing. Results that share a
		// fingerprint (one check's findings about one field of one object) are told apart
		// by their occurrence, as the action does for results on one line.
		sr.PartialFingerprints["primaryLocationLineHash"] = fmt.Sprintf("%s:%d", fp[:16], occurrences[fp])
		run.Results = append(run.Results, sr)
	}

	for _, e := range r.Inventory.Errors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "error", Message: sarifText{Text: "load error: " + e}, Descriptor: notes.ref("kspm/load-error",
				"Input that was not read or not loaded: what it holds was not scanned")})
	}
	for _, e := range r.Inventory.Warnings {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "warning", Message: sarifText{Text: "load warning: " + e}, Descriptor: notes.ref("kspm/load-warning",
				"A remark about input that was read and scanned")})
	}
	for _, g := range governanceNotes(r) {
		level := "note"
		if g.Label != "" {
			level = "warning"
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: level, Message: sarifText{Text: oneLine(strings.TrimSpace(g.Label + " " + g.Text))},
			Descriptor: notes.ref("kspm/"+g.Kind, governanceKinds[g.Kind])})
	}
	for _, n := range inv.ToolExecutionNotifications {
		if n.Level == "error" {
			inv.ExecutionSuccessful = false
		}
	}
	run.Invocations = []sarifInvocation{inv}

	statusCounts := make(map[string]int, len(counts))
	for s, n := range counts {
		statusCounts[string(s)] = n
	}
	props := map[string]any{"kspm/resultsByStatus": statusCounts, "kspm/inventoryMode": string(r.Inventory.Mode),
		"kspm/objects": r.Inventory.Objects}
	if len(r.Benchmarks) > 0 {
		props["kspm/benchmarks"] = r.Benchmarks
	}
	if x := r.Exceptions; x != nil {
		ex := map[string]any{"applied": len(x.Applied), "expired": len(x.Expired), "unused": len(x.Unused), "exceptedResults": setAside(x)}
		if a := x.Annotations; a != nil {
			ex["annotationExceptedResults"], ex["annotationsNotApplied"] = a.Results, len(a.Ignored)
		}
		props["kspm/exceptions"] = ex
	}
	if b := r.Baseline; b != nil {
		props["kspm/baseline"] = map[string]int{"new": b.New, "present": b.Present, "resolved": b.Resolved, "unconfirmed": b.Unconfirmed}
	}
	run.Properties = props
	return &sarifLog{Schema: SARIFSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
}

// truncateRunes returns s cut to at most n runes, the last of them "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func sarifRuleOf(m check.Meta, benchmarks []string) sarifRule {
	title := cmp.Or(oneLine(m.Title), m.ID)
	rule := sarifRule{
		ID:                   m.ID,
		Name:                 truncateRunes(title, sarifMaxName),
		ShortDescription:     sarifText{Text: truncateRunes(title, sarifMaxDescription)},
		FullDescription:      sarifText{Text: truncateRunes(cmp.Or(oneLine(m.Description), title), sarifMaxDescription)},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(m.Severity)},
	}
	help := cmp.Or(m.Remediation, "No remediation given.")
	if len(m.References) > 0 {
		help += "\n\nReferences:\n- " + strings.Join(m.References, "\n- ")
		for _, ref := range m.References {
			if u, err := url.Parse(ref); err == nil && u.Scheme == "https" && u.Host != "" {
				rule.HelpURI = ref
				break
			}
		}
	}
	rule.Help = sarifText{Text: help}
	tags := []string{"security", "kubernetes"}
	for _, b := range benchmarks {
		if len(tags) < sarifMaxTags {
			tags = append(tags, b)
		}
	}
	props := map[string]any{"tags": tags, "kspm/severity": string(m.Severity)}
	if s := securitySeverity(m.Severity); s != "" {
		props["security-severity"] = s
	}
	if m.Section != "" {
		props["kspm/section"] = m.Section
	}
	if m.Level != "" {
		props["kspm/level"] = m.Level
	}
	rule.Properties = props
	return rule
}

// sarifLocations returns the locations of res: its object's file and line, and the object
// and field as logical locations; nil for a result about no object and no field.
func sarifLocations(res *check.Result, paths *sourcePaths, uriBase string) []sarifLocation {
	var loc sarifLocation
	obj := objectLabel(res)
	if o := res.Object; o != nil {
		if p, ok := paths.of(o.Source); ok {
			al := sarifArtifactLoc{URI: fileURI(p)}
			if uriBase != "" && !filepath.IsAbs(filepath.FromSlash(p)) {
				al.URIBaseID = uriBase
			}
			loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: al}
			// A rendered object's line is one of the rendered output, not of the file.
			if o.Source.Root == "" && o.Source.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: o.Source.Line}
			}
		}
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: o.Name,
			FullyQualifiedName: obj, Kind: "resource"})
	}
	if res.Field != "" {
		fq := res.Field
		if obj != "" {
			fq = obj + ": " + res.Field
		}
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: res.Field,
			FullyQualifiedName: fq, Kind: "property"})
	}
	if loc.PhysicalLocation == nil && loc.LogicalLocations == nil {
		return nil
	}
	return []sarifLocation{loc}
}

// sarifMessage returns the text of a result: its message, and its object and field when the
// result has no file to show them at.
func sarifMessage(res *check.Result) string {
	msg := cmp.Or(oneLine(res.Message), oneLine(res.Title), res.CheckID)
	if obj := objectLabel(res); obj != "" {
		msg += " (" + obj
		if res.Field != "" {
			msg += ", " + res.Field
		}
		msg += ")"
	}
	return msg
}

func sarifResultOf(res *check.Result, in inputs, ruleIndex map[string]int, paths *sourcePaths, uriBase string) sarifResult {
	m := sarifStatusOf(res.Status)
	fpb := in.fingerprint(res)
	fp := hex.EncodeToString(fpb[:])
	out := sarifResult{
		RuleID:              res.CheckID,
		RuleIndex:           ruleIndex[res.CheckID],
		Kind:                m.kind,
		Level:               sarifLevel(res.Severity),
		Message:             sarifText{Text: sarifMessage(res)},
		Locations:           sarifLocations(res, paths, uriBase),
		PartialFingerprints: map[string]string{fingerprintKey: fp},
	}
	if m.suppressed {
		out.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: oneLine(suppressionJustification(res))}}
	}
	props := map[string]any{"kspm/status": string(res.Status), "kspm/severity": string(res.Severity)}
	if res.Admission != nil {
		props["kspm/admissionBinding"] = res.Admission.Binding
		if len(res.Admission.ValidationActions) > 0 {
			props["kspm/validationActions"] = res.Admission.ValidationActions
		}
	}
	out.Properties = props
	return out
}

// suppressionJustification says why res is suppressed: its exception, worded as every format
// words it (exceptionText), or the result's message for a result that carries none.
func suppressionJustification(res *check.Result) string {
	if e := res.Exception; e != nil {
		return exceptionText(e) // as the other formats word it
	}
	return res.Message
}

// notificationKinds are the notification descriptors of a run (driver.notifications), made
// as the notifications that refer to them are.
type notificationKinds struct {
	driver *sarifDriver
	index  map[string]int
}

// ref returns a reference to the descriptor id, adding it with its description first.
func (k *notificationKinds) ref(id, description string) *sarifReference {
	i, ok := k.index[id]
	if !ok {
		i = len(k.driver.Notifications)
		k.index[id] = i
		k.driver.Notifications = append(k.driver.Notifications, sarifDescriptor{ID: id,
			ShortDescription: sarifText{Text: description}})
	}
	return &sarifReference{ID: id, Index: &i}
}

// statusDescriptions describe the notifications of the statuses that become notifications.
var statusDescriptions = map[check.Status]string{
	check.StatusError:        "A check failed to run: its verdict is unknown",
	check.StatusNotEvaluated: "A check could not be evaluated, usually because data it needs could not be seen: never a pass",
	check.StatusManual:       "A control that needs a person's judgement",
}

func sarifNotificationOf(res *check.Result, level string, notes *notificationKinds, ruleIndex map[string]int,
	paths *sourcePaths, uriBase string) sarifNotification {
	n := sarifNotification{
		Level:   level,
		Message: sarifText{Text: string(res.Status) + ": " + res.CheckID + ": " + sarifMessage(res)},
		Descriptor: notes.ref("kspm/"+string(res.Status), cmp.Or(statusDescriptions[res.Status],
			"Results of status "+string(res.Status))),
		Locations:  sarifLocations(res, paths, uriBase),
		Properties: map[string]any{"kspm/status": string(res.Status)},
	}
	if i, ok := ruleIndex[res.CheckID]; ok {
		n.AssociatedRule = &sarifReference{ID: res.CheckID, Index: &i}
	}
	return n
}
