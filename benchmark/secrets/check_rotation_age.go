// secrets:rotation-age inspects when each Secret's data was last written, from its
// creationTimestamp and its managedFields (which the cluster loader keeps for Secrets, reduced
// to each entry's manager, time and top-level fields). A managedFields entry's time is the last
// time its manager changed any field it owns, so the data was last written no later than the
// latest time of the entries that own data. The Secret:
//   - passes when it was created within the rotation age (parameter maxAgeDays, default 90),
//     or when an entry that owns its data and nothing else but its type changed it within
//     that age;
//   - fails when it is older than the rotation age and every entry that owns its data is
//     too: the value has not changed since;
//   - is not evaluated when it has no creationTimestamp (manifests written by hand: its age
//     is unknown), or when it is older but what changed recently may not be its data (the
//     entry that owns the data also owns other fields, no entry owns the data, or there are
//     no managedFields).
//
// Secrets of the types of the ignoreTypes parameter are not applicable (service-account
// tokens, see secrets:legacy-sa-token; bootstrap tokens, which expire; Helm release records).
// The parameter asOf (RFC 3339) fixes the time the ages are counted to; by default, the time
// of the scan.

package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Parameters of secrets:rotation-age.
const (
	// ParamMaxAgeDays is the rotation age, in days.
	ParamMaxAgeDays = "maxAgeDays"
	// ParamAsOf is the time ages are counted to (RFC 3339); empty for the time of the scan.
	ParamAsOf = "asOf"
)

// DefaultMaxAgeDays is the default rotation age: 90 days, as PCI DSS and most credential
// policies ask of passwords and keys.
const DefaultMaxAgeDays = 90

// RotationAge returns the check secrets:rotation-age: every Secret's data was written within
// the rotation age.
func RotationAge() check.Check {
	return check.New(check.Meta{
		ID:      "secrets:rotation-age",
		Section: Section,
		Title:   "Secrets were rotated within the rotation age",
		Description: "A credential that never changes stays valid for whoever copied it once. Reads each Secret's " +
			"creationTimestamp and managedFields: passes when it was created, or its data rewritten, within " +
			"maxAgeDays (default 90); fails when it is older and no manager has written its data since; not " +
			"evaluated when its age is unknown (no creationTimestamp, as in hand-written manifests) or when a " +
			"recent change may not have been to its data.",
		Severity: check.Low,
		Remediation: "Rotate the credential the Secret holds: issue a new one, write it into the Secret, and revoke " +
			"the old one; automate it (cert-manager, external-secrets, a KMS or vault with rotation), or raise " +
			"maxAgeDays to your policy's rotation period.",
		References: []string{refSecrets},
		Kinds:      []schema.GroupKind{inventory.KindSecret},
		Depends:    rotationDeps,
		Params: []check.Param{
			{Name: ParamMaxAgeDays, Type: check.ParamInt, Default: DefaultMaxAgeDays, Description: "The rotation age, in days."},
			{Name: ParamAsOf, Type: check.ParamString, Default: "",
				Description: "The time ages are counted to, RFC 3339; empty for the time of the scan."},
			{Name: ParamIgnoreTypes, Type: check.ParamStringList, Default: slices.Clone(defaultIgnoredTypes),
				Description: "Secret types not judged."},
		},
	}, runRotationAge)
}

// errBadParam is wrapped by errors about a parameter's value.
var errBadParam = errors.New("invalid parameter")

func runRotationAge(ctx context.Context, pass *check.Pass) error {
	maxDays, ok := pass.Params[ParamMaxAgeDays].(int)
	if !ok {
		maxDays = DefaultMaxAgeDays // a pass made without the runner's defaults
	}
	if maxDays <= 0 {
		return fmt.Errorf("%w: %s must be a positive number of days, got %d", errBadParam, ParamMaxAgeDays, maxDays)
	}
	now := time.Now()
	if s, _ := pass.Params[ParamAsOf].(string); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", errBadParam, ParamAsOf, err)
		}
		now = t
	}
	ignore := ignoredTypes(pass)
	maxAge := time.Duration(maxDays) * 24 * time.Hour
	for i, o := range pass.Objects(inventory.KindSecret) {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		s, ok := o.Object().(*corev1.Secret)
		if !ok {
			continue
		}
		if slices.Contains(ignore, string(s.Type)) {
			pass.NotApplicablef(o, "type %s is ignored (parameter %s)", s.Type, ParamIgnoreTypes)
			continue
		}
		v := judgeRotation(s, now, maxAge, maxDays)
		pass.Report(check.Finding{Status: v.status, Object: o, Field: v.field, Message: v.msg})
	}
	return nil
}

