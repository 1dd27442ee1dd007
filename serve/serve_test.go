package serve

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perceptron-mnist/perceptron/data"
	"github.com/perceptron-mnist/perceptron/graph"
	"github.com/perceptron-mnist/perceptron/infer"
	"github.com/perceptron-mnist/perceptron/internal/testenv"
	"github.com/perceptron-mnist/perceptron/internal/testmodel"
)

// trainedModel returns the MNIST data and the directory of the model
// trained with the default configuration (once per test binary, about 10 s).
func trainedModel(t testing.TB) (*data.MNIST, string) {
	t.Helper()
	return testenv.MNIST(t), testmodel.Dir(t)
}

// newTestServer serves the trained model with opt.
func newTestServer(t *testing.T, opt Options) *httptest.Server {
	t.Helper()
	_, dir := trainedModel(t)
	return serveDir(t, dir, opt)
}

// serveDir serves the model saved in dir with opt.
func serveDir(t *testing.T, dir string, opt Options) *httptest.Server {
	t.Helper()
	m, err := infer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		m.Close()
	})
	return srv
}

// paper renders MNIST test image i as a scan of handwriting would look:
// dark ink on white paper, scale times larger, with bilinear smoothing.
func paper(d *data.MNIST, i, scale int) *image.Gray {
	src := d.Test.Image(i)
	n := 28 * scale
	img := image.NewGray(image.Rect(0, 0, n+40, n+40)) // a margin of paper
	for p := range img.Pix {
		img.Pix[p] = 255
	}
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= 28 || y >= 28 {
			return 0
		}
		return float64(src[y*28+x])
	}
	for y := 0; y < n; y++ {
		fy := (float64(y)+0.5)/float64(scale) - 0.5
		y0 := int(math.Floor(fy))
		wy := fy - float64(y0)
		for x := 0; x < n; x++ {
			fx := (float64(x)+0.5)/float64(scale) - 0.5
			x0 := int(math.Floor(fx))
			wx := fx - float64(x0)
			v := (1-wy)*((1-wx)*at(x0, y0)+wx*at(x0+1, y0)) + wy*((1-wx)*at(x0, y0+1)+wx*at(x0+1, y0+1))
			img.SetGray(x+20, y+20, color.Gray{Y: uint8(255 - 255*v + 0.5)})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte { return testenv.EncodePNG(t, img) }

func encodeJPEG(t testing.TB, img image.Image) []byte { return testenv.EncodeJPEG(t, img, 85) }

// post sends body to /api/predict and decodes the JSON answer.
func post(t testing.TB, url, contentType string, body io.Reader) (status int, res Result, errMsg string) {
	t.Helper()
	resp, err := http.Post(url+"/api/predict", contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		return resp.StatusCode, res, ""
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Error == "" {
		t.Fatalf("status %d with body %q: want a JSON {\"error\": ...}", resp.StatusCode, raw)
	}
	return resp.StatusCode, res, e.Error
}

func TestPredictImages(t *testing.T) {
	d, _ := trainedModel(t)
	srv := newTestServer(t, Options{})
	tests := []struct {
		name   string
		index  int // MNIST test image
		encode func(testing.TB, image.Image) []byte
		ctype  string
	}{
		{"png", 0, encodePNG, "image/png"},
		{"jpeg", 1, encodeJPEG, "image/jpeg"},
		{"png without content type", 2, encodePNG, ""},
		{"jpeg as octet-stream", 3, encodeJPEG, "application/octet-stream"},
		// test image 1 is a 2 that reads as a 4 when left sideways
		{"jpeg stored sideways with exif orientation", 1, func(t testing.TB, img image.Image) []byte {
			return withOrientation6(t, img.(*image.Gray))
		}, "image/jpeg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.encode(t, paper(d, tc.index, 10))
			status, res, msg := post(t, srv.URL, tc.ctype, bytes.NewReader(body))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, msg)
			}
			label := int(d.Test.Labels[tc.index])
			if res.Digit != label {
				t.Errorf("digit %d, want the image's label %d (probabilities %.3f)", res.Digit, label, res.Probabilities)
			}
			if len(res.Probabilities) != 10 || len(res.Input28) != 784 {
				t.Fatalf("%d probabilities and %d inputs, want 10 and 784", len(res.Probabilities), len(res.Input28))
			}
			var sum float64
			for _, p := range res.Probabilities {
				sum += float64(p)
			}
			if math.Abs(sum-1) > 1e-4 || res.Confidence != res.Probabilities[res.Digit] {
				t.Errorf("probabilities sum to %v; confidence %v, probability of %d %v",
					sum, res.Confidence, res.Digit, res.Probabilities[res.Digit])
			}
			// the same input as the command line's preprocessing of the same file
			path := filepath.Join(t.TempDir(), "digit")
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
			want, err := infer.ReadPhoto(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if res.Input28[i] != want[i] {
					t.Fatalf("input28[%d] = %v, infer.ReadPhoto gives %v", i, res.Input28[i], want[i])
				}
			}
			// and it is MNIST-style: white ink on black, centred by mass
			cx, cy, err := infer.CentreOfMass(res.Input28)
			if err != nil || math.Abs(cx-14) > 0.5 || math.Abs(cy-14) > 0.5 || res.Input28[0] != 0 {
				t.Errorf("centre of mass (%.1f, %.1f) %v, corner %v: want within half a pixel of MNIST's (14, 14) on black", cx, cy, err, res.Input28[0])
			}
		})
	}
}

