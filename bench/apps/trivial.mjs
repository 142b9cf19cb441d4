// The trivial app: the cost of start-up and exit, nothing else. Its first line records
// performance.now(), i.e. milliseconds since this process started (performance.timeOrigin),
// so "time until the app's first line runs" includes Node's own start-up and every preload.
const firstLineMs = performance.now();
// CPU time of the process so far (start-up, preloads): moves less than wall time when other work runs.
const firstLineCpu = process.cpuUsage();

let x = 0;
for (let i = 0; i < 100_000; i++) x = (x + i * 7) % 1_000_003;

// For the start-up profile only: which built-in modules were loaded before the first line / by exit.
const listModules = process.env.BENCH_LIST_MODULES === '1';
const modulesAtFirstLine = listModules ? process.moduleLoadList.slice() : undefined;

process.on('exit', () => {
  process.stdout.write(`BENCH ${JSON.stringify({
    exitMaxRssKB: process.resourceUsage().maxRSS,
    ...(listModules ? { modulesAtExit: process.moduleLoadList.slice() } : {}),
  })}\n`);
});
process.stdout.write(`BENCH ${JSON.stringify({ app: 'trivial', firstLineMs, firstLineCpuMs: (firstLineCpu.user + firstLineCpu.system) / 1000, x, ...(listModules ? { modulesAtFirstLine } : {}) })}\n`);
