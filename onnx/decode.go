package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// File is what Decode reads back from an ONNX model: the parts of a
// ModelProto this package writes. Other fields are skipped.
type File struct {
	IRVersion       int64
	Opsets          map[string]int64 // domain ("" for ai.onnx) → version
	ProducerName    string
	ProducerVersion string
	DocString       string
	Metadata        []Prop
	GraphName       string
	Nodes           []Node
	Initializers    []Tensor
	Inputs, Outputs []ValueInfo
}

// Tensor is a float32 initializer.
type Tensor struct {
	Name string
	Dims []int64
	Data []float32
}

// ValueInfo is a graph input or output: its name, element type and shape,
// each dimension a size or, when free, the name in Params.
type ValueInfo struct {
	Name     string
	ElemType int32   // 1 for float32
	Dims     []int64 // -1 where the dimension is free
	Params   []string
}

// Meta returns the value of a metadata_props key and whether it is set.
func (f *File) Meta(key string) (string, bool) {
	for _, p := range f.Metadata {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Initializer returns the initializer called name, or nil.
func (f *File) Initializer(name string) *Tensor {
	for i := range f.Initializers {
		if f.Initializers[i].Name == name {
			return &f.Initializers[i]
		}
	}
	return nil
}

var errTruncated = errors.New("truncated or malformed protobuf")

// Decode reads an ONNX ModelProto, such as Marshal writes. Initializers
// must be float32 held as raw data or float_data.
func Decode(b []byte) (*File, error) {
	f := &File{Opsets: map[string]int64{}}
	err := fields(b, func(num protowire.Number, v value) error {
		switch num {
		case modelIRVersion:
			f.IRVersion = int64(v.n)
		case modelProducerName:
			f.ProducerName = string(v.b)
		case modelProducerVersion:
			f.ProducerVersion = string(v.b)
		case modelDocString:
			f.DocString = string(v.b)
		case modelOpsetImport:
			var domain string
			var version int64
			err := fields(v.b, func(num protowire.Number, v value) error {
				switch num {
				case opsetDomain:
					domain = string(v.b)
				case opsetVersion:
					version = int64(v.n)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("opset_import: %w", err)
			}
			f.Opsets[domain] = version
		case modelMetadataProps:
			var p Prop
			err := fields(v.b, func(num protowire.Number, v value) error {
				switch num {
				case entryKey:
					p.Key = string(v.b)
				case entryValue:
					p.Value = string(v.b)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("metadata_props: %w", err)
			}
			f.Metadata = append(f.Metadata, p)
		case modelGraph:
			if err := f.decodeGraph(v.b); err != nil {
				return fmt.Errorf("graph: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return f, nil
}

func (f *File) decodeGraph(b []byte) error {
	return fields(b, func(num protowire.Number, v value) error {
		switch num {
		case graphName:
			f.GraphName = string(v.b)
		case graphNode:
			n, err := decodeNode(v.b)
			if err != nil {
				return fmt.Errorf("node %d: %w", len(f.Nodes), err)
			}
			f.Nodes = append(f.Nodes, n)
		case graphInitializer:
			t, err := decodeTensor(v.b)
			if err != nil {
				return fmt.Errorf("initializer %d: %w", len(f.Initializers), err)
			}
			f.Initializers = append(f.Initializers, t)
		case graphInput, graphOutput:
			vi, err := decodeValueInfo(v.b)
			if err != nil {
				return fmt.Errorf("input or output: %w", err)
			}
			if num == graphInput {
				f.Inputs = append(f.Inputs, vi)
			} else {
				f.Outputs = append(f.Outputs, vi)
			}
		}
		return nil
	})
}

func decodeNode(b []byte) (Node, error) {
	var n Node
	err := fields(b, func(num protowire.Number, v value) error {
		switch num {
		case nodeInput:
			n.Inputs = append(n.Inputs, string(v.b))
		case nodeOutput:
			n.Output = string(v.b) // the nodes written here have one output
		case nodeName:
			n.Name = string(v.b)
		case nodeOpType:
			n.Op = string(v.b)
		case nodeAttribute:
			var name string
			var i int64
			err := fields(v.b, func(num protowire.Number, v value) error {
				switch num {
				case attrName:
					name = string(v.b)
				case attrI:
					i = int64(v.n)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("attribute: %w", err)
			}
			if name == "axis" {
				n.Axis = &i
			}
		}
		return nil
	})
	return n, err
}

func decodeTensor(b []byte) (Tensor, error) {
	var t Tensor
	var dataType int64
	var raw []byte
	var floats []float32
	err := fields(b, func(num protowire.Number, v value) error {
		switch num {
		case tensorDims:
			return v.varints(func(x uint64) { t.Dims = append(t.Dims, int64(x)) })
		case tensorDataType:
			dataType = int64(v.n)
		case tensorName:
			t.Name = string(v.b)
		case tensorRawData:
			raw = v.b
		case tensorFloatData: // packed or not
			if v.typ == protowire.Fixed32Type {
				floats = append(floats, math.Float32frombits(uint32(v.n)))
				return nil
			}
			if len(v.b)%4 != 0 {
				return errTruncated
			}
			for i := 0; i < len(v.b); i += 4 {
				floats = append(floats, math.Float32frombits(binary.LittleEndian.Uint32(v.b[i:])))
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	if dataType != dataTypeFloat {
		return t, fmt.Errorf("%s: data type %d, want %d (float32)", t.Name, dataType, dataTypeFloat)
	}
	if raw != nil {
		if len(raw)%4 != 0 {
			return t, fmt.Errorf("%s: %d bytes of raw data is not a whole number of float32", t.Name, len(raw))
		}
		floats = make([]float32, len(raw)/4)
		for i := range floats {
			floats[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	}
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 || d > math.MaxInt32 {
			return t, fmt.Errorf("%s: dimension %d", t.Name, d)
		}
		n *= d
		if n > math.MaxInt32 {
			return t, fmt.Errorf("%s: dimensions %v are too large", t.Name, t.Dims)
		}
	}
	if int64(len(floats)) != n {
		return t, fmt.Errorf("%s: %d values for dimensions %v", t.Name, len(floats), t.Dims)
	}
	t.Data = floats
	return t, nil
}

func decodeValueInfo(b []byte) (ValueInfo, error) {
	var vi ValueInfo
	err := fields(b, func(num protowire.Number, v value) error {
		switch num {
		case valueInfoName:
			vi.Name = string(v.b)
		case valueInfoType:
			return fields(v.b, func(num protowire.Number, v value) error {
				if num != typeTensorType {
					return nil
				}
				return fields(v.b, func(num protowire.Number, v value) error {
					switch num {
					case tensorTypeElemType:
						vi.ElemType = int32(v.n)
					case tensorTypeShape:
						return fields(v.b, func(num protowire.Number, v value) error {
							if num != shapeDim {
								return nil
							}
							d, p := int64(-1), ""
							err := fields(v.b, func(num protowire.Number, v value) error {
								switch num {
								case dimValue:
									d = int64(v.n)
								case dimParam:
									p = string(v.b)
								}
								return nil
							})
							vi.Dims = append(vi.Dims, d)
							vi.Params = append(vi.Params, p)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return vi, err
}

// value is one decoded field: a number (varint, fixed32, fixed64) or bytes.
type value struct {
	typ protowire.Type
	n   uint64
	b   []byte
}

// varints calls fn for each varint of a packed repeated field (or the one
// varint of an unpacked element).
func (v value) varints(fn func(uint64)) error {
	if v.typ == protowire.VarintType {
		fn(v.n)
		return nil
	}
	if v.typ != protowire.BytesType {
		return errTruncated
	}
	for b := v.b; len(b) > 0; {
		x, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return errTruncated
		}
		fn(x)
		b = b[n:]
	}
	return nil
}

// fields calls fn for each field of the message b, in order.
func fields(b []byte, fn func(protowire.Number, value) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		v := value{typ: typ}
		switch typ {
		case protowire.VarintType:
			v.n, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(b)
			v.n = uint64(x)
		case protowire.Fixed64Type:
			v.n, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v.b, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errTruncated
			}
			b = b[n:]
			continue
		}
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		if err := fn(num, v); err != nil {
			return err
		}
	}
	return nil
}
