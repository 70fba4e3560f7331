// Analytics: KPI forecast and anomaly scan per business (10,000 businesses × 36 months of
// revenue with trend, season and noise), and PDF text extraction (a 20-page generated PDF).
// Targets: forecast ≤ 5 ms and anomaly scan ≤ 5 ms p99 per business.
// Usage: node bench/analytics.ts [--businesses 10000] [--months 36] [--pdf-runs 30]
import { parseArgs } from 'node:util'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { inspectDocument } from '../src/app/documents/inspect.ts'
import { detectAnomalies } from '../src/domain/analytics/anomalies.ts'
import { forecastMonthly } from '../src/domain/analytics/forecast.ts'
import { createNormal, createRandom, syntheticSeries } from '../src/domain/analytics/synthetic.test-helpers.ts'
import { percentile, printTable } from './lib/server.ts'

const { values } = parseArgs({
  options: {
    businesses: { type: 'string', default: '10000' },
    months: { type: 'string', default: '36' },
    'pdf-runs': { type: 'string', default: '30' },
  },
})
const businesses = Number(values.businesses)
const months = Number(values.months)
const pdfRuns = Number(values['pdf-runs'])

const normal = createNormal(createRandom(7))
const random = createRandom(8)
const series = Array.from({ length: businesses }, () =>
  syntheticSeries(
    {
      months,
      base: 5_000 + 50_000 * random(),
      slope: 200 * (random() - 0.3),
      amplitude: 3_000 * random(),
      noise: 500 + 1_000 * random(),
    },
    normal,
  ),
)

function time(fn: (i: number) => void): number[] {
  // Warm up the JIT on the first 200, then measure every business once.
  for (let i = 0; i < Math.min(200, businesses); i++) fn(i)
  const out = new Array<number>(businesses)
  for (let i = 0; i < businesses; i++) {
    const start = performance.now()
    fn(i)
    out[i] = performance.now() - start
  }
  return out.sort((a, b) => a - b)
}

const forecast = time((i) => {
  forecastMonthly(series[i]!, { horizon: 6, min: 0 })
})
const anomalies = time((i) => {
  detectAnomalies(series[i]!, { label: 'revenue' })
})

const row = (name: string, ms: number[]) => ({
  step: name,
  businesses,
  months,
  'p50 ms': percentile(ms, 50).toFixed(3),
  'p99 ms': percentile(ms, 99).toFixed(3),
  'max ms': ms[ms.length - 1]!.toFixed(2),
  'total s': (ms.reduce((a, b) => a + b, 0) / 1000).toFixed(2),
  'target p99': '≤ 5 ms',
})
printTable('KPI analytics per business', [
  row('forecast (Holt-Winters + backtest, 6 months)', forecast),
  row('anomaly scan', anomalies),
])
const flagged = series.filter((s) => {
  const scan = detectAnomalies(s, { label: 'revenue' })
  return scan.status === 'ok' && scan.anomalies.length > 0
}).length
console.log(
  `(plain synthetic series, nothing injected: ${((100 * flagged) / businesses).toFixed(1)} % of businesses had a month flagged)`,
)

const doc = await PDFDocument.create()
const font = await doc.embedFont(StandardFonts.Helvetica)
for (let p = 0; p < 20; p++) {
  const page = doc.addPage()
  for (let line = 0; line < 40; line++) {
    page.drawText(
      `Page ${p + 1}, line ${line + 1}: revenue $${(1000 + 37 * line).toLocaleString('en-US')} and margin ${(20 + (line % 9)).toString()}% in the quarter.`,
      { x: 40, y: 780 - 18 * line, size: 10, font },
    )
  }
}
const pdf = await doc.save()
await inspectDocument(pdf) // warm-up (loads PDF.js)
const pdfMs: number[] = []
for (let r = 0; r < pdfRuns; r++) {
  const start = performance.now()
  const result = await inspectDocument(pdf)
  pdfMs.push(performance.now() - start)
  if (result.pages !== 20) throw new Error('expected 20 pages')
}
pdfMs.sort((a, b) => a - b)
const mean = pdfMs.reduce((a, b) => a + b, 0) / pdfMs.length
printTable('PDF text extraction (unpdf, 20 pages × 40 lines, type check + hash + text)', [
  {
    runs: pdfRuns,
    bytes: pdf.length,
    'p50 ms': percentile(pdfMs, 50).toFixed(1),
    'p99 ms': percentile(pdfMs, 99).toFixed(1),
    'pages/s': ((20 * 1000) / mean).toFixed(0),
  },
])
