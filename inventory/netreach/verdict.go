package netreach

import (
	"encoding/json"
	"fmt"
)

// Verdict is a three-valued answer: yes, no, or unknown, when it depends on what the
// inventory cannot tell (pod IP addresses, labels set at run time, how the network plugin
// treats host-network pods).
type Verdict int8

// Verdicts. The zero value is No.
const (
	// No: false whatever the unknowns.
	No Verdict = iota
	// Unknown: true for some of the things the inventory cannot tell, false for others.
	Unknown
	// Yes: true whatever the unknowns.
	Yes
)

// String returns "yes", "no" or "unknown".
func (v Verdict) String() string {
	switch v {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unknown"
}

// MarshalJSON writes the verdict as its String.
func (v Verdict) MarshalJSON() ([]byte, error) { return json.Marshal(v.String()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (v *Verdict) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	switch s {
	case "yes":
		*v = Yes
	case "no":
		*v = No
	case "unknown":
		*v = Unknown
	default:
		return fmt.Errorf("netreach: unknown verdict %q (want yes, no or unknown)", s)
	}
	return nil
}

// verdictOf turns a known truth into a Verdict.
func verdictOf(b bool) Verdict {
	if b {
		return Yes
	}
	return No
}

// and is three-valued conjunction.
func and(a, b Verdict) Verdict { return min(a, b) }

// or is three-valued disjunction.
func or(a, b Verdict) Verdict { return max(a, b) }

// not is three-valued negation.
func not(a Verdict) Verdict { return Yes - a }

// merge combines the answers to one question asked in two cases of which either may hold
// (the connection over IPv4 or IPv6, say): known only when both agree.
func merge(a, b Verdict) Verdict {
	if a == b {
		return a
	}
	return Unknown
}
