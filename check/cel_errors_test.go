package check_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kspm-dev/kspm"
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
	"github.com/kspm-dev/kspm/report"
)

// An evaluation error says what failed and where in the expression, and never quotes a value
// of the object: cel-go's own messages do (`invalid RFC 3339 timestamp "…"`, `no such key: …`,
// `error parsing regexp: … `…“), and a ConfigMap's values can be credentials. The secret
// must appear nowhere: not in results, not in the JSON report, not in the text report.
func TestCELErrorsDoNotQuoteValues(t *testing.T) {
	const secret = "hunter2-Zq8v-s3cr3t"
	inv := mustInventory(t, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "creds", Labels: map[string]string{"app": "shop"}},
		Data:       map[string]string{"DB_PASSWORD": secret + "(", "ITEMS": "a,b"},
	})
	pw := "object.data.DB_PASSWORD"
	tests := []struct {
		expr, message, want string
	}{
		{expr: "timestamp(" + pw + ") > timestamp('2020-01-01T00:00:00Z')",
			want: "expression: line 1, column 1: timestamp(): not a valid timestamp"},
		{expr: "duration(" + pw + ") > duration('1s')", want: "expression: line 1, column 1: duration(): conversion failed"},
		{expr: "int(" + pw + ") > 0", want: "expression: line 1, column 1: int(): conversion failed"},
		{expr: "ip(" + pw + ").family() == 4", want: "expression: line 1, column 1: ip(): conversion failed"},
		{expr: "cidr(" + pw + ").prefixLength() == 8", want: "expression: line 1, column 1: cidr(): conversion failed"},
		{expr: "url(" + pw + ").getHost() == ''", want: "expression: line 1, column 1: url(): conversion failed"},
		{expr: "quantity(" + pw + ").isInteger()", want: "expression: line 1, column 1: quantity(): conversion failed"},
		{expr: "semver(" + pw + ").major() == 1", want: "expression: line 1, column 1: semver(): conversion failed"},
		{expr: "'abc'.find(" + pw + ") == ''", want: "expression: line 1, column 7: find(): invalid regular expression"},
		{expr: "'abc'.findAll(" + pw + ").size() == 0", want: "expression: line 1, column 7: findAll(): invalid regular expression"},
		{expr: "'abc'.matches(" + pw + ")", want: "expression: line 1, column 7: matches(): invalid regular expression"},
		{expr: "regex.replace('abc', " + pw + ", 'x') == ''", want: "expression: line 1, column 1: regex.replace(): invalid regular expression"},
		{expr: "object.data[" + pw + "] == ''", want: "expression: line 1, column 12: index: no such key"},
		{expr: "object.metadata.labels[" + pw + "] == ''", want: "expression: line 1, column 23: index: no such key"},
		{expr: "object.data.ITEMS.split(',')[size(" + pw + ")] == ''", want: "expression: line 1, column 29: index: index out of range"},
		{expr: pw + ".substring(40) == ''", want: "expression: line 1, column 25: substring(): index out of range"},

		{expr: "base64.decode(" + pw + ") == b''", want: "expression: line 1, column 1: base64.decode(): invalid base64"},
		// Keys written in the expression may be named: they are not values of the object.
		{expr: "object.data.MISSING == ''", want: "expression: line 1, column 12: no such key 'MISSING'"},
		{expr: "object.data['MISSING'] == ''", want: "expression: line 1, column 12: no such key 'MISSING'"},
		{expr: "object.metadata.annotations.owner == ''", want: "expression: line 1, column 16: no such key 'annotations'"},
		// A failing message expression: the result is a failure with the title.
		{expr: "false", message: "'bad: ' + string(timestamp(" + pw + "))",
			want: "title of custom:e (message expression failed: line 1, column 18: timestamp(): not a valid timestamp)"},
	}
	var checks []check.Check
	for i, tt := range tests {
		checks = append(checks, mustCEL(t, check.CELSpec{
			Meta: testMeta(fmt.Sprintf("custom:e%02d", i), inventory.KindConfigMap), Expression: tt.expr, Message: tt.message}))
	}
	// A lookup of a kind taken from the object: not evaluated, and the kind is not repeated.
	checks = append(checks, mustCEL(t, check.CELSpec{
		Meta: testMeta("custom:kind", inventory.KindConfigMap), Expression: "inventory.list(" + pw + ").size() == 0"}))
	results, err := kspm.Run(context.Background(), inv, checks)
	require.NoError(t, err)
	require.Len(t, results, len(checks))
	for i, tt := range tests {
		r := results[i]
		want := fmt.Sprintf("check custom:e%02d: evaluating ConfigMap shop/creds: %s", i, tt.want)
		status := check.StatusError
		if tt.message != "" {
			want = fmt.Sprintf("title of custom:e%02d%s", i, strings.TrimPrefix(tt.want, "title of custom:e"))
			status = check.StatusFail
		}
		assert.Equal(t, want, r.Message, "%s", tt.expr)
		assert.Equal(t, status, r.Status, "%s", tt.expr)
	}
	last := results[len(results)-1]
	assert.Equal(t, check.StatusNotEvaluated, last.Status)
	assert.Equal(t, "cannot be evaluated: an inventory lookup names a kind, taken from the object, that the inventory does not hold completely", last.Message)

	rep := report.New(inv, []string{"custom"}, results, report.Tool{Name: "kspm", Version: "test"}, time.Unix(0, 0))
	var js, text bytes.Buffer
	require.NoError(t, report.WriteJSON(&js, rep))
	require.NoError(t, report.WriteText(&text, rep, report.TextOptions{Verbose: true, Remediation: true}))
	for _, out := range []struct{ name, text string }{{"results", fmt.Sprint(results)}, {"JSON", js.String()}, {"text", text.String()}} {
		assert.NotContains(t, out.text, secret, "%s report quotes the secret", out.name)
		assert.NotContains(t, out.text, "hunter2", "%s report quotes the secret", out.name)
	}
}