// rotationVerdict is the verdict on one Secret.
type rotationVerdict struct {
	status     check.Status
	field, msg string
}

func judgeRotation(s *corev1.Secret, now time.Time, maxAge time.Duration, maxDays int) rotationVerdict {
	created := s.CreationTimestamp.Time
	if created.IsZero() {
		return rotationVerdict{check.StatusNotEvaluated, "", "it has no creationTimestamp (not read from a cluster): its age is unknown"}
	}
	age := fmt.Sprintf("created %s ago (%s)", days(now.Sub(created)), created.UTC().Format(time.DateOnly))
	if now.Sub(created) <= maxAge {
		return rotationVerdict{check.StatusPass, "", age + ", within the rotation age of " + plural(maxDays, "day")}
	}
	// The entries that own the data, and the latest of their times.
	latest, latestIdx := time.Time{}, -1
	var dataOnlyRecent []int
	for i, e := range s.ManagedFields {
		fields, ok := topFields(e)
		if !ok || !slices.ContainsFunc(fields, isDataField) {
			continue
		}
		if e.Time == nil {
			return rotationVerdict{check.StatusNotEvaluated, "",
				age + "; the managedFields entry of " + e.Manager + ", which owns its data, has no time"}
		}
		if t := e.Time.Time; latestIdx < 0 || t.After(latest) {
			latest, latestIdx = t, i
		}
		if now.Sub(e.Time.Time) <= maxAge && !slices.ContainsFunc(fields, func(f string) bool { return !isDataField(f) && f != "f:type" }) {
			dataOnlyRecent = append(dataOnlyRecent, i)
		}
	}
	switch {
	case latestIdx < 0 && len(s.ManagedFields) == 0:
		return rotationVerdict{check.StatusNotEvaluated, "", age + ", and it has no managedFields: whether its data was rewritten since is not known"}
	case latestIdx < 0:
		return rotationVerdict{check.StatusNotEvaluated, "", age + ", and no managedFields entry owns its data: when it was last written is not known"}
	case now.Sub(latest) > maxAge:
		e := s.ManagedFields[latestIdx]
		return rotationVerdict{check.StatusFail, fmt.Sprintf("metadata.managedFields[%d]", latestIdx),
			fmt.Sprintf("%s, and its data was last written %s ago at the latest (by %s, %s): more than the rotation age of %s",
				age, days(now.Sub(latest)), e.Manager, latest.UTC().Format(time.DateOnly), plural(maxDays, "day"))}
	case len(dataOnlyRecent) > 0:
		e := s.ManagedFields[dataOnlyRecent[0]]
		return rotationVerdict{check.StatusPass, "", fmt.Sprintf("%s; its data was rewritten %s ago (by %s, %s), within the rotation age of %s",
			age, days(now.Sub(e.Time.Time)), e.Manager, e.Time.UTC().Format(time.DateOnly), plural(maxDays, "day"))}
	}
	e := s.ManagedFields[latestIdx]
	return rotationVerdict{check.StatusNotEvaluated, "",
		fmt.Sprintf("%s; %s, which owns its data and other fields, changed some of them %s ago (%s): whether the data was rewritten is not known",
			age, e.Manager, days(now.Sub(latest)), latest.UTC().Format(time.DateOnly))}
}

// isDataField reports whether a top-level managed field holds a Secret's values.
func isDataField(f string) bool { return f == "f:data" || f == "f:stringData" }

// topFields returns the top-level fields a managedFields entry owns ("f:data", "f:metadata").
func topFields(e metav1.ManagedFieldsEntry) ([]string, bool) {
	if e.FieldsV1 == nil {
		return nil, false
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(e.FieldsV1.Raw, &top); err != nil {
		return nil, false
	}
	out := make([]string, 0, len(top))
	for k := range top {
		out = append(out, k)
	}
	return out, true
}

// days writes a duration in whole days: "1 day", "400 days".
func days(d time.Duration) string {
	return plural(max(0, int(d/(24*time.Hour))), "day") // a time after asOf counts as now
}
