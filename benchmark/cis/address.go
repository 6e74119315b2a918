package cis

import (
	"net"
	"strings"
)

// isLoopback reports whether an address flag value ("127.0.0.1", "::1", "127.0.0.1:10249",
// "[::1]:10249", "localhost") names only the loopback interface.
func isLoopback(addr string) bool {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return false
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
