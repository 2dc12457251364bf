// The clock lives in libs/runtime; this re-export keeps the files that still import it from here compiling.
export { SimulatedClock, systemClock, type Clock } from '@chuishao/runtime';
