// Child process of session-lock.test.ts: takes a lock file, says so on stdout and holds it until killed.
import { FileLock } from '../../../src/main/session/file-lock';

const got = FileLock.tryAcquire(process.argv[2], 'test holder');
process.stdout.write(got instanceof FileLock ? 'locked\n' : 'busy\n');
setInterval(() => undefined, 1000);
