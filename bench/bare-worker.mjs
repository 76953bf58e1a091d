// Reference for the worker start-up ratio: a bare worker_threads worker that only says it is ready.
import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'ready' });
