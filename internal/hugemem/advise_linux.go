//go:build linux

package hugemem

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// advise asks Linux to back the whole 2 MiB-aligned part of the buffer at p (size
// bytes) with transparent huge pages (madvise MADV_HUGEPAGE; a no-op where THP is
// disabled). Best effort: errors are ignored.
func advise(p unsafe.Pointer, size uintptr) {
	page := uintptr(unix.Getpagesize())
	start := (uintptr(p) + page - 1) &^ (page - 1)
	end := (uintptr(p) + size) &^ (page - 1)
	if end <= start || end-start < 2<<20 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}
