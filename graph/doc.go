// Package graph declares the perceptron 784 → H → 10 as a gorgonia
// computation graph and owns its parameters.
//
// The network is
//
//	logp = LogSoftMax(act(x·W1 + b1)·W2 + b2)
//	loss = -mean over the batch of Σ_k y_k·logp_k     (cross-entropy)
//
// with act the logistic sigmoid or relu. Training graphs get their gradients
// from gorgonia's symbolic differentiation (G.Grad); forward-only graphs of
// any batch size share the same weight tensors for evaluation and prediction.
// The graphs compute with the engine, tape runner and BLAS of package
// internal/compute; package modeljson saves and loads the parameters.
package graph
