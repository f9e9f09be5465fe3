//go:build unix

package sweep

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on path (created if missing), so that two
// sweeps never append to one results file at once (each append rewrites the file;
// two writers would lose each other's lines). The lock dies with the process.
func lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sweep: another sweep is writing to the same results file (%s is locked); give each process its own --out or --shard", path)
		}
		return nil, fmt.Errorf("sweep: locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
