import { Command, Option } from 'commander';

const collectList = (v: string, prev: string[] = []) => [...prev, v];

const EXAMPLES = `
Input sources (after the command):
  ::: A B C          the arguments A, B and C      ::::  FILE   one argument per line of FILE
  :::+ / ::::+       link to the previous source   -a FILE      like :::: (repeatable)
  (none)             one argument per line of stdin; with no command, each line is a command

Replacement strings:
  {} {.} {/} {//} {/.} {#} {%}, positional {1} {2.} {3/} ..., {name} with --header :

Examples:
  weft echo ::: a b c                       run three jobs, one per argument
  weft -k gzip -9 {} ::: *.log              compress every log, output in input order
  cat urls.txt | weft -j8 --timeout 30 curl -sO {}
  weft --pipe --block 10M wc -l < big.log   count lines of a big file in 10 MB chunks

Signals: a first SIGINT, SIGTERM or SIGHUP starts no new job and waits for the running ones;
a second SIGINT or SIGTERM kills them (--termseq).

Exit status: the number of failed jobs (101 if more than 100), the failing job's status
with --halt, 130/143/129 after SIGINT/SIGTERM/SIGHUP, 255 for weft's own errors.
Docs: README.md, docs/gnu-parallel.md.`;

/** The commander program: GNU parallel's options; options end at the first word of the command. */
export function buildProgram(): Command {
  return (
    new Command('weft')
      .usage('[options] [command [args]] [::: values | :::: files ...]')
      .description('Run a command once per input, in parallel — GNU parallel compatible.')
      .option('-V, --version', 'print the version')
      .argument('[command...]', 'command and input sources')
      .passThroughOptions()
      .helpOption('-h, --help', 'show this help')
      .addHelpText('after', EXAMPLES)
      // Inputs
      .option('-a, --arg-file <file>', 'read arguments from FILE (repeatable; - is stdin)', collectList)
      .option('-0, --null', 'arguments are separated by NUL')
      .option('-d, --delimiter <delim>', 'arguments are separated by DELIM (\\n, \\t, \\0, \\xHH understood)')
      .option('--arg-sep <sep>', 'use SEP instead of :::')
      .option('--arg-file-sep <sep>', 'use SEP instead of ::::')
      .option('--link', 'link input sources instead of forming their product')
      .addOption(
        new Option('--trim <how>', 'trim whitespace of arguments').choices(['n', 'l', 'r', 'lr', 'rl']),
      )
      .option('--shuf', 'run jobs in random order')
      .option('--colsep <regex>', 'split each argument into columns {1} {2} ... at REGEX')
      .option('--csv', 'arguments are CSV records (quoted fields, embedded newlines)')
      .option('--header <regex>', 'first record names the columns ({name}); in pipe mode, repeated per chunk')
      // Command building
      .option('-I <str>', 'use STR instead of {} as the replacement string')
      .option('-n, --max-args <n>', 'at most N arguments per command line')
      .option('-N, --max-replace-args <n>', 'exactly N arguments per command line ({1}..{N})')
      .option('-L, --max-lines <n>', 'N input lines per command line; in pipe mode, records of N lines')
      .option('-X', 'as many arguments as fit, repeating the word around {} for each')
      .option('-m', 'as many arguments as fit, space-separated in {}')
      .option(
        '--js <module>',
        'run each job with MODULE’s default export, async (input, ctx) => output, in worker threads',
      )
      .option('-q, --quote', 'quote the command words (no shell interpretation of the command)')
      .option('--plus', 'enable the {##} {0#} {..} {+.} ... replacement strings')
      // Running
      .option(
        '-j, --jobs <n>',
        'job slots: N, N% of cores, +N, -N, 0 for as many as possible, auto to adapt to throughput',
      )
      .option('--max-jobs <n>', 'with -j auto: the most jobs it may run at once (default 256)')
      .option('--delay <secs>', 'wait SECS between job starts')
      // Admission limits (docs/scheduling.md)
      .option('--rate <rate>', 'start at most N jobs per second: N/s, N/m, N/h (a token bucket)')
      .option('--burst <n>', 'with --rate: up to N jobs may start at once after a pause (default 1)')
      .option('--max-per-key <n>', 'at most N jobs at once with the same --key (e.g. per host)')
      .option('--memfree <size>', 'start no job while free memory is below SIZE (K, M, G, T)')
      // Reusing results (docs/scheduling.md)
      .option('--dedupe', 'run identical jobs (same command line and stdin) once; duplicates get its output')
      .option(
        '--dedupe-window <duration>',
        'reuse a result for duplicates only this long after its job ended',
      )
      .option('--cache <dir>', 'reuse successful results stored in DIR; store new ones there')
      .option('--cache-ttl <duration>', 'with --cache: run jobs whose stored result is older than DURATION')
      .option('--cache-env <vars>', 'with --cache: these environment variables (VAR,VAR) are part of the key')
      .option('--timeout <secs>', 'kill a job (its process group) after SECS, or N% of the median runtime')
      .option('--retries <n>', 'run a failing job up to N times')
      .option(
        '--retry-delay <duration>',
        'wait DURATION before each retry; MIN..MAX (1s..30s) doubles from MIN up to MAX, with jitter',
      )
      .option('--retry-on <codes>', 'retry only these failures: exit codes, signal names (KILL), timeout')
      .option(
        '--termseq <seq>',
        'kill jobs (timeout, --halt now, a second signal) with this signal,ms sequence (default TERM,200,TERM,100,TERM,50,KILL,25)',
      )
      .addOption(new Option('--term-seq <seq>').hideHelp())
      .option('--nice <n>', 'run every job at niceness N')
      .option('--halt <policy>', 'stop early: now|soon,fail|success|done=N|N%')
      .option('--dry-run', 'print the commands instead of running them')
      // Start order (docs/scheduling.md)
      .addOption(
        new Option(
          '--order <policy>',
          'start order: input (default), or lpt (longest job first, by --cost)',
        ).choices(['input', 'lpt']),
      )
      .option(
        '--cost <source>',
        'with --order lpt: file-size (default), file-size:{N}, or a number template ({2}, {name})',
      )
      .option(
        '--priority <template>',
        'start jobs with a higher number first ({2}, {name}); reads all input first',
      )
      // Output
      .option('-k, --keep-order', 'print output in input order')
      .option('--group', 'print each job’s output as one block when it finishes (default)')
      .option('--line-buffer', 'print output line by line as it arrives (alias --lb)')
      .addOption(new Option('--lb').hideHelp())
      .option('-u, --ungroup', 'print output as it arrives, unbuffered')
      .option('--tag', 'prefix each output line with the arguments and a TAB')
      .option('--tagstring <str>', 'prefix each output line with STR (replacement strings allowed)')
      .option('--results <dir>', 'save each job’s stdout, stderr and seq under DIR (GNU layout)')
      .option('--joblog <file>', 'write a GNU-format joblog to FILE')
      .option('--joblog-attempts', 'with --joblog: a row for every attempt, with an Attempt column')
      .option('--report <file>', 'write a run report (timeline, charts, failures) to FILE.json or FILE.html')
      .option(
        '--journal <file>',
        'crash-safe journal: keep each finished job’s output in FILE; --resume replays it',
      )
      .option('--resume', 'skip jobs the joblog (or journal) records as done')
      .option('--resume-failed', 'skip jobs the joblog (or journal) records as succeeded; rerun failed ones')
      // Pipe mode
      .option('--pipe', 'split stdin into blocks and feed one to each job’s stdin (alias --spreadstdin)')
      .addOption(new Option('--spreadstdin').hideHelp())
      .option('--pipepart', 'like --pipe, reading a file given with -a by offsets')
      .option('--block <size>', 'block size for --pipe (default 1M; K, M, G; k, m, g)')
      .option('--recstart <str>', 'records start with STR')
      .option('--recend <str>', 'records end with STR (default \\n)')
      .option('--regexp', '--recstart and --recend are regular expressions')
      .option('--cat', 'give each job its chunk as a temporary file named by {} (implies --pipe)')
      .option('--fifo', 'give each job its chunk as a named pipe named by {} (implies --pipe)')
      .option('--round-robin', 'start -j jobs once and deal the chunks to them (implies --pipe)')
      .addOption(new Option('--round').hideHelp())
      .addOption(new Option('--roundrobin').hideHelp())
      // Format-aware chunks (weft's own; imply --pipe)
      .addOption(
        new Option(
          '--format <format>',
          'cut input into whole records of this format (default: from the file name)',
        ).choices(['csv', 'tsv', 'json', 'ndjson', 'lines']),
      )
      .option('--records <n>', 'records per chunk (instead of --block)')
      .option('--window <duration>', 'flush a partial chunk after DURATION (live streams: tail -f)')
      .option(
        '--key <key>',
        'a job key TEMPLATE ({1}, {host}) for --max-per-key; with --format, a field, column name or number: records with one key go to one partition',
      )
      .option('--overlap <n>', 'repeat the last N records of a chunk at the start of the next')
      .addOption(
        new Option('--emit <form>', 'JSON input: each chunk as a JSON array or NDJSON').choices([
          'json',
          'ndjson',
        ]),
      )
      .option('--on-bad-record <policy>', 'fail (default), skip, or quarantine:FILE')
      // Folding outputs into one answer
      .option('--aggregate <kind>', 'fold all outputs: concat|sum|count|min|max|mean|uniq|count-distinct')
      .option(
        '--reduce <cmd>',
        'pipe all outputs, in input order, through CMD once (with --map: per partition)',
      )
      .option('--map <cmd>', 'MapReduce: CMD emits key<TAB>value lines, shuffled by key to --reduce')
      .option('--partitions <n>', 'MapReduce partitions, one reducer each (default: -j)')
      // Distributed mode (docs/distributed.md)
      .option(
        '--queue <url>',
        'run the jobs on a Redis queue (redis://[user:password@]host:port[/db], rediss:// for TLS) that weft --worker processes drain',
      )
      .option(
        '--max-payload <size>',
        'with --queue: largest chunk, command line or job output sent through Redis (default 16M)',
      )
      .option(
        '--run-id <id>',
        'with --queue: the run’s id (default: derived from the command line, so --resume finds it)',
      )
      .option(
        '--worker <url>',
        'run jobs from the producers on this Redis (weft --queue URL ...) until SIGTERM',
      )
      .option('--concurrency <n>', 'with --worker: jobs to run at once (default: one per core)')
      .option(
        '--allow <prefix>',
        'with --worker: run only plain commands whose first words are PREFIX (repeatable)',
        collectList,
      )
      .option(
        '--stall-timeout <duration>',
        'with --worker: a job whose worker stops for this long goes back to the queue (default 10s)',
      )
      // weft
      .option('--debug', 'show stack traces for errors')
      // YAML job specs (docs/spec.md)
      .option('--spec <file>', 'read the job from a YAML spec; flags given as well override its fields')
      .option('--validate [file]', 'check a YAML spec (or the --spec one) and exit without running')
      .option('--print-spec', 'print the effective spec (the YAML with the flags merged) and exit')
      // Watching a run (docs/events.md)
      .option('--events <file>', 'write every event as a JSON line to FILE (- is stderr)')
      .option('--bar', 'show a progress bar on stderr (default when stderr is a terminal)')
      .option('--no-bar', 'no progress bar, not even on a terminal')
      .option('--progress', 'show GNU parallel’s progress line on stderr')
      .option('--eta', 'show the estimated time left (GNU parallel’s --eta) on stderr')
      .option(
        '--status <file>',
        'print done, failed, running and ETA of a run from its --events file or joblog',
      )
  );
}
