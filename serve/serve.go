// Package serve puts a trained perceptron behind a small web page and a JSON
// API: draw a digit with the mouse or a finger, or drop a photo, and see the
// 28×28 image the network received and the ten probabilities it answers.
//
// The handler serves
//
//	GET  /             the page, embedded in the binary (no external scripts or fonts)
//	POST /api/predict  an image (any of infer.Formats) as the request body, or as
//	                   the one file of a multipart/form-data form (curl -F file=@x.png) →
//	                   {"digit", "confidence", "probabilities", "input28", ...}
//	GET  /api/model    the model's architecture, parameter count and test accuracy
//
// Uploaded images are prepared exactly as `perceptron predict` prepares an
// image file (infer.PhotoFromBytes: EXIF orientation, MNIST-style 28×28), so the
// page, the API and the command line agree. Errors are JSON objects
// {"error": "..."} with a 4xx status.
package serve

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/perceptron-mnist/perceptron/infer"
)

// DefaultMaxBytes bounds the size of a request body to /api/predict.
const DefaultMaxBytes = 10 << 20

//go:embed static
var static embed.FS

// Options adjust a Handler. The zero value is usable.
type Options struct {
	// MaxBytes bounds a request body (0: DefaultMaxBytes).
	MaxBytes int64
	// Workers bounds how many uploads are decoded and prepared at once
	// (0: the number of CPUs, at least 2); further requests wait their turn.
	Workers int
	// Log, when set, receives one line per request: method, path, status,
	// bytes of the response, duration, and what was predicted or why the
	// request was refused.
	Log io.Writer
}

// Handler is the page and the API for one model. It is safe for concurrent
// use: uploads are prepared in parallel (up to Options.Workers at a time) and
// the network, which is not safe for concurrent use, predicts under a mutex.
type Handler struct {
	mux      *http.ServeMux
	maxBytes int64
	slots    chan struct{}
	log      *log.Logger
	info     []byte // the /api/model response

	mu    sync.Mutex // guards model
	model *infer.Model
}

// New returns the handler serving m. The handler does not close m.
func New(m *infer.Model, opt Options) (*Handler, error) {
	if m == nil {
		return nil, errors.New("serve: no model")
	}
	info, err := json.Marshal(Describe(m))
	if err != nil {
		return nil, fmt.Errorf("serve: describe model: %w", err)
	}
	h := &Handler{
		mux:      http.NewServeMux(),
		maxBytes: opt.MaxBytes,
		info:     info,
		model:    m,
	}
	if h.maxBytes <= 0 {
		h.maxBytes = DefaultMaxBytes
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = max(2, runtime.NumCPU())
	}
	h.slots = make(chan struct{}, workers)
	if opt.Log != nil {
		h.log = log.New(opt.Log, "", log.LstdFlags)
	}
	page, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	files := http.FileServerFS(page)
	h.mux.Handle("GET /{$}", noCache(files))
	h.mux.HandleFunc("POST /api/predict", h.predict)
	h.mux.HandleFunc("GET /api/model", h.modelInfo)
	h.mux.HandleFunc("/api/predict", methodNotAllowed("POST"))
	h.mux.HandleFunc("/api/model", methodNotAllowed("GET, HEAD"))
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such page: %s %s", r.Method, r.URL.Path))
	})
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// The page loads nothing from elsewhere; say so to the browser as well.
	w.Header().Set("Content-Security-Policy",
		"default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; connect-src 'self'")
	if h.log == nil {
		h.mux.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	h.mux.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	note := ""
	if rec.note != "" {
		note = ": " + rec.note
	}
	h.log.Printf("%s %s %d %dB %v%s", r.Method, r.URL.Path, rec.status, rec.bytes, time.Since(start).Round(time.Microsecond), note)
}

// recorder notes the status and size of a response for the request log,
// and what the handler says about it.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	note   string
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// note records what the request log says after a request's numbers.
func note(w http.ResponseWriter, format string, args ...any) {
	if r, ok := w.(*recorder); ok {
		r.note = fmt.Sprintf(format, args...)
	}
}

func noCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: method not allowed (use %s)", r.Method, r.URL.Path, allow))
	}
}

