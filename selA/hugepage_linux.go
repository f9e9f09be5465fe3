//go:build linux

package sela

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHuge asks Linux to back the buffer at p (size bytes) with transparent huge
// pages (madvise MADV_HUGEPAGE; a no-op where THP is disabled). The kernel is
// streamed once per iteration: with 4 KiB pages every 4 KiB costs a TLB miss, which
// on a virtual machine (two-level page walks) takes a large share of a pass. NumPy
// does the same for its large arrays. Best effort: errors are ignored.
func adviseHuge(p unsafe.Pointer, size uintptr) {
	page := uintptr(unix.Getpagesize())
	start := (uintptr(p) + page - 1) &^ (page - 1)
	end := (uintptr(p) + size) &^ (page - 1)
	if end <= start || end-start < 2<<20 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}
