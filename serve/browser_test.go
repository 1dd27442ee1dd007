package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var screenshot = flag.String("screenshot", "", "browser test: also write the page's screenshot to this file (for docs/serve.png)")

// chromium returns the Chromium to drive: $CHROMIUM, else chromium on PATH,
// else /usr/bin/chromium. Without one the test skips, except under CI=true.
func chromium(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("CHROMIUM"), "chromium", "/usr/bin/chromium", "chromium-browser"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no Chromium found (install Debian's chromium package, or set CHROMIUM)")
	}
	t.Skip("no Chromium: install Debian's chromium package (or set CHROMIUM) to run the browser test")
	return ""
}

// strokes are polylines in the pad's own 280×280 pixels.
type stroke [][2]float64

// arc returns points on a circle around (cx, cy), from angle a0 to a1 in
// degrees (0 to the right, 90 downwards, as on the screen).
func arc(cx, cy, r, a0, a1 float64) stroke {
	var s stroke
	n := int(math.Abs(a1-a0)/8) + 1
	for i := 0; i <= n; i++ {
		a := (a0 + (a1-a0)*float64(i)/float64(n)) * math.Pi / 180
		s = append(s, [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)})
	}
	return s
}

// line returns points along a straight segment.
func line(x0, y0, x1, y1 float64) stroke {
	var s stroke
	n := int(math.Hypot(x1-x0, y1-y0)/8) + 1
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(n)
		s = append(s, [2]float64{x0 + (x1-x0)*f, y0 + (y1-y0)*f})
	}
	return s
}

// three is a handwritten 3: two bowls, one stroke.
var three = []stroke{append(arc(136, 92, 46, -150, 90), arc(136, 184, 50, -90, 150)...)}

// seven is a 7: the bar and the slanted stem, one stroke.
var seven = []stroke{append(line(78, 58, 202, 58), line(202, 58, 118, 232)...)}

