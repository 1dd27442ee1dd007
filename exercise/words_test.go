package exercise

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/perceptron-mnist/perceptron/sweep"
)

// quickStudy is fixedStudy as `exercise -quick` makes it: 3000 training
// images, and one epoch for every run.
func quickStudy() *Study {
	s := fixedStudy(1)
	s.Base.TrainLimit, s.Base.Epochs = 3000, 1
	for part, gs := range s.Parts {
		for i := range gs {
			one := func(r *sweep.Run) {
				r.Config.TrainLimit, r.Config.Epochs = 3000, 1
				r.History = r.History[:1]
				r.Summary.Epochs = 1
			}
			one(&gs[i].Run)
			for j := range gs[i].Seeds {
				one(&gs[i].Seeds[j])
			}
		}
		s.Parts[part] = gs
	}
	return s
}

// The report writes counts of one in the singular, and names only sections
// it has.
func TestReportWords(t *testing.T) {
	var b bytes.Buffer
	if err := quickStudy().WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	r := b.String()
	if m := regexp.MustCompile(`\b1 (epochs|updates|runs|seeds)\b`).FindAllString(r, -1); len(m) > 0 {
		t.Errorf("the report says %q", m)
	}
	for _, want := range []string{"1 epoch", "1 update"} {
		if !strings.Contains(r, want) {
			t.Errorf("the report of one-epoch runs has no %q", want)
		}
	}
	// every section or part the report refers to is one of its headings
	headings := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^## (\d+(?:\.\d+)?)\. `).FindAllStringSubmatch(r, -1) {
		headings[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`\b(?:section|part)s? (\d+(?:\.\d+)?)(?: and (\d+(?:\.\d+)?))?`).FindAllStringSubmatch(r, -1) {
		for _, n := range m[1:] {
			if n != "" && !headings[n] {
				t.Errorf("%q names section %s, which the report does not have (it has %v)", m[0], n, headings)
			}
		}
	}
}
