#!/usr/bin/env node
import { runLocalCluster } from '../dist/local-cluster.js';

// Everything started so far is already in the state file: `down` removes it.
process.once('SIGINT', () => {
  process.stderr.write('\nfleet-local-cluster: interrupted; remove whatever was started with: npm run cluster:down\n');
  process.exit(130);
});
process.exitCode = await runLocalCluster(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
