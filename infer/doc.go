// Package infer uses a trained perceptron: it loads a run directory written
// by the trainer, predicts digits from 28×28 inputs with the forward-only
// gorgonia graph, evaluates a model on a labelled set, and turns photographs
// of handwritten digits into MNIST-style inputs.
//
// Photos are prepared the way MNIST's digits were: grayscale, the paper's
// uneven lighting divided out, the ink inverted to white on black, cropped to
// the ink, the longer side scaled to 20 pixels with area-averaging
// anti-aliasing, and pasted into a 28×28 field centred on the ink's centre of
// mass. See [ReadPhoto] and [Preprocess].
package infer
