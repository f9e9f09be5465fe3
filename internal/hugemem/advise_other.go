//go:build !linux

package hugemem

import "unsafe"

// advise is a no-op outside Linux.
func advise(p unsafe.Pointer, size uintptr) {}
