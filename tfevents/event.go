package tfevents

import (
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// FileVersion is the version string of the first event of every file.
const FileVersion = "brain.Event:2"

// Event is one record of an event file: the file version, or a summary of
// values at a training step.
type Event struct {
	WallTime    float64 // seconds since the Unix epoch
	Step        int64
	FileVersion string  // set in a file's first event only
	Summary     []Value // the values of a summary event
}

// Value is one tagged value of a summary: a scalar, or a histogram when
// Histo is not nil.
type Value struct {
	Tag    string
	Scalar float32    // simple_value
	Histo  *Histogram // histo
}

// Histogram is TensorFlow's HistogramProto. Bucket i counts the values in
// (BucketLimit[i-1], BucketLimit[i]]; the first bucket starts at Min.
type Histogram struct {
	Min, Max, Num, Sum, SumSquares float64
	BucketLimit                    []float64
	Bucket                         []float64
}

// Field numbers of event.proto and summary.proto.
const (
	eventWallTime    = 1
	eventStep        = 2
	eventFileVersion = 3
	eventSummary     = 5

	summaryValue = 1

	valueTag    = 1
	valueSimple = 2
	valueHisto  = 5

	histoMin         = 1
	histoMax         = 2
	histoNum         = 3
	histoSum         = 4
	histoSumSquares  = 5
	histoBucketLimit = 6
	histoBucket      = 7
)

// Marshal returns the protocol buffer encoding of e. Fields at their zero
// value are left out, as proto3 does, except a summary value's simple_value,
// which belongs to a oneof.
func (e *Event) Marshal() []byte {
	var b []byte
	if e.WallTime != 0 {
		b = protowire.AppendTag(b, eventWallTime, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(e.WallTime))
	}
	if e.Step != 0 {
		b = protowire.AppendTag(b, eventStep, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(e.Step))
	}
	if e.FileVersion != "" {
		b = protowire.AppendTag(b, eventFileVersion, protowire.BytesType)
		b = protowire.AppendString(b, e.FileVersion)
	}
	if e.Summary != nil {
		var s []byte
		for i := range e.Summary {
			s = protowire.AppendTag(s, summaryValue, protowire.BytesType)
			s = protowire.AppendBytes(s, e.Summary[i].marshal())
		}
		b = protowire.AppendTag(b, eventSummary, protowire.BytesType)
		b = protowire.AppendBytes(b, s)
	}
	return b
}

func (v *Value) marshal() []byte {
	var b []byte
	if v.Tag != "" {
		b = protowire.AppendTag(b, valueTag, protowire.BytesType)
		b = protowire.AppendString(b, v.Tag)
	}
	if v.Histo != nil {
		b = protowire.AppendTag(b, valueHisto, protowire.BytesType)
		b = protowire.AppendBytes(b, v.Histo.marshal())
	} else {
		b = protowire.AppendTag(b, valueSimple, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(v.Scalar))
	}
	return b
}

func (h *Histogram) marshal() []byte {
	var b []byte
	for _, f := range []struct {
		num protowire.Number
		v   float64
	}{{histoMin, h.Min}, {histoMax, h.Max}, {histoNum, h.Num}, {histoSum, h.Sum}, {histoSumSquares, h.SumSquares}} {
		if f.v != 0 {
			b = protowire.AppendTag(b, f.num, protowire.Fixed64Type)
			b = protowire.AppendFixed64(b, math.Float64bits(f.v))
		}
	}
	for _, f := range []struct {
		num protowire.Number
		v   []float64
	}{{histoBucketLimit, h.BucketLimit}, {histoBucket, h.Bucket}} {
		if len(f.v) == 0 {
			continue
		}
		b = protowire.AppendTag(b, f.num, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(8*len(f.v)))
		for _, x := range f.v {
			b = protowire.AppendFixed64(b, math.Float64bits(x))
		}
	}
	return b
}

// Unmarshal decodes an Event from its protocol buffer encoding. Fields this
// package does not know are skipped.
func Unmarshal(b []byte) (Event, error) {
	var e Event
	err := fields(b, func(num protowire.Number, typ protowire.Type, v uint64, bs []byte) error {
		switch {
		case num == eventWallTime && typ == protowire.Fixed64Type:
			e.WallTime = math.Float64frombits(v)
		case num == eventStep && typ == protowire.VarintType:
			e.Step = int64(v)
		case num == eventFileVersion && typ == protowire.BytesType:
			e.FileVersion = string(bs)
		case num == eventSummary && typ == protowire.BytesType:
			if e.Summary == nil {
				e.Summary = []Value{}
			}
			return fields(bs, func(num protowire.Number, typ protowire.Type, _ uint64, bs []byte) error {
				if num != summaryValue || typ != protowire.BytesType {
					return nil
				}
				val, err := unmarshalValue(bs)
				if err != nil {
					return fmt.Errorf("summary value %d: %w", len(e.Summary), err)
				}
				e.Summary = append(e.Summary, val)
				return nil
			})
		}
		return nil
	})
	return e, err
}

func unmarshalValue(b []byte) (Value, error) {
	var val Value
	err := fields(b, func(num protowire.Number, typ protowire.Type, v uint64, bs []byte) error {
		switch {
		case num == valueTag && typ == protowire.BytesType:
			val.Tag = string(bs)
		case num == valueSimple && typ == protowire.Fixed32Type:
			val.Scalar = math.Float32frombits(uint32(v))
		case num == valueHisto && typ == protowire.BytesType:
			h, err := unmarshalHistogram(bs)
			if err != nil {
				return fmt.Errorf("histogram: %w", err)
			}
			val.Histo = h
		}
		return nil
	})
	return val, err
}

func unmarshalHistogram(b []byte) (*Histogram, error) {
	h := &Histogram{}
	err := fields(b, func(num protowire.Number, typ protowire.Type, v uint64, bs []byte) error {
		var dst *float64
		switch num {
		case histoMin:
			dst = &h.Min
		case histoMax:
			dst = &h.Max
		case histoNum:
			dst = &h.Num
		case histoSum:
			dst = &h.Sum
		case histoSumSquares:
			dst = &h.SumSquares
		case histoBucketLimit, histoBucket:
			list := &h.BucketLimit
			if num == histoBucket {
				list = &h.Bucket
			}
			switch typ {
			case protowire.Fixed64Type: // unpacked
				*list = append(*list, math.Float64frombits(v))
			case protowire.BytesType: // packed
				if len(bs)%8 != 0 {
					return fmt.Errorf("field %d: packed doubles of %d bytes", num, len(bs))
				}
				for i := 0; i < len(bs); i += 8 {
					x, _ := protowire.ConsumeFixed64(bs[i:])
					*list = append(*list, math.Float64frombits(x))
				}
			}
			return nil
		}
		if dst != nil && typ == protowire.Fixed64Type {
			*dst = math.Float64frombits(v)
		}
		return nil
	})
	return h, err
}

// fields calls f for each field of the message b, with the value of a
// varint, fixed32 or fixed64 field in v and the content of a bytes field in bs.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v uint64, bs []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("bad protobuf tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var (
			v  uint64
			bs []byte
		)
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v32 uint32
			v32, n = protowire.ConsumeFixed32(b)
			v = uint64(v32)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			bs, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v, bs); err != nil {
			return err
		}
	}
	return nil
}

