//go:build !unix

package sweep

// lock is a no-op where flock(2) does not exist: run one sweep per results file.
func lock(string) (func(), error) { return func() {}, nil }
