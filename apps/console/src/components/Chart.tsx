import { lazy, Suspense } from 'react';
import type { ChartProps } from './EChart';

// ECharts is loaded only when a page shows a chart: it stays out of the initial route's JavaScript.
const EChart = lazy(() => import('./EChart'));

export function Chart(props: ChartProps) {
  return (
    <Suspense fallback={<div style={{ height: props.height ?? 320 }} aria-busy="true" />}>
      <EChart {...props} />
    </Suspense>
  );
}
