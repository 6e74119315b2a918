package podverdict

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMessages(t *testing.T) {
	for _, tc := range []struct {
		name     string
		offences []Offence
		want     string
	}{
		{"none", nil, ""},
		{"one", []Offence{At("a", "x")}, "x"},
		{"every one, in order", []Offence{At("a", "x"), At("b", "y"), At("c", "z")}, "x; y; z"},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, Messages(tc.offences)) })
	}
}
