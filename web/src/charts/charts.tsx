/**
 * Every chart of the app, on Recharts, in one lazily loaded chunk (see `components/charts.tsx`):
 * pages that draw nothing never download it. Each chart is an image with a text alternative.
 */
import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  PolarAngleAxis,
  PolarGrid,
  PolarRadiusAxis,
  Radar,
  RadarChart,
  ReferenceDot,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'

const PRIMARY = '#3b5bdb'
const MUTED = '#5f6b80'
const BAND = '#c5d0fa'
const dateTick = (iso: string) => new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
const score = (v: unknown) =>
  typeof v === 'number'
    ? v.toLocaleString(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 })
    : String(v)

export type AreaPoint = { area: string; score: number; peer?: number | null }

export function AreasRadar({ data, label }: { data: AreaPoint[]; label: string }) {
  const peers = data.some((d) => d.peer !== null && d.peer !== undefined)
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={260}>
        <RadarChart data={data} outerRadius="72%" accessibilityLayer={false}>
          <PolarGrid />
          <PolarAngleAxis dataKey="area" tick={{ fontSize: 12, fill: MUTED }} />
          <PolarRadiusAxis domain={[1, 5]} tickCount={5} tick={{ fontSize: 10, fill: MUTED }} angle={90} />
          <Radar
            name="You"
            dataKey="score"
            stroke={PRIMARY}
            fill={PRIMARY}
            fillOpacity={0.3}
            isAnimationActive={false}
          />
          {peers && (
            <Radar
              name="Peer median"
              dataKey="peer"
              stroke={MUTED}
              fill="none"
              strokeDasharray="4 3"
              isAnimationActive={false}
            />
          )}
          <Legend />
          <Tooltip formatter={score} />
        </RadarChart>
      </ResponsiveContainer>
    </figure>
  )
}

export type TrendPoint = { at: string; score?: number | null; value?: number | null; band?: [number, number] | null }

/** Scores over time, with the forecast as a dashed line inside its 95 % interval band. */
export function ScoreTrend({ data, label, height = 240 }: { data: TrendPoint[]; label: string; height?: number }) {
  const rows = data.map((d) => ({ ...d, t: new Date(d.at).getTime() }))
  const hasForecast = rows.some((r) => r.value !== undefined && r.value !== null)
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: -16 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e1e6ef" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => dateTick(new Date(t).toISOString())}
            tick={{ fontSize: 11, fill: MUTED }}
          />
          <YAxis domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} tick={{ fontSize: 11, fill: MUTED }} />
          <Tooltip
            labelFormatter={(t) => new Date(Number(t)).toLocaleDateString()}
            formatter={(v) => (Array.isArray(v) ? `${score(v[0])} – ${score(v[1])}` : score(v))}
          />
          {hasForecast && (
            <Area
              dataKey="band"
              name="95 % interval"
              stroke="none"
              fill={BAND}
              fillOpacity={0.6}
              isAnimationActive={false}
              connectNulls
            />
          )}
          <Line
            dataKey="score"
            name="Score"
            stroke={PRIMARY}
            strokeWidth={2.5}
            dot={{ r: 4 }}
            isAnimationActive={false}
            connectNulls
          />
          {hasForecast && (
            <Line
              dataKey="value"
              name="Forecast"
              stroke={PRIMARY}
              strokeDasharray="5 4"
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          )}
          <Legend />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  )
}

export type SeriesPoint = { bucket: string; [k: string]: number | string | null }

/** Admin time series: one line per measure. */
export function Series({
  data,
  lines,
  label,
  height = 200,
}: {
  data: SeriesPoint[]
  lines: Array<{ key: string; name: string; color?: string }>
  label: string
  height?: number
}) {
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: -8 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e1e6ef" vertical={false} />
          <XAxis
            dataKey="bucket"
            tickFormatter={(b: string) =>
              new Date(b).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit' })
            }
            tick={{ fontSize: 11, fill: MUTED }}
            minTickGap={24}
          />
          <YAxis tick={{ fontSize: 11, fill: MUTED }} />
          <Tooltip labelFormatter={(b) => new Date(String(b)).toLocaleString()} />
          {lines.map((l, i) => (
            <Line
              key={l.key}
              dataKey={l.key}
              name={l.name}
              stroke={l.color ?? [PRIMARY, '#c92a2a', '#2b9a66', '#a86b00', '#7048e8', '#495057'][i % 6]}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
          ))}
          <Legend />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  )
}

/** Bars (a peer distribution, costs by provider). `highlight` marks one bar (where you are). */
export function Bars({
  data,
  x,
  y,
  label,
  highlight,
  height = 200,
}: {
  data: Array<Record<string, string | number | null>>
  x: string
  y: string
  label: string
  highlight?: string
  height?: number
}) {
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: -8 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e1e6ef" vertical={false} />
          <XAxis dataKey={x} tick={{ fontSize: 11, fill: MUTED }} />
          <YAxis tick={{ fontSize: 11, fill: MUTED }} allowDecimals={false} />
          <Tooltip />
          <Bar dataKey={y} fill={PRIMARY} isAnimationActive={false} />
          {highlight !== undefined && <ReferenceDot x={highlight} y={0} r={6} fill="#c92a2a" stroke="none" />}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  )
}

