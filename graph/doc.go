// Package graph declares the perceptron 784 → H1 → … → Hn → 10 as a
// gorgonia computation graph and owns its parameters: a list of dense
// layers, as Keras's Sequential stacks them.
//
// The network is
//
//	h0   = x
//	hi   = act(hi-1·Wi + bi) ⊙ maski      for each hidden layer i = 1…n
//	logp = LogSoftMax(hn·Wn+1 + bn+1)
//	loss = -mean over the batch of Σ_k y_k·logp_k  +  λ·Σ_i ΣWi²
//
// with act the logistic sigmoid, relu or tanh, the dropout masks (0 or
// 1/(1-rate)) only in training graphs with dropout, and the L2 term only
// with λ > 0. Training graphs get their gradients from gorgonia's symbolic
// differentiation (G.Grad); forward-only graphs of any batch size share the
// same weight tensors for evaluation and prediction. The graphs compute with
// the engine, tape runner and BLAS of package internal/compute; package
// modeljson saves and loads the parameters.
package graph
