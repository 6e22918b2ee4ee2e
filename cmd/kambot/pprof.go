//go:build pprof

package main

// Built with -tags pprof, kambot serve serves net/http/pprof on
// KAMBOT_PPROF_ADDR (127.0.0.1:6060) for profiling under load; release
// builds leave it out.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof"
)

func init() {
	startPprof = func(addr string, log *slog.Logger) {
		log.Info("pprof listening", "addr", addr)
		go func() {
			if err := http.ListenAndServe(addr, nil); err != nil {
				log.Warn("pprof stopped", "addr", addr, "err", err)
			}
		}()
	}
}
