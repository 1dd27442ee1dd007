package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"summary"}, []string{
			`Model: "sigmoid-h64-sgd-lr0.5-b100-e10-s1"`,
			" input (InputLayer)       (None, 784)      0\n",
			" hidden (Dense)           (None, 64)       50240      sigmoid      kernel glorot_uniform, bias zeros\n",
			" output (Dense)           (None, 10)       650        softmax      kernel glorot_uniform, bias zeros\n",
			"Total params: 50,890 (198.79 KB)\n", "Trainable params: 50,890 (198.79 KB)\n", "Non-trainable params: 0 (0.00 B)\n",
		}},
		{[]string{"summary", "-hidden", "20", "-activation", "relu", "-optimizer", "adam"}, []string{
			" hidden (Dense)           (None, 20)       15700      relu", "Total params: 15,910 (62.15 KB)",
			"\n  optimizer   adam\n  lr          0.001\n",
		}},
	}
	for _, tc := range tests {
		code, out, errOut := perceptron(t, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output has no %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestSummaryOfSavedModel(t *testing.T) {
	dir := untrainedModelDir(t) // 784 → 16 → 10, sigmoid
	code, out, errOut := perceptron(t, "summary", "-model", dir, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s summaryJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.TotalParams != 784*16+16+16*10+10 || len(s.Layers) != 3 || *s.Layers[1].OutputShape[1] != 16 ||
		s.Layers[1].OutputShape[0] != nil || s.Layers[2].Activation != "softmax" || s.Name != dir {
		t.Errorf("summary %s", out)
	}
	code, _, errOut = perceptron(t, "summary", "-model", dir, "-hidden", "5")
	if code != 2 || !strings.Contains(errOut, "-hidden describes a network to train; -model DIR describes a saved one") {
		t.Errorf("-model with -hidden: exit %d, %q", code, errOut)
	}
	code, _, errOut = perceptron(t, "summary", "-activation", "softsign")
	if code != 2 || !strings.Contains(errOut, `-activation "softsign": want sigmoid, relu or tanh`) {
		t.Errorf("-activation softsign: exit %d, %q", code, errOut)
	}
}
