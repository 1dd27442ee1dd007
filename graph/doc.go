// Package graph declares the perceptron 784 → H → 10 as a gorgonia
// computation graph and owns its parameters and their files.
//
// The network is
//
//	logp = LogSoftMax(act(x·W1 + b1)·W2 + b2)
//	loss = -mean over the batch of Σ_k y_k·logp_k     (cross-entropy)
//
// with act the logistic sigmoid or relu. Training graphs get their gradients
// from gorgonia's symbolic differentiation (G.Grad); forward-only graphs of
// any batch size share the same weight tensors for evaluation and prediction.
// The parameters are saved as four .npy files (w1, b1, w2, b2) beside a
// model.json that describes them.
package graph
