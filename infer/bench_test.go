package infer

import (
	"strconv"
	"testing"

	"github.com/perceptron-mnist/perceptron/graph"
)

// photo12MP is a synthetic 4000×3000 phone photo as a JPEG file.
func photo12MP(b *testing.B) string {
	b.Helper()
	s := scene{w: 4000, h: 3000, ink: penDigits[4], size: 1200, cx: 1800, cy: 1700, angle: 0.1,
		shadow: true, noise: 0.03, seed: 1}
	return writeFile(b, b.TempDir(), "12mp.jpg", encodeJPEG(b, s.render()))
}

// BenchmarkReadPhoto12MP measures a whole 12-megapixel photo: read, decode
// the JPEG, preprocess to 28×28.
func BenchmarkReadPhoto12MP(b *testing.B) {
	path := photo12MP(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadPhoto(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPreprocess12MP measures the preprocessing of a decoded
// 12-megapixel JPEG alone.
func BenchmarkPreprocess12MP(b *testing.B) {
	img, _, err := DecodePhoto(photo12MP(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Preprocess(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredict measures the forward pass for one image and for a batch.
func BenchmarkPredict(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := scene{w: 300, h: 300, ink: penDigits[7], size: 200, cx: 150, cy: 150}
			x, err := Preprocess(s.render())
			if err != nil {
				b.Fatal(err)
			}
			var in []float32
			for range n {
				in = append(in, x...)
			}
			m := New(mustParams(b))
			defer m.Close()
			for b.Loop() {
				if _, err := m.Predict(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustParams(b *testing.B) *graph.Params {
	p, err := graph.NewParams(graph.NewArch([]int{64}, graph.Sigmoid), 1)
	if err != nil {
		b.Fatal(err)
	}
	return p
}
