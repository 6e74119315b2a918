// Package podverdict makes the one result of a control for a pod template out of the
// reasons the template fails it, the same way in every benchmark that judges pod templates.
package podverdict

import (
	"strings"

	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/inventory"
)

// Offence is one reason a pod template fails a control.
type Offence struct {
	// Field is the path of the field at fault, from the template's owner.
	Field string
	// Message says what is wrong there.
	Message string
}

// At returns the offence of field, described by message.
func At(field, message string) Offence { return Offence{Field: field, Message: message} }

// Report reports the one result of a control for pod template t: a failure at the first
// offence's field naming every offence, or a pass with passMsg when there is none.
func Report(pass *check.Pass, t inventory.PodTemplate, offences []Offence, passMsg string) {
	if len(offences) == 0 {
		pass.Pass(t.Owner, passMsg)
		return
	}
	pass.Fail(t.Owner, offences[0].Field, Messages(offences))
}

// Messages returns the messages of offences joined by "; ".
func Messages(offences []Offence) string {
	msgs := make([]string, len(offences))
	for i, o := range offences {
		msgs[i] = o.Message
	}
	return strings.Join(msgs, "; ")
}
