package worker_test

import (
	"fmt"
	"time"

	"github.com/perceptron-mnist/perceptron/internal/worker"
)

// Work in four parts, shared with a worker: the caller takes parts too and
// does all of them if the worker is busy or asleep, so the result is the
// same either way.
func ExampleWorker_Offer() {
	w := worker.New(time.Millisecond)
	defer w.Close()
	squares := make([]int, 8)
	s := w.Offer(4, func(i int) {
		for j := 2 * i; j < 2*i+2; j++ {
			squares[j] = j * j
		}
	})
	s.Finish() // does the parts not taken, waits for the others
	fmt.Println(squares)
	// Output: [0 1 4 9 16 25 36 49]
}
