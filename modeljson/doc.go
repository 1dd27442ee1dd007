// Package modeljson is the format of a saved model: model.json, which
// describes the network and lists its weight files, and the .npy files it
// lists (w1.npy, b1.npy, …). Save writes a model directory, Load and
// ReadModel read one back, refusing files that do not match the
// architecture they claim.
package modeljson
