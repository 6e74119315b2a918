package cis

import (
	"github.com/kspm-dev/kspm/check"
	"github.com/kspm-dev/kspm/internal/flags"
)

// schedulerControls are section 1.4.
func schedulerControls() []control {
	return flagControls(kubeScheduler, []flagControl{
		{id: "1.4.1", title: "Scheduler profiling disabled", level: l1, severity: check.Low,
			what: "--profiling=false passes; unset fails (the default is true). With --config the flag is " +
				"ignored and the setting (enableProfiling) is in that file, which is not evaluated",
			fix: "set --profiling=false, or enableProfiling: false in the --config file",
			rule: func() flagRule {
				inner := boolIs("profiling", false, true)
				return func(fs *flags.Set) verdict {
					if v, ok := fs.Lookup("config"); ok && v.Raw != "" {
						return unknownf("config", "kube-scheduler reads enableProfiling from --config=%s (the --profiling flag "+
							"is then ignored); the file is not visible in the pod spec", v.Raw)
					}
					return inner(fs)
				}
			}()},
		{id: "1.4.2", title: "Scheduler binds to loopback only", level: l1, severity: check.Medium,
			what: "passes when --bind-address is a loopback address; unset fails (the default 0.0.0.0 listens on every interface)",
			fix:  "set --bind-address=127.0.0.1",
			rule: loopbackOnly("bind-address", "0.0.0.0")},
	})
}
