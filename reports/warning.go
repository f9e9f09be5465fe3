package reports

import "github.com/selabench/selabench/bench/records"

// A Warning is a problem with the input that did not stop the report: a line
// skipped or a record excluded while reading (records.Read), a duplicate seed
// dropped, a benchmark line not understood. It is records.Warning, so that the
// warnings of reading and of summarising list together.
type Warning = records.Warning
