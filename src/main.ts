// NO_COLOR and --no-color must hold for every renderer, Ink's included, which read FORCE_COLOR.
if ((process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') || process.argv.includes('--no-color')) {
  process.env.FORCE_COLOR = '0';
}

// A reader that goes away (`llm-tutor list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// No sandbox child outlives the tutor, and no signal opens its inspector.
const { guardProcess } = await import('./sandbox/live-children.js');
guardProcess();

const { run } = await import('./cli.js');
process.exitCode = await run(process.argv.slice(2));
