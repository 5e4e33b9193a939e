// Importing the package root (what a client that only starts videos does) must not load
// OpenTelemetry; `seedance-temporal/tracing` does. Prints the figures as one JSON line.
const otel = () =>
  Object.keys(require.cache).filter((file) =>
    /[\\/]node_modules[\\/]@(opentelemetry|temporalio[\\/]interceptors-opentelemetry)[\\/]/.test(file),
  );

let started = performance.now();
const root = require('seedance-temporal');
const rootMs = performance.now() - started;
if (typeof root.createSeedanceWorker !== 'function') throw new Error('the root has no createSeedanceWorker');
const loadedByRoot = otel();

started = performance.now();
const tracing = require('seedance-temporal/tracing');
const tracingMs = performance.now() - started;
if (typeof tracing.startTracing !== 'function') throw new Error('seedance-temporal/tracing has no startTracing');

console.log(
  JSON.stringify({
    rootMs: Math.round(rootMs),
    tracingMs: Math.round(tracingMs),
    loadedByRoot,
    loadedByTracing: otel().length,
  }),
);