// withOrientation6 returns img turned 90° counter-clockwise, as a JPEG whose
// Exif orientation 6 says to turn it 90° clockwise to show it upright: how
// phones store a photo taken with the phone held sideways.
func withOrientation6(t testing.TB, img *image.Gray) []byte {
	t.Helper()
	b := img.Bounds()
	side := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			side.SetGray(y, b.Dx()-1-x, img.GrayAt(x, y))
		}
	}
	j := encodeJPEG(t, side)
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a\x00\x00\x00\x08")                   // big-endian TIFF, IFD at 8
	binary.Write(&tiff, binary.BigEndian, uint16(1))                 // one entry
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3, 0, 1}) // Orientation, SHORT, count 1
	binary.Write(&tiff, binary.BigEndian, []uint16{6, 0})            // value 6, padding
	binary.Write(&tiff, binary.BigEndian, uint32(0))                 // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(j[:2]) // SOI
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(payload)+2))
	out.Write(payload)
	out.Write(j[2:])
	return out.Bytes()
}

// pngHeader returns the start of a PNG file whose header claims w×h pixels.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit gray
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestPredictRefusesBadBodies(t *testing.T) {
	d, _ := trainedModel(t)
	srv := newTestServer(t, Options{MaxBytes: 1 << 20})
	good := encodePNG(t, paper(d, 0, 10))
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	tests := []struct {
		name   string
		body   io.Reader
		status int
		want   string // the error message contains this
	}{
		{"empty body", strings.NewReader(""), 400, "empty body: send the image (PNG or JPEG) as the request body"},
		{"text", strings.NewReader("hello, this is not an image"), 415, "not an image in a known format: send PNG or JPEG"},
		{"truncated png", bytes.NewReader(good[:len(good)/2]), 400, "corrupt png image"},
		{"huge png header", bytes.NewReader(pngHeader(30000, 30000)), 400, "png header claims 30000×30000 pixels"},
		{"blank paper", bytes.NewReader(encodePNG(t, blank)), 422, "no ink found"},
		{"oversized", bytes.NewReader(make([]byte, 1<<20+1)), 413, "image too large: the limit is 1048576 bytes"},
		// without a Content-Length: the limit applies while reading
		{"oversized stream", io.MultiReader(bytes.NewReader(good), strings.NewReader(strings.Repeat("x", 1<<20))), 413, "image too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, msg := post(t, srv.URL, "image/png", tc.body)
			if status != tc.status || !strings.Contains(msg, tc.want) {
				t.Errorf("status %d, error %q; want %d and %q", status, msg, tc.status, tc.want)
			}
			if strings.Contains(msg, os.TempDir()) {
				t.Errorf("error %q names a temporary file", msg)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	srv := newTestServer(t, Options{})
	tests := []struct {
		method, path string
		status       int
		ctype        string
		want         string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", `<canvas id="pad"`},
		{"HEAD", "/", 200, "text/html; charset=utf-8", ""},
		{"GET", "/api/predict", 405, "application/json", `"error":"GET /api/predict: method not allowed (use POST)"`},
		{"PUT", "/api/model", 405, "application/json", `method not allowed`},
		{"GET", "/index.html", 404, "application/json", `"error":"no such page: GET /index.html"`},
		{"GET", "/nothing", 404, "application/json", `"error":"no such page: GET /nothing"`},
		{"GET", "/api/model", 200, "application/json", `"architecture":"784 → 64 → 10, sigmoid, softmax"`},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != tc.ctype || !strings.Contains(string(body), tc.want) {
				t.Errorf("%d %q %.200q; want %d %q containing %q", resp.StatusCode, resp.Header.Get("Content-Type"), body,
					tc.status, tc.ctype, tc.want)
			}
		})
	}
}

func TestPageIsSelfContained(t *testing.T) {
	page, err := static.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	// nothing fetched from elsewhere: no absolute URLs, no external scripts,
	// styles or fonts
	for _, bad := range []string{"http://", "https://", "//cdn", "<script src", "@import", "@font-face", "url("} {
		if strings.Contains(s, bad) {
			t.Errorf("the page contains %q: it must work offline", bad)
		}
	}
	for _, want := range []string{`id="pad"`, `id="clear"`, `type="file"`, `id="seen"`, `id="digit"`, `id="bars"`,
		"pointerdown", "pointermove", `"api/predict"`, `"api/model"`, "drop"} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func TestModelInfo(t *testing.T) {
	_, modelDir := trainedModel(t)
	srv := serveDir(t, modelDir, Options{})
	resp, err := http.Get(srv.URL + "/api/model")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info ModelInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	wantParams := 784*64 + 64 + 64*10 + 10
	if info.Inputs != 784 || !slices.Equal(info.Hidden, graph.Sizes{64}) || info.Outputs != 10 || info.Activation != "sigmoid" || info.Params != wantParams {
		t.Errorf("model %+v; want 784 → 64 → 10 sigmoid with %d parameters", info, wantParams)
	}
	if want := testmodel.Default(t).Final().TestAcc; info.TestAccuracy != want || info.TestAccuracy < 0.95 {
		t.Errorf("test accuracy %v, want the run's %v (≥ 0.95)", info.TestAccuracy, want)
	}
	if info.Dir != filepath.Base(modelDir) || len(info.Training) == 0 || info.Formula == "" {
		t.Errorf("dir %q (want the run's name %q), training %s, formula %q", info.Dir, filepath.Base(modelDir), info.Training, info.Formula)
	}
}

// /api/model names the run, never a path of the machine it runs on.
func TestModelInfoShowsNoPath(t *testing.T) {
	_, modelDir := trainedModel(t)
	abs, err := filepath.Abs(modelDir)
	if err != nil {
		t.Fatal(err)
	}
	// model.json records where the run was trained, as train does
	b, err := os.ReadFile(filepath.Join(modelDir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["metrics"].(map[string]any)["run_dir"] = abs
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(modelDir, "model.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{modelDir, abs} {
		srv := serveDir(t, dir, Options{})
		resp, err := http.Get(srv.URL + "/api/model")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if parent := filepath.Dir(abs); strings.Contains(string(body), parent) || strings.Contains(string(body), filepath.Dir(modelDir)+"/") {
			t.Errorf("/api/model shows the path %s: %s", parent, body)
		}
		var info struct {
			Dir     string `json:"dir"`
			Metrics struct {
				RunDir  string  `json:"run_dir"`
				TestAcc float64 `json:"test_acc"`
			} `json:"metrics"`
		}
		if err := json.Unmarshal(body, &info); err != nil {
			t.Fatal(err)
		}
		if name := filepath.Base(abs); info.Dir != name || info.Metrics.RunDir != name || info.Metrics.TestAcc < 0.9 {
			t.Errorf("dir %q, metrics.run_dir %q, test_acc %v; want the run's name %q and the metrics", info.Dir, info.Metrics.RunDir,
				info.Metrics.TestAcc, name)
		}
	}
}

// safeBuffer is a bytes.Buffer for concurrent writers.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Every request is logged: method, path, status, bytes sent, duration, and
// what was predicted or why it was refused.
func TestRequestLog(t *testing.T) {
	d, _ := trainedModel(t)
	var log safeBuffer
	srv := newTestServer(t, Options{Log: &log})
	good := encodePNG(t, paper(d, 0, 4))
	type request struct {
		method, path, ctype string
		body                []byte
		status              int
		note                string // the log line ends with this
	}
	reqs := []request{
		{"GET", "/", "", nil, 200, ""},
		{"GET", "/api/model", "", nil, 200, ""},
		{"POST", "/api/predict", "image/png", good, 200, fmt.Sprintf(": %d-byte image → 7 (", len(good))},
		{"POST", "/api/predict", "text/plain", []byte("not an image"), 415, ": not an image in a known format"},
		{"GET", "/nothing", "", nil, 404, ": no such page: GET /nothing"},
		{"DELETE", "/api/model", "", nil, 405, ": DELETE /api/model: method not allowed (use GET, HEAD)"},
	}
	sizes := make([]int, len(reqs))
	for i, rq := range reqs {
		req, err := http.NewRequest(rq.method, srv.URL+rq.path, bytes.NewReader(rq.body))
		if err != nil {
			t.Fatal(err)
		}
		if rq.ctype != "" {
			req.Header.Set("Content-Type", rq.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sizes[i] = len(b)
		if resp.StatusCode != rq.status {
			t.Errorf("%s %s: status %d, want %d", rq.method, rq.path, resp.StatusCode, rq.status)
		}
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != len(reqs) {
		t.Fatalf("%d log lines, want one per request (%d):\n%s", len(lines), len(reqs), log.String())
	}
	re := regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (\S+) (\S+) (\d{3}) (\d+)B (\d[\d.]*(?:µs|ms|s|ns))(.*)$`)
	for i, rq := range reqs {
		m := re.FindStringSubmatch(lines[i])
		if m == nil {
			t.Errorf("log line %q: want date, method, path, status, bytes, duration", lines[i])
			continue
		}
		if m[1] != rq.method || m[2] != rq.path || m[3] != strconv.Itoa(rq.status) || m[4] != strconv.Itoa(sizes[i]) ||
			!strings.HasPrefix(m[6], rq.note) || (rq.note == "" && m[6] != "") {
			t.Errorf("log line %q; want %s %s %d %dB … %q", lines[i], rq.method, rq.path, rq.status, sizes[i], rq.note)
		}
	}
}

// multipartBody builds a multipart/form-data body with the given files
// (field name → content) and a plain field.
func multipartBody(t *testing.T, files ...[]byte) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("note", "from a form"); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		w, err := mw.CreateFormFile("file", fmt.Sprintf("digit%d.png", i))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

// What `curl -F file=@x.png` sends is read as the image in the body is.
func TestPredictMultipart(t *testing.T) {
	d, _ := trainedModel(t)
	srv := newTestServer(t, Options{MaxBytes: 1 << 20})
	good := encodePNG(t, paper(d, 0, 4))
	_, want, _ := post(t, srv.URL, "image/png", bytes.NewReader(good))
	ctype, body := multipartBody(t, good)
	status, got, msg := post(t, srv.URL, ctype, bytes.NewReader(body))
	if status != 200 || got.Digit != want.Digit || got.Confidence != want.Confidence {
		t.Errorf("multipart: status %d %q, digit %d (%v); want 200 and the body's %d (%v)", status, msg, got.Digit, got.Confidence,
			want.Digit, want.Confidence)
	}
	for _, tc := range []struct {
		name   string
		files  [][]byte
		status int
		want   string
	}{
		{"no file", nil, 400, "multipart form holds no file: send the image as one file field (curl -F file=@digit.png)"},
		{"two files", [][]byte{good, good}, 400, "multipart form holds 2 files: send one image"},
		{"not an image", [][]byte{[]byte("hello")}, 415, "not an image in a known format"},
		{"too large", [][]byte{make([]byte, 1<<20)}, 413, "image too large: the limit is 1048576 bytes"},
	} {
		ctype, body := multipartBody(t, tc.files...)
		if status, _, msg := post(t, srv.URL, ctype, bytes.NewReader(body)); status != tc.status || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: status %d, %q; want %d, %q", tc.name, status, msg, tc.status, tc.want)
		}
	}
	// a broken form
	if status, _, msg := post(t, srv.URL, "multipart/form-data; boundary=xyz", strings.NewReader("--xyz\r\nbroken")); status != 400 ||
		!strings.HasPrefix(msg, "multipart form: ") {
		t.Errorf("broken form: status %d, %q", status, msg)
	}
}

// TestConcurrentPredictions sends many requests at once; run with -race. The
// answers must equal those of the same images sent one by one.
func TestConcurrentPredictions(t *testing.T) {
	d, _ := trainedModel(t)
	srv := newTestServer(t, Options{Workers: 3})
	var bodies [][]byte
	var want []Result
	for i := range 6 {
		enc := encodePNG
		if i%2 == 1 {
			enc = encodeJPEG
		}
		b := enc(t, paper(d, 10+i, 6))
		status, res, msg := post(t, srv.URL, "", bytes.NewReader(b))
		if status != 200 {
			t.Fatalf("image %d: %d %s", i, status, msg)
		}
		bodies, want = append(bodies, b), append(want, res)
	}
	const clients, rounds = 12, 4
	var wg sync.WaitGroup
	errs := make(chan error, clients*rounds)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				i := (c + r) % len(bodies)
				resp, err := http.Post(srv.URL+"/api/predict", "image/png", bytes.NewReader(bodies[i]))
				if err != nil {
					errs <- err
					continue
				}
				var res Result
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				switch {
				case err != nil:
					errs <- err
				case resp.StatusCode != 200:
					errs <- fmt.Errorf("image %d: status %d", i, resp.StatusCode)
				case res.Digit != want[i].Digit || fmt.Sprint(res.Probabilities) != fmt.Sprint(want[i].Probabilities) ||
					fmt.Sprint(res.Input28) != fmt.Sprint(want[i].Input28):
					errs <- fmt.Errorf("image %d: concurrent answer %d %v differs from %d %v", i,
						res.Digit, res.Probabilities, want[i].Digit, want[i].Probabilities)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestServeShutsDownOnCancel(t *testing.T) {
	_, dir := trainedModel(t)
	m, err := infer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h, err := New(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, 5*time.Second) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/model")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after cancel, want nil", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/api/model"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// An upload that is not one digit is answered with a warning, as predict's.
func TestPredictWarns(t *testing.T) {
	d, _ := trainedModel(t)
	srv := newTestServer(t, Options{})
	a, b := paper(d, 0, 4), paper(d, 1, 4)
	both := image.NewGray(image.Rect(0, 0, a.Bounds().Dx()+b.Bounds().Dx(), a.Bounds().Dy()))
	draw.Draw(both, a.Bounds(), a, image.Point{}, draw.Src)
	draw.Draw(both, a.Bounds().Add(image.Pt(a.Bounds().Dx(), 0)), b, image.Point{}, draw.Src)
	status, res, msg := post(t, srv.URL, "image/png", bytes.NewReader(encodePNG(t, both)))
	if status != 200 || !strings.Contains(res.Warning, "2 separate marks of similar size side by side") {
		t.Errorf("status %d %q, warning %q; want a prediction with a warning", status, msg, res.Warning)
	}
	status, res, _ = post(t, srv.URL, "image/png", bytes.NewReader(encodePNG(t, a)))
	if status != 200 || res.Warning != "" {
		t.Errorf("one digit: status %d, warning %q; want none", status, res.Warning)
	}
}
