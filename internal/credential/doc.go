// Package credential recognises credentials written literally into the environment of
// containers: the value of a variable whose name says it holds one (DB_PASSWORD, apiKey,
// CLIENT_SECRET), a private key, or a URL carrying a password, in env[].value or in the
// ConfigMap data that env and envFrom read. It never returns a value: what it finds is
// described by the variable's name and where its value comes from. Nothing here is part of
// the public API.
package credential
