import { appendFile } from 'node:fs/promises';
import { fsReason, WeftError } from '../../errors.js';
import type { BadRecordPolicy, ChunkStats } from './types.js';

/** Where a bad record sits in the input. */
export interface BadWhere {
  line?: number;
  /** 0-based record index (header excluded). */
  index: number;
  offset: number;
}

/**
 * Applies `--on-bad-record`: 'fail' throws a located WeftError (code E_RECORD), 'skip' counts and
 * drops, quarantine counts and queues the raw record for appending to a file (see `flush`).
 */
export class BadRecords {
  private queued: Buffer[] = [];

  constructor(
    private readonly policy: BadRecordPolicy,
    private readonly name: string,
    private readonly stats: ChunkStats,
  ) {}

  /** Handles one bad record; throws when the policy is 'fail'. */
  handle(data: Buffer, reason: string, where: BadWhere): void {
    const record = where.index + 1;
    if (this.policy === 'fail') {
      const at = where.line !== undefined ? `line ${where.line}, ` : '';
      throw new WeftError(
        'E_RECORD',
        `${reason} (record ${record}, ${at}byte ${where.offset}); --on-bad-record skip or quarantine FILE to go on`,
        { location: { file: this.name, line: where.line, record, offset: where.offset } },
      );
    }
    const copy = Buffer.from(data);
    if (this.policy === 'skip') {
      this.stats.skipped++;
    } else {
      this.stats.quarantined++;
      this.queued.push(copy);
      if (copy.length === 0 || copy[copy.length - 1] !== 10) this.queued.push(Buffer.from('\n'));
    }
    this.stats.onBadRecord?.({ reason, line: where.line, record, offset: where.offset, data: copy });
  }

  /** Appends queued records to the quarantine file (created on the first bad record only). */
  async flush(): Promise<void> {
    if (this.queued.length === 0 || typeof this.policy !== 'object') return;
    const data = Buffer.concat(this.queued);
    this.queued = [];
    try {
      await appendFile(this.policy.quarantine, data);
    } catch (err) {
      throw new WeftError('E_RECORD', `cannot write the quarantine file: ${fsReason(err)}`, {
        location: { file: this.policy.quarantine },
        cause: err,
      });
    }
  }
}
