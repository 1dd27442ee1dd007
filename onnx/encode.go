package onnx

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/perceptron-mnist/perceptron/internal/atomicfile"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of onnx.proto (ONNX 1.12) for the messages written here.
const (
	modelIRVersion       = 1
	modelProducerName    = 2
	modelProducerVersion = 3
	modelDocString       = 6
	modelGraph           = 7
	modelOpsetImport     = 8
	modelMetadataProps   = 14

	opsetDomain  = 1
	opsetVersion = 2

	entryKey   = 1
	entryValue = 2

	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphInput       = 11
	graphOutput      = 12

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5

	attrName = 1
	attrI    = 3
	attrType = 20

	attributeTypeInt = 2 // AttributeProto.AttributeType INT

	tensorDims      = 1
	tensorDataType  = 2
	tensorName      = 8
	tensorRawData   = 9
	tensorFloatData = 4 // read only; raw_data is written

	dataTypeFloat = 1 // TensorProto.DataType FLOAT

	valueInfoName = 1
	valueInfoType = 2

	typeTensorType = 1

	tensorTypeElemType = 1
	tensorTypeShape    = 2

	shapeDim = 1

	dimValue = 1
	dimParam = 2
)

// BatchDim is the name of the input's and output's free first dimension.
const BatchDim = "N"

// Marshal returns the model as the bytes of an ONNX ModelProto.
func (m *Model) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var b []byte
	b = appendInt(b, modelIRVersion, IRVersion)
	b = appendString(b, modelProducerName, m.ProducerName)
	b = appendString(b, modelProducerVersion, m.ProducerVersion)
	b = appendString(b, modelDocString, m.DocString)
	b = appendMessage(b, modelGraph, m.appendGraph(nil))
	// The default domain (ai.onnx) is the empty string, left out.
	b = appendMessage(b, modelOpsetImport, appendInt(nil, opsetVersion, Opset))
	for _, p := range m.Metadata {
		var e []byte
		e = appendString(e, entryKey, p.Key)
		e = appendString(e, entryValue, p.Value)
		b = appendMessage(b, modelMetadataProps, e)
	}
	return b, nil
}

// WriteTo writes the model's ONNX bytes to w.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	b, err := m.Marshal()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// WriteFile writes the model to path through a temporary file in the same
// directory, so that path holds either its old content or the whole model.
func (m *Model) WriteFile(path string) error {
	b, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, b)
}

func (m *Model) appendGraph(b []byte) []byte {
	for _, n := range m.Nodes() {
		b = appendMessage(b, graphNode, appendNode(nil, n))
	}
	name := m.GraphName
	if name == "" {
		name = "perceptron"
	}
	b = appendString(b, graphName, name)
	for i, l := range m.Layers {
		n := fmt.Sprint(i + 1)
		b = appendMessage(b, graphInitializer, appendTensor(nil, "w"+n, []int{l.In, l.Out}, l.W))
		b = appendMessage(b, graphInitializer, appendTensor(nil, "b"+n, []int{l.Out}, l.B))
	}
	b = appendMessage(b, graphInput, appendValueInfo(nil, InputName, m.Layers[0].In))
	b = appendMessage(b, graphOutput, appendValueInfo(nil, OutputName, m.Layers[len(m.Layers)-1].Out))
	return b
}

func appendNode(b []byte, n Node) []byte {
	for _, in := range n.Inputs {
		b = protowire.AppendTag(b, nodeInput, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	b = protowire.AppendTag(b, nodeOutput, protowire.BytesType)
	b = protowire.AppendString(b, n.Output)
	b = appendString(b, nodeName, n.Name)
	b = appendString(b, nodeOpType, n.Op)
	if n.Axis != nil {
		var a []byte
		a = appendString(a, attrName, "axis")
		a = protowire.AppendTag(a, attrI, protowire.VarintType)
		a = protowire.AppendVarint(a, uint64(*n.Axis))
		a = appendInt(a, attrType, attributeTypeInt)
		b = appendMessage(b, nodeAttribute, a)
	}
	return b
}

// appendTensor appends a float32 TensorProto with its values as raw data.
func appendTensor(b []byte, name string, dims []int, v []float32) []byte {
	var packed []byte
	for _, d := range dims {
		packed = protowire.AppendVarint(packed, uint64(d))
	}
	b = protowire.AppendTag(b, tensorDims, protowire.BytesType)
	b = protowire.AppendBytes(b, packed)
	b = appendInt(b, tensorDataType, dataTypeFloat)
	b = appendString(b, tensorName, name)
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	b = protowire.AppendTag(b, tensorRawData, protowire.BytesType)
	return protowire.AppendBytes(b, raw)
}

// appendValueInfo appends the ValueInfoProto of a float32 [N, width] value.
func appendValueInfo(b []byte, name string, width int) []byte {
	var batch, cols, shape, tensor, typ []byte
	batch = appendString(batch, dimParam, BatchDim)
	cols = appendInt(cols, dimValue, int64(width))
	shape = appendMessage(shape, shapeDim, batch)
	shape = appendMessage(shape, shapeDim, cols)
	tensor = appendInt(tensor, tensorTypeElemType, dataTypeFloat)
	tensor = appendMessage(tensor, tensorTypeShape, shape)
	typ = appendMessage(typ, typeTensorType, tensor)
	b = appendString(b, valueInfoName, name)
	return appendMessage(b, valueInfoType, typ)
}

// appendString appends a string field, leaving out empty ones (proto3's
// default).
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendInt(b []byte, num protowire.Number, v int64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}