func TestBrowserDrawsDigit(t *testing.T) {
	exe := chromium(t)
	srv := newTestServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var mu sync.Mutex
	var requests []string
	var problems []string // failed loads, CSP violations, uncaught exceptions
	onEvent := func(method string, params json.RawMessage) {
		switch method {
		case "Network.loadingFailed", "Runtime.exceptionThrown":
			mu.Lock()
			problems = append(problems, method+" "+string(params))
			mu.Unlock()
			return
		case "Log.entryAdded":
			if bytes.Contains(params, []byte(`"level":"error"`)) {
				mu.Lock()
				problems = append(problems, method+" "+string(params))
				mu.Unlock()
			}
			return
		case "Network.requestWillBeSent":
		default:
			return
		}
		var ev struct {
			Request struct {
				URL    string `json:"url"`
				Method string `json:"method"`
			} `json:"request"`
		}
		if json.Unmarshal(params, &ev) == nil {
			mu.Lock()
			requests = append(requests, ev.Request.Method+" "+ev.Request.URL)
			mu.Unlock()
		}
	}
	b, err := startBrowser(ctx, exe, t.TempDir(), onEvent)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := b.close(); err != nil {
			t.Logf("closing chromium: %v", err)
		}
	}()
	var version struct {
		Product string `json:"product"`
	}
	if err := b.call(ctx, "", "Browser.getVersion", map[string]any{}, &version); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser %s", version.Product)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.page(ctx, "Network.enable", map[string]any{}, nil))
	must(b.page(ctx, "Page.enable", map[string]any{}, nil))
	must(b.page(ctx, "Runtime.enable", map[string]any{}, nil))
	must(b.page(ctx, "Log.enable", map[string]any{}, nil))
	must(b.page(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": 740, "height": 580, "deviceScaleFactor": 1, "mobile": false}, nil))
	must(b.page(ctx, "Emulation.setTouchEmulationEnabled", map[string]any{"enabled": true, "maxTouchPoints": 1}, nil))
	must(b.page(ctx, "Page.navigate", map[string]any{"url": srv.URL + "/"}, nil))
	must(b.waitFor(ctx, `document.readyState === "complete" && document.getElementById("model").textContent.includes("test accuracy")`))

	// where the pad is on the screen, to turn its pixels into the page's
	var rect struct{ X, Y, W, H float64 }
	must(b.eval(ctx, `(() => { const r = document.getElementById("pad").getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`, &rect))
	at := func(p [2]float64) (float64, float64) {
		return rect.X + p[0]*rect.W/280, rect.Y + p[1]*rect.H/280
	}

	drawMouse := func(strokes []stroke) {
		for _, s := range strokes {
			x, y := at(s[0])
			must(b.page(ctx, "Input.dispatchMouseEvent", map[string]any{
				"type": "mousePressed", "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1}, nil))
			for _, p := range s[1:] {
				x, y = at(p)
				must(b.page(ctx, "Input.dispatchMouseEvent", map[string]any{
					"type": "mouseMoved", "x": x, "y": y, "button": "left", "buttons": 1}, nil))
			}
			must(b.page(ctx, "Input.dispatchMouseEvent", map[string]any{
				"type": "mouseReleased", "x": x, "y": y, "button": "left", "buttons": 0, "clickCount": 1}, nil))
		}
	}
	// drawTouch draws with a finger; midway through each stroke, if wait is
	// set, it holds the finger still until wait is true in the page.
	drawTouch := func(strokes []stroke, wait string) {
		for _, s := range strokes {
			point := func(p [2]float64) []map[string]any {
				x, y := at(p)
				return []map[string]any{{"x": x, "y": y, "radiusX": 4, "radiusY": 4, "force": 1, "id": 1}}
			}
			must(b.page(ctx, "Input.dispatchTouchEvent", map[string]any{"type": "touchStart", "touchPoints": point(s[0])}, nil))
			for i, p := range s[1:] {
				must(b.page(ctx, "Input.dispatchTouchEvent", map[string]any{"type": "touchMove", "touchPoints": point(p)}, nil))
				if i == len(s)/2 && wait != "" {
					must(b.waitFor(ctx, wait))
				}
			}
			must(b.page(ctx, "Input.dispatchTouchEvent", map[string]any{"type": "touchEnd", "touchPoints": []any{}}, nil))
		}
	}

	// shown reads what the page shows once its predictions have settled.
	type shown struct {
		Digit       string    `json:"digit"`
		Predictions int       `json:"predictions"`
		Bars        []float64 `json:"bars"`
		Status      string    `json:"status"`
		Seen        int       `json:"seen"` // bright pixels in the 28×28 preview
		PNG         string    `json:"png"`  // the pad as the page sends it
	}
	read := func(after int) shown {
		t.Helper()
		must(b.waitFor(ctx, fmt.Sprintf(`document.body.dataset.busy === "0" && Number(document.body.dataset.predictions) > %d`, after)))
		var s shown
		must(b.eval(ctx, `(() => {
			const seen = document.getElementById("seen").getContext("2d").getImageData(0, 0, 28, 28).data;
			let bright = 0;
			for (let i = 0; i < seen.length; i += 4) if (seen[i] > 127) bright++;
			return {
				digit: document.getElementById("digit").textContent,
				predictions: Number(document.body.dataset.predictions),
				bars: [...document.querySelectorAll(".bar > div")].map(d => parseFloat(d.style.width) / 100),
				status: document.getElementById("status").textContent,
				seen: bright,
				png: document.getElementById("pad").toDataURL("image/png"),
			};
		})()`, &s))
		return s
	}
	// check compares what the page shows with the API's answer for the
	// image the pad holds.
	check := func(s shown, want int, how string) {
		t.Helper()
		t.Logf("%s: page shows %q after %d predictions; bars %.3f", how, s.Digit, s.Predictions, s.Bars)
		if s.Digit != fmt.Sprint(want) {
			t.Errorf("%s: page shows %q, want %d (status %q)", how, s.Digit, want, s.Status)
		}
		if s.Seen < 20 {
			t.Errorf("%s: the 28×28 preview has %d bright pixels: it does not show the digit", how, s.Seen)
		}
		png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s.PNG, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		status, res, msg := post(t, srv.URL, "image/png", bytes.NewReader(png))
		if status != http.StatusOK {
			t.Fatalf("%s: the API refuses the pad's image: %d %s", how, status, msg)
		}
		if fmt.Sprint(res.Digit) != s.Digit {
			t.Errorf("%s: the API answers %d for the pad's image, the page shows %q", how, res.Digit, s.Digit)
		}
		for d, p := range res.Probabilities {
			if len(s.Bars) != 10 || math.Abs(s.Bars[d]-float64(p)) > 0.002 {
				t.Errorf("%s: bar %d is %v, the API's probability %v", how, d, s.Bars, p)
				break
			}
		}
	}

	drawMouse(three)
	s := read(0)
	check(s, 3, "a 3 drawn with the mouse")

	must(b.waitFor(ctx, `document.getAnimations().every(a => a.playState !== "running")`)) // the bars' transitions
	shot := takeScreenshot(t, ctx, b)
	t.Logf("screenshot: %d bytes", len(shot))
	if *screenshot != "" {
		must(os.WriteFile(*screenshot, shot, 0o644))
	}

	// Clear empties the pad and the answer; a 7 drawn with a finger follows.
	var cleared struct {
		Digit  string `json:"digit"`
		Ink    int    `json:"ink"`
		Status string `json:"status"`
	}
	must(b.eval(ctx, `(() => {
		document.getElementById("clear").click();
		const px = document.getElementById("pad").getContext("2d").getImageData(0, 0, 280, 280).data;
		let ink = 0;
		for (let i = 0; i < px.length; i += 4) if (px[i] < 128) ink++;
		return {digit: document.getElementById("digit").textContent, ink, status: document.getElementById("status").textContent};
	})()`, &cleared))
	if cleared.Digit != "?" || cleared.Ink != 0 {
		t.Errorf("after Clear: digit %q, %d dark pixels on the pad; want \"?\" and 0", cleared.Digit, cleared.Ink)
	}
	// the answer follows the finger: a prediction arrives before it lifts
	drawTouch(seven, fmt.Sprintf(`Number(document.body.dataset.predictions) > %d`, s.Predictions))
	s = read(s.Predictions + 1)
	check(s, 7, "a 7 drawn by touch")

	// A photo through the file picker: a JPEG of an MNIST test digit on paper.
	d, _ := trainedModel(t)
	const photoIndex = 1
	photo := filepath.Join(t.TempDir(), "digit.jpg")
	must(os.WriteFile(photo, encodeJPEG(t, paper(d, photoIndex, 10)), 0o644))
	var doc struct {
		Root struct {
			NodeID int `json:"nodeId"`
		} `json:"root"`
	}
	must(b.page(ctx, "DOM.getDocument", map[string]any{}, &doc))
	var input struct {
		NodeID int `json:"nodeId"`
	}
	must(b.page(ctx, "DOM.querySelector", map[string]any{"nodeId": doc.Root.NodeID, "selector": "#file"}, &input))
	must(b.page(ctx, "DOM.setFileInputFiles", map[string]any{"nodeId": input.NodeID, "files": []string{photo}}, nil))
	p := read(s.Predictions)
	t.Logf("a photo of MNIST test image %d (label %d): page shows %q, status %q", photoIndex, d.Test.Labels[photoIndex], p.Digit, p.Status)
	if p.Digit != fmt.Sprint(d.Test.Labels[photoIndex]) || p.Status != "Photo: digit.jpg" || p.Seen < 20 {
		t.Errorf("photo: page shows %q with status %q and %d bright preview pixels; want %d, \"Photo: digit.jpg\"",
			p.Digit, p.Status, p.Seen, d.Test.Labels[photoIndex])
	}

	mu.Lock()
	defer mu.Unlock()
	predicts := 0
	for _, r := range requests {
		method, url, _ := strings.Cut(r, " ")
		if !strings.HasPrefix(url, srv.URL+"/") && !strings.HasPrefix(url, "data:") && !strings.HasPrefix(url, "blob:") {
			t.Errorf("the page requested %s %s, outside the server %s", method, url, srv.URL)
		}
		if r == "POST "+srv.URL+"/api/predict" {
			predicts++
		}
	}
	t.Logf("%d requests, %d of them predictions", len(requests), predicts)
	for _, p := range problems {
		t.Errorf("the page had a problem: %.300s", p)
	}
	if predicts < 2 {
		t.Errorf("the page sent %d predictions: %q", predicts, requests)
	}
}

func takeScreenshot(t *testing.T, ctx context.Context, b *browser) []byte {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	if err := b.page(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	return png
}
