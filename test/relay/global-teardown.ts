import { kafkaSh, releasePort } from './broker';

/** Stops this run's broker and drops its data (every run starts from an empty broker), then frees the port. */
export default function globalTeardown(): void {
  try {
    kafkaSh('stop', '--clean');
  } finally {
    releasePort();
  }
}
