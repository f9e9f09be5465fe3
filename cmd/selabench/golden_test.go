package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCommittedReportRegenerates reruns the command at the end of a committed
// report (reports/tau.md) on its committed records, in a scratch copy of the
// repository's layout, and requires the same markdown and figures byte for
// byte: the reports are what the code at HEAD makes of the records.
func TestCommittedReportRegenerates(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(root, "reports", "tau.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Regenerate\n\n```sh\n(.*?)\n```").FindSubmatch(md)
	if m == nil {
		t.Fatal("reports/tau.md has no Regenerate section")
	}
	args, err := shellSplit(string(m[1]))
	if err != nil || len(args) < 2 || args[0] != "selabench" {
		t.Fatalf("command %q: %v", m[1], err)
	}
	var inputs []string
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "reports/data/") {
			inputs = append(inputs, a)
		}
	}
	scratch := t.TempDir()
	for _, in := range inputs {
		b, err := os.ReadFile(filepath.Join(root, in))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(scratch, filepath.Dir(in)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(scratch, in), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(scratch)
	if code, _, errOut := runCLI(args[1:]...); code != 0 {
		t.Fatalf("%s: status %d, stderr %q", m[1], code, errOut)
	}
	made, err := filepath.Glob(filepath.Join("reports", "tau*"))
	if err != nil || len(made) < 2 {
		t.Fatalf("the command made %v (%v)", made, err)
	}
	for _, f := range made {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Errorf("%s: made by the command but not committed: %v", f, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the committed file differs from what the code at HEAD makes of its records; regenerate it with its command", f)
		}
	}
}

// shellSplit splits a command line as a POSIX shell does for the quoting
// shellCommand writes: words separated by spaces, '…' quoting everything, and
// '\” for a quote inside.
func shellSplit(s string) ([]string, error) {
	var out []string
	var word strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			word.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\' && i+1 < len(s):
			i++
			word.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\n' || c == '\t':
			if inWord {
				out = append(out, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		return nil, os.ErrInvalid
	}
	if inWord {
		out = append(out, word.String())
	}
	return out, nil
}
