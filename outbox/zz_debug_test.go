package outbox

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestDebugLoad(t *testing.T) {
	res := runLoadDbg(t)
	_ = res
}

func runLoadDbg(t *testing.T) loadResult {
	debugDispatch = true
	var dbl *slackDouble
	hook = func(d *slackDouble) { dbl = d }
	res := runLoad(t, 100, 20, 50*time.Millisecond, 3)
	for _, ch := range []string{"C000", "C050", "C099"} {
		at := dbl.arrivalsOf(ch)
		var gaps []time.Duration
		for i := 1; i < len(at); i++ {
			gaps = append(gaps, at[i].Sub(at[i-1]).Round(time.Millisecond))
		}
		t.Logf("%s first %v gaps %v", ch, at[0].Format("05.000"), gaps)
	}
	t.Logf("%v %v", res.elapsed, res.ideal)
	return res
}

func BenchmarkMarkTmp(b *testing.B) {
	r := newRig(b, false, nil)
	for i := range 5000 {
		r.enqueue("T1", fmt.Sprintf("C%04d", i%500), fmt.Sprint(i))
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		got, err := r.db.ClaimOutbox(ctx, time.Now(), 1, nil)
		if err != nil || len(got) == 0 {
			b.Fatal(err)
		}
		if err := r.db.MarkOutboxSent(ctx, got[0].ID, got[0].Attempts, "1.1", "C1"); err != nil {
			b.Fatal(err)
		}
	}
}
