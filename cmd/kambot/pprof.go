//go:build pprof

package main

// Built with -tags pprof, kambot serves net/http/pprof on KAMBOT_PPROF_ADDR
// (127.0.0.1:6060) for profiling under load; release builds leave it out.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("KAMBOT_PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go http.ListenAndServe(addr, nil)
}