export type KpiPoint = {
  month: string
  actual: number | null
  forecast: number | null
  band80: [number, number] | null
  band95: [number, number] | null
}
export type KpiMarker = { month: string; value: number; kind: string }

const monthTick = (m: string) => {
  const [y, mo] = m.split('-').map(Number)
  return new Date(y!, (mo ?? 1) - 1, 1).toLocaleDateString(undefined, { month: 'short', year: '2-digit' })
}

/** A KPI by month: the recorded values, the forecast inside its 80 % and 95 % bands, anomalies marked. */
export function KpiChart({
  data,
  anomalies,
  label,
  name,
  format,
  height = 260,
}: {
  data: KpiPoint[]
  anomalies: KpiMarker[]
  label: string
  name: string
  format: (v: number) => string
  height?: number
}) {
  const fmt = (v: unknown) =>
    Array.isArray(v) ? `${format(Number(v[0]))} – ${format(Number(v[1]))}` : typeof v === 'number' ? format(v) : ''
  const hasForecast = data.some((d) => d.forecast !== null)
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e1e6ef" vertical={false} />
          <XAxis dataKey="month" tickFormatter={monthTick} tick={{ fontSize: 11, fill: MUTED }} minTickGap={16} />
          <YAxis tick={{ fontSize: 11, fill: MUTED }} tickFormatter={(v: number) => format(v)} width={64} />
          <Tooltip labelFormatter={(m) => monthTick(String(m))} formatter={fmt} />
          {hasForecast && (
            <Area
              dataKey="band95"
              name="95 % range"
              stroke="none"
              fill={BAND}
              fillOpacity={0.45}
              isAnimationActive={false}
            />
          )}
          {hasForecast && (
            <Area
              dataKey="band80"
              name="80 % range"
              stroke="none"
              fill={BAND}
              fillOpacity={0.9}
              isAnimationActive={false}
            />
          )}
          <Line
            dataKey="actual"
            name={name}
            stroke={PRIMARY}
            strokeWidth={2}
            dot={{ r: 2.5 }}
            isAnimationActive={false}
          />
          {hasForecast && (
            <Line
              dataKey="forecast"
              name="Forecast"
              stroke={PRIMARY}
              strokeDasharray="5 4"
              dot={false}
              isAnimationActive={false}
            />
          )}
          {anomalies.map((a) => (
            <ReferenceDot
              key={`${a.month}-${a.kind}`}
              x={a.month}
              y={a.value}
              r={6}
              fill="#c92a2a"
              stroke="#fff"
              strokeWidth={1.5}
              ifOverflow="extendDomain"
            />
          ))}
          <Legend />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  )
}

export type PeerRange = {
  area: string
  p10: number
  p25: number
  p50: number
  p75: number
  p90: number
  you: number | null
}

/**
 * Peer distributions by area: p10–p90 (light), p25–p75 (darker, split at the median) on the 1–5
 * scale, and your score as a red dot.
 */
export function PeerRanges({ data, label }: { data: PeerRange[]; label: string }) {
  const rows = data.map((d) => ({
    area: d.area,
    base: d.p10 - 1,
    low: d.p25 - d.p10,
    midLow: d.p50 - d.p25,
    midHigh: d.p75 - d.p50,
    high: d.p90 - d.p75,
  }))
  return (
    <figure className="chart" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height={56 + 44 * rows.length}>
        <BarChart
          data={rows}
          layout="vertical"
          margin={{ top: 8, right: 16, bottom: 4, left: 8 }}
          barCategoryGap={10}
          accessibilityLayer={false}
        >
          <CartesianGrid stroke="#e1e6ef" horizontal={false} />
          <XAxis type="number" domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} tick={{ fontSize: 11, fill: MUTED }} />
          <YAxis type="category" dataKey="area" width={110} tick={{ fontSize: 12, fill: MUTED }} />
          <Bar dataKey="base" stackId="a" fill="transparent" isAnimationActive={false} legendType="none" />
          <Bar dataKey="low" stackId="a" fill={BAND} name="Middle 80 % of peers" isAnimationActive={false} />
          <Bar
            dataKey="midLow"
            stackId="a"
            fill="#8ea2f0"
            stroke="#fff"
            name="Middle half (split at the median)"
            isAnimationActive={false}
          />
          <Bar dataKey="midHigh" stackId="a" fill="#8ea2f0" stroke="#fff" legendType="none" isAnimationActive={false} />
          <Bar dataKey="high" stackId="a" fill={BAND} legendType="none" isAnimationActive={false} />
          {data
            .filter((d) => d.you !== null)
            .map((d) => (
              <ReferenceDot key={d.area} x={d.you!} y={d.area} r={6} fill="#c92a2a" stroke="#fff" strokeWidth={1.5} />
            ))}
          <Legend />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="muted small">The red dot is you.</figcaption>
    </figure>
  )
}
