#!/usr/bin/env node
// Runs an ONNX model exported by `perceptron export -format onnx` with
// onnxruntime-node on the MNIST test set and prints one JSON object:
// {"n": images, "accuracy": fraction right, "probabilities": [[10 numbers], ...]}
// (the probabilities only with --probabilities).
//
//   npm ci --ignore-scripts          # once, in this directory
//   node check.js model.onnx MNIST_DIR [--probabilities] [--batch 1000]
//
// MNIST_DIR holds t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz
// (`perceptron data -dir` prints where they are). Inputs are pixel/255,
// row-major 28x28, white ink on black: x is float32 [N, 784].
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const ort = require("onnxruntime-node");

function readIDX(dir, name) {
  let file = path.join(dir, name);
  let raw;
  if (fs.existsSync(file)) {
    raw = zlib.gunzipSync(fs.readFileSync(file));
  } else if (fs.existsSync(file.replace(/\.gz$/, ""))) {
    raw = fs.readFileSync(file.replace(/\.gz$/, ""));
  } else {
    throw new Error(`${name} not found in ${dir}`);
  }
  const ndim = raw[3];
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(raw.readUInt32BE(4 + 4 * i));
  return { dims, data: raw.subarray(4 + 4 * ndim) };
}

async function main() {
  const args = process.argv.slice(2);
  let withProbs = false;
  let batch = 1000;
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--probabilities") withProbs = true;
    else if (args[i] === "--batch") batch = parseInt(args[++i], 10);
    else pos.push(args[i]);
  }
  if (pos.length !== 2 || !(batch >= 1)) {
    console.error("usage: node check.js model.onnx MNIST_DIR [--probabilities] [--batch N]");
    process.exit(2);
  }
  const [modelPath, dataDir] = pos;
  const images = readIDX(dataDir, "t10k-images-idx3-ubyte.gz");
  const labels = readIDX(dataDir, "t10k-labels-idx1-ubyte.gz");
  const n = labels.dims[0];
  const size = images.dims[1] * images.dims[2];

  const session = await ort.InferenceSession.create(modelPath);
  if (session.inputNames[0] !== "x" || session.outputNames[0] !== "probabilities") {
    throw new Error(`model has inputs ${session.inputNames} and outputs ${session.outputNames}, want x and probabilities`);
  }
  let right = 0;
  const probs = [];
  for (let first = 0; first < n; first += batch) {
    const rows = Math.min(batch, n - first);
    const x = new Float32Array(rows * size);
    for (let i = 0; i < x.length; i++) x[i] = images.data[first * size + i] / 255;
    const out = await session.run({ x: new ort.Tensor("float32", x, [rows, size]) });
    const p = out.probabilities;
    const k = p.dims[1];
    for (let r = 0; r < rows; r++) {
      const row = p.data.subarray(r * k, (r + 1) * k);
      let best = 0;
      for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
      if (best === labels.data[first + r]) right++;
      if (withProbs) probs.push(Array.from(row));
    }
  }
  const result = { n, accuracy: right / n };
  if (withProbs) result.probabilities = probs;
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((e) => {
  console.error(`check.js: ${e.message}`);
  process.exit(1);
});
