package accountcsv_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/accountcsv"
	"github.com/kambot/kambot/store"
)

// genCSV is a file of n distinct accounts using every column, with a
// quarter of the owners shared so that team rows are written too.
func genCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("name,tier,level,owner,sponsor,cadence,revenue,wallet,segment,region,channel\n")
	tiers := []string{"vendor", "preferred", "consultant", "partner"}
	for i := range n {
		fmt.Fprintf(&b, "Account %07d Ltd,%s,product,U%07d,W%07d,monthly,%dk,%d.5,Segment %d,=Region %d,C%07d\n",
			i, tiers[i%4], i/4, i, i%5000, i%100, i%37, i%11, i)
	}
	return b.Bytes()
}

// BenchmarkImport imports generated files of 2,000, 20,000 and 200,000
// rows into a fresh SQLite file each time, and reports rows/s: the time
// per row should stay flat as the file grows. Run it alone, once per size:
//
//	go test -run '^$' -bench Import -benchtime 1x ./internal/accountcsv/
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{2_000, 20_000, 200_000} {
		data := genCSV(n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			var total, cpu time.Duration
			for i := range b.N {
				b.StopTimer()
				db, err := store.OpenMigrated(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("import-%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime(b)
				res, err := accountcsv.Read(ctx, bytes.NewReader(data), db, team, actor)
				total += time.Since(start)
				cpu += cpuTime(b) - cpu0
				b.StopTimer()
				if err != nil || res.Created != n {
					b.Fatalf("import: %+v, %v", res, err)
				}
				db.Close()
			}
			secs := total.Seconds() / float64(b.N)
			b.ReportMetric(secs, "s/import")
			b.ReportMetric(float64(n)/secs, "rows/s")
			b.ReportMetric(secs/float64(n)*1e6, "µs/row")
			// CPU time does not depend on what else the machine runs; on a
			// busy machine it is the steadier measure of linearity.
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/import")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/float64(n)*1e6, "cpu-µs/row")
		})
	}
}
