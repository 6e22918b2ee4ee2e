//go:build race

package outbox

// raceEnabled relaxes speed targets under the race detector.
const raceEnabled = true
