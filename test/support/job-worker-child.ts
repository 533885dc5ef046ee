/**
 * A job runner in its own process, for the "worker killed mid-job" test: node --import tsx this URL.
 */
import pino from 'pino';
import { openPool } from '../../striker/db/database.js';
import { JobRunner } from '../../striker/jobs/job-runner.js';
import { testCatalog } from './test-job-kinds.js';

const url = process.argv[2]!;
const db = openPool(url, { poolSize: 2, logger: pino({ level: 'silent' }) });
const runner = new JobRunner({ db, catalog: testCatalog, logger: pino({ level: 'silent' }), host: 'child', workers: 1, pollSeconds: 0.1, heartbeatSeconds: 0.2, staleAfterSeconds: 1 });
await runner.start();
process.stdout.write(`ready ${runner.workerId}\n`);
