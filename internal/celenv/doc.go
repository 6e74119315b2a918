// Package celenv holds kspm's CEL environment: the base cel.Env with its variables and pinned
// extension libraries, the `inventory` value that gives expressions indexed access to other
// objects, the reusable activation, and the conversion of objects and pod templates to the
// generic map form CEL reads. Package check builds CEL checks on top of it; nothing here is
// part of the public API.
package celenv
