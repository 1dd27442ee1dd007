package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeRefusesBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve"}, 2, "perceptron serve: -model DIR is required"},
		{[]string{"serve", "-model", "/nonexistent/run"}, 1, "perceptron serve: -model /nonexistent/run: no such directory\n"},
		{[]string{"serve", "-model", "x", "extra"}, 2, `perceptron serve: unexpected argument "extra"`},
		{[]string{"serve", "-model", "x", "-max-bytes", "0"}, 2, "perceptron serve: -max-bytes 0: want at least 1"},
		{[]string{"serve", "-port", "80"}, 2, "flag provided but not defined: -port"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := perceptron(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || out != "" {
				t.Fatalf("exit %d, stderr %q, stdout %q; want exit %d and %q", code, errOut, out, tc.code, tc.want)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeAnswersAndStopsOnCancel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := perceptron(t, "train", "-epochs", "1", "-train-limit", "3000", "-test-limit", "1000",
		"-out", dir, "-quiet"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var errOut lockedBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "-model", dir, "-addr", "127.0.0.1:0"}, outW, &errOut)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no address on stdout: %v; stderr %q", err, errOut.String())
	}
	go io.Copy(io.Discard, outR)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "serving on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("stdout %q, want \"serving on http://127.0.0.1:PORT/\"", line)
	}

	resp, err := http.Get(url + "api/model")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Architecture string  `json:"architecture"`
		TestAccuracy float64 `json:"test_accuracy"`
	}
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || info.Architecture != "784 → 64 → 10, sigmoid, softmax" || info.TestAccuracy < 0.5 {
		t.Errorf("GET /api/model: %+v, %v", info, err)
	}

	// a vertical bar on white paper: a 1
	img := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range img.Pix {
		if x, y := i%100, i/100; x < 45 || x > 55 || y < 15 || y > 85 {
			img.Pix[i] = 255
		}
	}
	var body bytes.Buffer
	png.Encode(&body, img)
	resp, err = http.Post(url+"api/predict", "image/png", &body)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Digit   int       `json:"digit"`
		Input28 []float64 `json:"input28"`
	}
	err = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || res.Digit != 1 || len(res.Input28) != 784 {
		t.Errorf("POST /api/predict: status %d, digit %d, %d inputs, %v; want 200, 1, 784", resp.StatusCode, res.Digit, len(res.Input28), err)
	}

	cancel() // as SIGINT does through main's signal.NotifyContext
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d after cancel, want 0; stderr %q", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of cancel")
	}
	if s := errOut.String(); !strings.Contains(s, "GET /api/model 200 ") || !strings.Contains(s, "POST /api/predict 200 ") || !strings.HasSuffix(s, "stopped\n") {
		t.Errorf("stderr %q: want a log line per request and \"stopped\" at the end", s)
	}
	if _, err := http.Get(url + "api/model"); err == nil {
		t.Error("the server still answers after it stopped")
	}
}