// Result is the answer of POST /api/predict.
type Result struct {
	Digit         int       `json:"digit"`         // the most probable class
	Confidence    float32   `json:"confidence"`    // its probability
	Probabilities []float32 `json:"probabilities"` // ten, summing to 1
	Input28       []float32 `json:"input28"`       // the 784 inputs the network received, 0-1, white ink on black, row-major
	RunnerUp      int       `json:"runner_up"`     // the second most probable class
	RunnerUpConf  float32   `json:"runner_up_confidence"`
	// Warning says why the image may not be one digit, as predict does.
	Warning string `json:"warning,omitempty"`
}

func (h *Handler) predict(w http.ResponseWriter, r *http.Request) {
	body, err := h.readImage(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.refuse(w, r, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("image too large: the limit is %d bytes", tooBig.Limit))
			return
		}
		var bad badForm
		if errors.As(err, &bad) {
			h.refuse(w, r, http.StatusBadRequest, err.Error())
			return
		}
		h.refuse(w, r, http.StatusBadRequest, "read request body: "+err.Error())
		return
	}
	if len(body) == 0 {
		h.refuse(w, r, http.StatusBadRequest, "empty body: send the image (PNG or JPEG) as the request body, or as the file of a multipart form")
		return
	}

	// wait for a slot: decoding a large photo takes time and memory
	select {
	case h.slots <- struct{}{}:
	case <-r.Context().Done():
		h.refuse(w, r, http.StatusServiceUnavailable, "request cancelled while waiting: "+r.Context().Err().Error())
		return
	}
	x, warnings, status, err := prepare(body)
	<-h.slots
	if err != nil {
		h.refuse(w, r, status, err.Error())
		return
	}

	h.mu.Lock()
	preds, err := h.model.Predict(x)
	h.mu.Unlock()
	if err != nil || len(preds) != 1 {
		h.refuse(w, r, http.StatusInternalServerError, fmt.Sprintf("predict: %v", err))
		return
	}
	p := preds[0]
	res := Result{
		Digit:         p.Digit,
		Confidence:    p.Confidence,
		Probabilities: p.Probabilities,
		Input28:       x,
		RunnerUp:      p.RunnerUp,
		RunnerUpConf:  p.RunnerUpConf,
		Warning:       strings.Join(warnings, "; "),
	}
	writeJSON(w, http.StatusOK, res)
	note(w, "%d-byte image → %d (%.3f)", len(body), p.Digit, p.Confidence)
}

// badForm is a multipart form that does not hold one file.
type badForm string

func (e badForm) Error() string { return string(e) }

// readImage reads the uploaded image, at most h.maxBytes of request body:
// the body itself, or the one file of a multipart/form-data form.
func (h *Handler) readImage(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.maxBytes)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return io.ReadAll(r.Body)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badForm("multipart form: " + err.Error())
	}
	var image []byte
	files := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, err
			}
			return nil, badForm("multipart form: " + err.Error())
		}
		if part.FileName() == "" { // a plain field: read past it
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, err
			}
			continue
		}
		files++
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		image = b
	}
	switch files {
	case 0:
		return nil, badForm("multipart form holds no file: send the image as one file field (curl -F file=@digit.png)")
	case 1:
		return image, nil
	}
	return nil, badForm(fmt.Sprintf("multipart form holds %d files: send one image", files))
}

func (h *Handler) modelInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(h.info)
}

// prepare turns an uploaded image into the network's input the way
// `perceptron predict` does with a file, and picks the HTTP status for a
// refusal.
func prepare(body []byte) ([]float32, []string, int, error) {
	if _, _, err := image.DecodeConfig(bytes.NewReader(body)); errors.Is(err, image.ErrFormat) {
		return nil, nil, http.StatusUnsupportedMediaType,
			fmt.Errorf("not an image in a known format: send PNG or JPEG (%s are read)", infer.Formats)
	}
	x, warnings, err := infer.PhotoFromBytesWarnings(body)
	switch {
	case errors.Is(err, infer.ErrNoInk):
		return nil, nil, http.StatusUnprocessableEntity, err
	case err != nil:
		return nil, nil, http.StatusBadRequest, err
	}
	return x, warnings, http.StatusOK, nil
}

func (h *Handler) refuse(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	writeError(w, status, msg)
}

// writeError answers {"error": msg} with status, and says msg in the log.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
	note(w, "%s", msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// Server returns an http.Server for h with bounded header, read, write and
// idle times and header size.
func Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting connections and waits up to grace for requests in
// flight. It returns nil after a clean shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := Server(h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