// errNoValues is returned by NewHistogram for nothing to count.
var errNoValues = errors.New("no finite values")

// NewHistogram returns the histogram of values in buckets of equal width
// spanning their range (one bucket when all are equal), with the count, sum
// and sum of squares that TensorBoard shows. Values that are NaN or infinite
// are left out.
func NewHistogram(values []float32, buckets int) (*Histogram, error) {
	if buckets < 1 {
		return nil, fmt.Errorf("histogram of %d buckets: want at least 1", buckets)
	}
	h := &Histogram{Min: math.Inf(1), Max: math.Inf(-1)}
	for _, x := range values {
		v := float64(x)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		h.Min, h.Max = min(h.Min, v), max(h.Max, v)
		h.Num++
		h.Sum += v
		h.SumSquares += v * v
	}
	if h.Num == 0 {
		return nil, errNoValues
	}
	width := (h.Max - h.Min) / float64(buckets)
	if width == 0 {
		buckets = 1
	}
	h.BucketLimit = make([]float64, buckets)
	for i := range buckets - 1 {
		h.BucketLimit[i] = h.Min + float64(i+1)*width
	}
	h.BucketLimit[buckets-1] = h.Max
	h.Bucket = make([]float64, buckets)
	for _, x := range values {
		v := float64(x)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		i := 0
		if width > 0 {
			i = min(max(int(math.Ceil((v-h.Min)/width))-1, 0), buckets-1)
			// rounding: make (limit[i-1], limit[i]] hold exactly
			for i > 0 && v <= h.BucketLimit[i-1] {
				i--
			}
			for i < buckets-1 && v > h.BucketLimit[i] {
				i++
			}
		}
		h.Bucket[i]++
	}
	return h, nil
}
