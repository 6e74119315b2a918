package faultproxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/watch"
)

// WatchEnd is how EndWatches ends a watch stream.
type WatchEnd int

// The ways EndWatches ends a watch.
const (
	// Reset breaks the connection mid-stream, as a network failure or a restarted load
	// balancer does: the client reads an unexpected end of its response.
	Reset WatchEnd = iota
	// Timeout ends the response cleanly after the last whole event, as the API server does
	// when the watch's timeoutSeconds are up.
	Timeout
	// Gone sends an ERROR event holding a 410 Expired Status, then ends the response, as the
	// API server does when the resource version the watch would resume from is older than
	// what it keeps ("too old resource version"): the client must list again. A stream whose
	// framing the proxy does not know (neither JSON nor protobuf, or compressed) is Reset
	// instead. (The proxy asks the upstream server for watches without compression.)
	Gone
)

// maxFrame bounds one event of a watch stream the proxy reads whole (64 MiB: far above the
// API server's largest object).
const maxFrame = 64 << 20

// streamKey is the context key of a watch request's watchStream.
type streamKey struct{}

// watchStream is one watch the proxy streams.
type watchStream struct {
	resource string
	// end receives how EndWatches ends the stream (at most once).
	end chan WatchEnd
}

// EndWatches ends the watch streams of resource ("" for every resource) that are open, in
// the way how says, and returns how many it ended. A watch the upstream server refused (not
// 200 OK) is no stream. Wait for clients to watch again with Requests or OpenWatches.
func (p *Proxy) EndWatches(resource string, how WatchEnd) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for s := range p.watches {
		if resource != "" && s.resource != resource {
			continue
		}
		delete(p.watches, s)
		select {
		case s.end <- how:
			n++
		default:
		}
	}
	return n
}

// OpenWatches returns how many watch streams of resource ("" for every resource) are open.
func (p *Proxy) OpenWatches(resource string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for s := range p.watches {
		if resource == "" || s.resource == resource {
			n++
		}
	}
	return n
}

// streamWatch is the reverse proxy's ModifyResponse: the body of a watch the upstream server
// accepted is streamed event by event, so that EndWatches can end it between two events.
func (p *Proxy) streamWatch(resp *http.Response) error {
	s, ok := resp.Request.Context().Value(streamKey{}).(*watchStream)
	if !ok || resp.StatusCode != http.StatusOK {
		return nil
	}
	contentType := resp.Header.Get("Content-Type")
	if resp.Header.Get("Content-Encoding") != "" {
		contentType = "" // compressed all the same: passed on as it comes
	}
	resp.Body = newWatchBody(resp.Body, contentType, s.end)
	p.mu.Lock()
	p.watches[s] = true
	p.mu.Unlock()
	return nil
}

// closed forgets stream s once its request is done.
func (p *Proxy) closed(s *watchStream) {
	p.mu.Lock()
	delete(p.watches, s)
	p.mu.Unlock()
}

// codecs know the framing of the watch streams the API server writes (JSON, protobuf) and
// how to encode a Status in them.
var codecs = func() serializer.CodecFactory {
	s := runtime.NewScheme()
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	return serializer.NewCodecFactory(s)
}()

// watchBody is a watch response's body read event by event (when its framing is known),
// which ends as EndWatches says.
type watchBody struct {
	up   io.ReadCloser
	info *runtime.SerializerInfo // nil: unknown framing, passed on as it comes
	end  <-chan WatchEnd

	frames  chan []byte
	readErr error // the upstream read's error, set before frames is closed
	stop    chan struct{}
	once    sync.Once

	pending []byte
	last    bool // pending is the last of the stream
}

func newWatchBody(up io.ReadCloser, contentType string, end <-chan WatchEnd) *watchBody {
	b := &watchBody{up: up, end: end, frames: make(chan []byte), stop: make(chan struct{})}
	if mediaType, _, err := mime.ParseMediaType(contentType); err == nil {
		if info, ok := runtime.SerializerInfoForMediaType(codecs.SupportedMediaTypes(), mediaType); ok &&
			info.StreamSerializer != nil && info.StreamSerializer.Framer != nil {
			b.info = &info
		}
	}
	go b.pump()
	return b
}

// pump reads the upstream body, one event (frame) at a time, into frames.
func (b *watchBody) pump() {
	defer close(b.frames)
	var frames io.Reader = b.up
	if b.info != nil {
		frames = b.info.StreamSerializer.Framer.NewFrameReader(b.up)
	}
	buf := make([]byte, 32<<10)
	for {
		frame, err := b.readFrame(frames, buf)
		if len(frame) > 0 {
			select {
			case b.frames <- frame:
			case <-b.stop:
				return
			}
		}
		if err != nil {
			b.readErr = err
			return
		}
	}
}

// readFrame returns the next frame as it was on the wire (its framing included), or the
// next bytes when the framing is unknown.
func (b *watchBody) readFrame(r io.Reader, buf []byte) ([]byte, error) {
	if b.info == nil {
		n, err := r.Read(buf)
		return bytes.Clone(buf[:n]), err
	}
	n := 0
	for {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.ErrShortBuffer {
			if len(buf) >= maxFrame {
				return nil, fmt.Errorf("faultproxy: a watch event larger than %d bytes", maxFrame)
			}
			buf = append(buf, make([]byte, len(buf))...)
			continue
		}
		if err != nil {
			return nil, err
		}
		var out bytes.Buffer
		if _, err := b.info.StreamSerializer.Framer.NewFrameWriter(&out).Write(buf[:n]); err != nil {
			return nil, err
		}
		if b.info.MediaType == runtime.ContentTypeJSON {
			out.WriteByte('\n') // as the API server ends each JSON event (the frame reader drops it)
		}
		return out.Bytes(), nil
	}
}

func (b *watchBody) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		if b.last {
			return 0, io.EOF
		}
		select {
		case f, ok := <-b.frames:
			if !ok {
				return 0, b.readErr
			}
			b.pending = f
		case how := <-b.end:
			b.halt()
			if how == Timeout {
				return 0, io.EOF
			}
			if how == Gone && b.info != nil {
				if f, err := goneEvent(b.info); err == nil {
					b.pending, b.last = f, true
					continue
				}
			}
			// The reverse proxy aborts the client's connection on a read error; on
			// context.Canceled it does so without logging.
			return 0, context.Canceled
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// halt stops reading upstream.
func (b *watchBody) halt() {
	b.once.Do(func() {
		close(b.stop)
		b.up.Close()
	})
}

func (b *watchBody) Close() error {
	b.halt()
	return nil
}

// goneEvent returns a watch event of type ERROR holding the 410 Expired Status the API server
// sends when a watch asks for a resource version it no longer has, framed as info frames
// events.
func goneEvent(info *runtime.SerializerInfo) ([]byte, error) {
	status := &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status: metav1.StatusFailure, Code: http.StatusGone, Reason: metav1.StatusReasonExpired,
		Message: "too old resource version (injected by faultproxy)"}
	var object bytes.Buffer
	if err := info.Serializer.Encode(status, &object); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	ev := &metav1.WatchEvent{Type: string(watch.Error), Object: runtime.RawExtension{Raw: object.Bytes()}}
	if err := info.StreamSerializer.Serializer.Encode(ev, info.StreamSerializer.Framer.NewFrameWriter(&out)); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
