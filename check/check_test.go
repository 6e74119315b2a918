package check_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// selfInvalid is a check whose own validation fails.
type selfInvalid struct{ check.Check }

func (selfInvalid) Validate() error { return errors.New("expression does not compile") }

func TestValidate(t *testing.T) {
	good := func(id string) check.Check {
		return check.New(testMeta(id), func(context.Context, *check.Pass) error { return nil })
	}
	tests := []struct {
		name   string
		checks []check.Check
		wants  []string
	}{
		{name: "valid set", checks: []check.Check{good("a"), good("b")}},
		{name: "empty set", checks: nil},
		{name: "duplicate ID", checks: []check.Check{good("a"), good("b"), good("a")},
			wants: []string{"check a: duplicate ID"}},
		{name: "nil check", checks: []check.Check{good("a"), nil}, wants: []string{"check #1 is nil"}},
		{name: "missing metadata", checks: []check.Check{check.New(check.Meta{Severity: "urgent"}, nil)},
			wants: []string{"check #0: empty ID", "check #0: empty title", "check #0: empty remediation",
				`check #0: invalid severity "urgent"`}},
		{name: "self-validation", checks: []check.Check{selfInvalid{good("cel")}},
			wants: []string{"check cel: expression does not compile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check.Validate(tt.checks)
			if len(tt.wants) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wants {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestNew(t *testing.T) {
	inv := mustInventory(t, pod("shop", "web"), pod("shop", "agent", hostNetwork))
	meta := testMeta("kspm:host-network", inventory.KindPod)
	c := check.New(meta, func(ctx context.Context, pass *check.Pass) error {
		assert.Equal(t, "kspm:host-network", pass.Check.ID, "the pass carries the check's metadata")
		for _, o := range pass.Inventory.ByKind(inventory.KindPod) {
			p := o.Object().(*corev1.Pod)
			if p.Spec.HostNetwork {
				pass.Failf(o, "spec.hostNetwork", "pod %s uses the host network", p.Name)
			} else {
				pass.Pass(o, "")
			}
		}
		return nil
	})
	assert.Equal(t, meta, c.Meta())
	_, isValidator := c.(check.Validator)
	assert.False(t, isValidator, "Go checks have nothing to self-validate")
	assert.Equal(t, []finding{
		{Object: "Pod shop/agent", Status: check.StatusFail, Field: "spec.hostNetwork", Message: "pod agent uses the host network"},
		{Object: "Pod shop/web", Status: check.StatusPass},
	}, mustRun(t, c, inv, nil))

	t.Run("errors are returned to the runner", func(t *testing.T) {
		boom := errors.New("boom")
		c := check.New(meta, func(context.Context, *check.Pass) error { return boom })
		_, err := runCheck(t, context.Background(), c, inv, nil)
		assert.ErrorIs(t, err, boom)
	})
	t.Run("a manual control needs no body", func(t *testing.T) {
		m := meta
		m.Manual = true
		got, err := runCheck(t, context.Background(), check.New(m, nil), inv, nil)
		assert.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("any other check does", func(t *testing.T) {
		_, err := runCheck(t, context.Background(), check.New(meta, nil), inv, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "check kspm:host-network has no run function")
	})
}

func TestPassHelpers(t *testing.T) {
	inv := mustInventory(t, pod("shop", "web"))
	o := inv.Objects()[0]
	var got []check.Finding
	pass := check.NewPass(inv, testMeta("x"), nil, func(f check.Finding) { got = append(got, f) })
	pass.Pass(o, "ok")
	pass.Fail(o, "spec", "bad")
	pass.Failf(o, "spec.x", "bad %d", 2)
	pass.NotEvaluated(o, "no data")
	pass.NotApplicable(nil, "managed control plane")
	pass.Passf(o, "ok %s", "now")
	pass.NotEvaluatedf(o, "no %s", "data")
	pass.NotApplicablef(nil, "managed %q", "eks")
	errBroken := errors.New("broken")
	pass.Error(o, errBroken)
	assert.Equal(t, []check.Finding{
		{Status: check.StatusPass, Object: o, Message: "ok"},
		{Status: check.StatusFail, Object: o, Field: "spec", Message: "bad"},
		{Status: check.StatusFail, Object: o, Field: "spec.x", Message: "bad 2"},
		{Status: check.StatusNotEvaluated, Object: o, Message: "no data"},
		{Status: check.StatusNotApplicable, Message: "managed control plane"},
		{Status: check.StatusPass, Object: o, Message: "ok now"},
		{Status: check.StatusNotEvaluated, Object: o, Message: "no data"},
		{Status: check.StatusNotApplicable, Message: `managed "eks"`},
		{Status: check.StatusError, Object: o, Message: "broken", Err: errBroken},
	}, got)
}

// TestPassBoundsMessages: a message quoting input (a Service's ten thousand externalIPs) is
// cut at a character boundary and marked, whichever helper reported it.
func TestPassBoundsMessages(t *testing.T) {
	inv := mustInventory(t, pod("shop", "web"))
	o := inv.Objects()[0]
	var got []check.Finding
	pass := check.NewPass(inv, testMeta("x"), nil, func(f check.Finding) { got = append(got, f) })
	long := strings.Repeat("é", check.MaxMessageLength) // two bytes each: a cut may fall inside one
	pass.Fail(o, "spec", long)
	pass.Report(check.Finding{Status: check.StatusNotEvaluated, Object: o, Message: "x" + long})
	pass.Pass(o, strings.Repeat("a", check.MaxMessageLength))
	require.Len(t, got, 3)
	for _, f := range got[:2] {
		assert.LessOrEqual(t, len(f.Message), check.MaxMessageLength)
		assert.True(t, utf8.ValidString(f.Message), "cut at a character boundary")
		assert.True(t, strings.HasSuffix(f.Message, " … (message truncated)"), f.Message[len(f.Message)-30:])
	}
	assert.Equal(t, strings.Repeat("a", check.MaxMessageLength), got[2].Message, "a message of the longest length is whole")
}
