// Package onnx writes a stack of dense layers as an ONNX model (a
// ModelProto, https://onnx.ai), so that onnxruntime, PyTorch, ONNX's own
// tools and every runtime that reads ONNX can run the network.
//
// The graph is the forward pass only: for each layer a MatMul by its weight
// matrix, an Add of its bias (broadcast over the batch) and its activation
// (Relu, Sigmoid or Tanh; Softmax along axis 1 for the last layer). Its one
// input is x, float32 [N, inputs], with N left free; its one output is
// probabilities, float32 [N, outputs]. Weights are initializers named w1, b1,
// w2, b2, … after the layers, holding their values as little-endian float32
// raw data.
//
// The few protobuf messages needed (ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto,
// OperatorSetIdProto, StringStringEntryProto) are written by hand with
// google.golang.org/protobuf/encoding/protowire, with the field numbers of
// onnx/onnx.proto. Files carry IR version 8 and import opset 13 of the
// default domain.
package onnx
