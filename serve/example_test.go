package serve_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/serve"
)

func Example() {
	// A model: here untrained weights; infer.Load(runDir) for a trained one.
	p, err := graph.NewParams(graph.NewArch([]int{64}, graph.Sigmoid), 1)
	if err != nil {
		panic(err)
	}
	m := infer.New(p)
	defer m.Close()
	h, err := serve.New(m, serve.Options{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h) // serve.Serve(ctx, listener, h, grace) in a program
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/api/predict", "text/plain", strings.NewReader("not a picture"))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))

	resp, err = http.Get(srv.URL + "/api/model")
	if err != nil {
		panic(err)
	}
	var info serve.ModelInfo
	fmt.Println(resp.StatusCode, json.NewDecoder(resp.Body).Decode(&info), info.Architecture, info.Params)
	resp.Body.Close()
	// Output:
	// 415 {"error":"not an image in a known format: send PNG or JPEG (PNG, JPEG, GIF, BMP, WebP, TIFF are read)"}
	// 200 <nil> 784 → 64 → 10, sigmoid, softmax 50890
}
