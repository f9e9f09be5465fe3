package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/selabench/selabench/bench"
)

// File is a parsed sweep file.
type File struct {
	Path        string
	Name        string // "name" (default: the file's base name)
	Description string // "description"
	// Base is bench.DefaultConfig with the file's "base" keys applied.
	Base bench.Config
	// Grids are the file's grids in order (one when "grid" is an object).
	Grids []Grid
	// BaseLines holds the line of each key set in "base".
	BaseLines map[string]int
	// Cells are the sweep's cells: each grid's cartesian product in order, the
	// last axis varying fastest; a cell equal to an earlier one (same hash) is
	// kept once, at its first place.
	Cells []Cell
}

// Grid is one grid: its cells are the cartesian product of its axes' values.
type Grid struct {
	Axes []Axis
}

// Axis is one configuration key and the values it takes.
type Axis struct {
	Key    string
	Line   int   // line of the key in the file
	Values []any // decoded into the bench.Config field's type
	Lines  []int // line of each value
}

// Cell is one configuration of a sweep.
type Cell struct {
	Index  int    // position among the sweep's cells, from 0
	Hash   string // Config.Hash(): the cell's identity in results files
	Config bench.Config
	// Label names the axis values that make the cell, e.g. "method=sela seed=1".
	Label string
}

// fields maps the JSON keys of bench.Config to its fields.
var fields = func() map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	t := reflect.TypeFor[bench.Config]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = f
		}
	}
	return m
}()

// Keys lists the configuration keys a sweep file may set, sorted.
func Keys() []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Load reads and parses the sweep file at path (see Parse).
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a sweep file's contents; path names it in errors. The format is
// one JSON object:
//
//	{
//	  "name": "smoke",
//	  "description": "what the sweep shows",
//	  "base": {"dataset": "synthetic", "epochs": 2},
//	  "grid": {"method": ["sela", "naive"], "seed": [0, 1]}
//	}
//
// "base" sets configuration keys (the JSON keys of bench.Config: method,
// dataset, model, epochs, lambda, k, heads, nopts, views, seed, …) over
// bench.DefaultConfig; "grid" maps keys to non-empty lists of values. "grid" may
// also be a list of such objects: the sweep is then the union of their products
// (one-axis-at-a-time ablations). Unknown keys, wrong types, empty lists, a key
// set twice and configurations that do not validate are errors naming the
// file, the line and the key.
func Parse(path string, data []byte) (*File, error) {
	p := &parser{path: path, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	f := &File{Path: path, Base: bench.DefaultConfig("", "mnist"), BaseLines: map[string]int{}}
	f.Name = strings.TrimSuffix(baseName(path), ".json")
	if err := p.top(f); err != nil {
		return nil, err
	}
	if err := f.expand(); err != nil {
		return nil, err
	}
	return f, nil
}

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

// parser reads a sweep file token by token, keeping track of lines.
type parser struct {
	path string
	data []byte
	dec  *json.Decoder
}

// lineAt returns the 1-based line of the first non-space byte at or after off.
func (p *parser) lineAt(off int64) int {
	i := int(min(max(off, 0), int64(len(p.data))))
	for i < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[i]) >= 0 {
		i++
	}
	return 1 + bytes.Count(p.data[:i], []byte("\n"))
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("sweep: %s:%d: %s", p.path, line, fmt.Sprintf(format, args...))
}

// fail turns a decoder error into one naming the line.
func (p *parser) fail(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return p.errorf(p.lineAt(syn.Offset-1), "invalid JSON: %v", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return p.errorf(p.lineAt(int64(len(p.data))), "invalid JSON: unexpected end of file")
	}
	return p.errorf(p.lineAt(p.dec.InputOffset()), "invalid JSON: %v", err)
}

// delim reads the next token and requires it to be d.
func (p *parser) delim(d json.Delim, what string) error {
	off := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return p.fail(err)
	}
	if tok != d {
		return p.errorf(p.lineAt(off), "%s must be a JSON %s", what, map[json.Delim]string{'{': "object", '[': "list"}[d])
	}
	return nil
}

// object reads a JSON object, calling field for each key with its line; field
// must consume the value.
func (p *parser) object(what string, field func(key string, line int) error) error {
	if err := p.delim('{', what); err != nil {
		return err
	}
	seen := map[string]int{}
	for p.dec.More() {
		off := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			return p.fail(err)
		}
		line := p.lineAt(off)
		key, ok := tok.(string)
		if !ok {
			return p.errorf(line, "%s: a key must be a string, got %v", what, tok)
		}
		if first, dup := seen[key]; dup {
			return p.errorf(line, "%s: key %q is set twice (first on line %d)", what, key, first)
		}
		seen[key] = line
		if err := field(key, line); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil { // '}'
		return p.fail(err)
	}
	return nil
}

