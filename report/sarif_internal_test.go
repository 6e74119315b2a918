package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kspm-dev/kspm/check"
)

// TestSARIFEveryStatusMapped fails for a status with no entry in sarifStatuses: a status
// added to check.Statuses (as excepted was: a result with a suppression) must be given its
// place in SARIF, as a result, a notification or a count.
func TestSARIFEveryStatusMapped(t *testing.T) {
	for _, s := range check.Statuses() {
		m, ok := sarifStatuses[s]
		if !assert.True(t, ok, "status %q has no SARIF mapping in sarifStatuses", s) {
			continue
		}
		switch m.as {
		case asResult:
			assert.Contains(t, []string{"fail", "pass", "review", "open", "informational", "notApplicable"}, m.kind, "%s: a SARIF result kind", s)
		case asNotification:
			assert.Contains(t, []string{"error", "warning", "note"}, m.level, "%s: a notification level", s)
		case asCount:
		default:
			t.Errorf("status %q: unknown mapping %d", s, m.as)
		}
	}
	// What a status that is not mapped becomes: a warning, not nothing.
	assert.Equal(t, sarifStatus{as: asNotification, level: "warning"}, sarifStatusOf("reviewLater"))
}
