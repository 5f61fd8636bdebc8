// A small inline-SVG line chart: the last N samples, scaled to the largest one.
interface Props {
  label: string;
  values: (number | null)[];
  format: (v: number) => string;
  testId?: string;
}

const WIDTH = 240;
const HEIGHT = 48;

export function Sparkline({ label, values, format, testId }: Props) {
  const known = values.filter((v): v is number => v !== null);
  const latest = known.length ? known[known.length - 1]! : null;
  const max = Math.max(1e-9, ...known);
  const step = values.length > 1 ? WIDTH / (values.length - 1) : WIDTH;
  const points: string[] = [];
  values.forEach((v, i) => {
    if (v !== null) points.push(`${(i * step).toFixed(1)},${(HEIGHT - 2 - (v / max) * (HEIGHT - 4)).toFixed(1)}`);
  });
  return (
    <figure class="spark" data-testid={testId}>
      <figcaption>
        <span>{label}</span>
        <strong>{latest === null ? "n/a" : format(latest)}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label}>
        {points.length > 1 ? <polyline points={points.join(" ")} /> : <line x1="0" x2={WIDTH} y1={HEIGHT - 2} y2={HEIGHT - 2} />}
      </svg>
      <small>max {known.length ? format(max) : "n/a"}</small>
    </figure>
  );
}
