package words

import (
	"fmt"
	"testing"
)

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "epoch", "1 epoch"}, {0, "epoch", "0 epochs"}, {2, "epoch", "2 epochs"}, {1, "run", "1 run"},
		{3, "update", "3 updates"}, {2, "epoch", "2 epochs"}, {10, "epoch", "10 epochs"}, {-1, "step", "-1 step"}, {2, "pass", "2 passes"},
	} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}

func ExampleCount() {
	fmt.Println(Count(1, "epoch"), "and", Count(60, "update"))
	// Output: 1 epoch and 60 updates
}
