import { execFile } from 'node:child_process';
import { UserError } from '../errors.js';

/**
 * Downloads an npm package's tarball with `npm pack <spec>` into `destination`
 * (through the npm registry the user's npm is set up for); returns its path.
 */
export function npmPack(spec: string, destination: string): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise((resolve, reject) => {
    execFile(npm, ['pack', spec, '--pack-destination', destination, '--json', '--ignore-scripts'], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) {
        const reason = /E404|404 Not Found/.test(stderr) ? 'no such package in the npm registry' : (stderr.trim().split('\n').pop() ?? error.message);
        reject(new UserError(`Could not fetch the pack "${spec}" with npm: ${reason}.`, { next: 'Check the package name, or pass a folder or a .tgz file.', exitCode: 1 }));
        return;
      }
      try {
        const [info] = JSON.parse(stdout) as { filename: string }[];
        resolve(`${destination}/${info.filename.replace(/^@/, '').replace(/\//g, '-')}`);
      } catch {
        reject(new UserError(`npm pack ${spec} gave no tarball.`, { exitCode: 1 }));
      }
    });
  });
}