// raw reads the next value whole.
func (p *parser) raw() (json.RawMessage, int, error) {
	line := p.lineAt(p.dec.InputOffset())
	var v json.RawMessage
	if err := p.dec.Decode(&v); err != nil {
		return nil, line, p.fail(err)
	}
	return v, line, nil
}

func (p *parser) top(f *File) error {
	var sawGrid bool
	err := p.object("the sweep file", func(key string, line int) error {
		switch key {
		case "name", "description":
			v, vline, err := p.raw()
			if err != nil {
				return err
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return p.errorf(vline, "%s: want a string, got %s", key, v)
			}
			if key == "name" {
				f.Name = s
			} else {
				f.Description = s
			}
			return nil
		case "base":
			return p.object("base", func(k string, kline int) error {
				v, vline, err := p.raw()
				if err != nil {
					return err
				}
				val, err := p.value("base", k, kline, vline, v)
				if err != nil {
					return err
				}
				set(&f.Base, k, val)
				f.BaseLines[k] = kline
				return nil
			})
		case "grid":
			sawGrid = true
			return p.grids(f, line)
		}
		return p.errorf(line, "unknown key %q (valid: name, description, base, grid)", key)
	})
	if err != nil {
		return err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return p.errorf(p.lineAt(p.dec.InputOffset()), "unexpected data after the sweep object")
	}
	if !sawGrid {
		return p.errorf(1, "no \"grid\": a sweep needs at least one axis (selabench run runs one configuration)")
	}
	return nil
}

// peek returns the first byte of the next value (0 at the end of the input).
func (p *parser) peek() byte {
	i := int(p.dec.InputOffset())
	for i < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[i]) >= 0 {
		i++
	}
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

// grids reads "grid": an object, or a list of objects.
func (p *parser) grids(f *File, line int) error {
	if p.peek() != '[' {
		return p.grid(f, line)
	}
	if err := p.delim('[', "grid"); err != nil {
		return err
	}
	for p.dec.More() {
		if err := p.grid(f, p.lineAt(p.dec.InputOffset())); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil { // ']'
		return p.fail(err)
	}
	if len(f.Grids) == 0 {
		return p.errorf(line, "grid is an empty list: a sweep needs at least one grid")
	}
	return nil
}

// grid reads one grid object starting on line.
func (p *parser) grid(f *File, line int) error {
	var g Grid
	err := p.object("grid", func(k string, kline int) error {
		ax := Axis{Key: k, Line: kline}
		if _, ok := fields[k]; !ok {
			return p.errorf(kline, "grid: unknown key %q (valid: %s)", k, strings.Join(Keys(), ", "))
		}
		if err := p.delim('[', fmt.Sprintf("grid.%s", k)); err != nil {
			return err
		}
		for p.dec.More() {
			raw, rline, err := p.raw()
			if err != nil {
				return err
			}
			val, err := p.value("grid", k, kline, rline, raw)
			if err != nil {
				return err
			}
			ax.Values = append(ax.Values, val)
			ax.Lines = append(ax.Lines, rline)
		}
		if _, err := p.dec.Token(); err != nil { // ']'
			return p.fail(err)
		}
		if len(ax.Values) == 0 {
			return p.errorf(kline, "grid.%s: empty list: an axis needs at least one value", k)
		}
		g.Axes = append(g.Axes, ax)
		return nil
	})
	if err != nil {
		return err
	}
	if len(g.Axes) == 0 {
		return p.errorf(line, "grid is empty: a sweep needs at least one axis")
	}
	f.Grids = append(f.Grids, g)
	return nil
}

// value decodes the value of configuration key k (section "base" or "grid").
func (p *parser) value(section, k string, kline, vline int, raw json.RawMessage) (any, error) {
	f, ok := fields[k]
	if !ok {
		return nil, p.errorf(kline, "%s: unknown key %q (valid: %s)", section, k, strings.Join(Keys(), ", "))
	}
	if string(raw) == "null" {
		return nil, p.errorf(vline, "%s.%s: null is not a value (want %s)", section, k, kindName(f.Type))
	}
	v := reflect.New(f.Type)
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		return nil, p.errorf(vline, "%s.%s: want %s, got %s", section, k, kindName(f.Type), raw)
	}
	return v.Elem().Interface(), nil
}

// set sets configuration key k of c to v (of the field's type).
func set(c *bench.Config, k string, v any) {
	reflect.ValueOf(c).Elem().FieldByIndex(fields[k].Index).Set(reflect.ValueOf(v))
}

// get returns configuration key k of c.
func get(c *bench.Config, k string) any {
	return reflect.ValueOf(c).Elem().FieldByIndex(fields[k].Index).Interface()
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "an integer"
	case reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	}
	return t.String()
}
