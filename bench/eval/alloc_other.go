//go:build !linux

package eval

import "unsafe"

// adviseHuge is a no-op outside Linux.
func adviseHuge(p unsafe.Pointer, size uintptr) {}
