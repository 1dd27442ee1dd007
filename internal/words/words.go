// Package words writes counts of things in English: "1 epoch", "2 epochs".
package words

import "strconv"

// Count writes n and the noun, plural unless n is 1 or -1: Count(1,
// "epoch") is "1 epoch", Count(3, "run") "3 runs". Nouns ending in s, x
// or sh take "es" ("2 passes"); write others' plurals yourself.
func Count(n int, noun string) string {
	return strconv.Itoa(n) + " " + Noun(n, noun)
}

// Noun is the noun alone, as Count writes it after n.
func Noun(n int, noun string) string {
	if n == 1 || n == -1 || noun == "" {
		return noun
	}
	for _, end := range []string{"s", "x", "sh"} {
		if len(noun) >= len(end) && noun[len(noun)-len(end):] == end {
			return noun + "es"
		}
	}
	return noun + "s"
}
