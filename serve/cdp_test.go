package serve

// A minimal Chrome DevTools Protocol client for the browser test: Chromium is
// started with --remote-debugging-pipe and spoken to over two pipes (the
// browser reads commands on its file descriptor 3 and writes answers and
// events on 4, each message JSON followed by a NUL byte). This needs no
// module beyond the standard library.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// chromiumFlags are the flags of the machine notes for a headless Chromium on
// a closed network.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
	"--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe",
}

// browser is a running Chromium with one attached page.
type browser struct {
	cmd      *exec.Cmd
	toChrome *os.File
	stderr   *bytes.Buffer

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	onEvent func(method string, params json.RawMessage)
	readErr error
	done    chan struct{}

	session string // the page's session id
}

type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

func (e *cdpError) Error() string {
	return fmt.Sprintf("cdp error %d: %s %s", e.Code, e.Message, e.Data)
}

// startBrowser starts Chromium with a fresh profile in profileDir and opens
// a blank page. onEvent receives the page's events (called on the reading
// goroutine; it must not block).
func startBrowser(ctx context.Context, exe, profileDir string, onEvent func(string, json.RawMessage)) (*browser, error) {
	cmdR, cmdW, err := os.Pipe() // commands: we write, Chromium reads on fd 3
	if err != nil {
		return nil, err
	}
	evR, evW, err := os.Pipe() // answers: Chromium writes on fd 4, we read
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+profileDir, "about:blank")
	cmd := exec.Command(exe, args...)
	cmd.ExtraFiles = []*os.File{cmdR, evW}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", exe, err)
	}
	cmdR.Close()
	evW.Close()
	b := &browser{
		cmd: cmd, toChrome: cmdW, stderr: &stderr,
		pending: map[int64]chan cdpMessage{}, onEvent: onEvent, done: make(chan struct{}),
	}
	go b.read(evR)

	var created struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &created); err != nil {
		b.close()
		return nil, fmt.Errorf("open a page: %w (chromium said: %s)", err, lastLines(stderr.String(), 5))
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached); err != nil {
		b.close()
		return nil, err
	}
	b.mu.Lock()
	b.session = attached.SessionID
	b.mu.Unlock()
	return b, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func (b *browser) read(r *os.File) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.pending[m.ID]
			delete(b.pending, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		b.mu.Lock()
		session := b.session
		b.mu.Unlock()
		if b.onEvent != nil && m.SessionID == session && session != "" {
			b.onEvent(m.Method, m.Params)
		}
	}
}

// call sends a command (to the page when session is b.session, to the
// browser when "") and decodes its result into out (if not nil).
func (b *browser) call(ctx context.Context, session, method string, params any, out any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return fmt.Errorf("%s: browser gone: %w", method, b.readErr)
	}
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()

	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params, "sessionId": session})
	if err != nil {
		return err
	}
	if session == "" {
		msg, _ = json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	}
	if _, err := b.toChrome.Write(append(msg, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: browser closed the connection", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %w", method, m.Error)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// page sends a command to the page.
func (b *browser) page(ctx context.Context, method string, params any, out any) error {
	b.mu.Lock()
	session := b.session
	b.mu.Unlock()
	return b.call(ctx, session, method, params, out)
}

// eval evaluates a JavaScript expression in the page (awaiting a promise) and
// decodes its JSON value into out.
func (b *browser) eval(ctx context.Context, expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := b.page(ctx, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true,
	}, &res)
	if err != nil {
		return err
	}
	if e := res.ExceptionDetails; e != nil {
		return fmt.Errorf("evaluate %q: %s %s", expr, e.Text, e.Exception.Description)
	}
	if out != nil {
		return json.Unmarshal(res.Result.Value, out)
	}
	return nil
}

// waitFor evaluates a boolean expression until it is true.
func (b *browser) waitFor(ctx context.Context, expr string) error {
	for {
		var ok bool
		if err := b.eval(ctx, expr, &ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// close ends the browser: politely, then by force.
func (b *browser) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", map[string]any{}, nil)
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
		err = errors.Join(errors.New("chromium did not exit; killed"), <-exited)
	}
	b.toChrome.Close()
	<-b.done
	return err
}
